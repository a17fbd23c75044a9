import { X509Certificate } from 'node:crypto';
import type { IdentityConfig } from '../../config/schema';
import type { ParsedEnvelope } from '../../xml/envelope';
import type { RevocationCheck } from '../../pki/crl-store';
import { checkSigningCertificate, parsedCertificate, verifyDocument, WSSE_NS } from '../wssecurity';

/**
 * Message security of an incoming call (AgID ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01): the WS-Security
 * signature verifies (Body, Timestamp, wsa:To, wsa:MessageID and every com:* and wsa:* header the broker acts on;
 * exclusive C14N, SHA-256, RSA-SHA256 or ECDSA-SHA256 as the key implies) on the very document whose payload the handler reads, the
 * signing certificate belongs to the party the TLS channel identified (issued by that party's CA, not on its
 * CRL, valid now, naming its host: wssecurity/certificates.ts) and wsa:To is this endpoint. That the MessageID
 * was never seen is the next stage (replay.ts).
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
  /** The CRLs in force: a signing certificate they list is CERTIFICATO_REVOCATO. */
  revocations?: RevocationCheck | null;
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

export function verifyInboundSignature(document: Document, o: SignatureCheck): VerifiedSignature {
  const verified = verifyDocument(document, { expectedTo: o.expectedTo, now: o.now });
  const cert = parsedCertificate(verified.certificatePem, () => new X509Certificate(verified.certificatePem));
  checkSigningCertificate(cert, { ca: o.ca, host: o.identity.subjectCN, who: `${o.identity.code} (${o.identity.subjectCN})`, now: o.now, revocations: o.revocations });
  return { messageId: verified.messageId, certificate: `${cert.subject.replace(/\n/g, ', ')} (${cert.fingerprint256})`, expires: verified.expires };
}
