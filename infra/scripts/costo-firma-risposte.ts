import { X509Certificate, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { CONTRACTS, OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, envelope, operatoreHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito, writeNotificaEsitoRisposta } from '../../shared/messages/esiti';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { SoapClient } from '../../shared/soap/client';
import { closeServer } from '../../shared/soap/listen';
import { createSoapServer } from '../../shared/soap/server';
import * as wssecurity from '../../shared/soap/wssecurity';

/**
 * What signing responses costs per call (ModI ID_AUTH_SOAP_02 on the response, issue 14; issue 17 counts it in its
 * floor). One process holds a SOAP server (createSoapServer, the real intake) and the project's client; each call is a
 * signed NotificaEsito answered with a signed ack that the client verifies. Printed: wall time and CPU time (server and
 * client together, both sides of one hop) per call over sequential calls, and, where this tree has them, the cost of
 * signResponse and verifyResponse alone, next to one bare RSA-2048 signature (the yardstick: on a loaded machine every
 * figure grows, their ratios much less). Runs on a tree without response signatures too (the end-to-end part), so
 * the same script measures before and after.
 *
 *   npm run --silent build && node dist/infra/scripts/costo-firma-risposte.js [calls, default 2000]
 */

const CALLS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'costo-firma-'));
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'CA misura' }, validityFrom(now, 30));
  const party = (cn: string) => issueCertificate(ca, { commonName: cn, dnsNames: ['localhost', cn], ipAddresses: ['127.0.0.1'] }, validityFrom(now, 30));
  const server = party('pdd.server.misura.local');
  const client = party('pdd.client.misura.local');
  const file = (name: string, content: string) => {
    writeFileSync(path.join(dir, name), content, { mode: 0o600 });
    return path.join(dir, name);
  };
  const f = { ca: file('ca.pem', ca.certPem), sk: file('s.key', server.keyPem), sc: file('s.pem', server.certPem), ck: file('c.key', client.keyPem), cc: file('c.pem', client.certPem) };

  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const seen = new Set<string>();
  const soapServer = createSoapServer({
    senzaIdentita: { maxRichiesteInCorso: 8, richiesteAlMinuto: 60, raffica: 20 },
    tls: { keyFile: f.sk, certFile: f.sc, caFile: f.ca },
    identities: [{ code: 'CLIENTE', ente: 'ANPAL', description: 'CLIENTE', subjectCN: 'pdd.client.misura.local', allowedIps: ['127.0.0.1'], certFile: f.cc, keyFile: f.ck, caFile: f.ca, sicurezzaMessaggio: 'ID_AUTH_SOAP_02' }],
    services: [{
      ...CONTRACTS.esiti,
      operations: [
        { name: 'NotificaEsito', ...OPERATIONS.NotificaEsito, callers: ['CLIENTE'], handle: async () => ({ headers: [correlationHeader('CORR-MISURA')], body: writeNotificaEsitoRisposta() }) },
        { name: 'NotificaAccertamento', ...OPERATIONS.NotificaAccertamento, callers: [], handle: async () => ({ body: writeNotificaEsitoRisposta() }) },
      ],
    }],
    publicUrl: url,
    maxBodyBytes: 1024 * 1024,
    clock: { now: () => new Date() },
    log: pino({ level: 'silent' }),
    visti: { registra: async (id) => !seen.has(id) && !!seen.add(id) },
  });
  await new Promise<void>((resolve) => soapServer.listen(port, '127.0.0.1', resolve));
  const soap = new SoapClient({ keyFile: f.ck, certFile: f.cc, caFile: f.ca, timeoutMs: 10_000 });
  const call = () =>
    soap.call({
      url: `${url}${CONTRACTS.esiti.path}`,
      soapAction: OPERATIONS.NotificaEsito.soapAction,
      headers: [operatoreHeader({ id: 'OP-MISURA', ufficio: 'Misure' }), correlationHeader('CORR-MISURA')],
      body: writeNotificaEsito({ idPacchetto: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', ente: 'ANPAL', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }] }),
      expectedServerCN: 'pdd.server.misura.local',
    });
  try {
    for (let i = 0; i < WARMUP; i++) await call();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await call();
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const out: Record<string, number> = {
      chiamate: CALLS,
      msPerChiamata: round(wall / CALLS),
      cpuMsPerChiamata: round((used.user + used.system) / 1000 / CALLS),
    };
    const key = createPrivateKey(server.keyPem);
    out.msRsa2048 = time(() => sign('sha256', Buffer.from('misura'), key));
    Object.assign(out, primitives(server.keyPem, server.certPem, ca.certPem));
    console.log(JSON.stringify(out));
  } finally {
    soap.close();
    await closeServer(soapServer, 100);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** signResponse and verifyResponse alone on the ack above, when this tree has them. */
function primitives(keyPem: string, certPem: string, caPem: string): Record<string, number> {
  const ws = wssecurity as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  if (!ws.signResponse || !ws.verifyResponse || !ws.responseSigner) return {};
  const signer = ws.responseSigner(keyPem, certPem);
  const ack = envelope([correlationHeader('CORR-MISURA')], writeNotificaEsitoRisposta());
  const relatesTo = 'urn:uuid:11111111-2222-4333-8444-555555555555';
  const signed = ws.signResponse(ack, signer, { relatesTo, now: new Date() }) as string;
  const expected = { subjectCN: 'pdd.server.misura.local', cas: [new X509Certificate(caPem)] };
  return {
    msFirmaRisposta: time(() => ws.signResponse!(ack, signer, { relatesTo, now: new Date() })),
    msVerificaRisposta: time(() => ws.verifyResponse!(signed, { signer: expected, relatesTo, required: true, now: new Date() })),
  };
}

/** Mean milliseconds of fn over CALLS runs, after WARMUP. */
function time(fn: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) fn();
  return round((performance.now() - t0) / CALLS);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
