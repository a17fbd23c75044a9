import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { checkServerIdentity } from 'node:tls';
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError, RemoteFaultError, toError } from '../errors';
import { systemClock, type Clock } from '../clock';
import type { MessaggioRegistrato, Registri, Riferimenti } from '../audit/registri';
import { eseguiAccompagnamento, type Accompagnamento } from '../audit/catena';
import { isDataError } from '../db/pool';
import { envelope, envelopeTree, readFault, RequestHeaders } from '../messages/envelope';
import { envelopeOf, validateEnvelope } from '../xml/envelope';
import { parseStrict } from './wssecurity/dom';
import { NS, clark } from '../xml/namespaces';
import { XmlReader } from '../xml/read';
import type { Xml } from '../xml/write';
import { signEnvelope, signEnvelopeTree, verifyResponse } from './wssecurity';
import { CircuitBreakers, type CircuitOptions } from './circuit-breaker';
import { TLS_CLIENT_POLICY } from './tls-policy';
import { peerCertificate } from './identity';
import type { Logger } from '../log';
import { refuseRevoked, type RevocationCheck } from '../pki/crl-store';
import { knownCode, metrics } from '../metrics/metrics';

/**
 * Outgoing SOAP 1.1 calls over mutual TLS with kept-alive connections, each signed with WS-Security (ModI
 * ID_AUTH_SOAP_02: BinarySecurityToken, signed Timestamp, wsa:To, wsa:MessageID and Body) unless the
 * counterpart was deliberately onboarded without message security. The counterpart's certificate must
 * chain to the federation CA, not be on its CRL and, when given, carry the expected subject CN (we know which
 * party we call).
 * Every response, ack or Fault, is verified before anything in it is used (wssecurity/response.ts): signed by
 * that same party (certificate from the CA registered for it, naming the expected CN), fresh, and wsa:RelatesTo
 * naming our request; a counterpart onboarded without message security may answer unsigned. Responses then pass
 * through the same hardened parser and XSD validation as requests. Failures are typed: a response refused is
 * RISPOSTA_NON_FIRMATA or RISPOSTA_NON_VALIDA (retryable); a Fault becomes RemoteFaultError with the counterpart's
 * code and retryability; network trouble and timeouts become retryable CONTROPARTE_NON_RAGGIUNGIBILE.
 */

export interface SoapCall {
  url: string;
  soapAction: string;
  headers: readonly Xml[];
  body: Xml;
  /** Subject CN the server certificate must carry. */
  expectedServerCN?: string;
  /** What the call concerns, for the message log. */
  riferimenti?: Riferimenti;
  /**
   * When given, the call's message log entry is not written by the call but left here, and the caller commits it
   * with the state the delivery reached (`SoapClient.registraConsegna`: one commit for both).
   */
  voce?: VoceMessaggio;
}

/** A call's message log entry, held until its caller commits it with the delivery's state. */
export class VoceMessaggio {
  trattenuta?: { messaggio: MessaggioRegistrato; at: Date };
}

export interface SoapResult {
  headers: RequestHeaders;
  payload: XmlReader;
  status: number;
  durationMs: number;
}

export interface SoapClientOptions {
  keyFile: string;
  certFile: string;
  /** The CAs counterparts' certificates may come from. */
  caFile: string | readonly string[];
  timeoutMs: number;
  /** Largest response accepted, in bytes (default 1 MiB). */
  maxResponseBytes?: number;
  /** Concurrent connections per counterpart (default 32). */
  maxSockets?: number;
  /**
   * The service's message log: every call sent is appended (digest and identifiers, never the content), by the call
   * or, for a delivery, with the state it reached (`SoapCall.voce`).
   */
  registri?: Registri;
  clock?: Clock;
  /**
   * Server CNs of counterparts configured with sicurezzaMessaggio "nessuna": calls to them are not signed, and their
   * responses need not be (a signature they do send is still verified).
   */
  senzaFirma?: readonly string[];
  /**
   * The CA file registered for each counterpart, by its server CN: its responses must be signed by a certificate
   * from that CA. A counterpart not listed: from any CA in caFile (as for TLS).
   */
  caControparti?: Readonly<Record<string, string>>;
  /** A circuit breaker per counterpart (by origin); none when absent. */
  circuito?: CircuitOptions;
  log?: Logger;
  /** Party codes by server CN, to label the latency series by counterpart (the CN or host otherwise). */
  nomiControparti?: Readonly<Record<string, string>>;
  /** The CRLs in force: a counterpart whose server certificate they list is not called (CERTIFICATO_REVOCATO). */
  revocations?: RevocationCheck;
  /**
   * PDND on for this client's identity: every call carries a voucher for the e-service called and the tracking
   * evidence of the call's com:Operatore (read from its header blocks), as HTTP headers (shared/runtime/pdnd.ts).
   */
  pdnd?: { headersFor(url: string, headers: readonly Xml[]): Promise<Record<string, string>>; forget(url: string, headers: readonly Xml[]): void };
}

export class SoapClient {
  private readonly agent: https.Agent;
  private readonly keyPem: string;
  private readonly certPem: string;
  /** Parsed CA certificates by file, for the check of response signers. */
  private readonly caCertificates = new Map<string, X509Certificate>();
  readonly circuiti: CircuitBreakers | null;

  constructor(private readonly opts: SoapClientOptions) {
    this.circuiti = opts.circuito ? new CircuitBreakers(opts.circuito, opts.log) : null;
    this.keyPem = readFileSync(opts.keyFile, 'utf8');
    this.certPem = readFileSync(opts.certFile, 'utf8');
    this.agent = new https.Agent({
      key: this.keyPem,
      cert: this.certPem,
      ca: [opts.caFile].flat().map((f) => readFileSync(f)),
      keepAlive: true,
      // Idle connections are closed here before the server's keep-alive timeout (65 s): otherwise a call can be
      // written on a connection the server is closing at that moment and fail with ECONNRESET (seen under load).
      timeout: 30_000,
      maxSockets: opts.maxSockets ?? 32,
      // No TLS session resumption: on a resumed session Node's client sees no server certificate (and skips
      // checkServerIdentity), so neither the expected CN nor the CRL could be checked. New connections are rare
      // (kept alive), a full handshake each costs little.
      maxCachedSessions: 0,
      ...TLS_CLIENT_POLICY,
    });
  }

  async call(call: SoapCall): Promise<SoapResult> {
    const fineMisura = metrics().soapUscita.startTimer({
      controparte: (call.expectedServerCN && this.opts.nomiControparti?.[call.expectedServerCN]) ?? call.expectedServerCN ?? new URL(call.url).host,
      operazione: call.soapAction.slice(call.soapAction.lastIndexOf(':') + 1),
    });
    try {
      const r = await this.chiama(call);
      fineMisura({ esito: 'OK' });
      return r;
    } catch (err) {
      const remoto = err instanceof RemoteFaultError;
      const codice = knownCode(remoto || err instanceof ApeError ? err.code : null);
      fineMisura({ esito: codice });
      metrics().errore(codice, remoto ? 'soap_fault_ricevuto' : 'soap_chiamata');
      throw err;
    }
  }

  private async chiama(call: SoapCall): Promise<SoapResult> {
    const clock = this.opts.clock ?? systemClock;
    // First the PDND voucher (when PDND is on for us): one we cannot obtain says nothing about the counterpart, so
    // nothing is sent, logged, or counted by its circuit.
    const extra = this.opts.pdnd ? await this.opts.pdnd.headersFor(call.url, call.headers) : {};
    // A counterpart whose circuit is open is not called at all (nothing sent, nothing to log).
    const controparte = new URL(call.url).origin;
    this.circuiti?.permetti(controparte);
    const firmata = !(call.expectedServerCN !== undefined && this.opts.senzaFirma?.includes(call.expectedServerCN));
    // A new MessageID on every attempt: a retry is a new message, and the counterpart refuses replays. The
    // Timestamp is real time, like the counterpart's check of it, whatever clock the procedure runs on.
    const messageId = firmata ? `urn:uuid:${randomUUID()}` : null;
    const firma = messageId && { keyPem: this.keyPem, certPem: this.certPem, to: call.url, messageId, now: new Date() };
    // An envelope of our own is signed from its trees; one carrying a text-made part (a forwarded body) from its text.
    const text = firma
      ? (signEnvelopeTree(envelopeTree(call.headers, call.body), firma) ?? signEnvelope(envelope(call.headers, call.body), firma))
      : envelope(call.headers, call.body);
    let esito = 'ERRORE';
    try {
      const result = await this.send(call, text, { messageId, required: firmata }, extra);
      esito = 'ACCETTATO';
      this.circuiti?.esito(controparte, undefined);
      return result;
    } catch (err) {
      this.circuiti?.esito(controparte, err);
      // A voucher or evidence the counterpart refused is not sent again: the next attempt obtains a new pair.
      if (err instanceof RemoteFaultError && /^(VOUCHER|EVIDENZA)_/.test(err.code)) this.opts.pdnd?.forget(call.url, call.headers);
      esito = err instanceof RemoteFaultError ? `RIFIUTATO ${err.code}` : err instanceof ApeError ? `ERRORE ${err.code}` : 'ERRORE';
      throw err;
    } finally {
      if (call.voce) call.voce.trattenuta = { messaggio: voceInviata(call, text, messageId, esito), at: clock.now() };
      else if (this.opts.registri) {
        await this.opts.registri.registraMessaggio(voceInviata(call, text, messageId, esito), clock.now()).catch((err: unknown) => {
          // The call's outcome stands (a delivery is not repeated for its log line), but the gap is made loud,
          // as the intake does when an access record cannot be written.
          this.opts.log?.error({ err: toError(err).message, messageId, soapAction: call.soapAction }, 'message log entry not written');
        });
      }
    }
  }

  /**
   * Commits the state a delivery reached (`insieme`, one statement on `pool`, the database of this client's
   * message log) with the log entry of the call that reached it, held in `voce`: one commit for both. The state
   * alone when the call sent nothing (an open circuit, no voucher) or no log is kept. A failure is the caller's (the
   * state is not recorded, the delivery is tried again), but the call was made: when PostgreSQL refused the statement
   * for its data, nothing of it committed and the entry is written alone; when the outcome is unknown (the connection
   * lost) writing it again could repeat it, and the gap, if any, is logged as an error.
   */
  async registraConsegna(voce: VoceMessaggio, pool: Pick<Pool, 'query'>, insieme: Accompagnamento): Promise<void> {
    const v = voce.trattenuta;
    const registri = this.opts.registri;
    if (!v || !registri) return eseguiAccompagnamento(pool, insieme);
    try {
      await registri.registraMessaggio(v.messaggio, v.at, insieme);
    } catch (err) {
      const campi = { err: toError(err).message, messageId: v.messaggio.messageId, operazione: v.messaggio.operazione };
      if (!isDataError(err)) this.opts.log?.error(campi, 'message log entry and delivery state not known to be written');
      else {
        await registri.registraMessaggio(v.messaggio, v.at).catch((solo: unknown) => {
          this.opts.log?.error({ ...campi, solo: toError(solo).message }, 'message log entry not written');
        });
      }
      throw err;
    }
  }

  private async send(call: SoapCall, text: string, request: { messageId: string | null; required: boolean }, extra: Record<string, string>): Promise<SoapResult> {
    const started = Date.now();
    const { status, body, serverCN } = await this.post(call, text, extra);
    // One parse: the signature is verified on this document, then its envelope is read and validated. A response
    // that does not parse goes to verify as text, which refuses it as before.
    const parsed = parseStrict(body);
    this.verify(call, status, 'doc' in parsed ? parsed.doc : body, serverCN, request);
    let env;
    try {
      if ('error' in parsed) throw new Error(parsed.error);
      env = envelopeOf(parsed.doc);
      validateEnvelope(env);
    } catch (err) {
      throw new ApeError('RISPOSTA_NON_VALIDA', `risposta non valida da ${call.url} (HTTP ${status}): ${(err as Error).message}`, { cause: err });
    }
    if (env.payloadName === clark(NS.soap, 'Fault')) {
      const f = readFault(new XmlReader(env.payload));
      throw new RemoteFaultError(f.code, f.message, f.retryable, status);
    }
    if (status !== 200) throw new ApeError('RISPOSTA_NON_VALIDA', `HTTP ${status} da ${call.url} senza SOAP Fault`);
    return {
      headers: new RequestHeaders(env.headers.map((h) => new XmlReader(h))),
      payload: new XmlReader(env.payload),
      status,
      durationMs: Date.now() - started,
    };
  }

  /**
   * The response's signature, before anything in it is trusted (a Fault's code included): the signer is the party
   * we called (the expected CN, or the TLS server's when the call names none), from the CA registered for it.
   */
  private verify(call: SoapCall, status: number, body: string | Document, serverCN: string | undefined, request: { messageId: string | null; required: boolean }): void {
    const subjectCN = call.expectedServerCN ?? serverCN;
    if (!subjectCN) throw new ApeError('RISPOSTA_NON_VALIDA', `il certificato TLS di ${call.url} non ha un CN: impossibile sapere chi deve firmare la risposta`);
    const caFile = this.opts.caControparti?.[subjectCN];
    const cas = (caFile ? [caFile] : [this.opts.caFile].flat()).map((f) => this.caCertificate(f));
    try {
      verifyResponse(body, { signer: { subjectCN, cas, revocations: this.opts.revocations ?? null }, relatesTo: request.messageId, required: request.required, now: new Date() });
    } catch (err) {
      if (!(err instanceof ApeError)) throw err;
      throw new ApeError(err.code, `risposta di ${call.url} (HTTP ${status}) rifiutata: ${err.message}`, { cause: err });
    }
  }

  private caCertificate(file: string): X509Certificate {
    let ca = this.caCertificates.get(file);
    if (!ca) {
      ca = new X509Certificate(readFileSync(file));
      this.caCertificates.set(file, ca);
    }
    return ca;
  }

  private post(call: SoapCall, text: string, extra: Record<string, string>): Promise<{ status: number; body: string; serverCN: string | undefined }> {
    const max = this.opts.maxResponseBytes ?? 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = https.request(
        call.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.opts.timeoutMs,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            'Content-Length': Buffer.byteLength(text),
            SOAPAction: `"${call.soapAction}"`,
            ...extra,
          },
          checkServerIdentity: (host: string, cert: PeerCertificate) => {
            const err = checkServerIdentity(host, cert);
            if (err) return err;
            const cn = Array.isArray(cert.subject?.CN) ? cert.subject.CN[0] : cert.subject?.CN;
            if (call.expectedServerCN && cn !== call.expectedServerCN) {
              return new Error(`server certificate CN "${cn}" is not the expected party "${call.expectedServerCN}"`);
            }
            // Returned as it is, the coded error reaches the caller: not retryable, unlike a network failure.
            return this.revokedServer(call.url, cert) ?? undefined;
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(new ApeError('RISPOSTA_NON_VALIDA', `risposta oltre ${max} byte da ${call.url}`));
              return;
            }
            chunks.push(c);
          });
          const subject = peerCertificate(res.socket as TLSSocket).subject;
          const serverCN = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), serverCN }));
          res.on('error', (err) => reject(unreachable(call.url, err)));
        },
      );
      // A kept-alive connection had its certificate checked when it opened (checkServerIdentity); a CRL read since
      // then applies from this call on, before anything is written ('socket' comes before the request is flushed).
      // The certificate is read from the socket once (peerCertificate): building it costs more than the call's RSA.
      req.once('socket', (socket: TLSSocket) => {
        if (socket.connecting || !socket.authorized) return;
        const revoked = this.revokedServer(call.url, peerCertificate(socket));
        if (revoked) req.destroy(revoked);
      });
      req.on('timeout', () => req.destroy(new ApeError('CONTROPARTE_NON_RAGGIUNGIBILE', `nessuna risposta da ${call.url} entro ${this.opts.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof ApeError ? err : unreachable(call.url, err)));
      req.end(text);
    });
  }

  private revokedServer(url: string, cert: PeerCertificate): ApeError | null {
    try {
      refuseRevoked(this.opts.revocations, (cert as DetailedPeerCertificate).issuerCertificate?.fingerprint256, cert.serialNumber, `il certificato server di ${url}`);
      return null;
    } catch (err) {
      return err as ApeError;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

function unreachable(url: string, err: Error): ApeError {
  return new ApeError('CONTROPARTE_NON_RAGGIUNGIBILE', `${url} non raggiungibile: ${err.message}`, { cause: err });
}

/** The message log entry of a call sent: digest and identifiers, never the content. */
function voceInviata(call: SoapCall, text: string, messageId: string | null, esito: string): MessaggioRegistrato {
  return {
    direzione: 'INVIATO',
    operazione: call.soapAction.slice(call.soapAction.lastIndexOf(':') + 1),
    controparte: call.expectedServerCN ?? new URL(call.url).host,
    messageId,
    correlationId: /<com:X-Correlation-ID>([^<]*)<\/com:X-Correlation-ID>/.exec(call.headers.map((h) => h.text).join(''))?.[1] ?? null,
    improntaCorpo: createHash('sha256').update(text).digest('hex'),
    dimensione: Buffer.byteLength(text),
    esito,
    ...(call.riferimenti && { riferimenti: call.riferimenti }),
  };
}
