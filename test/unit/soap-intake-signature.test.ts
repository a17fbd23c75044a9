import { X509Certificate } from 'node:crypto';
import type { IdentityConfig } from '../../shared/config/schema';
import { envelope, operatoreHeader } from '../../shared/messages/envelope';
import { writeStatoIstruttoria } from '../../shared/messages/istruttoria';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { parseRequest } from '../../shared/soap/intake/parse';
import { refuseReplay, type ReplayGuard } from '../../shared/soap/intake/replay';
import { checkSignature, type SignatureCheck } from '../../shared/soap/intake/signature';
import { signEnvelope } from '../../shared/soap/wssecurity';
import { refusal, refusalOf } from '../support/intake';

/**
 * Signature and replay stages: a signed call's signature verifies and is the caller's own (its CA, its host name,
 * valid now); an unsigned call passes only for a party onboarded without message security; a MessageID once.
 */

const NOW = new Date('2026-03-10T09:00:00.000Z');
const TO = 'https://inps.example:9443/ape/istruttoria';
const HOST = 'anpal.ape-precoci.local';

let ca: KeyPairPem;
let anpal: KeyPairPem;
let otherHost: KeyPairPem;
let otherCa: KeyPairPem;
let expired: KeyPairPem;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di test intake' }, validityFrom(NOW, 365));
  anpal = issueCertificate(ca, { commonName: HOST, organization: 'ANPAL' }, validityFrom(NOW, 30));
  otherHost = issueCertificate(ca, { commonName: 'inail.ape-precoci.local', organization: 'INAIL' }, validityFrom(NOW, 30));
  const foreign = createCertificateAuthority({ commonName: 'Altra CA' }, validityFrom(NOW, 365));
  otherCa = issueCertificate(foreign, { commonName: HOST, organization: 'ANPAL' }, validityFrom(NOW, 30));
  expired = issueCertificate(ca, { commonName: HOST, organization: 'ANPAL' }, validityFrom(new Date(NOW.getTime() - 10 * 86_400_000), 1));
});

const identity = (sicurezzaMessaggio: IdentityConfig['sicurezzaMessaggio']): IdentityConfig => ({
  code: 'ANPAL',
  ente: 'ANPAL',
  description: 'ANPAL',
  subjectCN: HOST,
  allowedIps: ['127.0.0.1'],
  certFile: '',
  keyFile: '',
  caFile: '',
  sicurezzaMessaggio,
});
const unsigned = () => envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-000001' }));
const signedBy = (pair: KeyPairPem, o: { to?: string; messageId?: string } = {}) =>
  signEnvelope(unsigned(), { keyPem: pair.keyPem, certPem: pair.certPem, to: o.to ?? TO, now: NOW, ttlSeconds: 300, ...(o.messageId && { messageId: o.messageId }) });
const check = (body: string, sicurezza: IdentityConfig['sicurezzaMessaggio'] = 'ID_AUTH_SOAP_02', revocations: SignatureCheck['revocations'] = null) => {
  const o: SignatureCheck = { identity: identity(sicurezza), ca: new X509Certificate(ca.certPem), expectedTo: TO, now: NOW, revocations };
  return checkSignature(parseRequest(body), o);
};

test("a call signed with the caller's certificate gives its MessageID and the Timestamp's expiry", () => {
  const v = check(signedBy(anpal, { messageId: 'urn:uuid:00000000-0000-4000-8000-000000000001' }))!;
  expect(v.messageId).toBe('urn:uuid:00000000-0000-4000-8000-000000000001');
  expect(v.expires).toEqual(new Date(NOW.getTime() + 300_000));
  expect(v.certificate).toContain(new X509Certificate(anpal.certPem).fingerprint256);
});

test('an unsigned call is FIRMA_ASSENTE for a party that must sign, and passes (null) for one onboarded without', () => {
  expect(refusal(() => check(unsigned()))).toBe('FIRMA_ASSENTE');
  expect(check(unsigned(), 'nessuna')).toBeNull();
});

test('a signature present is checked even for a party onboarded without message security', () => {
  expect(check(signedBy(anpal), 'nessuna')).not.toBeNull();
  expect(refusal(() => check(signedBy(anpal).replace('INPS-2026-000001', 'INPS-2026-000002'), 'nessuna'))).toBe('FIRMA_NON_VALIDA');
});

test("a certificate that is not the caller's is CERTIFICATO_NON_CORRISPONDENTE: another CA, or another party's host", () => {
  expect(refusal(() => check(signedBy(otherCa)))).toBe('CERTIFICATO_NON_CORRISPONDENTE');
  expect(refusal(() => check(signedBy(otherHost)))).toBe('CERTIFICATO_NON_CORRISPONDENTE');
});

test("the caller's certificate out of its validity is CERTIFICATO_NON_VALIDO; a message for another endpoint is DESTINATARIO_NON_VALIDO", () => {
  expect(refusal(() => check(signedBy(expired)))).toBe('CERTIFICATO_NON_VALIDO');
  expect(refusal(() => check(signedBy(anpal, { to: 'https://inps.example:9443/ape/esiti' })))).toBe('DESTINATARIO_NON_VALIDO');
});

test('a MessageID is accepted once, recorded with its sender and expiry; the copy is MESSAGGIO_RIPETUTO', async () => {
  const recorded: Array<[string, string, Date, Date]> = [];
  const guard: ReplayGuard = {
    registra: async (messageId, sender, expiresAt, now) => {
      const seen = recorded.some(([id]) => id === messageId);
      recorded.push([messageId, sender, expiresAt, now]);
      return !seen;
    },
  };
  const signature = { messageId: 'urn:uuid:1', certificate: 'CN=x', expires: new Date(NOW.getTime() + 300_000) };
  expect(await refusalOf(refuseReplay(guard, signature, 'ANPAL', NOW))).toBeNull();
  expect(await refusalOf(refuseReplay(guard, signature, 'ANPAL', NOW))).toBe('MESSAGGIO_RIPETUTO');
  expect(await refusalOf(refuseReplay(guard, { ...signature, messageId: 'urn:uuid:2' }, 'ANPAL', NOW))).toBeNull();
  expect(recorded[0]).toEqual(['urn:uuid:1', 'ANPAL', signature.expires, NOW]);
});

test("a message signed with a certificate on its CA's CRL is CERTIFICATO_REVOCATO; the party's other certificate still passes", () => {
  const revokedSerial = new X509Certificate(replacement().certPem).serialNumber;
  const caFingerprint = new X509Certificate(ca.certPem).fingerprint256;
  const revocations = {
    revoked: (of: string | undefined, serial: string) =>
      of === caFingerprint && serial === revokedSerial ? { serial, revokedAt: NOW, reason: 'keyCompromise' as const, ca: 'CN=CA di test intake', crlNumber: 2 } : null,
  };
  expect(refusal(() => check(signedBy(replacement()), 'ID_AUTH_SOAP_02', revocations))).toBe('CERTIFICATO_REVOCATO');
  expect(check(signedBy(anpal), 'ID_AUTH_SOAP_02', revocations)).not.toBeNull();
});

/** A second valid certificate of the same party (a key being replaced): the one the test revokes. */
let second: KeyPairPem | null = null;
function replacement(): KeyPairPem {
  second ??= issueCertificate(ca, { commonName: HOST, organization: 'ANPAL' }, validityFrom(NOW, 60));
  return second;
}
