import { X509Certificate } from 'node:crypto';
import { ApeError } from '../errors';
import type { IdentityConfig } from '../config/schema';
import { parsedCertificate, verifyEnvelope } from './wssecurity';

/**
 * Message security of an incoming call (AgID ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01): the WS-Security
 * signature verifies (Body, Timestamp, wsa:To, wsa:MessageID; exclusive C14N, SHA-256, RSA-SHA256), the
 * signing certificate belongs to the party the TLS channel identified (issued by that party's CA, valid now,
 * naming its host), wsa:To is this endpoint, and the MessageID has never been seen (replay refused).
 */

/** MessageIDs already accepted, kept until their Timestamp expires (a later copy fails the Timestamp check). */
export interface MessaggiVisti {
  /** Records the MessageID; false when it was already recorded (a replay). */
  registra(messageId: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean>;
}

export interface VerifiedSignature {
  messageId: string;
  certificato: string;
}

/** Certificate and CA pairs whose issuance signature verified (an RSA verification per message, otherwise). */
const EMISSIONI_VERIFICATE = new Set<string>();

function emessoDa(cert: X509Certificate, ca: X509Certificate): boolean {
  const chiave = `${cert.fingerprint256}|${ca.fingerprint256}`;
  if (EMISSIONI_VERIFICATE.has(chiave)) return true;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  if (EMISSIONI_VERIFICATE.size >= 1024) EMISSIONI_VERIFICATE.clear();
  EMISSIONI_VERIFICATE.add(chiave);
  return true;
}

export async function verifyInboundSignature(
  xml: string,
  o: { identity: IdentityConfig; ca: X509Certificate; expectedTo: string; now: Date; visti: MessaggiVisti },
): Promise<VerifiedSignature> {
  const busta = verifyEnvelope(xml, { expectedTo: o.expectedTo, now: o.now });
  const cert = parsedCertificate(busta.certificatePem, () => new X509Certificate(busta.certificatePem));
  const chi = `${o.identity.code} (${o.identity.subjectCN})`;
  if (!emessoDa(cert, o.ca)) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il certificato di firma "${cert.subject.replace(/\n/g, ', ')}" non è emesso dalla CA registrata per ${chi}`);
  }
  // checkHost looks at the DNS names in subjectAltName, and at the CN only when there are none.
  if (cert.checkHost(o.identity.subjectCN, { subject: 'default' }) === undefined) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il messaggio è firmato con un certificato che non è di ${chi}: firmare con il certificato della propria porta di dominio`);
  }
  const t = o.now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
    throw new ApeError('CERTIFICATO_NON_VALIDO', `il certificato di firma di ${chi} non è valido in questo momento (valido dal ${cert.validFrom} al ${cert.validTo})`);
  }
  if (!(await o.visti.registra(busta.messageId, o.identity.code, busta.expires, o.now))) {
    throw new ApeError('MESSAGGIO_RIPETUTO', `wsa:MessageID ${busta.messageId.slice(0, 120)} già ricevuto: ogni messaggio deve avere un identificativo nuovo (ID_AUTH_SOAP_02, protezione da replay)`);
  }
  return { messageId: busta.messageId, certificato: `${cert.subject.replace(/\n/g, ', ')} (${cert.fingerprint256})` };
}
