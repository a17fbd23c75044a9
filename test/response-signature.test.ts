import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Registri } from '../shared/audit/registri';
import type { IdentityConfig } from '../shared/config/schema';
import { ApeError, RemoteFaultError } from '../shared/errors';
import { CONTRACTS, FAULT_ACTION, OPERATIONS, responseAction } from '../shared/messages/contracts';
import { correlationHeader, envelope, faultEnvelope, operatoreHeader } from '../shared/messages/envelope';
import { writeNotificaEsito, writeNotificaEsitoRisposta } from '../shared/messages/esiti';
import { el } from '../shared/xml/write';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../shared/pki/certificates';
import { SoapClient, type SoapCall } from '../shared/soap/client';
import { closeServer } from '../shared/soap/listen';
import { createSoapServer } from '../shared/soap/server';
import { responseSigner, signResponse, type ResponseSigner } from '../shared/soap/wssecurity';
import { postRaw, firmato } from './support/raw-soap';

/**
 * Responses are signed by the provider and verified by the project's client (ModI ID_AUTH_SOAP_02 on the
 * response). A real SOAP server (createSoapServer) signs its acks and its Faults, also before it knows the caller;
 * a tampering provider (a plain HTTPS server holding the provider's TLS certificate, as a gateway in front of it
 * would) answers unsigned, altered, replayed or someone else's responses, and the client refuses each with a
 * retryable code recorded in its message log, instead of using the answer or trusting the Fault's code.
 */

const SERVER_CN = 'pdd.prova.ape-precoci.local';
const CLIENT_CN = 'pdd.cliente.ape-precoci.local';
const CORRELATION = 'CORR-PROVA-1';
const ID_PACCHETTO = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

let dir: string;
let files: Record<'ca' | 'serverKey' | 'serverCert' | 'clientKey' | 'clientCert' | 'strangerKey' | 'strangerCert', string>;
let provider: ResponseSigner;
let otherParty: ResponseSigner;
let real: https.Server;
let realUrl: string;
let tamper: https.Server;
let tamperUrl: string;
/** What the tampering provider answers, given the request it received. */
let answer: (request: string) => { status: number; body: string };
const clients: SoapClient[] = [];

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

function party(ca: KeyPairPem, cn: string): KeyPairPem {
  return issueCertificate(ca, { commonName: cn, dnsNames: ['localhost', cn], ipAddresses: ['127.0.0.1'] }, validityFrom(new Date(), 30));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'risposte-firmate-'));
  const ca = createCertificateAuthority({ commonName: 'CA di prova delle risposte' }, validityFrom(new Date(), 365));
  const server = party(ca, SERVER_CN);
  const client = party(ca, CLIENT_CN);
  const stranger = party(ca, 'pdd.estraneo.ape-precoci.local');
  files = {
    ca: write('ca.pem', ca.certPem),
    serverKey: write('server.key', server.keyPem),
    serverCert: write('server.pem', server.certPem),
    clientKey: write('client.key', client.keyPem),
    clientCert: write('client.pem', client.certPem),
    strangerKey: write('stranger.key', stranger.keyPem),
    strangerCert: write('stranger.pem', stranger.certPem),
  };
  provider = responseSigner(server.keyPem, server.certPem);
  otherParty = responseSigner(stranger.keyPem, stranger.certPem);

  const identity = (code: string, cn: string, sicurezzaMessaggio: 'ID_AUTH_SOAP_02' | 'nessuna'): IdentityConfig => ({
    code, ente: 'ANPAL', subjectCN: cn, allowedIps: ['127.0.0.1'], certFile: files.clientCert, keyFile: files.clientKey, caFile: files.ca, description: code, sicurezzaMessaggio,
  });
  const seen = new Set<string>();
  // wsa:To must name the served address, so the port is chosen before the server exists.
  const port = await freePort();
  realUrl = `https://127.0.0.1:${port}`;
  real = createSoapServer({
    senzaIdentita: { maxRichiesteInCorso: 8, richiesteAlMinuto: 60, raffica: 20 },
    tls: { keyFile: files.serverKey, certFile: files.serverCert, caFile: files.ca },
    identities: [identity('CLIENTE', CLIENT_CN, 'ID_AUTH_SOAP_02')],
    services: [{
      ...CONTRACTS.esiti,
      operations: [
        { name: 'NotificaEsito', ...OPERATIONS.NotificaEsito, callers: ['CLIENTE'], handle: async () => ({ headers: [correlationHeader(CORRELATION)], body: writeNotificaEsitoRisposta() }) },
        { name: 'NotificaAccertamento', ...OPERATIONS.NotificaAccertamento, callers: [], handle: async () => { throw new Error('never called'); } },
      ],
    }],
    publicUrl: realUrl,
    maxBodyBytes: 1024 * 1024,
    clock: { now: () => new Date() },
    log: pino({ level: 'silent' }),
    visti: { registra: async (id) => !seen.has(id) && !!seen.add(id) },
  });
  await new Promise<void>((resolve) => real.listen(port, '127.0.0.1', resolve));

  tamper = https.createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = answer(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(r.status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(r.body);
    });
  });
  tamperUrl = await listening(tamper);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([real, tamper].filter(Boolean).map((s) => closeServer(s, 100)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function listening(server: https.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The message log entries the client writes (what the chained log would record). */
interface Logged { esito: string; messageId: string | null }

function client(o: { senzaFirma?: boolean; tls?: 'client' | 'stranger' } = {}): { soap: SoapClient; log: Logged[] } {
  const log: Logged[] = [];
  const registri = { registraMessaggio: async (m: Logged) => void log.push({ esito: m.esito, messageId: m.messageId }) } as unknown as Registri;
  const key = o.tls === 'stranger' ? files.strangerKey : files.clientKey;
  const cert = o.tls === 'stranger' ? files.strangerCert : files.clientCert;
  const soap = new SoapClient({
    keyFile: key, certFile: cert, caFile: files.ca, timeoutMs: 10_000, registri,
    ...(o.senzaFirma && { senzaFirma: [SERVER_CN] }),
    caControparti: { [SERVER_CN]: files.ca },
  });
  clients.push(soap);
  return { soap, log };
}

const notifica = (base: string, o: { expectedServerCN?: string | null } = {}): SoapCall => ({
  url: `${base}${CONTRACTS.esiti.path}`,
  soapAction: OPERATIONS.NotificaEsito.soapAction,
  headers: [operatoreHeader({ id: 'OP-PROVA', ufficio: 'Prove' }), correlationHeader(CORRELATION)],
  body: writeNotificaEsito({ idPacchetto: ID_PACCHETTO, ente: 'ANPAL', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }] }),
  ...(o.expectedServerCN !== null && { expectedServerCN: o.expectedServerCN ?? SERVER_CN }),
});

const ack = () => envelope([correlationHeader(CORRELATION)], writeNotificaEsitoRisposta());
const messageIdOf = (request: string) => /<wsa:MessageID[^>]*>([^<]+)<\/wsa:MessageID>/.exec(request)?.[1] ?? null;
const signedAck = (request: string, signer = provider) => signResponse(ack(), signer, { relatesTo: messageIdOf(request), now: new Date() });

/** The code the call was refused with (a refusal of ours or a counterpart's Fault). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; retryable: boolean; remote: boolean }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApeError) return { code: err.code, retryable: err.retryable, remote: false };
    if (err instanceof RemoteFaultError) return { code: err.code, retryable: err.retryable, remote: true };
    throw err;
  }
  throw new Error('the call succeeded');
}

/** The response's wsa:Action, when the signature covers it (a ds:Reference to its wsu:Id); null otherwise. */
function signedAction(body: string): string | null {
  const m = /<wsa:Action[^>]*wsu:Id="([^"]+)"[^>]*>([^<]*)<\/wsa:Action>/.exec(body);
  return m && body.includes(`URI="#${m[1]}"`) ? m[2]! : null;
}

describe('the server signs every answer', () => {
  test('an ack, verified by the client, naming the request it answers', async () => {
    const url = `${realUrl}${CONTRACTS.esiti.path}`;
    const request = firmato(url, envelope(notifica(realUrl).headers, notifica(realUrl).body), { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca });
    const raw = await postRaw(url, request, { tls: { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca } });
    expect(raw.status).toBe(200);
    expect(raw.body).toContain(`>${messageIdOf(request)}</wsa:RelatesTo>`);
    expect(raw.body).toContain('<ds:SignatureValue>');
    // The WSDL's wsam:Action of the output, signed (stacks that check the reply's action, as WCF does, accept it).
    expect(signedAction(raw.body)).toBe(responseAction(OPERATIONS.NotificaEsito.soapAction));
    const { soap, log } = client();
    const r = await soap.call(notifica(realUrl));
    expect(r.headers.optional('X-Correlation-ID')?.value()).toBe(CORRELATION);
    expect(log).toEqual([{ esito: 'ACCETTATO', messageId: expect.stringMatching(/^urn:uuid:/) }]);
  });

  test("a message log entry that cannot be written leaves the call's outcome as it is and is logged as an error", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'error' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const registri = { registraMessaggio: async () => Promise.reject(new Error('database unavailable')) } as unknown as Registri;
    const soap = new SoapClient({ keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca, timeoutMs: 10_000, registri, caControparti: { [SERVER_CN]: files.ca }, log });
    clients.push(soap);
    const r = await soap.call(notifica(realUrl));
    expect(r.headers.optional('X-Correlation-ID')?.value()).toBe(CORRELATION);
    expect(lines).toEqual([expect.objectContaining({ msg: 'message log entry not written', err: 'database unavailable', messageId: expect.stringMatching(/^urn:uuid:/) })]);
  });

  test('a Fault after the parse names the request; its code is trusted once verified', async () => {
    // NotificaAccertamento is refused to this caller once the payload names it, before the signature is checked.
    const call = { ...notifica(realUrl), soapAction: OPERATIONS.NotificaAccertamento.soapAction, body: el('esi:NotificaAccertamento') };
    const request = firmato(call.url, envelope(call.headers, call.body), { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca });
    const raw = await postRaw(call.url, request, { tls: { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca } });
    expect(raw.fault?.code).toBe('PARTE_NON_AUTORIZZATA');
    expect(raw.body).toContain(`>${messageIdOf(request)}</wsa:RelatesTo>`);
    expect(raw.body).toContain('<ds:SignatureValue>');
    expect(signedAction(raw.body)).toBe(FAULT_ACTION);
    const { soap } = client();
    expect(await refusal(soap.call(call))).toEqual({ code: 'PARTE_NON_AUTORIZZATA', retryable: false, remote: true });
  });

  test('a Fault before the caller is identified is signed, without RelatesTo, and accepted as the Fault it is', async () => {
    const raw = await postRaw(`${realUrl}${CONTRACTS.esiti.path}`, 'x', { tls: { keyFile: files.strangerKey, certFile: files.strangerCert, caFile: files.ca } });
    expect(raw.fault?.code).toBe('PARTE_NON_RICONOSCIUTA');
    expect(raw.body).toContain('<ds:SignatureValue>');
    expect(raw.body).not.toContain('RelatesTo');
    const { soap } = client({ tls: 'stranger' });
    expect(await refusal(soap.call(notifica(realUrl)))).toEqual({ code: 'PARTE_NON_RICONOSCIUTA', retryable: false, remote: true });
  });

  test('a signed request refused for its signature gets a signed Fault naming it', async () => {
    const url = `${realUrl}${CONTRACTS.esiti.path}`;
    const request = firmato(url, envelope(notifica(realUrl).headers, notifica(realUrl).body), { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca });
    const raw = await postRaw(url, request.replace(ID_PACCHETTO, ID_PACCHETTO.replace(/^.{8}/, '00000000')), { tls: { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca } });
    expect(raw.fault?.code).toBe('FIRMA_NON_VALIDA');
    expect(raw.body).toContain(`>${messageIdOf(request)}</wsa:RelatesTo>`);
    expect(raw.body).toContain('<ds:SignatureValue>');
  });

  test('WSDL documents are served as they are', async () => {
    const raw = await postRaw(`${realUrl}${CONTRACTS.esiti.path}?wsdl`, '', { method: 'GET', tls: { keyFile: files.clientKey, certFile: files.clientCert, caFile: files.ca } });
    expect(raw.status).toBe(200);
    expect(raw.body).toContain('wsdl:definitions');
    expect(raw.body).not.toContain('wsse:Security');
  });
});

describe('the client refuses a response it cannot trust', () => {
  const cases: Array<[string, (request: string) => { status: number; body: string }, string]> = [
    ['an unsigned ack', () => ({ status: 200, body: ack() }), 'RISPOSTA_NON_FIRMATA'],
    ['an unsigned Fault (its code is not believed)', () => ({ status: 500, body: faultEnvelope({ code: 'PARTE_SOSPESA', message: 'sospesa', retryable: false, actor: 'Client' }) }), 'RISPOSTA_NON_FIRMATA'],
    ['a signed Fault turned into an ack (the request was not taken, the client would think it was)', (req) => ({
      status: 200,
      body: signResponse(faultEnvelope({ code: 'SERVIZIO_NON_DISPONIBILE', message: 'riprovare', retryable: true, actor: 'Server' }), provider, { relatesTo: messageIdOf(req), now: new Date() })
        .replace(/(<soap:Body[^>]*>)[\s\S]*(<\/soap:Body>)/, `$1${writeNotificaEsitoRisposta().text}$2`),
    }), 'RISPOSTA_NON_VALIDA'],
    ['a correlation id altered after signing', (req) => ({ status: 200, body: signedAck(req).replace(`${CORRELATION}</com:X-Correlation-ID>`, 'CORR-ALTRO</com:X-Correlation-ID>') }), 'RISPOSTA_NON_VALIDA'],
    ['a genuine ack of another request', () => ({ status: 200, body: signResponse(ack(), provider, { relatesTo: 'urn:uuid:00000000-0000-4000-8000-000000000000', now: new Date() }) }), 'RISPOSTA_NON_VALIDA'],
    ['an ack signed by another party of the federation', (req) => ({ status: 200, body: signedAck(req, otherParty) }), 'RISPOSTA_NON_VALIDA'],
    ['an expired ack', (req) => ({ status: 200, body: signResponse(ack(), provider, { relatesTo: messageIdOf(req), now: new Date(Date.now() - 10 * 60_000) }) }), 'RISPOSTA_NON_VALIDA'],
    ['a signed Fault altered into another code', (req) => ({
      status: 500,
      body: signResponse(faultEnvelope({ code: 'SERVIZIO_NON_DISPONIBILE', message: 'riprovare', retryable: true, actor: 'Server' }), provider, { relatesTo: messageIdOf(req), now: new Date() })
        .replace(/SERVIZIO_NON_DISPONIBILE/g, 'PARTE_SOSPESA').replace('>true<', '>false<'),
    }), 'RISPOSTA_NON_VALIDA'],
  ];

  test.each(cases)('%s', async (_what, respond, code) => {
    answer = respond;
    const { soap, log } = client();
    expect(await refusal(soap.call(notifica(tamperUrl)))).toEqual({ code, retryable: true, remote: false });
    expect(log).toEqual([{ esito: `ERRORE ${code}`, messageId: expect.stringMatching(/^urn:uuid:/) }]);
  });

  test('the same response, untouched, is accepted (the refusals above are about the tampering)', async () => {
    answer = (req) => ({ status: 200, body: signedAck(req) });
    const { soap, log } = client();
    await expect(soap.call(notifica(tamperUrl))).resolves.toMatchObject({ status: 200 });
    expect(log).toEqual([{ esito: 'ACCETTATO', messageId: expect.stringMatching(/^urn:uuid:/) }]);
  });

  test('without an expected CN, the signer must be the TLS server the client reached', async () => {
    answer = (req) => ({ status: 200, body: signedAck(req, otherParty) });
    const { soap } = client();
    expect(await refusal(soap.call(notifica(tamperUrl, { expectedServerCN: null })))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
    answer = (req) => ({ status: 200, body: signedAck(req) });
    await expect(soap.call(notifica(tamperUrl, { expectedServerCN: null }))).resolves.toMatchObject({ status: 200 });
  });

  test('a counterpart onboarded without message security may answer unsigned; a signature it sends is still checked', async () => {
    const { soap, log } = client({ senzaFirma: true });
    const requests: string[] = [];
    answer = (req) => {
      requests.push(req);
      return { status: 200, body: ack() };
    };
    await expect(soap.call(notifica(tamperUrl))).resolves.toMatchObject({ status: 200 });
    // The request went unsigned, without a MessageID for the response to name.
    expect(requests.map(messageIdOf)).toEqual([null]);
    answer = () => ({ status: 200, body: signResponse(ack(), otherParty, { relatesTo: null, now: new Date() }) });
    expect(await refusal(soap.call(notifica(tamperUrl)))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
    expect(log.map((l) => l.esito)).toEqual(['ACCETTATO', 'ERRORE RISPOSTA_NON_VALIDA']);
  });
});
