import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { ApeError } from '../../shared/errors';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { normaliseSerial, readCrl } from '../../shared/pki/crl';
import { CRL_VALIDITY_DAYS, ensureCrls, reissueCrls, revokeCertificate } from '../../shared/pki/crl-issuer';
import { ensureFederationPki, renewIdentityCertificate } from '../../shared/pki/federation-pki';
import { localFederationConfig } from '../../infra/federation-config';

/**
 * The development PKI as a CRL issuer: setup issues an empty CRL and renews it before it expires, a revocation
 * issues the next CRL with the certificate added (once), a CA whose key is elsewhere cannot revoke here.
 */

const DAY = 86_400_000;
let dir: string;
let config: FederationConfig;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crl-issuer-'));
  config = parseConfig(localFederationConfig({ postgresUrl: 'postgres://x@127.0.0.1/x', rabbitmqUrl: 'amqp://x@127.0.0.1/x', pkiDir: path.join(dir, 'pki'), basePort: 19500 }), dir);
  ensureFederationPki(config);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const crlFile = () => config.pki.crl[0]!.crlFile;
const crl = () => readCrl(readFileSync(crlFile()), new X509Certificate(readFileSync(config.pki.caCertFile)));
const certOf = (code: string) => readFileSync(config.identities[code]!.certFile, 'utf8');

test('setup issues an empty CRL, keeps it while fresh, and issues the next one past half its validity', () => {
  const t0 = new Date();
  expect(ensureCrls(config, t0)).toEqual({ issued: [{ crlFile: crlFile(), number: 1, revoked: 0 }], missing: [] });
  expect(crl()).toMatchObject({ number: 1, revoked: [] });
  expect(ensureCrls(config, new Date(t0.getTime() + (CRL_VALIDITY_DAYS / 2 - 1) * DAY)).issued).toEqual([]);
  const later = new Date(t0.getTime() + (CRL_VALIDITY_DAYS / 2 + 1) * DAY);
  expect(ensureCrls(config, later).issued).toEqual([{ crlFile: crlFile(), number: 2, revoked: 0 }]);
  expect(crl().nextUpdate.getTime()).toBe(Math.floor(later.getTime() / 1000) * 1000 + CRL_VALIDITY_DAYS * DAY);
});

test("revoking an identity's certificate issues the next CRL with its serial and reason; revoking it again changes nothing", () => {
  ensureCrls(config);
  const serial = normaliseSerial(new X509Certificate(certOf('ANPAL')).serialNumber);
  expect(revokeCertificate(config, certOf('ANPAL'), 'keyCompromise')).toMatchObject({ serial, added: true, number: 2, revoked: 1 });
  expect(crl().revoked).toEqual([expect.objectContaining({ serial, reason: 'keyCompromise' })]);
  expect(revokeCertificate(config, certOf('ANPAL'), 'superseded')).toMatchObject({ added: false, number: 2 });
  // A reissue keeps the revocations, with the next number.
  expect(reissueCrls(config)).toEqual([{ crlFile: crlFile(), number: 3, revoked: 1 }]);
  expect(crl().revoked.map((r) => r.serial)).toEqual([serial]);
});

test('a renewed certificate is a new one, not on the CRL, from the same CA', () => {
  ensureCrls(config);
  const old = new X509Certificate(certOf('INAIL'));
  revokeCertificate(config, certOf('INAIL'), 'keyCompromise');
  renewIdentityCertificate(config, 'INAIL');
  const renewed = new X509Certificate(certOf('INAIL'));
  expect(renewed.serialNumber).not.toBe(old.serialNumber);
  expect(renewed.checkIssued(new X509Certificate(readFileSync(config.pki.caCertFile)))).toBe(true);
  expect(crl().revoked.map((r) => r.serial)).toEqual([normaliseSerial(old.serialNumber)]);
});

test('a certificate of a CA without a CRL here, or whose CA key is elsewhere, cannot be revoked here; a broken CRL is not overwritten', () => {
  ensureCrls(config);
  const foreign = createCertificateAuthority({ commonName: 'CA estranea' }, validityFrom(new Date(), 30));
  const stranger = issueCertificate(foreign, { commonName: 'x.example' }, validityFrom(new Date(), 30));
  expect(() => revokeCertificate(config, stranger.certPem, 'keyCompromise')).toThrow(/non è emesso da nessuna CA con una CRL in pki\.crl/);
  rmSync(path.join(config.pki.dir, 'ca.key.pem'));
  expect(() => revokeCertificate(config, certOf('INL'), 'keyCompromise')).toThrow(/non è in questa PKI: la revoca va chiesta alla CA che lo ha emesso/);
  writeFileSync(path.join(config.pki.dir, 'ca.key.pem'), 'ripristinata dopo');
  writeFileSync(crlFile(), 'rovinata');
  try {
    reissueCrls(config);
    throw new Error('expected a refusal');
  } catch (err) {
    expect(err).toBeInstanceOf(ApeError);
    expect((err as Error).message).toMatch(/ripristinarla da una copia prima di emetterne una nuova/);
  }
  expect(readFileSync(crlFile(), 'utf8')).toBe('rovinata');
});
