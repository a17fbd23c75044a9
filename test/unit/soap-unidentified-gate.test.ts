import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type https from 'node:https';
import pino from 'pino';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { createSoapServer } from '../../shared/soap/server';

/**
 * A SOAP endpoint whose parties are all registered at another address than the caller's: the caller's calls without
 * a certificate are refused, and once the address is over its limit its new connections are closed before the TLS
 * handshake, the costliest step of a call nobody identified yet.
 */
let dir: string;
let server: https.Server;
let port: number;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gate-'));
  const ca = createCertificateAuthority({ commonName: 'CA di test' }, validityFrom(new Date(), 30));
  const srv = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'] }, validityFrom(new Date(), 30));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(path.join(dir, 'srv.key'), srv.keyPem);
  writeFileSync(path.join(dir, 'srv.pem'), srv.certPem);
  server = createSoapServer({
    tls: { keyFile: path.join(dir, 'srv.key'), certFile: path.join(dir, 'srv.pem'), caFile },
    identities: [{ code: 'ANPAL', ente: 'ANPAL', description: 'ANPAL', subjectCN: 'anpal.test', allowedIps: ['192.0.2.10'], certFile: '', keyFile: '', caFile, sicurezzaMessaggio: 'nessuna' }],
    services: [],
    publicUrl: 'https://localhost',
    maxBodyBytes: 65536,
    senzaIdentita: { maxRichiesteInCorso: 8, richiesteAlMinuto: 1, raffica: 2 },
    clock: { now: () => new Date() },
    log: pino({ level: 'silent' }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** One call on a connection of its own, without a client certificate: the status it got, or how the connection ended. */
function call(): Promise<string> {
  return new Promise((resolve) => {
    let handshake = false;
    let text = '';
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(caFile) });
    s.on('secureConnect', () => {
      handshake = true;
      s.write('GET /ape?wsdl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(handshake ? text.split(' ')[1] ?? 'nessuna risposta' : 'chiusa prima della negoziazione TLS'));
  });
}

test('an address no party is registered at, over its limit, gets no TLS handshake', async () => {
  // Its burst: refused for what they are (no certificate).
  expect(await call()).toBe('403');
  expect(await call()).toBe('403');
  // Then, at one a minute, its new connections are closed at once.
  expect(await call()).toBe('chiusa prima della negoziazione TLS');
  expect(await call()).toBe('chiusa prima della negoziazione TLS');
});
