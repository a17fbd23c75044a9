import type { ServerResponse } from 'node:http';
import { databaseNonDisponibile } from '../../db/non-disponibile';
import { ApeError, toError } from '../../errors';
import { FAULT_ACTION, OPERATIONS, responseAction } from '../../messages/contracts';
import { faultEnvelope, faultOf } from '../../messages/envelope';
import type { XmlNode } from '../../xml/tree';
import { signResponse, signResponseTree, WSA_NS, type ResponseSigner } from '../wssecurity';
import type { Reply, RequestContext } from './context';

/** Seconds a caller is asked to wait (Retry-After) when the database is unavailable. */
const RIPROVA_DOPO_S = 5;

/**
 * A refusal (ApeError) becomes its SOAP Fault with its code and HTTP status; anything else is a bug, logged with
 * its stack and answered as ERRORE_INTERNO naming the request, without details; but a database that cannot be reached
 * is answered 503 SERVIZIO_NON_DISPONIBILE with Retry-After, so that a counterpart waits instead of counting a failure.
 */
export function faultReply(ctx: Pick<RequestContext, 'requestId' | 'access' | 'log'>, thrown: unknown, res: { setHeader(name: string, value: string): unknown }): Reply {
  const err = toError(thrown);
  let fault: ApeError;
  if (err instanceof ApeError) {
    fault = err;
    ctx.log.info({ code: err.code, reason: err.message }, 'SOAP request refused');
  } else if (databaseNonDisponibile(err)) {
    // The party's database is down or restarting: not a bug, and not the caller's fault; it retries after a while.
    fault = new ApeError('SERVIZIO_NON_DISPONIBILE', `base dati non disponibile (richiesta ${ctx.requestId}): riprovare tra ${RIPROVA_DOPO_S} secondi`, { cause: err });
    ctx.log.warn({ err: err.message }, 'SOAP request refused: database unavailable');
    res.setHeader('Retry-After', String(RIPROVA_DOPO_S));
  } else {
    fault = new ApeError('ERRORE_INTERNO', `errore interno (richiesta ${ctx.requestId}): riprovare più tardi`);
    ctx.log.error({ err }, 'SOAP handler failed');
  }
  ctx.access.faultCode = fault.code;
  if (fault.code === 'MESSAGGIO_TROPPO_GRANDE') res.setHeader('Connection', 'close');
  return { status: fault.httpStatus, body: faultEnvelope(faultOf(fault)) };
}

/** Longest request wsa:MessageID echoed in wsa:RelatesTo (a urn:uuid is 45 characters). */
const MAX_RELATES_TO = 1024;

/**
 * The request's wsa:MessageID as the parsed envelope has it, before the signature is checked: a refusal between
 * the parse and the signature (schema, caller, signature itself) still names the message it refuses. Echoing an
 * unverified value gives nothing away: the Fault says that message M was refused, which is true of what arrived.
 */
export function requestMessageId(headers: readonly XmlNode[]): string | null {
  const ids = headers.filter((h) => h.ns === WSA_NS && h.local === 'MessageID');
  const id = ids.length === 1 ? ids[0]!.text.trim() : '';
  return id !== '' && id.length <= MAX_RELATES_TO ? id : null;
}

/**
 * Every SOAP answer, ack or Fault, leaves signed by this provider (ModI ID_AUTH_SOAP_02 on the response), naming
 * the request's wsa:MessageID when it is known; a WSDL or XSD document goes as it is. The Timestamp is real time,
 * like the consumer's check of it, whatever clock the procedure runs on.
 */
export function signedReply(ctx: Pick<RequestContext, 'relatesTo' | 'log' | 'unidentified' | 'access'>, signer: ResponseSigner, reply: Reply): Reply {
  // Refusals of callers without an identity are signed within their admission limit (a misconfigured party can trust
  // why it was refused), but not beyond it: a flood must not buy an RSA signature per call.
  if (reply.document || (ctx.unidentified && ctx.access.faultCode === 'TROPPE_RICHIESTE')) return reply;
  try {
    const operation = ctx.access.operation && Object.hasOwn(OPERATIONS, ctx.access.operation) ? OPERATIONS[ctx.access.operation as keyof typeof OPERATIONS] : undefined;
    const action = ctx.access.faultCode ? FAULT_ACTION : operation ? responseAction(operation.soapAction) : undefined;
    const options = { relatesTo: ctx.relatesTo, now: new Date(), ...(action && { action }) };
    // The handler's envelope is signed from its trees; a Fault, or an answer with a text-made part, from its text.
    return { status: reply.status, body: signResponseTree(reply.tree ?? null, signer, options) ?? signResponse(reply.body, signer, options) };
  } catch (err) {
    // Only a bug can get here (the key was checked at start): the answer goes out unsigned, the consumer refuses it
    // as RISPOSTA_NON_FIRMATA and retries, which is what it should do with an answer it cannot trust.
    ctx.log.error({ err: toError(err) }, 'SOAP response not signed');
    return reply;
  }
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(reply.body), 'X-Content-Type-Options': 'nosniff' });
  res.end(reply.body);
}
