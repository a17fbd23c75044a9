import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ApeError } from '../../shared/errors';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { issueCrl, type RevokedEntry } from '../../shared/pki/crl';
import { CrlStore, refuseRevoked } from '../../shared/pki/crl-store';
import { refusal } from '../support/intake';

/**
 * The CRLs a process enforces: read at start (or the process does not start), re-read when the file changes, a
 * CRL that does not verify or is older than the one in force refused with an error and the one in force kept, an
 * expired CRL logged as an error every time it is read.
 */

const DAY = 86_400_000;
let dir: string;
let ca: KeyPairPem;
let caCert: X509Certificate;
let anpal: X509Certificate;
let inail: X509Certificate;
let caFile: string;
let crlFile: string;

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
  return { log: pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, stream), lines };
}

/** A CRL written as the issuer does it: a new file renamed over the old one. */
function publish(number: number, revoked: RevokedEntry[], o: { by?: KeyPairPem; nextUpdate?: Date } = {}): void {
  const by = o.by ?? ca;
  const now = new Date();
  writeFileSync(`${crlFile}.tmp`, issueCrl(by, new X509Certificate(by.certPem), { number, thisUpdate: now, nextUpdate: o.nextUpdate ?? new Date(now.getTime() + 30 * DAY), revoked }));
  renameSync(`${crlFile}.tmp`, crlFile);
}

const revocation = (cert: X509Certificate): RevokedEntry => ({ serial: cert.serialNumber, revokedAt: new Date(), reason: 'keyCompromise' });
const errors = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.level === 'error');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crl-store-'));
  ca = createCertificateAuthority({ commonName: 'CA di test revoche' }, validityFrom(new Date(), 365));
  caCert = new X509Certificate(ca.certPem);
  anpal = new X509Certificate(issueCertificate(ca, { commonName: 'pdd.anpal.ape-precoci.local' }, validityFrom(new Date(), 30)).certPem);
  inail = new X509Certificate(issueCertificate(ca, { commonName: 'pdd.inail.ape-precoci.local' }, validityFrom(new Date(), 30)).certPem);
  caFile = path.join(dir, 'ca.cert.pem');
  crlFile = path.join(dir, 'ca.crl.pem');
  writeFileSync(caFile, ca.certPem);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a revoked serial of a CA is found by CA fingerprint and serial; other serials, other CAs are not', () => {
  publish(1, [revocation(anpal)]);
  const store = new CrlStore([{ caFile, crlFile }], capture());
  expect(store.revoked(caCert.fingerprint256, anpal.serialNumber)).toMatchObject({ reason: 'keyCompromise', crlNumber: 1, ca: 'C=IT, CN=CA di test revoche' });
  expect(store.revoked(caCert.fingerprint256, `00${anpal.serialNumber.toLowerCase()}`)).not.toBeNull();
  expect(store.revoked(caCert.fingerprint256, inail.serialNumber)).toBeNull();
  expect(store.revoked('AA:BB', anpal.serialNumber)).toBeNull();
  expect(store.revoked(undefined, anpal.serialNumber)).toBeNull();
  expect(refusal(() => refuseRevoked(store, caCert.fingerprint256, anpal.serialNumber, 'il certificato di prova'))).toBe('CERTIFICATO_REVOCATO');
  expect(refusal(() => refuseRevoked(store, caCert.fingerprint256, inail.serialNumber, 'il certificato di prova'))).toBeNull();
});

test('a CRL missing or not verifying at start stops the process with the file named', () => {
  expect(() => new CrlStore([{ caFile, crlFile }], capture())).toThrow(ApeError);
  publish(1, [], { by: createCertificateAuthority({ commonName: 'CA di test revoche' }, validityFrom(new Date(), 365)) });
  try {
    new CrlStore([{ caFile, crlFile }], capture());
    throw new Error('expected a refusal');
  } catch (err) {
    expect((err as ApeError).code).toBe('CONFIGURAZIONE_NON_VALIDA');
    expect((err as Error).message).toContain(crlFile);
    expect((err as Error).message).toMatch(/firma della CRL non è verificata/);
  }
});

test('a new CRL is picked up when its file changes, without a new store', () => {
  publish(1, []);
  const { log, lines } = capture();
  const store = new CrlStore([{ caFile, crlFile }], { log });
  store.refresh();
  expect(lines.filter((l) => l.msg === 'CRL reloaded')).toHaveLength(0);
  publish(2, [revocation(anpal)]);
  store.refresh();
  expect(store.revoked(caCert.fingerprint256, anpal.serialNumber)).not.toBeNull();
  expect(lines.find((l) => l.msg === 'CRL reloaded')).toMatchObject({ crlNumber: 2, revocati: 1, revocatiPrima: 0 });
});

test('a tampered CRL, one from another CA, an older one, or a deleted file are refused loudly and the CRL in force stays', () => {
  publish(2, [revocation(anpal)]);
  const { log, lines } = capture();
  const store = new CrlStore([{ caFile, crlFile }], { log });
  const attempts: Array<() => void> = [
    // One byte of the signed part changed (written in place, as an intruder would).
    () => {
      const der = Buffer.from(readFileSync(crlFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      der[60] = der[60]! ^ 0x01;
      writeFileSync(crlFile, `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`);
    },
    () => publish(3, [], { by: createCertificateAuthority({ commonName: 'CA di test revoche' }, validityFrom(new Date(), 365)) }),
    // Genuinely signed by the CA, but older than the CRL in force: it would bring the revoked certificate back.
    () => publish(1, []),
    () => rmSync(crlFile),
  ];
  for (const [i, attempt] of attempts.entries()) {
    attempt();
    store.refresh();
    expect(errors(lines)).toHaveLength(i + 1);
    expect(store.revoked(caCert.fingerprint256, anpal.serialNumber)).toMatchObject({ crlNumber: 2 });
  }
  expect(errors(lines).map((l) => l.msg)).toEqual(['CRL refused: the CRL read before stays in force', 'CRL refused: the CRL read before stays in force', 'CRL refused: the CRL read before stays in force', 'CRL file unreadable: the CRL read before stays in force']);
  expect(String(errors(lines)[2]!.err)).toMatch(/numero 1, inferiore a quello della CRL in vigore \(2\)/);
  // The CA's next genuine CRL is taken again.
  publish(3, [revocation(anpal), revocation(inail)]);
  store.refresh();
  expect(store.revoked(caCert.fingerprint256, inail.serialNumber)).toMatchObject({ crlNumber: 3 });
});

test('an expired CRL stays in force and is an error each time it is read, and hourly while unchanged', () => {
  let now = new Date();
  publish(1, [revocation(anpal)], { nextUpdate: new Date(now.getTime() - 1000) });
  const { log, lines } = capture();
  const store = new CrlStore([{ caFile, crlFile }], { log, now: () => now });
  expect(store.revoked(caCert.fingerprint256, anpal.serialNumber)).not.toBeNull();
  expect(errors(lines)).toHaveLength(1);
  expect(String(errors(lines)[0]!.msg)).toMatch(/^CRL expired: nextUpdate .* has passed/);
  store.refresh();
  expect(errors(lines)).toHaveLength(1);
  now = new Date(now.getTime() + 3_600_000);
  store.refresh();
  expect(errors(lines)).toHaveLength(2);
  publish(2, [revocation(anpal)], { nextUpdate: new Date(now.getTime() - 1000) });
  store.refresh();
  expect(errors(lines)).toHaveLength(3);
  publish(3, [revocation(anpal)]);
  store.refresh();
  expect(errors(lines)).toHaveLength(3);
  expect(store.status()).toEqual([expect.objectContaining({ number: 3, revoked: 1, crlFile })]);
});
