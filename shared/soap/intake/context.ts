import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AccessEvent } from '../../audit/registri';
import type { Clock } from '../../clock';
import type { Logger } from '../../log';
import type { EnvelopeTree } from '../../xml/envelope-tree';

/** What goes back: the HTTP status and the envelope (a reply, a Fault, or a WSDL/XSD document). */
export interface Reply {
  status: number;
  body: string;
  /** A WSDL or XSD served on GET, not a SOAP message: sent as it is, unsigned. */
  document?: true;
  /** The envelope as the handler's trees, so that it is signed without being parsed back (signResponseTree). */
  tree?: EnvelopeTree | null;
}

/** A call that reached its handler, as the message log records it (digest and identifiers, never the content). */
export interface ReceivedMessage {
  body: string;
  operation: string;
  messageId: string | null;
  correlationId: string | null;
}

/**
 * One request on its way through the intake. The stages fill it in as they learn who calls and for what; the
 * records written at the end (access trace, message log, metrics) read it, whichever stage refused the call.
 */
export interface RequestContext {
  readonly requestId: string;
  /** Date.now() on arrival, for the durations. */
  readonly started: number;
  readonly url: URL;
  /** The access trace entry: RIFIUTATA until a reply is ready. */
  readonly access: AccessEvent;
  /** Bound to the request, then to its caller, operation, operator and correlation as they become known. */
  log: Logger;
  /** The party this call is counted against (admission), released when the call ends. */
  admittedAs: string | null;
  /**
   * Identification refused the call (no certificate, none of a registered party, an address outside the allow-list):
   * its access record is aggregated per source address and minute instead of written alone (records.ts).
   */
  unidentified: boolean;
  /** Set just before the handler runs: the message log records only calls that got that far. */
  received: ReceivedMessage | null;
  /**
   * The request's wsa:MessageID, which the response names in wsa:RelatesTo: as read once the envelope is parsed,
   * then as verified by the signature check; null until then (a refusal before the parse cannot name it).
   */
  relatesTo: string | null;
  reply: Reply | null;
}

export function startRequest(req: Pick<IncomingMessage, 'url' | 'socket'>, clock: Clock, log: Logger): RequestContext {
  const started = Date.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'https://localhost');
  return {
    requestId,
    started,
    url,
    access: {
      requestId,
      at: clock.now(),
      service: url.pathname,
      operation: null,
      identity: null,
      certificateSubject: null,
      operatore: null,
      remoteAddress: String(req.socket.remoteAddress ?? ''),
      outcome: 'RIFIUTATA',
      faultCode: null,
      durationMs: 0,
    },
    log: log.child({ requestId, path: url.pathname }),
    admittedAs: null,
    unidentified: false,
    received: null,
    relatesTo: null,
    reply: null,
  };
}
