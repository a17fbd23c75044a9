import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * X.509 certificates for the federation's development PKI, built with node-forge (key generation uses
 * Node's native RSA when available). Production parties use certificates from their own CAs; the
 * federation only needs the issuing CA and each party's subject in its configuration.
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
export function issueCertificate(ca: KeyPairPem, subject: SubjectSpec, validity: ValiditySpec): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = generateKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
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
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export function validityFrom(now: Date, days: number, backdateMinutes = 5): ValiditySpec {
  return {
    notBefore: new Date(now.getTime() - backdateMinutes * 60_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
  };
}
