import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ApeError, toError } from '../errors';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import { envelope, faultEnvelope, faultOf, RequestHeaders } from '../messages/envelope';
import { XmlReader } from '../xml/read';
import { CallerRegistry } from './identity';
import { admit, AdmissionControl } from './intake/admission';
import { authoriseCaller, checkSoapAction, findOperation, findService } from './intake/operation';
import { parseRequest, validateRequest } from './intake/parse';
import { readBody, requirePost, requireTextXml } from './intake/request-body';
import { refuseReplay, type ReplayGuard } from './intake/replay';
import { checkSignature } from './intake/signature';
import { refuseSuspendedOperator, refuseSuspendedParty, type SuspensionCheck } from './intake/suspension';
import { WsdlDocuments } from './intake/wsdl-documents';
import type { SoapService } from './service';
import { createHash } from 'node:crypto';
import type { AccessEvent, Registri } from '../audit/registri';
import { metrics } from '../metrics/metrics';

/**
 * Hardened SOAP 1.1 endpoint over mutual TLS. Every request passes, in order: caller identification
 * (certificate, registered party, allowed IP), method, content type, body size, DTD refusal, well-formedness,
 * envelope shape, operation lookup, caller authorisation for that operation, XSD validation of the whole
 * envelope, header blocks marked mustUnderstand, the WS-Security signature (ModI ID_AUTH_SOAP_02, unless the
 * caller is deliberately configured without it) with its replay check, the Operatore header, and only then
 * the handler. Any refusal is a SOAP Fault with a stable code
 * and a readable reason; nothing reaches a handler (or a database) before all checks pass.
 */

// What the wings implement; they import it from here, the server's public face.
export type { CallContext, SoapOperation, SoapReply, SoapService } from './service';

export interface SoapServerOptions {
  /** caFile: every CA a caller's certificate may come from (each identity is then bound to its own). */
  tls: { keyFile: string; certFile: string; caFile: string | readonly string[] };
  identities: readonly import('../config/schema').IdentityConfig[];
  services: readonly SoapService[];
  publicUrl: string;
  maxBodyBytes: number;
  /** Requests worked on at once; one more is refused with SERVIZIO_NON_DISPONIBILE (admission control). */
  maxRichiesteInCorso?: number;
  clock: Clock;
  log: Logger;
  /** The service's chained logs: every access and every message received is appended before the response goes out. */
  registri?: Registri;
  sospensioni?: SuspensionCheck;
  /** MessageIDs seen (replay guard); required when any identity sends signed messages. */
  visti?: ReplayGuard;
}

export function createSoapServer(opts: SoapServerOptions): https.Server {
  const registry = new CallerRegistry(opts.identities);
  const senzaFirma = opts.identities.filter((i) => i.sicurezzaMessaggio === 'nessuna').map((i) => i.code);
  if (senzaFirma.length > 0) {
    opts.log.warn({ identities: senzaFirma }, 'these parties are accepted without WS-Security message signature (sicurezzaMessaggio "nessuna" in the configuration)');
  }
  if (!opts.visti && senzaFirma.length < opts.identities.length) throw new Error('createSoapServer: signed calls need a replay guard (visti)');
  const byPath = new Map(opts.services.map((s) => [s.path, s]));

  const server = https.createServer(
    {
      key: readFileSync(opts.tls.keyFile),
      cert: readFileSync(opts.tls.certFile),
      ca: [opts.tls.caFile].flat().map((f) => readFileSync(f)),
      requestCert: true,
      // Certificate problems become SOAP Faults a counterpart can read, instead of a bare TLS alert.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  const send = (res: ServerResponse, status: number, body: string, contentType = 'text/xml; charset=utf-8') => {
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  };

  const documents = new WsdlDocuments(opts.services, opts.publicUrl);
  const admission = new AdmissionControl(opts.maxRichiesteInCorso ?? Infinity);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const access: AccessEvent = {
      requestId,
      at: opts.clock.now(),
      service: url.pathname,
      operation: null,
      identity: null,
      certificateSubject: null,
      operatore: null,
      remoteAddress: String(req.socket.remoteAddress ?? ''),
      outcome: 'RIFIUTATA',
      faultCode: null,
      durationMs: 0,
    };
    let log = opts.log.child({ requestId, path: url.pathname });
    let reply: { status: number; body: string; contentType?: string } | null = null;
    let received: { body: string; operation: string; messageId: string | null; correlationId: string | null } | null = null;
    /** The party this call is counted against (admission), released when the call ends. */
    let admittedAs: string | null = null;
    try {
      const caller = registry.identify(req.socket as TLSSocket, (d) => {
        if (d.certificate) access.certificateSubject = d.certificate;
        if (d.identity) access.identity = d.identity;
        access.remoteAddress = d.remoteAddress;
      });
      access.identity = caller.identity.code;
      access.certificateSubject = `${caller.certificate.subject} (${caller.certificate.fingerprint256})`;
      access.remoteAddress = caller.remoteAddress;
      log = log.child({ caller: caller.identity.code });
      refuseSuspendedParty(opts.sospensioni, caller.identity.code);
      admittedAs = caller.identity.code;
      admit(admission, admittedAs, req, res);

      if (req.method === 'GET') {
        const doc = documents.find(url);
        if (doc) {
          reply = { status: 200, body: doc };
          access.outcome = 'ACCETTATA';
          return;
        }
      }
      const service = findService(byPath, url.pathname);
      requirePost(req.method, url.pathname);
      requireTextXml(req.headers);
      const body = await readBody(req, opts.maxBodyBytes);
      const env = parseRequest(body);
      const operation = findOperation(service, env.payloadName);
      access.operation = operation.name;
      checkSoapAction(operation, req.headers.soapaction);
      authoriseCaller(operation, caller.identity.code);
      validateRequest(env);
      // Timestamps and certificates live in real time, not in the procedure's (possibly simulated) clock.
      const now = new Date();
      const signature = checkSignature(env.headers, body, {
        identity: caller.identity,
        ca: registry.caOf(caller.identity.code),
        expectedTo: `${opts.publicUrl}${service.path}`,
        now,
      });
      if (signature) await refuseReplay(opts.visti!, signature, caller.identity.code, now);
      const messageId = signature?.messageId ?? null;
      const headers = new RequestHeaders(env.headers.map((h) => new XmlReader(h)));
      const operatore = headers.operatore();
      access.operatore = operatore;
      refuseSuspendedOperator(opts.sospensioni, caller.identity.code, operatore.id);
      received = {
        body,
        operation: operation.name,
        messageId,
        correlationId: headers.optional('X-Correlation-ID')?.value() ?? null,
      };
      log = log.child({ operation: operation.name, operatore: operatore.id, ...(received.correlationId && { correlationId: received.correlationId }) });
      const result = await operation.handle(new XmlReader(env.payload), {
        requestId,
        caller,
        operatore,
        headers,
        receivedAt: opts.clock.now(),
        log,
        traccia: (t) => {
          if (t.riferimenti) access.riferimenti = { ...access.riferimenti, ...t.riferimenti };
          if (t.codiceFiscale) access.codiceFiscale = t.codiceFiscale;
        },
      });
      reply = { status: 200, body: envelope(result.headers ?? [], result.body) };
      access.outcome = 'ACCETTATA';
    } catch (thrown) {
      const err = toError(thrown);
      let fault: ApeError;
      if (err instanceof ApeError) {
        fault = err;
        log.info({ code: err.code, reason: err.message }, 'SOAP request refused');
      } else {
        fault = new ApeError('ERRORE_INTERNO', `errore interno (richiesta ${requestId}): riprovare più tardi`);
        log.error({ err }, 'SOAP handler failed');
      }
      access.faultCode = fault.code;
      reply = { status: fault.httpStatus, body: faultEnvelope(faultOf(fault)) };
      if (fault.code === 'MESSAGGIO_TROPPO_GRANDE') res.setHeader('Connection', 'close');
    } finally {
      try {
        access.durationMs = Date.now() - started;
        await traccia(access, received, log);
        if (reply) send(res, reply.status, reply.body, reply.contentType);
        const m = metrics();
        m.soapIngresso.observe(
          { operazione: access.operation ?? (req.method === 'GET' ? 'documento' : 'sconosciuta'), chiamante: access.identity ?? 'sconosciuto', esito: access.faultCode ?? 'OK' },
          (Date.now() - started) / 1000,
        );
        if (access.faultCode) m.errore(access.faultCode, 'soap_fault_inviato');
      } finally {
        if (admittedAs !== null) admission.leave(admittedAs);
      }
    }
  }

  /** The access trace and message log entries of one request, committed before its response leaves. */
  async function traccia(access: AccessEvent, received: { body: string; operation: string; messageId: string | null; correlationId: string | null } | null, log: Logger): Promise<void> {
    if (!opts.registri) return;
    try {
      await Promise.all([
        opts.registri.registraAccesso(access),
        received && access.identity
          ? opts.registri.registraMessaggio(
              {
                direzione: 'RICEVUTO',
                operazione: received.operation,
                controparte: access.identity,
                messageId: received.messageId,
                correlationId: received.correlationId,
                improntaCorpo: createHash('sha256').update(received.body).digest('hex'),
                dimensione: Buffer.byteLength(received.body),
                esito: access.outcome === 'ACCETTATA' ? 'ACCETTATO' : `RIFIUTATO ${access.faultCode ?? ''}`.trim(),
                ...(access.riferimenti && { riferimenti: access.riferimenti }),
              },
              access.at,
            )
          : Promise.resolve(),
      ]);
    } catch (err) {
      // The change (if any) is committed: answer anyway, and make the gap loud.
      log.error({ err: toError(err).message, requestId: access.requestId }, 'access trace not written');
    }
  }

  return server;
}
