import { X509Certificate, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { ApeError } from '../../errors';
import { canonicalize, decodeBase64, sha256Base64 } from './c14n';
import { issuedBy, signerCertificate } from './certificates';
import { refuseRevoked, type RevocationCheck } from '../../pki/crl-store';
import { DEFAULT_TTL_SECONDS, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS, XMLNS_NS } from './constants';
import { census, elementChildren, isElement, parseStrict, text, wsuId } from './dom';
import { WsSecurityError } from './errors';
import { locateResponseParts, resolveResponseReferences } from './response-parts';
import { newId, securityHeader, setWsuId, signature, signingKey } from './sign';
import { checkMethodForKey, checkSignatureValue, readSignedInfo } from './signed-info';
import { checkTimestamp } from './verify';

/**
 * The provider's signature on its responses (ModI ID_AUTH_SOAP_02 and INTEGRITY_SOAP_01 applied to the response,
 * acks and Faults alike), and its verification by the consumer.
 *
 * A signed response carries a wsse:Security header (wsu:Timestamp, the provider's certificate as an X.509
 * BinarySecurityToken, a ds:Signature), a wsa:MessageID of its own, wsa:RelatesTo naming the request's
 * wsa:MessageID when the provider could read one, and its other header blocks (com:X-Correlation-ID) and
 * soap:Body, each signed with the primitives requests use (exclusive C14N, SHA-256, RSA-SHA256 or ECDSA-SHA256 as the
 * signer's key implies, KeyInfo a direct
 * reference to the token). wsse:Security carries no mustUnderstand: a consumer onboarded without message security
 * may ignore it (a stock SOAP client faults on a mustUnderstand header it has no handler for).
 *
 * The consumer checks the signature over all those parts, that the certificate is the one expected of the provider
 * (issued by the CA registered for it, naming its host), that the Timestamp is fresh under the rules of requests,
 * and that wsa:RelatesTo is its own request's wsa:MessageID. A refusal is RISPOSTA_NON_FIRMATA (nothing signed) or
 * RISPOSTA_NON_VALIDA (anything else), both retryable: every operation of the contracts is idempotent, so sending
 * the request again is safe, and whatever altered or stripped the answer (a proxy, a misconfigured gateway) may not
 * do it next time; a counterpart that never signs is stopped by the delivery's deadline, not by a retry limit.
 */

/** The provider's key and certificate, parsed and checked to match once. */
export interface ResponseSigner {
  readonly cert: X509Certificate;
  readonly key: KeyObject;
}

export function responseSigner(keyPem: string, certPem: string): ResponseSigner {
  const { cert, key } = signingKey(keyPem, certPem);
  return { cert, key };
}

export interface SignResponseOptions {
  /** The request's wsa:MessageID, echoed as wsa:RelatesTo; null when the request's could not be read. */
  relatesTo: string | null;
  /** The response's own wsa:MessageID; a new urn:uuid when absent. */
  messageId?: string;
  now: Date;
  /** Timestamp validity, default 300 seconds. */
  ttlSeconds?: number;
  /** wsa:Action of the answer (the WSDL's wsam:Action of the operation's output, or the SOAP fault action). */
  action?: string;
}

/** WS-Addressing 1.0: the relationship a wsa:RelatesTo without RelationshipType stands for. */
const REPLY = 'http://www.w3.org/2005/08/addressing/reply';

/** Adds wsa:MessageID, wsa:RelatesTo and a signed wsse:Security header to a response envelope. */
export function signResponse(envelopeXml: string, signer: ResponseSigner, o: SignResponseOptions): string {
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!(ttl > 0) || o.messageId?.trim() === '' || o.relatesTo?.trim() === '') {
    throw new Error('signResponse: wsa:MessageID e wsa:RelatesTo, se dati, non possono essere vuoti; la validità deve essere positiva');
  }
  const parsed = parseStrict(envelopeXml);
  if ('error' in parsed) throw new Error(`signResponse: ${parsed.error}`);
  const doc = parsed.doc;
  const { header, body } = responseHeaderAndBody(doc);
  // The blocks the handler put in the answer (com:X-Correlation-ID): each is signed, as the consumer acts on them.
  const blocks = elementChildren(header);
  for (const block of blocks) if (!wsuId(block)) setWsuId(block, newId('H'));
  if (!wsuId(body)) setWsuId(body, newId('Body'));

  const tokenId = newId('X509');
  const security = securityHeader(doc, { timestampId: newId('TS'), tokenId, cert: signer.cert, created: o.now, expires: new Date(o.now.getTime() + ttl * 1000) });
  // Addressed to nobody in particular: a consumer without WS-Security may ignore it (no mustUnderstand).
  security.removeAttributeNS(SOAP_NS, 'mustUnderstand');
  if (!doc.documentElement!.prefix) security.removeAttributeNS(XMLNS_NS, 'soap');
  header.insertBefore(security, header.firstChild);
  const addressing = [addressingHeader(doc, 'MessageID', o.messageId ?? `urn:uuid:${randomUUID()}`)];
  if (o.relatesTo !== null) addressing.push(addressingHeader(doc, 'RelatesTo', o.relatesTo));
  if (o.action) addressing.push(addressingHeader(doc, 'Action', o.action));
  for (const a of addressing) header.appendChild(a);

  const timestamp = elementChildren(security).find((e) => isElement(e, WSU_NS, 'Timestamp'))!;
  security.appendChild(signature(doc, [timestamp, ...addressing, ...blocks, body], tokenId, signer.key));
  // As signEnvelope: a carriage return can only come from a character reference; written raw it would be read back
  // as a line feed and break the digest.
  return new XMLSerializer().serializeToString(doc).replace(/\r/g, '&#xD;');
}

function responseHeaderAndBody(doc: Document): { header: Element; body: Element } {
  const env = doc.documentElement!;
  const parts = elementChildren(env);
  let header = isElement(parts[0], SOAP_NS, 'Header') ? parts[0] : undefined;
  const body = parts[header ? 1 : 0];
  if (!isElement(env, SOAP_NS, 'Envelope') || !isElement(body, SOAP_NS, 'Body') || parts.length !== (header ? 2 : 1)) {
    throw new Error(`signResponse: serve una busta SOAP 1.1 (${SOAP_NS}) con un soap:Header facoltativo e un solo soap:Body`);
  }
  if (!header) {
    header = doc.createElementNS(SOAP_NS, env.prefix ? `${env.prefix}:Header` : 'Header');
    env.insertBefore(header, body);
  }
  for (const [ns, local] of [[WSSE_NS, 'Security'], [WSA_NS, 'MessageID'], [WSA_NS, 'RelatesTo'], [WSA_NS, 'Action']] as const) {
    if (doc.getElementsByTagNameNS(ns, local).length > 0) throw new Error(`signResponse: la risposta contiene già ${local}; signResponse lo aggiunge e lo firma`);
  }
  return { header, body };
}

function addressingHeader(doc: Document, local: 'MessageID' | 'RelatesTo' | 'Action', value: string): Element {
  const el = doc.createElementNS(WSA_NS, `wsa:${local}`);
  el.setAttributeNS(XMLNS_NS, 'xmlns:wsa', WSA_NS);
  setWsuId(el, newId(local === 'MessageID' ? 'MID' : local === 'RelatesTo' ? 'REL' : 'ACT'));
  el.appendChild(doc.createTextNode(value));
  return el;
}

/** Who must have signed a response: the counterpart called, as its registration names it. */
export interface ExpectedSigner {
  /** Subject CN registered for the counterpart (the TLS server certificate's too); its signing certificate must name it. */
  subjectCN: string;
  /** The CA(s) the counterpart's certificate may come from: the one registered for its identity. */
  cas: readonly X509Certificate[];
  /** The CRLs in force: a response signed with a certificate they list is CERTIFICATO_REVOCATO. */
  revocations?: RevocationCheck | null;
}

export interface VerifyResponseOptions {
  signer: ExpectedSigner;
  /** The request's wsa:MessageID, which wsa:RelatesTo must name; null for a request sent without one. */
  relatesTo: string | null;
  /** False for a counterpart onboarded without message security: an unsigned response is then accepted (null). */
  required: boolean;
  now: Date;
  skewSeconds?: number;
  maxTtlSeconds?: number;
}

export interface VerifiedResponse {
  messageId: string;
  relatesTo: string | null;
  /** Like Node's X509Certificate.fingerprint256. */
  certificateFingerprint256: string;
  expires: Date;
}

/**
 * Verifies a response before anything in it is used. Throws ApeError RISPOSTA_NON_FIRMATA or RISPOSTA_NON_VALIDA
 * (the message names the check that failed); null only for an unsigned response that was not required to be signed.
 */
export function verifyResponse(response: string | Document, o: VerifyResponseOptions): VerifiedResponse | null {
  try {
    return verifySigned(response, o);
  } catch (err) {
    if (!(err instanceof WsSecurityError)) throw err;
    if (err.code === 'FIRMA_ASSENTE') {
      if (!o.required) return null;
      throw new ApeError('RISPOSTA_NON_FIRMATA', `risposta non firmata: ${err.message}`, { cause: err });
    }
    throw new ApeError('RISPOSTA_NON_VALIDA', `firma della risposta non valida (${err.code}): ${err.message}`, { cause: err });
  }
}

/** The response as received, or as parsed once by parseStrict (the caller then reads the same document). */
function verifySigned(response: string | Document, o: VerifyResponseOptions): VerifiedResponse {
  const parsed = typeof response === 'string' ? parseStrict(response) : { doc: response };
  if ('error' in parsed) throw new WsSecurityError('FIRMA_NON_VALIDA', `impossibile verificare la firma: ${parsed.error}`);
  const doc = parsed.doc;
  const parts = locateResponseParts(doc);
  const signedInfo = readSignedInfo(parts.signature);
  const ids = census(doc).ids;
  const targets = resolveResponseReferences(ids, parts, signedInfo.references);
  const cert = signerCertificate(ids, parts);
  checkMethodForKey(signedInfo, cert.publicKey);
  for (const ref of signedInfo.references) {
    const expected = decodeBase64(ref.digestValue);
    const actual = Buffer.from(sha256Base64(canonicalize(targets.get(ref.id)!.element, ref.prefixList)), 'base64');
    if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new WsSecurityError('FIRMA_NON_VALIDA', `il digest di ${targets.get(ref.id)!.name} non corrisponde: il contenuto è stato modificato dopo la firma`);
    }
  }
  checkSignatureValue(parts.signature, signedInfo, cert.publicKey);
  // Only now are the values trustworthy: they are read from the elements the digests covered.
  checkSigner(cert, o.signer, o.now);
  const { expires } = checkTimestamp(parts.timestamp, o);
  const messageId = text(parts.messageId);
  if (messageId === '') throw new WsSecurityError('FIRMA_NON_VALIDA', 'wsa:MessageID della risposta è vuoto');
  const relatesTo = parts.relatesTo ? text(parts.relatesTo) : null;
  checkRelatesTo(parts, relatesTo, o.relatesTo);
  return { messageId, relatesTo, certificateFingerprint256: cert.fingerprint256, expires };
}

/** The signing certificate is the counterpart's: from its registered CA, not on its CRL, naming its host, valid now. */
function checkSigner(cert: X509Certificate, expected: ExpectedSigner, now: Date): void {
  const subject = cert.subject.replace(/\n/g, ', ');
  const ca = expected.cas.find((c) => issuedBy(cert, c));
  if (!ca) {
    throw new ApeError('RISPOSTA_NON_VALIDA', `la risposta è firmata con il certificato "${subject}", non emesso dalla CA registrata per ${expected.subjectCN}`);
  }
  refuseRevoked(expected.revocations, ca.fingerprint256, cert.serialNumber, `il certificato di firma della risposta di ${expected.subjectCN}`);
  // checkHost looks at the DNS names in subjectAltName, and at the CN only when there are none (as for requests).
  if (cert.checkHost(expected.subjectCN, { subject: 'default' }) === undefined) {
    throw new ApeError('RISPOSTA_NON_VALIDA', `la risposta è firmata con il certificato "${subject}", che non è di ${expected.subjectCN}`);
  }
  if (now.getTime() < Date.parse(cert.validFrom) || now.getTime() > Date.parse(cert.validTo)) {
    throw new ApeError('RISPOSTA_NON_VALIDA', `il certificato di firma della risposta non è valido in questo momento (valido dal ${cert.validFrom} al ${cert.validTo})`);
  }
}

/**
 * wsa:RelatesTo must name our request. A Fault may lack it: a provider that refuses a call before it can read the
 * message (TLS identity, admission, size) has no MessageID to echo. Accepting such a Fault gives an intermediary
 * nothing it could not get anyway (it can make the provider refuse by altering the request); an ack, which is what
 * moves a delivery forward, always names the request it answers.
 */
function checkRelatesTo(parts: { body: Element; relatesTo: Element | null }, relatesTo: string | null, expected: string | null): void {
  if (expected === null) return;
  const type = parts.relatesTo?.getAttribute('RelationshipType');
  if (type && type !== REPLY) throw new ApeError('RISPOSTA_NON_VALIDA', `wsa:RelatesTo con RelationshipType "${type}": la risposta deve essere ${REPLY} della richiesta`);
  if (relatesTo === null) {
    if (elementChildren(parts.body).some((e) => isElement(e, SOAP_NS, 'Fault'))) return;
    throw new ApeError('RISPOSTA_NON_VALIDA', `la risposta non contiene wsa:RelatesTo: deve indicare il wsa:MessageID della richiesta (${expected})`);
  }
  if (relatesTo !== expected) {
    throw new ApeError('RISPOSTA_NON_VALIDA', `wsa:RelatesTo "${relatesTo.slice(0, 120)}" non è il wsa:MessageID della richiesta (${expected}): la risposta appartiene a un altro messaggio`);
  }
}
