import type { Riferimenti } from '../audit/registri';
import type { Operatore } from '../domain/types';
import type { Logger } from '../log';
import type { RequestHeaders } from '../messages/envelope';
import type { XmlReader } from '../xml/read';
import type { Xml } from '../xml/write';
import type { Caller } from './identity';
import type { PrimaIstruzione } from '../db/prima-istruzione';

/**
 * What a wing gives the SOAP server: its services (a path and a WSDL) with their operations, each with the
 * parties allowed to call it and a handler; and what a handler receives with each call.
 */

export interface CallContext {
  requestId: string;
  caller: Caller;
  operatore: Operatore;
  headers: RequestHeaders;
  receivedAt: Date;
  /**
   * The request as the intake parsed it, once (its transport signature verified on it): for a check that needs the
   * signed form itself, such as INPS's origin signature inside the payload (shared/verifica-pacchetto/origine.ts).
   */
  document: Document;
  log: Logger;
  /**
   * For an operation with replayNellaTransazione, on a signed call: the replay record (shared/soap/intake/replay.ts)
   * to pass to the withTransaction that makes the call's change, so both commit together and a copy of the message
   * is refused there, before any change.
   */
  primaIstruzione?: PrimaIstruzione;
  /** Names what the call touched, for the access trace (the codice fiscale is stored only as a keyed hash). */
  traccia(t: { riferimenti?: Riferimenti; codiceFiscale?: string }): void;
}

export interface SoapReply {
  headers?: Xml[];
  body: Xml;
}

export interface SoapOperation {
  /** Local name of the operation (and of its request element). */
  name: string;
  /** {namespace}local of the request payload. */
  payload: string;
  soapAction: string;
  /** Identity codes allowed to call it. */
  callers: readonly string[];
  /**
   * The handler passes ctx.primaIstruzione to the transaction that makes its change (one commit per call). Without
   * it the replay record is written, and a copy refused, before the handler runs. With it, a handler that ends
   * without taking it (it changed nothing, or failed) has the record written alone after it.
   */
  replayNellaTransazione?: true;
  handle(payload: XmlReader, ctx: CallContext): Promise<SoapReply>;
}

export interface SoapService {
  /** URL path, e.g. /ape/istruttoria */
  path: string;
  /** WSDL file name in wsdl/ */
  wsdl: string;
  operations: readonly SoapOperation[];
}
