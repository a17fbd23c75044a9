/**
 * Typed, coded errors. Every failure that crosses a boundary (SOAP Fault, AMQP ack/nack, CLI exit) is an
 * ApeError with a stable code, a message a counterpart can act on, and whether retrying can help.
 * Codes are Italian like the domain; the catalog below is the single list of them.
 */

export type FaultActor = 'Client' | 'Server';

interface CodeSpec {
  /** SOAP 1.1 faultcode: Client when the caller must change the message, Server when we failed. */
  actor: FaultActor;
  /** True when the same request may succeed later without changes. */
  retryable: boolean;
  /** HTTP status of the SOAP Fault response (SOAP 1.1 says 500; transport refusals use 4xx). */
  http: number;
}

export const ERROR_CODES = {
  // Channel and access (convenzione quadro, regole di sicurezza 1-3).
  CERTIFICATO_ASSENTE: { actor: 'Client', retryable: false, http: 403 },
  CERTIFICATO_NON_VALIDO: { actor: 'Client', retryable: false, http: 403 },
  /** The certificate (TLS or message signature) is on its CA's CRL: the party needs a new one. */
  CERTIFICATO_REVOCATO: { actor: 'Client', retryable: false, http: 403 },
  PARTE_NON_RICONOSCIUTA: { actor: 'Client', retryable: false, http: 403 },
  PARTE_NON_AUTORIZZATA: { actor: 'Client', retryable: false, http: 403 },
  PARTE_SOSPESA: { actor: 'Client', retryable: false, http: 403 },
  OPERATORE_SOSPESO: { actor: 'Client', retryable: false, http: 403 },
  /**
   * Calls that identify no registered party (no certificate, an unregistered one, an address outside the allow-list)
   * beyond the admission limit of their source address: refused without further detail until Retry-After. Not
   * retryable: the same call would still be unidentified.
   */
  TROPPE_RICHIESTE: { actor: 'Client', retryable: false, http: 429 },
  // Message security (AgID ModI ID_AUTH_SOAP_02, INTEGRITY_SOAP_01).
  FIRMA_ASSENTE: { actor: 'Client', retryable: false, http: 500 },
  FIRMA_NON_VALIDA: { actor: 'Client', retryable: false, http: 500 },
  ALGORITMO_NON_AMMESSO: { actor: 'Client', retryable: false, http: 500 },
  TIMESTAMP_NON_VALIDO: { actor: 'Client', retryable: false, http: 500 },
  DESTINATARIO_NON_VALIDO: { actor: 'Client', retryable: false, http: 500 },
  CERTIFICATO_NON_CORRISPONDENTE: { actor: 'Client', retryable: false, http: 500 },
  MESSAGGIO_RIPETUTO: { actor: 'Client', retryable: false, http: 500 },
  INTESTAZIONE_NON_COMPRESA: { actor: 'Client', retryable: false, http: 500 },
  /** A header the broker acts on (com:*, wsa:*) outside the signature: an intermediary could have rewritten it. */
  INTESTAZIONE_NON_FIRMATA: { actor: 'Client', retryable: false, http: 500 },
  /** What INPS originates (a packet, a reminder, a case for INL, a notice) lacks INPS's own signature, or it does not verify. */
  ORIGINE_NON_VALIDA: { actor: 'Client', retryable: false, http: 500 },
  // PDND (ModI with PDND vouchers and AUDIT_REST_02 tracking evidence), when PDND is on for the caller's identity.
  // Voucher refusals answer 401 with WWW-Authenticate (403 when the voucher is good but not for this caller or
  // purpose): the consumer obtains a new voucher (retryable when that is all it takes), or fixes its registration
  // on PDND (docs/PDND.md).
  VOUCHER_ASSENTE: { actor: 'Client', retryable: false, http: 401 },
  /** Malformed, not RS256, not signed by the authorization server's keys (tampered, alg none, HS256, unknown kid), wrong iss. */
  VOUCHER_NON_VALIDO: { actor: 'Client', retryable: false, http: 401 },
  /** Retryable: the same request with a new voucher (a client drops the one refused) can succeed. */
  VOUCHER_SCADUTO: { actor: 'Client', retryable: true, http: 401 },
  /** Retryable: the clocks apart (the skew tolerated is pdnd.tolleranzaSecondi); a new voucher, later, can succeed. */
  VOUCHER_NON_ANCORA_VALIDO: { actor: 'Client', retryable: true, http: 401 },
  /** aud is not this endpoint's e-service. */
  VOUCHER_DESTINATARIO_ERRATO: { actor: 'Client', retryable: false, http: 401 },
  /** purposeId unknown, of another consumer or e-service, or its agreement is not active. */
  VOUCHER_FINALITA_NON_VALIDA: { actor: 'Client', retryable: false, http: 403 },
  /** client_id is not the client of the identity the TLS channel authenticated. */
  VOUCHER_CLIENT_NON_CORRISPONDENTE: { actor: 'Client', retryable: false, http: 403 },
  /** A voucher jti already seen bound to something else (another client, purpose, e-service or tracking evidence). */
  VOUCHER_RIPETUTO: { actor: 'Client', retryable: false, http: 401 },
  EVIDENZA_ASSENTE: { actor: 'Client', retryable: false, http: 400 },
  /** Malformed, not signed by the consumer's registered key, wrong aud, expired, not yet valid, too long-lived, claims missing. */
  EVIDENZA_NON_VALIDA: { actor: 'Client', retryable: false, http: 400 },
  /** Its SHA-256 is not the digest the voucher carries (or the voucher carries none). */
  EVIDENZA_NON_VINCOLATA: { actor: 'Client', retryable: false, http: 400 },
  /** The evidence's userID is not the com:Operatore of the call. */
  OPERATORE_NON_CORRISPONDENTE: { actor: 'Client', retryable: false, http: 403 },
  // Transport and envelope.
  METODO_NON_AMMESSO: { actor: 'Client', retryable: false, http: 405 },
  CONTENT_TYPE_NON_VALIDO: { actor: 'Client', retryable: false, http: 415 },
  MESSAGGIO_TROPPO_GRANDE: { actor: 'Client', retryable: false, http: 413 },
  DTD_NON_AMMESSA: { actor: 'Client', retryable: false, http: 500 },
  XML_MALFORMATO: { actor: 'Client', retryable: false, http: 500 },
  /** Over a limit of the XML's shape (depth, attributes, nodes, name or text length: configuration soap.xmlLimits). */
  XML_TROPPO_COMPLESSO: { actor: 'Client', retryable: false, http: 500 },
  SOAP_NON_VALIDO: { actor: 'Client', retryable: false, http: 500 },
  OPERAZIONE_SCONOSCIUTA: { actor: 'Client', retryable: false, http: 500 },
  SCHEMA_NON_VALIDO: { actor: 'Client', retryable: false, http: 500 },
  OPERATORE_ASSENTE: { actor: 'Client', retryable: false, http: 500 },
  INTESTAZIONE_MANCANTE: { actor: 'Client', retryable: false, http: 500 },
  // Domain content.
  CODICE_FISCALE_NON_VALIDO: { actor: 'Client', retryable: false, http: 500 },
  DATI_INCOERENTI: { actor: 'Client', retryable: false, http: 500 },
  DOMANDA_DUPLICATA: { actor: 'Client', retryable: false, http: 500 },
  ISTRUTTORIA_NON_TROVATA: { actor: 'Client', retryable: false, http: 500 },
  PACCHETTO_NON_TROVATO: { actor: 'Client', retryable: false, http: 500 },
  DESTINATARIO_ERRATO: { actor: 'Client', retryable: false, http: 500 },
  MITTENTE_NON_DESTINATARIO: { actor: 'Client', retryable: false, http: 500 },
  CORRELAZIONE_NON_VALIDA: { actor: 'Client', retryable: false, http: 500 },
  ESITO_GIA_REGISTRATO: { actor: 'Client', retryable: false, http: 500 },
  ESITO_INCOMPLETO: { actor: 'Client', retryable: false, http: 500 },
  PACCHETTO_DUPLICATO: { actor: 'Client', retryable: false, http: 500 },
  SEGNALAZIONE_NON_TROVATA: { actor: 'Client', retryable: false, http: 500 },
  TRANSIZIONE_NON_AMMESSA: { actor: 'Client', retryable: false, http: 500 },
  DATA_PRESENTAZIONE_FUTURA: { actor: 'Client', retryable: false, http: 500 },
  DOMANDA_FUORI_FINESTRA: { actor: 'Client', retryable: false, http: 500 },
  // Our side, or a counterpart's, temporarily failing.
  SERVIZIO_NON_DISPONIBILE: { actor: 'Server', retryable: true, http: 503 },
  CONTROPARTE_NON_RAGGIUNGIBILE: { actor: 'Server', retryable: true, http: 502 },
  /** Calls to a counterpart that keeps failing are held back for a while (circuit breaker). */
  CIRCUITO_APERTO: { actor: 'Server', retryable: true, http: 503 },
  /**
   * A counterpart's response we cannot use: malformed, or (ModI ID_AUTH_SOAP_02 on the response) its signature,
   * signer, Timestamp or wsa:RelatesTo wrong; RISPOSTA_NON_FIRMATA when it carries no signature at all. Retryable:
   * every operation of the contracts is idempotent (a repeated domanda, packet or esito is recognised and answered
   * the same), so sending the request again is safe, and whatever damaged the answer may not do it next time; a
   * counterpart that keeps answering so is stopped by the delivery's deadline and the circuit breaker.
   */
  RISPOSTA_NON_VALIDA: { actor: 'Server', retryable: true, http: 502 },
  RISPOSTA_NON_FIRMATA: { actor: 'Server', retryable: true, http: 502 },
  ERRORE_INTERNO: { actor: 'Server', retryable: true, http: 500 },
  /**
   * Our client could not obtain a PDND voucher: the authorization server is unreachable or failing (retryable), or it
   * refused the request, or no purpose is configured for the e-service called (not retryable: registration to fix).
   */
  VOUCHER_NON_OTTENUTO: { actor: 'Server', retryable: true, http: 502 },
  // Configuration: the process must not start.
  CONFIGURAZIONE_NON_VALIDA: { actor: 'Server', retryable: false, http: 500 },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly actor: FaultActor;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec: CodeSpec = ERROR_CODES[code];
    this.name = 'ApeError';
    this.code = code;
    this.retryable = options.retryable ?? spec.retryable;
    this.actor = spec.actor;
    this.httpStatus = spec.http;
  }
}

/** A SOAP Fault answered by a counterpart, with the code it sent. */
export class RemoteFaultError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly httpStatus: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'RemoteFaultError';
  }
}

/** Coerce whatever was thrown into an Error, keeping the original as cause. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}

/** Whether retrying the operation that threw may succeed. Unknown errors are assumed transient. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApeError || err instanceof RemoteFaultError) return err.retryable;
  return true;
}

export function isApeError(err: unknown, code?: ErrorCode): err is ApeError {
  return err instanceof ApeError && (code === undefined || err.code === code);
}
