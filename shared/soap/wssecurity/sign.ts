import { X509Certificate, createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { NS } from '../../xml/namespaces';
import { canonicalize, sha256Base64 } from './c14n';
import { ALGORITHMS, BASE64_BINARY, DEFAULT_TTL_SECONDS, DS_NS, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS, X509V3, XMLNS_NS } from './constants';
import { childrenNamed, countInDocument, elementChildren, isElement, parseStrict, wsuId } from './dom';
import { CHIAVI_AMMESSE, firmaValore, metodoDellaChiave } from './metodo-firma';

/**
 * Signing an outgoing SOAP 1.1 envelope (ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01): wsa:To, wsa:MessageID and a
 * wsse:Security header with a Timestamp, the signer's certificate as a BinarySecurityToken and a ds:Signature over
 * Timestamp, To, MessageID, every other com:* and wsa:* header block (Operatore, X-ReplyTo, X-Correlation-ID,
 * wsa:Action, wsa:RelatesTo...) and Body.
 */

export interface SignOptions {
  keyPem: string;
  certPem: string;
  to: string;
  messageId?: string;
  now: Date;
  /** Timestamp validity, default 300 seconds. */
  ttlSeconds?: number;
}

/** Adds wsa:To, wsa:MessageID (urn:uuid:... when not given) and a signed wsse:Security header to a SOAP 1.1 envelope. */
export function signEnvelope(envelopeXml: string, o: SignOptions): string {
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (o.to.trim() === '' || (o.messageId !== undefined && o.messageId.trim() === '') || !(ttl > 0)) {
    throw new Error('signEnvelope: servono un wsa:To e un wsa:MessageID non vuoti e una validità positiva');
  }
  const { cert, key } = signingKey(o.keyPem, o.certPem);
  const parsed = parseStrict(envelopeXml);
  if ('error' in parsed) throw new Error(`signEnvelope: ${parsed.error}`);
  const doc = parsed.doc;
  const { header, body } = headerAndBody(doc);

  const ids = { timestamp: newId('TS'), token: newId('X509'), to: newId('To'), messageId: newId('MID'), body: wsuId(body) ?? newId('Body') };
  const created = o.now;
  const expires = new Date(o.now.getTime() + ttl * 1000);

  // Security first: WSS 1.1 asks senders to prepend their Security header; the addressing blocks follow the others.
  header.insertBefore(securityHeader(doc, { timestampId: ids.timestamp, tokenId: ids.token, cert, created, expires }), header.firstChild);
  header.appendChild(addressingHeader(doc, 'To', o.to, ids.to));
  header.appendChild(addressingHeader(doc, 'MessageID', o.messageId ?? `urn:uuid:${randomUUID()}`, ids.messageId));
  if (!wsuId(body)) setWsuId(body, ids.body);

  // Every other header block the receiver acts on (com:Operatore, com:X-ReplyTo, com:X-Correlation-ID, any wsa:*)
  // is signed too: the receiver refuses one left outside the signature (INTESTAZIONE_NON_FIRMATA).
  const acted = elementChildren(header).filter((h) => (h.namespaceURI === NS.com || h.namespaceURI === WSA_NS) && !(h.namespaceURI === WSA_NS && (h.localName === 'To' || h.localName === 'MessageID')));
  for (const h of acted) if (!wsuId(h)) setWsuId(h, newId(h.localName.replace(/[^A-Za-z0-9]/g, '')));
  const security = header.firstChild as Element;
  const signed = [timestampOf(security), ...childrenNamed(header, WSA_NS, 'To'), ...childrenNamed(header, WSA_NS, 'MessageID'), ...acted, body];
  security.appendChild(signature(doc, signed, ids.token, key));
  // As xml-crypto does: a carriage return can only come from a character reference, and xmldom writes it
  // raw in text, where a parser would read it back as a line feed and break the digest.
  return new XMLSerializer().serializeToString(doc).replace(/\r/g, '&#xD;');
}

function timestampOf(security: Element): Element {
  return childrenNamed(security, WSU_NS, 'Timestamp')[0]!;
}

interface SigningKey {
  keyPem: string;
  certPem: string;
  cert: X509Certificate;
  key: KeyObject;
}

/** A process signs with one key: parsing it once saves about a third of signEnvelope's time. */
let lastSigningKey: SigningKey | null = null;

/** Key and certificate to publish, checked to be of a kind the federation admits and to match (else nobody could verify the message). */
export function signingKey(keyPem: string, certPem: string): SigningKey {
  if (lastSigningKey && lastSigningKey.keyPem === keyPem && lastSigningKey.certPem === certPem) return lastSigningKey;
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  if (!metodoDellaChiave(cert.publicKey)) throw new Error(`signEnvelope: la chiave del certificato non è ammessa: servono ${CHIAVI_AMMESSE}`);
  if (!cert.checkPrivateKey(key)) throw new Error('signEnvelope: la chiave privata non corrisponde al certificato');
  lastSigningKey = { keyPem, certPem, cert, key };
  return lastSigningKey;
}

function headerAndBody(doc: Document): { header: Element; body: Element } {
  const env = doc.documentElement!;
  if (!isElement(env, SOAP_NS, 'Envelope')) throw new Error(`signEnvelope: serve una busta SOAP 1.1 (${SOAP_NS})`);
  const parts = elementChildren(env);
  let header = isElement(parts[0], SOAP_NS, 'Header') ? parts[0] : undefined;
  const body = parts[header ? 1 : 0];
  if (!isElement(body, SOAP_NS, 'Body') || parts.length !== (header ? 2 : 1)) throw new Error('signEnvelope: la busta deve contenere un soap:Header facoltativo seguito da un solo soap:Body');
  if (!header) {
    header = doc.createElementNS(SOAP_NS, prefixed(env.prefix, 'Header'));
    env.insertBefore(header, body);
  }
  for (const [ns, local] of [[WSSE_NS, 'Security'], [WSA_NS, 'To'], [WSA_NS, 'MessageID']] as const) {
    if (countInDocument(doc, ns, local) > 0) throw new Error(`signEnvelope: la busta contiene già ${local}; signEnvelope lo aggiunge e lo firma`);
  }
  return { header, body };
}

function prefixed(prefix: string | null, local: string): string {
  return prefix ? `${prefix}:${local}` : local;
}

/** Ids are NCNames (they cannot start with a digit, a UUID can). */
export function newId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}

export function setWsuId(el: Element, id: string): void {
  el.setAttributeNS(XMLNS_NS, 'xmlns:wsu', WSU_NS);
  el.setAttributeNS(WSU_NS, 'wsu:Id', id);
}

function addressingHeader(doc: Document, local: 'To' | 'MessageID', value: string, id: string): Element {
  const el = doc.createElementNS(WSA_NS, `wsa:${local}`);
  el.setAttributeNS(XMLNS_NS, 'xmlns:wsa', WSA_NS);
  setWsuId(el, id);
  el.appendChild(doc.createTextNode(value));
  return el;
}

interface SecurityParts {
  timestampId: string;
  tokenId: string;
  cert: X509Certificate;
  created: Date;
  expires: Date;
}

/** wsse:Security with Timestamp then BinarySecurityToken; the Signature is appended after them (token before use). */
export function securityHeader(doc: Document, p: SecurityParts): Element {
  const env = doc.documentElement!;
  const security = doc.createElementNS(WSSE_NS, 'wsse:Security');
  security.setAttributeNS(XMLNS_NS, 'xmlns:wsse', WSSE_NS);
  security.setAttributeNS(XMLNS_NS, 'xmlns:wsu', WSU_NS);
  // The header is addressed to the receiver, which must process it or fault (SOAP 1.1 section 4.2.3).
  // An envelope in the default namespace has no prefix to lend to the attribute: bind one here.
  if (!env.prefix) security.setAttributeNS(XMLNS_NS, 'xmlns:soap', SOAP_NS);
  security.setAttributeNS(SOAP_NS, `${env.prefix ?? 'soap'}:mustUnderstand`, '1');

  const timestamp = doc.createElementNS(WSU_NS, 'wsu:Timestamp');
  timestamp.setAttributeNS(WSU_NS, 'wsu:Id', p.timestampId);
  for (const [local, when] of [['Created', p.created], ['Expires', p.expires]] as const) {
    const el = doc.createElementNS(WSU_NS, `wsu:${local}`);
    el.appendChild(doc.createTextNode(when.toISOString()));
    timestamp.appendChild(el);
  }

  const token = doc.createElementNS(WSSE_NS, 'wsse:BinarySecurityToken');
  token.setAttribute('EncodingType', BASE64_BINARY);
  token.setAttribute('ValueType', X509V3);
  token.setAttributeNS(WSU_NS, 'wsu:Id', p.tokenId);
  token.appendChild(doc.createTextNode(p.cert.raw.toString('base64')));

  security.appendChild(timestamp);
  security.appendChild(token);
  return security;
}

function dsElement(doc: Document, local: string, attrs: Record<string, string> = {}, content?: string): Element {
  const el = doc.createElementNS(DS_NS, `ds:${local}`);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (content !== undefined) el.appendChild(doc.createTextNode(content));
  return el;
}

/**
 * ds:Signature over the given elements (each already carrying its wsu:Id), KeyInfo pointing at the token.
 * Digests are computed before the Signature enters the document; none of the signed elements contains it.
 */
export function signature(doc: Document, signed: readonly Element[], tokenId: string, key: KeyObject): Element {
  const sig = dsElement(doc, 'Signature');
  sig.setAttributeNS(XMLNS_NS, 'xmlns:ds', DS_NS);
  const signedInfo = dsElement(doc, 'SignedInfo');
  signedInfo.appendChild(dsElement(doc, 'CanonicalizationMethod', { Algorithm: ALGORITHMS.canonicalizzazione }));
  signedInfo.appendChild(dsElement(doc, 'SignatureMethod', { Algorithm: metodoDellaChiave(key)! }));
  for (const el of signed) {
    const ref = dsElement(doc, 'Reference', { URI: `#${wsuId(el)!}` });
    ref.appendChild(dsElement(doc, 'Transforms')).appendChild(dsElement(doc, 'Transform', { Algorithm: ALGORITHMS.canonicalizzazione }));
    ref.appendChild(dsElement(doc, 'DigestMethod', { Algorithm: ALGORITHMS.digest }));
    ref.appendChild(dsElement(doc, 'DigestValue', {}, sha256Base64(canonicalize(el, []))));
    signedInfo.appendChild(ref);
  }
  sig.appendChild(signedInfo);
  const value = firmaValore(canonicalize(signedInfo, []), key);
  sig.appendChild(dsElement(doc, 'SignatureValue', {}, value));

  const tokenRef = doc.createElementNS(WSSE_NS, 'wsse:Reference');
  tokenRef.setAttribute('URI', `#${tokenId}`);
  tokenRef.setAttribute('ValueType', X509V3);
  const str = doc.createElementNS(WSSE_NS, 'wsse:SecurityTokenReference');
  str.appendChild(tokenRef);
  sig.appendChild(dsElement(doc, 'KeyInfo')).appendChild(str);
  return sig;
}
