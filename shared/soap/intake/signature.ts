import { X509Certificate } from 'node:crypto';
import { ApeError } from '../../errors';
import type { IdentityConfig } from '../../config/schema';
import type { ParsedEnvelope } from '../../xml/envelope';
import { parsedCertificate, verifyDocument, WSSE_NS } from '../wssecurity';

/**
 * Message security of an incoming call (AgID ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01): the WS-Security
 * signature verifies (Body, Timestamp, wsa:To, wsa:MessageID and every com:* and wsa:* header the broker acts on;
 * exclusive C14N, SHA-256, RSA-SHA256) on the very document whose payload the handler reads, the
 * signing certificate belongs to the party the TLS channel identified (issued by that party's CA, valid now,
 * naming its host) and wsa:To is this endpoint. That the MessageID was never seen is the next stage (replay.ts).
 */

export interface VerifiedSignature {
  messageId: string;
  certificate: string;
  /** The signed Timestamp's Expires: until then a copy must be refused as a replay. */
  expires: Date;
}

export interface SignatureCheck {
  identity: IdentityConfig;
  /** The CA registered for the identity: its signing certificate must come from it, like its TLS one. */
  ca: X509Certificate;
  /** This endpoint's address, which wsa:To must name. */
  expectedTo: string;
  now: Date;
}

/**
 * Stage: a signature is checked whenever one is present; it is required unless the party was onboarded without
 * (sicurezzaMessaggio "nessuna"). Null for an unsigned call of such a party.
 */
export function checkSignature(env: ParsedEnvelope, o: SignatureCheck): VerifiedSignature | null {
  const signed = env.headers.some((h) => h.ns === WSSE_NS && h.local === 'Security');
  if (o.identity.sicurezzaMessaggio !== 'ID_AUTH_SOAP_02' && !signed) return null;
  return verifyInboundSignature(env.document, o);
}

/** Certificate and CA pairs whose issuance signature verified (an RSA verification per message, otherwise). */
const VERIFIED_ISSUANCES = new Set<string>();

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  const key = `${cert.fingerprint256}|${ca.fingerprint256}`;
  if (VERIFIED_ISSUANCES.has(key)) return true;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  if (VERIFIED_ISSUANCES.size >= 1024) VERIFIED_ISSUANCES.clear();
  VERIFIED_ISSUANCES.add(key);
  return true;
}

export function verifyInboundSignature(document: Document, o: SignatureCheck): VerifiedSignature {
  const verified = verifyDocument(document, { expectedTo: o.expectedTo, now: o.now });
  const cert = parsedCertificate(verified.certificatePem, () => new X509Certificate(verified.certificatePem));
  const who = `${o.identity.code} (${o.identity.subjectCN})`;
  if (!issuedBy(cert, o.ca)) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il certificato di firma "${cert.subject.replace(/\n/g, ', ')}" non è emesso dalla CA registrata per ${who}`);
  }
  // checkHost looks at the DNS names in subjectAltName, and at the CN only when there are none.
  if (cert.checkHost(o.identity.subjectCN, { subject: 'default' }) === undefined) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il messaggio è firmato con un certificato che non è di ${who}: firmare con il certificato della propria porta di dominio`);
  }
  const t = o.now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
    throw new ApeError('CERTIFICATO_NON_VALIDO', `il certificato di firma di ${who} non è valido in questo momento (valido dal ${cert.validFrom} al ${cert.validTo})`);
  }
  return { messageId: verified.messageId, certificate: `${cert.subject.replace(/\n/g, ', ')} (${cert.fingerprint256})`, expires: verified.expires };
}
