import type { Clock } from '../../clock';
import type { PrimaIstruzione } from '../../db/prima-istruzione';
import type { Operatore } from '../../domain/types';
import { envelope, envelopeTree, type RequestHeaders } from '../../messages/envelope';
import type { ParsedEnvelope } from '../../xml/envelope';
import { XmlReader } from '../../xml/read';
import type { Caller } from '../identity';
import type { SoapOperation } from '../service';
import type { Reply, RequestContext } from './context';

/** A call that passed every check, as its handler is given it. */
export interface CheckedCall {
  operation: SoapOperation;
  env: ParsedEnvelope;
  /** The body as received, for the message log's digest and size. */
  body: string;
  /** The signed wsa:MessageID, null for an unsigned call. */
  messageId: string | null;
  caller: Caller;
  operatore: Operatore;
  headers: RequestHeaders;
  /** The replay record for the handler's transaction (replay.ts), when the call is signed. */
  primaIstruzione?: PrimaIstruzione;
}

/**
 * Stage: the call is noted for the message log, the log names its operation, operator and correlation, and the
 * handler answers; what the handler says it touched (`traccia`) goes into the access trace.
 */
export async function runHandler(ctx: RequestContext, call: CheckedCall, clock: Clock): Promise<Reply> {
  const { operation, operatore } = call;
  const received = {
    body: call.body,
    operation: operation.name,
    messageId: call.messageId,
    correlationId: call.headers.optional('X-Correlation-ID')?.value() ?? null,
  };
  ctx.received = received;
  ctx.log = ctx.log.child({ operation: operation.name, operatore: operatore.id, ...(received.correlationId && { correlationId: received.correlationId }) });
  const { access } = ctx;
  const result = await operation.handle(new XmlReader(call.env.payload), {
    requestId: ctx.requestId,
    caller: call.caller,
    operatore,
    headers: call.headers,
    receivedAt: clock.now(),
    document: call.env.document,
    ...(call.primaIstruzione && { primaIstruzione: call.primaIstruzione }),
    log: ctx.log,
    traccia: (t) => {
      if (t.riferimenti) access.riferimenti = { ...access.riferimenti, ...t.riferimenti };
      if (t.codiceFiscale) access.codiceFiscale = t.codiceFiscale;
    },
  });
  const headers = result.headers ?? [];
  return { status: 200, body: envelope(headers, result.body), tree: envelopeTree(headers, result.body) };
}
