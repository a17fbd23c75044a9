import { createPrivateKey, sign, verify, type X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  CertificateList,
  CRLNumber,
  CRLReason,
  CRLReasons,
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  id_ce_invalidityDate,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from '@peculiar/asn1-x509';

/**
 * Certificate revocation lists (X.509 v2 CRLs, RFC 5280 §5): issued by the development PKI, read and verified by
 * every service for each CA it trusts. The ASN.1 structures are @peculiar/asn1-x509's (node-forge has none for
 * CRLs); signing and verifying are Node's own crypto, synchronous like the rest of the PKI.
 *
 * Reading refuses whatever cannot be trusted whole: not a CRL, not issued by this CA (issuer name), a signature
 * that does not verify with the CA's key, an algorithm outside RSA/ECDSA with SHA-2, no nextUpdate, a critical
 * extension this reader does not implement (delta CRLs, issuing distribution points, indirect CRL entries): a
 * partial understanding of a CRL could let a revoked certificate through.
 */

/** Revocation reasons (RFC 5280 CRLReason) the development PKI records. */
export const MOTIVI_REVOCA = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn'] as const;
export type MotivoRevoca = (typeof MOTIVI_REVOCA)[number];

export interface RevokedEntry {
  /** Serial number, upper-case hex without leading zeros (normaliseSerial). */
  serial: string;
  revokedAt: Date;
  reason: MotivoRevoca;
}

export interface CrlContent {
  /** The CRL number (cRLNumber extension): grows with every CRL a CA issues, so an older one can be told apart. */
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: readonly RevokedEntry[];
}

export interface Crl extends CrlContent {
  /** The CA's subject, as X509Certificate prints it. */
  issuer: string;
}

/** A CRL refused, with the reason in words an operator can act on. */
export class CrlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CrlError';
  }
}

/** Serial numbers as they are compared: upper-case hex, no leading zeros (Node prints them with, DER may add a 00). */
export function normaliseSerial(hex: string): string {
  return hex.replace(/[^0-9a-f]/gi, '').toUpperCase().replace(/^0+(?=.)/, '');
}

const SIGNATURE_ALGORITHMS: Record<string, { hash: string; key: 'rsa' | 'ec' }> = {
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', key: 'ec' },
};
/** CRL extensions understood: the number (read) and the authority key identifier (the issuer name is checked instead). */
const KNOWN_CRL_EXTENSIONS = new Set([id_ce_cRLNumber, id_ce_authorityKeyIdentifier]);
/** Entry extensions understood: the reason (read) and the invalidity date (informative). */
const KNOWN_ENTRY_EXTENSIONS = new Set([id_ce_cRLReasons, id_ce_invalidityDate]);

const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

function serialBytes(serial: string): Buffer {
  const hex = normaliseSerial(serial);
  const b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  // DER INTEGER: a leading 1 bit would make it negative.
  return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
}

function subjectName(cert: X509Certificate) {
  return AsnConvert.parse(cert.raw, Certificate).tbsCertificate.subject;
}

/** A CRL signed by the CA (RSA key, SHA-256), as PEM. */
export function issueCrl(ca: { certPem: string; keyPem: string }, caCert: X509Certificate, content: CrlContent): string {
  const algorithm = new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null });
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: subjectName(caCert),
    thisUpdate: new Time(content.thisUpdate),
    nextUpdate: new Time(content.nextUpdate),
    crlExtensions: [new Extension({ extnID: id_ce_cRLNumber, critical: false, extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(content.number))) })],
  });
  if (content.revoked.length > 0) {
    tbs.revokedCertificates = content.revoked.map(
      (r) =>
        new RevokedCertificate({
          userCertificate: arrayBuffer(serialBytes(r.serial)),
          revocationDate: new Time(r.revokedAt),
          crlEntryExtensions: [new Extension({ extnID: id_ce_cRLReasons, critical: false, extnValue: new OctetString(AsnConvert.serialize(new CRLReason(CRLReasons[r.reason]))) })],
        }),
    );
  }
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, createPrivateKey(ca.keyPem));
  const der = Buffer.from(AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: algorithm, signature: arrayBuffer(signature) })));
  return `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
}

/** PEM ("X509 CRL") or DER, as a CA may publish either. */
function derOf(data: Buffer): Buffer {
  const text = data.toString('latin1');
  const pem = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/.exec(text);
  if (pem) return Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64');
  if (text.includes('-----BEGIN')) throw new CrlError('il file non contiene una CRL (atteso un blocco PEM "X509 CRL" o DER)');
  return data;
}

function reasonOf(entry: RevokedCertificate, serial: string): MotivoRevoca {
  let reason: MotivoRevoca = 'unspecified';
  for (const ext of entry.crlEntryExtensions ?? []) {
    if (ext.critical && !KNOWN_ENTRY_EXTENSIONS.has(ext.extnID)) {
      throw new CrlError(`la voce del certificato ${serial} ha un'estensione critica non supportata (${ext.extnID}): CRL indirette non ammesse`);
    }
    if (ext.extnID === id_ce_cRLReasons) {
      const name = CRLReasons[AsnConvert.parse(ext.extnValue, CRLReason).reason];
      reason = (MOTIVI_REVOCA as readonly string[]).includes(name ?? '') ? (name as MotivoRevoca) : 'unspecified';
    }
  }
  return reason;
}

/** Reads a CRL and verifies it against its CA; throws CrlError saying what is wrong. */
export function readCrl(data: Buffer, ca: X509Certificate): Crl {
  let list: CertificateList;
  try {
    list = AsnConvert.parse(derOf(data), CertificateList);
  } catch (err) {
    if (err instanceof CrlError) throw err;
    throw new CrlError(`non è una CRL X.509 leggibile (${(err as Error).message})`, { cause: err });
  }
  const tbs = list.tbsCertList;
  const algorithm = SIGNATURE_ALGORITHMS[list.signatureAlgorithm.algorithm];
  if (!algorithm || tbs.signature.algorithm !== list.signatureAlgorithm.algorithm) {
    throw new CrlError(`algoritmo di firma della CRL non ammesso (${list.signatureAlgorithm.algorithm}): RSA o ECDSA con SHA-256/384/512`);
  }
  if (!Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(Buffer.from(AsnConvert.serialize(subjectName(ca))))) {
    throw new CrlError(`la CRL non è emessa da ${ca.subject.replace(/\n/g, ', ')}`);
  }
  if (ca.publicKey.asymmetricKeyType !== algorithm.key || !list.tbsCertListRaw || !verify(algorithm.hash, Buffer.from(list.tbsCertListRaw), ca.publicKey, Buffer.from(list.signature))) {
    throw new CrlError(`la firma della CRL non è verificata dalla chiave di ${ca.subject.replace(/\n/g, ', ')}: CRL alterata o di un'altra CA`);
  }
  if (!tbs.nextUpdate) throw new CrlError('la CRL non indica nextUpdate (RFC 5280 §5.1.2.5)');
  let number = 0;
  for (const ext of tbs.crlExtensions ?? []) {
    if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.extnID)) {
      throw new CrlError(`la CRL ha un'estensione critica non supportata (${ext.extnID}): CRL delta o parziali non ammesse`);
    }
    if (ext.extnID === id_ce_cRLNumber) number = AsnConvert.parse(ext.extnValue, CRLNumber).value;
  }
  const revoked = (tbs.revokedCertificates ?? []).map((entry) => {
    const serial = normaliseSerial(Buffer.from(entry.userCertificate).toString('hex'));
    return { serial, revokedAt: entry.revocationDate.getTime(), reason: reasonOf(entry, serial) };
  });
  return { issuer: ca.subject.replace(/\n/g, ', '), number, thisUpdate: tbs.thisUpdate.getTime(), nextUpdate: tbs.nextUpdate.getTime(), revoked };
}
