import { checkDigests, checkMethodForKey, checkSignatureValue, readSignedInfo, resolveReferences } from './signed-info';
import { signerCertificate } from './certificates';
import { DEFAULT_MAX_TTL_SECONDS, DEFAULT_SKEW_SECONDS, WSU_NS } from './constants';
import { census, elementChildren, isElement, parseStrict, text } from './dom';
import { clip } from '../../xml/clip';
import { fail } from './errors';
import { locateParts } from './parts';

/**
 * Verifying an incoming envelope: parts located by structure, algorithms checked, references resolved, digests and
 * signature verified, and only then the Timestamp and wsa:To read from the signed elements.
 */

export interface VerifyOptions {
  expectedTo: string;
  now: Date;
  /** Clock difference tolerated on Created and Expires, default 60 seconds. */
  skewSeconds?: number;
  /** Longest Expires - Created accepted, default 900 seconds. */
  maxTtlSeconds?: number;
}

export interface VerifiedEnvelope {
  certificatePem: string;
  /** Like Node's X509Certificate.fingerprint256: colon-separated upper-case hex. */
  certificateFingerprint256: string;
  messageId: string;
  to: string;
  created: Date;
  expires: Date;
}

/** Verifies a signed envelope's text; throws WsSecurityError with a code and an Italian message the sender can act on. */
export function verifyEnvelope(rawXml: string, o: VerifyOptions): VerifiedEnvelope {
  const parsed = parseStrict(rawXml);
  if ('error' in parsed) fail('FIRMA_NON_VALIDA', `impossibile verificare la firma: ${parsed.error}`);
  return verifyDocument(parsed.doc, o);
}

/**
 * Verifies the signature of an envelope already parsed (shared/xml/document.ts): the document whose payload the
 * caller then reads, so the verified and the read content are one tree.
 */
export function verifyDocument(doc: Document, o: VerifyOptions): VerifiedEnvelope {
  const counted = census(doc);
  const parts = locateParts(doc, counted);
  const signedInfo = readSignedInfo(parts.signature);
  const ids = counted.ids;
  const targets = resolveReferences(ids, parts, signedInfo.references);
  const cert = signerCertificate(ids, parts);
  checkMethodForKey(signedInfo, cert.publicKey);
  checkDigests(parts, signedInfo.references, targets);
  checkSignatureValue(parts.signature, signedInfo, cert.publicKey);
  // Only now are the values trustworthy: they are read from the elements the digests covered.
  const { created, expires } = checkTimestamp(parts.timestamp, o);
  const to = checkTo(parts.to, o.expectedTo);
  const messageId = text(parts.messageId);
  if (messageId === '') fail('FIRMA_NON_VALIDA', 'wsa:MessageID è vuoto: serve un identificativo univoco del messaggio (ID_AUTH_SOAP_02)');
  return { certificatePem: cert.toString(), certificateFingerprint256: cert.fingerprint256, messageId, to, created, expires };
}

const XS_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** xs:dateTime with an explicit zone (a time without one means nothing across parties); fractions cut to ms. */
function parseInstant(el: Element, name: string): Date {
  const value = text(el);
  const m = XS_DATETIME.exec(value);
  const ms = m ? Date.parse(`${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3]}`) : NaN;
  if (Number.isNaN(ms)) fail('TIMESTAMP_NON_VALIDO', `${name} "${clip(value)}" non è un xs:dateTime con fuso orario (es. 2024-01-31T10:00:00Z)`);
  return new Date(ms);
}

export function checkTimestamp(timestamp: Element, o: Pick<VerifyOptions, 'now' | 'skewSeconds' | 'maxTtlSeconds'>): { created: Date; expires: Date } {
  const kids = elementChildren(timestamp);
  if (kids.length !== 2 || !isElement(kids[0], WSU_NS, 'Created') || !isElement(kids[1], WSU_NS, 'Expires')) {
    fail('TIMESTAMP_NON_VALIDO', 'wsu:Timestamp deve contenere wsu:Created seguito da wsu:Expires');
  }
  const created = parseInstant(kids[0], 'wsu:Created');
  const expires = parseInstant(kids[1], 'wsu:Expires');
  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const maxTtl = (o.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS) * 1000;
  const now = o.now.getTime();
  if (expires.getTime() <= created.getTime()) fail('TIMESTAMP_NON_VALIDO', `wsu:Expires (${text(kids[1])}) deve seguire wsu:Created (${text(kids[0])})`);
  if (created.getTime() > now + skew) {
    fail('TIMESTAMP_NON_VALIDO', `wsu:Created (${text(kids[0])}) è nel futuro rispetto all'ora del destinatario (${o.now.toISOString()}, tolleranza ${skew / 1000} s): verificare l'orologio del mittente`);
  }
  if (expires.getTime() < now - skew) {
    fail('TIMESTAMP_NON_VALIDO', `messaggio scaduto: wsu:Expires ${text(kids[1])}, ora del destinatario ${o.now.toISOString()} (tolleranza ${skew / 1000} s)`);
  }
  if (expires.getTime() - created.getTime() > maxTtl) {
    fail('TIMESTAMP_NON_VALIDO', `validità del wsu:Timestamp di ${(expires.getTime() - created.getTime()) / 1000} s oltre il massimo ammesso di ${maxTtl / 1000} s`);
  }
  return { created, expires };
}

/** wsa:To must name this endpoint; URLs are compared after WHATWG normalisation (case of host, default port). */
function checkTo(toEl: Element, expectedTo: string): string {
  const to = text(toEl);
  if (normaliseUrl(to) !== normaliseUrl(expectedTo)) {
    fail('DESTINATARIO_NON_VALIDO', `wsa:To "${clip(to)}" non corrisponde all'indirizzo di questo servizio "${expectedTo}": wsa:To deve essere l'indirizzo servito, quello del soap:address nel WSDL di GET ${expectedTo}?wsdl`);
  }
  return to;
}

function normaliseUrl(u: string): string {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
}
