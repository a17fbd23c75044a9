import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registri } from '../audit/registri';
import type { RifiutiSenzaIdentita } from '../audit/rifiuti-senza-identita';
import type { Clock } from '../clock';
import type { IdentityConfig } from '../config/schema';
import type { Logger } from '../log';
import type { XmlLimits } from '../xml/limits';
import type { RevocationCheck } from '../pki/crl-store';
import { CallerRegistry } from './identity';
import { admit, AdmissionControl } from './intake/admission';
import { startRequest, type Reply, type RequestContext } from './intake/context';
import { runHandler } from './intake/handler';
import { identifyCaller } from './intake/identify';
import { authoriseCaller, authoriseCallerForService, checkSoapAction, findOperation, findService } from './intake/operation';
import { readOperator } from './intake/operator';
import { parseRequest, validateRequest } from './intake/parse';
import { checkPdnd } from './intake/pdnd';
import type { PdndGuard } from '../pdnd/guard';
import { observeCall, writeRecords } from './intake/records';
import type { PrimaIstruzione } from '../db/prima-istruzione';
import { guardedByReplay, type ReplayGuard } from './intake/replay';
import { faultReply, requestMessageId, sendReply, signedReply } from './intake/reply';
import { readBody, requirePost, requireTextXml } from './intake/request-body';
import { checkSignature } from './intake/signature';
import { refuseSuspendedOperator, refuseSuspendedParty, type SuspensionCheck } from './intake/suspension';
import { refuseUnidentified, UnidentifiedAdmission, type UnidentifiedLimits } from './intake/unidentified-admission';
import { WsdlDocuments } from './intake/wsdl-documents';
import { TLS_SERVER_POLICY } from './tls-policy';
import type { SoapService } from './service';
import { responseSigner } from './wssecurity';

/**
 * Hardened SOAP 1.1 endpoint over mutual TLS. Every request passes the intake's stages (shared/soap/intake/, one
 * function each, in the order written once in `intake` below): the caller's TLS identity (certificate, registered
 * party, allowed IP), the party's suspension, admission per party; then, for a call (WSDL and XSD are served on
 * GET), the caller's authorisation for the service (before any byte of the body is read), method, content type,
 * body size and UTF-8, the one parse (DTD refusal, limits on the XML's shape, well-formedness, envelope shape), the
 * operation and the caller's authorisation for it, XSD validation and mustUnderstand, the WS-Security signature on
 * the parsed document (ModI ID_AUTH_SOAP_02, unless the caller is deliberately configured without it; every com:*
 * and wsa:* header inside it), the replay check, the Operatore header and the operator's suspension, the PDND
 * voucher and tracking evidence (for identities PDND is on for: intake/pdnd.ts), and only then the handler. For an
 * operation that says so (replayNellaTransazione) the replay check is instead the first statement of the handler's
 * own transaction (intake/replay.ts: a copy is still refused before the handler changes anything, the record commits
 * with the change, one commit per call, and a call refused after its signature was verified is recorded too).
 * Any refusal is a SOAP Fault with a stable code and a readable reason; nothing reaches a handler (or a database)
 * before the other checks pass, and no handler changes anything before the replay check. Every call, accepted or
 * refused, is written to the access trace (and, once it reached its handler, to the message log) before its answer;
 * but a call without an identity is refused at once, within an admission limit per source address, and only counted
 * for one access record per address and minute (unidentified-admission.ts, records.ts). Every answer, to
 * identified callers and to others within their admission limit, ack or Fault, is signed with the server's own
 * certificate and names the request it answers (intake/reply.ts), including to those onboarded without message
 * security; a 429 beyond the limit is not signed, so a flood cannot buy an RSA signature per call.
 */

// What the wings implement; they import it from here, the server's public face.
export type { CallContext, SoapOperation, SoapReply, SoapService } from './service';

export interface SoapServerOptions {
  /**
   * caFile: every CA a caller's certificate may come from (each identity is then bound to its own). keyFile and
   * certFile also sign every response.
   */
  tls: { keyFile: string; certFile: string; caFile: string | readonly string[] };
  identities: readonly IdentityConfig[];
  services: readonly SoapService[];
  publicUrl: string;
  maxBodyBytes: number;
  /** Bounds on the shape of a request's XML (depth, attributes, nodes, name and text length); defaults when absent. */
  xmlLimits?: XmlLimits;
  /** Requests of one calling party worked on at once; one more is refused with SERVIZIO_NON_DISPONIBILE (admission control). */
  maxRichiesteInCorso?: number;
  /** Admission of calls identification refuses, per source address (config soap.senzaIdentita). */
  senzaIdentita: UnidentifiedLimits;
  clock: Clock;
  log: Logger;
  /** The service's chained logs: every access and every message received is appended before the response goes out. */
  registri?: Registri;
  /** Where calls identification refused are counted: one access record per source address and minute (required with registri). */
  rifiutiSenzaIdentita?: RifiutiSenzaIdentita;
  sospensioni?: SuspensionCheck;
  /** MessageIDs seen (replay guard); required when any identity sends signed messages. */
  visti?: ReplayGuard;
  /** The CRLs in force (shared/runtime/revocation.ts): callers' TLS and signing certificates they list are refused. */
  revocations?: RevocationCheck;
  /** PDND vouchers and tracking evidence (shared/pdnd/guard.ts); required when PDND is on for any identity. */
  pdnd?: PdndGuard;
}

export function createSoapServer(opts: SoapServerOptions): https.Server {
  const registry = new CallerRegistry(opts.identities, opts.revocations ?? null);
  const unsigned = opts.identities.filter((i) => i.sicurezzaMessaggio === 'nessuna').map((i) => i.code);
  if (unsigned.length > 0) {
    opts.log.warn({ identities: unsigned }, 'these parties are accepted without WS-Security message signature (sicurezzaMessaggio "nessuna" in the configuration)');
  }
  reportPdnd(opts);
  if (!opts.visti && unsigned.length < opts.identities.length) throw new Error('createSoapServer: signed calls need a replay guard (visti)');
  if (opts.registri && !opts.rifiutiSenzaIdentita) throw new Error('createSoapServer: the access trace needs the aggregation of refusals without an identity (rifiutiSenzaIdentita)');
  const byPath = new Map(opts.services.map((s) => [s.path, s]));
  const documents = new WsdlDocuments(opts.services, opts.publicUrl);
  const admission = new AdmissionControl(opts.maxRichiesteInCorso ?? Infinity);
  const keyPem = readFileSync(opts.tls.keyFile, 'utf8');
  const certPem = readFileSync(opts.tls.certFile, 'utf8');
  // Parsed and checked (RSA, key matching the certificate) now: a server that could not sign must not start.
  const signer = responseSigner(keyPem, certPem);
  const unidentified = new UnidentifiedAdmission(opts.senzaIdentita, { log: opts.log, registeredAddresses: opts.identities.flatMap((i) => i.allowedIps) });

  const server = https.createServer(
    {
      key: keyPem,
      cert: certPem,
      ca: [opts.tls.caFile].flat().map((f) => readFileSync(f)),
      requestCert: true,
      // Certificate problems become SOAP Faults a counterpart can read, instead of a bare TLS alert.
      rejectUnauthorized: false,
      ...TLS_SERVER_POLICY,
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  // Before TLS wraps the connection: an address over its limit, where no party is registered, gets no handshake.
  server.prependListener('connection', (socket: Socket) => {
    if (unidentified.refusesConnection(socket.remoteAddress ?? '')) socket.destroy();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  /** One request: the intake's answer or its refusal as a Fault; records written, then the answer sent. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = startRequest(req, opts.clock, opts.log);
    try {
      ctx.reply = await intake(ctx, req, res);
      ctx.access.outcome = 'ACCETTATA';
    } catch (thrown) {
      ctx.reply = faultReply(ctx, thrown, res);
    } finally {
      try {
        ctx.access.durationMs = Date.now() - ctx.started;
        await writeRecords(opts.registri, ctx, opts.rifiutiSenzaIdentita);
        if (ctx.reply) sendReply(res, signedReply(ctx, signer, ctx.reply));
        observeCall(ctx, req.method);
      } finally {
        if (ctx.admittedAs !== null) admission.leave(ctx.admittedAs);
      }
    }
  }

  /** The stages in their order; each refuses by throwing an ApeError. */
  async function intake(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): Promise<Reply> {
    // A caller without an identity is refused here, within its address's admission limits or beyond them (cheaper).
    const caller = identifyCaller(ctx, registry, req.socket as TLSSocket, (refusal) => refuseUnidentified(unidentified, ctx, res, refusal));
    refuseSuspendedParty(opts.sospensioni, caller.identity.code);
    // Admission counts per party, so it follows identification; counted from here, refused or not, and released
    // once the answer is out (handle's finally).
    ctx.admittedAs = caller.identity.code;
    admit(admission, ctx.admittedAs, req, res);

    const document = req.method === 'GET' ? documents.find(ctx.url) : null;
    if (document) return { status: 200, body: document, document: true };

    const service = findService(byPath, ctx.url.pathname);
    // Before any byte of the body is read: a party none of this service's operations admits is refused here.
    authoriseCallerForService(service, caller.identity.code, res);
    requirePost(req.method, ctx.url.pathname);
    requireTextXml(req.headers);
    const body = await readBody(req, opts.maxBodyBytes);
    // The one parse, bounded: signature, schema and payload are all this document.
    const env = parseRequest(body, opts.xmlLimits);
    ctx.relatesTo = requestMessageId(env.headers);
    // The operation is named by the payload, so it is known only after the parse.
    const operation = findOperation(service, env.payloadName);
    ctx.access.operation = operation.name;
    checkSoapAction(operation, req.headers.soapaction);
    authoriseCaller(operation, caller.identity.code);
    validateRequest(env);

    // Timestamps and certificates live in real time, not in the procedure's (possibly simulated) clock.
    const now = new Date();
    const signature = checkSignature(env, {
      identity: caller.identity,
      ca: registry.caOf(caller.identity.code),
      expectedTo: `${opts.publicUrl}${service.path}`,
      now,
      revocations: registry.revocations,
    });
    const rest = async (primaIstruzione?: PrimaIstruzione) => {
      const { headers, operatore } = readOperator(ctx, env);
      refuseSuspendedOperator(opts.sospensioni, caller.identity.code, operatore.id);
      await checkPdnd(ctx, opts.pdnd, { headers: req.headers, audience: `${opts.publicUrl}${service.path}`, caller: caller.identity.code, operatoreId: operatore.id }, res);
      return runHandler(ctx, { operation, env, body, messageId: signature?.messageId ?? null, caller, operatore, headers, primaIstruzione }, opts.clock);
    };
    if (!signature) return rest();
    ctx.relatesTo = signature.messageId;
    // The MessageID is recorded, and a copy refused, before the rest, or in the handler's own transaction where the
    // operation takes it (replay.ts); a refusal by the checks that follow records it too.
    return guardedByReplay(opts.visti!, { signature, identity: caller.identity.code, now, nellaTransazione: operation.replayNellaTransazione === true }, ctx.log, rest);
  }

  return server;
}

/**
 * PDND during the migration, at every start: who must present vouchers and tracking evidence, and who is still
 * accepted without (like the parties onboarded without message signatures). PDND on for someone needs the guard.
 */
function reportPdnd(opts: Pick<SoapServerOptions, 'identities' | 'log' | 'pdnd'>): void {
  const attive = opts.identities.filter((i) => i.pdnd?.attivo).map((i) => i.code);
  if (attive.length === 0) return;
  if (!opts.pdnd) throw new Error(`createSoapServer: PDND is on for ${attive.join(', ')}, but no PDND guard was given`);
  const senza = opts.identities.filter((i) => !i.pdnd?.attivo).map((i) => i.code);
  opts.log.info({ identities: attive }, 'PDND on for these parties: their calls need a voucher (Authorization: Bearer) and the operator\'s tracking evidence (Agid-JWT-TrackingEvidence)');
  if (senza.length > 0) opts.log.warn({ identities: senza }, 'these parties are accepted without a PDND voucher during the migration (pdnd.attivo false in the configuration)');
}
