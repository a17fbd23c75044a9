import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { parseConfig } from '../../shared/config/load';
import { ensureFederationPki } from '../../shared/pki/federation-pki';
import { localFederationConfig } from '../../infra/federation-config';

/**
 * The development PKI issues each identity's certificate for the hosts its endpoints are published at: a party
 * served on its own address (its host, test:siti) is accepted by a client that checks the host it called.
 */
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("an identity's certificate names its endpoints' published hosts (address or name) besides the loopback", () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'federation-pki-'));
  const json = localFederationConfig({ postgresUrl: 'postgres://x@127.0.0.1/x', rabbitmqUrl: 'amqp://x@127.0.0.1/x', pkiDir: path.join(dir, 'pki'), basePort: 19600 }) as Record<string, any>;
  json.services.agencies.INAIL.publicUrl = 'https://10.9.0.5:19604';
  json.services.hub.publicUrl = 'https://hub.lavoro.example:19601';
  const config = parseConfig(json, dir);
  ensureFederationPki(config);
  const cert = (code: string) => new X509Certificate(readFileSync(config.identities[code]!.certFile));
  const host = (code: string, h: string) => checkServerIdentity(h, { subjectaltname: cert(code).subjectAltName, subject: { CN: config.identities[code]!.subjectCN } } as unknown as PeerCertificate);

  expect(cert('INAIL').subjectAltName).toContain('IP Address:10.9.0.5');
  expect(host('INAIL', '10.9.0.5')).toBeUndefined();
  expect(host('INAIL', '127.0.0.1')).toBeUndefined();
  expect(host('HUB', 'hub.lavoro.example')).toBeUndefined();
  // Another party's address is not in it: a host answering there with INAIL's certificate is refused.
  expect(host('ANPAL', '10.9.0.5')).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  expect(cert('INPS_ISTRUTTORIA').subjectAltName).not.toContain('10.9.0.5');
});

test('pki.keyType ECDSA-P256: EC P-256 keys for the identities, RSA kept where PDND is on (RS256 client assertions) and for the CA and the PDND server', () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'federation-pki-'));
  const json = localFederationConfig({ postgresUrl: 'postgres://x@127.0.0.1/x', rabbitmqUrl: 'amqp://x@127.0.0.1/x', pkiDir: path.join(dir, 'pki'), basePort: 19600 }) as Record<string, any>;
  json.pki.keyType = 'ECDSA-P256';
  const config = parseConfig(json, dir);
  ensureFederationPki(config);
  const key = (file: string) => new X509Certificate(readFileSync(file)).publicKey;
  expect(config.identities.INAIL!.pdnd?.attivo).toBe(true);
  for (const [code, id] of Object.entries(config.identities)) {
    const k = key(id.certFile);
    expect([code, k.asymmetricKeyType, k.asymmetricKeyDetails?.namedCurve]).toEqual(code === 'INAIL' ? [code, 'rsa', undefined] : [code, 'ec', 'prime256v1']);
  }
  expect(key(config.pki.caCertFile).asymmetricKeyType).toBe('rsa');
  expect(key(path.join(config.pki.dir, 'pdnd.cert.pem')).asymmetricKeyType).toBe('rsa');
});
