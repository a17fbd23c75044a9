import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import forge from 'node-forge';
import type { KeyType } from './key-types';

/**
 * X.509 certificates for the federation's development PKI, built with node-forge (key generation uses
 * Node's native RSA when available). Production parties use certificates from their own CAs; the
 * federation only needs the issuing CA and each party's subject in its configuration.
 *
 * The CA's key is RSA; a party's is RSA-2048 or EC P-256 (pki.keyType). node-forge knows only RSA keys, so an EC
 * certificate is built by forge around the CA's public key as a stand-in, then given the EC key's
 * SubjectPublicKeyInfo with @peculiar/asn1-x509 (as the CRLs are built) and signed again with Node's crypto.
 */

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface SubjectSpec {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** Subject alternative names. */
  dnsNames?: string[];
  ipAddresses?: string[];
}

export interface ValiditySpec {
  notBefore: Date;
  notAfter: Date;
}

const KEY_BITS = 2048;

function subjectAttributes(s: SubjectSpec): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ name: 'countryName', value: 'IT' }];
  if (s.organization) attrs.push({ name: 'organizationName', value: s.organization });
  if (s.organizationalUnit) attrs.push({ shortName: 'OU', value: s.organizationalUnit });
  attrs.push({ name: 'commonName', value: s.commonName });
  return attrs;
}

function serial(): string {
  // Positive 127-bit serial number, as RFC 5280 asks for unpredictable serials.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function generateKeys(): forge.pki.rsa.KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: KEY_BITS, e: 0x10001 });
}

export function createCertificateAuthority(subject: SubjectSpec, validity: ValiditySpec): KeyPairPem {
  const keys = generateKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  const attrs = subjectAttributes(subject);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A certificate for a party's gateway: usable as TLS server and client, and to sign messages. */
export function issueCertificate(ca: KeyPairPem, subject: SubjectSpec, validity: ValiditySpec, keyType: KeyType = 'RSA-2048'): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const ec = keyType === 'ECDSA-P256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : null;
  const ecSpki = ec?.publicKey.export({ type: 'spki', format: 'der' });
  const keys = ec ? null : generateKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys?.publicKey ?? caCert.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject(subjectAttributes(subject));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(subject.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(subject.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // An EC key signs (ECDSA, and ECDHE key exchange in TLS): it never enciphers a key.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: !ec, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    // forge would take the identifier of the stand-in key: an EC key's is given whole.
    ec ? { name: 'subjectKeyIdentifier', value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, keyIdentifier(ecSpki!)) } : { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  if (!ec) return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys!.privateKey) };
  return { certPem: withPublicKey(cert, ecSpki!, ca.keyPem), keyPem: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey bits, as forge computes it for an RSA key (a binary string, forge's bytes). */
function keyIdentifier(spkiDer: Buffer): string {
  const spki = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest('binary');
}

/** The certificate forge signed, with `spkiDer` as its subject's key and signed again by the CA (SHA-256 with RSA, as forge signs). */
function withPublicKey(cert: forge.pki.Certificate, spkiDer: Buffer, caKeyPem: string): string {
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const parsed = AsnConvert.parse(der, Certificate);
  parsed.tbsCertificate.subjectPublicKeyInfo = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  const tbs = Buffer.from(AsnConvert.serialize(parsed.tbsCertificate));
  parsed.signatureValue = new Uint8Array(sign('sha256', tbs, caKeyPem)).buffer;
  return new X509Certificate(Buffer.from(AsnConvert.serialize(parsed))).toString();
}

export function validityFrom(now: Date, days: number, backdateMinutes = 5): ValiditySpec {
  return {
    notBefore: new Date(now.getTime() - backdateMinutes * 60_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
  };
}
