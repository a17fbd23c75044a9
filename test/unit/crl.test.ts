import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { CertificateList, Extension, IssuingDistributionPoint, id_ce_issuingDistributionPoint } from '@peculiar/asn1-x509';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { CrlError, issueCrl, normaliseSerial, readCrl, type CrlContent } from '../../shared/pki/crl';

/**
 * CRLs as the development PKI writes them and every service reads them: a round trip, OpenSSL's opinion of what we
 * write, and what reading refuses (another CA's CRL, a changed byte, what is not a CRL, a critical extension this
 * reader does not implement).
 */

const NOW = new Date('2026-03-10T09:00:00Z');
let ca: KeyPairPem;
let caCert: X509Certificate;
let leaf: X509Certificate;
let dir: string;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di test CRL' }, validityFrom(NOW, 365));
  caCert = new X509Certificate(ca.certPem);
  leaf = new X509Certificate(issueCertificate(ca, { commonName: 'pdd.anpal.ape-precoci.local' }, validityFrom(NOW, 30)).certPem);
  dir = mkdtempSync(path.join(os.tmpdir(), 'crl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const content = (o: Partial<CrlContent> = {}): CrlContent => ({
  number: 7,
  thisUpdate: NOW,
  nextUpdate: new Date(NOW.getTime() + 30 * 86_400_000),
  revoked: [{ serial: leaf.serialNumber, revokedAt: NOW, reason: 'keyCompromise' }],
  ...o,
});

const refusal = (data: Buffer, by = caCert): string => {
  try {
    readCrl(data, by);
  } catch (err) {
    expect(err).toBeInstanceOf(CrlError);
    return (err as Error).message;
  }
  throw new Error('expected the CRL to be refused');
};

test('a CRL issued by the development PKI reads back with its number, dates and revoked serials', () => {
  const crl = readCrl(Buffer.from(issueCrl(ca, caCert, content())), caCert);
  expect(crl).toMatchObject({ number: 7, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 30 * 86_400_000), issuer: 'C=IT, CN=CA di test CRL' });
  expect(crl.revoked).toEqual([{ serial: normaliseSerial(leaf.serialNumber), revokedAt: NOW, reason: 'keyCompromise' }]);
  expect(readCrl(Buffer.from(issueCrl(ca, caCert, content({ revoked: [] }))), caCert).revoked).toEqual([]);
});

test('OpenSSL verifies the CRL against its CA and reads the same serial and reason (a second opinion on the encoding)', () => {
  writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(path.join(dir, 'crl.pem'), issueCrl(ca, caCert, content()));
  const out = execFileSync('/usr/bin/openssl', ['crl', '-in', path.join(dir, 'crl.pem'), '-CAfile', path.join(dir, 'ca.pem'), '-noout', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // OpenSSL prints whole bytes: a serial of an odd number of hex digits gets a leading 0.
  expect(out).toMatch(new RegExp(`Serial Number: 0?${normaliseSerial(leaf.serialNumber)}\\n`));
  expect(out).toContain('Key Compromise');
  expect(out).toMatch(/X509v3 CRL Number:\s+7/);
  // -verify prints its verdict on stderr.
  const verdict = execFileSync('/usr/bin/openssl', ['crl', '-in', path.join(dir, 'crl.pem'), '-CAfile', path.join(dir, 'ca.pem'), '-noout', '-verify'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(verdict).toBe('');
});

test('serial numbers compare without leading zeros and case', () => {
  expect(normaliseSerial('00ab:CD')).toBe('ABCD');
  expect(normaliseSerial('000')).toBe('0');
  const crl = readCrl(Buffer.from(issueCrl(ca, caCert, content({ revoked: [{ serial: '00FF', revokedAt: NOW, reason: 'superseded' }] }))), caCert);
  expect(crl.revoked[0]!.serial).toBe('FF');
});

test("a CRL signed by another CA of the same name is refused: the signature is checked with this CA's key", () => {
  const impostor = createCertificateAuthority({ commonName: 'CA di test CRL' }, validityFrom(NOW, 365));
  const forged = issueCrl(impostor, new X509Certificate(impostor.certPem), content({ revoked: [] }));
  expect(refusal(Buffer.from(forged))).toMatch(/firma della CRL non è verificata/);
});

test('a CRL with a changed byte is refused', () => {
  const pem = issueCrl(ca, caCert, content());
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  // thisUpdate one second later: still a well-formed CRL, no longer the one the CA signed.
  const at = der.indexOf(Buffer.from('260310090000Z', 'latin1'));
  expect(at).toBeGreaterThan(0);
  der[at + 11] = '1'.charCodeAt(0);
  expect(refusal(der)).toMatch(/firma della CRL non è verificata/);
});

test('a CRL of another issuer is refused by name before its signature', () => {
  const other = createCertificateAuthority({ commonName: 'Altra CA' }, validityFrom(NOW, 365));
  expect(refusal(Buffer.from(issueCrl(other, new X509Certificate(other.certPem), content())))).toMatch(/non è emessa da C=IT, CN=CA di test CRL/);
});

test('what is not a CRL is refused with a reason: garbage, a certificate', () => {
  expect(refusal(Buffer.from('non sono una CRL'))).toMatch(/non è una CRL X\.509 leggibile/);
  expect(refusal(Buffer.from(ca.certPem))).toMatch(/non contiene una CRL/);
});

test('a CRL with a critical extension this reader does not implement (issuing distribution point) is refused, even well signed', () => {
  const list = AsnConvert.parse(Buffer.from(issueCrl(ca, caCert, content({ revoked: [] })).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'), CertificateList);
  const tbs = list.tbsCertList;
  tbs.crlExtensions = [
    ...(tbs.crlExtensions ?? []),
    new Extension({ extnID: id_ce_issuingDistributionPoint, critical: true, extnValue: new OctetString(AsnConvert.serialize(new IssuingDistributionPoint({ onlyContainsUserCerts: true }))) }),
  ];
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, createPrivateKey(ca.keyPem));
  const der = Buffer.from(AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: list.signatureAlgorithm, signature: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.length) as ArrayBuffer })));
  expect(refusal(der)).toMatch(/estensione critica non supportata \(2\.5\.29\.28\)/);
});
