import { X509Certificate, createHash, createPrivateKey, randomUUID, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ApeError } from '../errors';
import { NS } from '../xml/namespaces';

/**
 * WS-Security for the AgID ModI message-security patterns ID_AUTH_SOAP_02 (X.509 direct trust with a unique,
 * signed wsa:MessageID) and INTEGRITY_SOAP_01 (signed soap:Body), SOAP 1.1.
 *
 * Signing adds wsa:To and wsa:MessageID (WS-Addressing 1.0) and a wsse:Security header holding a
 * Timestamp, the signer's certificate as an X.509v3 BinarySecurityToken and a ds:Signature over Timestamp,
 * wsa:To, wsa:MessageID and Body (exclusive C14N, SHA-256, RSA-SHA256; KeyInfo points at the token).
 *
 * Verification trusts nothing it has not located by structure first: the four signed parts are found by
 * their position (Body under Envelope, To and MessageID under Header, Timestamp under Security), each must
 * occur once in the whole document, and the references are resolved by Id only among those elements and the
 * other header blocks (every Id unique document-wide). Algorithms are checked before any digest is computed.
 * The digests and the signature are then computed on exactly those elements, and the values returned (To,
 * MessageID, times, certificate) are read from them. Deciding whether the certificate belongs to the caller,
 * and whether the MessageID was seen before, is left to the caller.
 *
 * XML Signature processing is done here rather than by xml-crypto's SignedXml, which resolves every
 * reference with document-wide XPath searches: that would both look beyond the expected elements and cost
 * hundreds of milliseconds on a 500-row esito. Only xml-crypto's exclusive canonicalization is used, on
 * @xmldom/xmldom trees (xml-crypto's own parser and a dependency of it).
 */

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';

const SOAP_NS = NS.soap;
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** The only algorithms ModI profiles are run with here (LG interoperabilità, cap. 7, restricted by the federation). */
export const ALGORITHMS = {
  canonicalizzazione: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  firma: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

const DEFAULT_TTL_SECONDS = 300;
const DEFAULT_SKEW_SECONDS = 60;
const DEFAULT_MAX_TTL_SECONDS = 900;

export type WsSecurityCode = 'FIRMA_ASSENTE' | 'FIRMA_NON_VALIDA' | 'ALGORITMO_NON_AMMESSO' | 'TIMESTAMP_NON_VALIDO' | 'DESTINATARIO_NON_VALIDO';

/**
 * Thrown by verificaBusta. It is an ApeError (the five codes are in shared/errors.ts: actor Client, not
 * retryable, HTTP 500), so the SOAP layer turns it into a Fault like any other refusal.
 */
export class WsSecurityError extends ApeError {
  constructor(
    override readonly code: WsSecurityCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'WsSecurityError';
  }
}

export interface SignOptions {
  keyPem: string;
  certPem: string;
  to: string;
  messageId?: string;
  now: Date;
  /** Timestamp validity, default 300 seconds. */
  ttlSeconds?: number;
}

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

// ---------------------------------------------------------------------------------------------------------
// Parsing and DOM helpers
// ---------------------------------------------------------------------------------------------------------

const ELEMENT_NODE = 1;
const PROCESSING_INSTRUCTION_NODE = 7;
const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;

function fail(code: WsSecurityCode, message: string): never {
  throw new WsSecurityError(code, message);
}

/**
 * xmldom recovers from many errors by default; a signature must be checked on exactly the tree the sender
 * meant, so any warning or error refuses the document. DTDs are refused before parsing (SOAP 1.1 forbids
 * them; entity expansion and XXE are never given a chance).
 */
function parseStrict(xml: string): { doc: Document } | { error: string } {
  if (DTD_MARKERS.test(xml)) return { error: 'i messaggi SOAP non possono contenere una DTD (<!DOCTYPE> o <!ENTITY>)' };
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: (_level: string, msg: unknown) => void problems.push(xmldomMessage(msg)) }).parseFromString(xml, 'text/xml');
  } catch (err) {
    return { error: `XML non ben formato: ${(err as Error).message}` };
  }
  if (problems.length > 0) return { error: `XML non ben formato: ${problems[0]!}` };
  if (!doc.documentElement) return { error: 'documento XML vuoto' };
  if (doc.doctype) return { error: 'i messaggi SOAP non possono contenere una DTD' };
  const problem = treeProblem(doc);
  if (problem !== null) return { error: problem };
  return { doc };
}

/** Nesting libxml2 also stops at by default; the canonicalizer recurses once per level. */
const MAX_DEPTH = 256;

/**
 * SOAP 1.1 (section 3) forbids processing instructions, and they must be refused here: xml-crypto's exclusive
 * canonicalizer renders a PI as its bare text, so "<?x NON_?>CONFORME" digests exactly like the signed
 * "NON_CONFORME" while every parser reads "CONFORME". Only the XML declaration, which xmldom reports as a PI,
 * may open the document. Nesting is bounded so that canonicalization cannot exhaust the stack.
 */
function treeProblem(doc: Document): string | null {
  const piMessage = (n: Node) => `i messaggi SOAP non possono contenere istruzioni di elaborazione (<?${(n as ProcessingInstruction).target} ...?>)`;
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === PROCESSING_INSTRUCTION_NODE && (n !== doc.firstChild || (n as ProcessingInstruction).target !== 'xml')) return piMessage(n);
  }
  const stack: Array<[Node, number]> = [[doc.documentElement!, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return `annidamento degli elementi oltre ${MAX_DEPTH} livelli`;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === PROCESSING_INSTRUCTION_NODE) return piMessage(c);
      if (c.nodeType === ELEMENT_NODE) stack.push([c, depth + 1]);
    }
  }
  return null;
}

/** xmldom reports "[xmldom warning]\tunclosed xml attribute\n@#[line:1,col:9]": keep the problem and where it is. */
function xmldomMessage(msg: unknown): string {
  const [what = '', where = ''] = String(msg).replace(/^\[xmldom \w+\]\s*/, '').split('\n');
  return `${what.trim()} ${where.replace(/^@#\[line:(\d+),col:(\d+)\]$/, '(riga $1, colonna $2)')}`.trim();
}

function isElement(n: Node | null | undefined, ns: string, local: string): n is Element {
  return !!n && n.nodeType === ELEMENT_NODE && (n as Element).namespaceURI === ns && (n as Element).localName === local;
}

function elementChildren(parent: Node): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

function childrenNamed(parent: Node, ns: string, local: string): Element[] {
  return elementChildren(parent).filter((c) => isElement(c, ns, local));
}

/** Every element with this name anywhere in the document (a wrapper can hide a copy at any depth). */
function countInDocument(doc: Document, ns: string, local: string): number {
  return doc.getElementsByTagNameNS(ns, local).length;
}

function wsuId(el: Element): string | null {
  return el.getAttributeNS(WSU_NS, 'Id') || null;
}

/** Values of every attribute xml-crypto treats as an Id (local name Id, ID or id, any namespace), with counts. */
function idOccurrences(doc: Document): Map<string, number> {
  const counts = new Map<string, number>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const attrs = all.item(i)!.attributes;
    for (let j = 0; j < attrs.length; j++) {
      const a = attrs.item(j)!;
      const local = a.localName ?? a.name;
      if (local === 'Id' || local === 'ID' || local === 'id') counts.set(a.value, (counts.get(a.value) ?? 0) + 1);
    }
  }
  return counts;
}

function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

/** Values from the message quoted in an error, kept short (the Fault's description is bounded anyway). */
function clip(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

// ---------------------------------------------------------------------------------------------------------
// XML Signature primitives (exclusive C14N, SHA-256, RSA-SHA256)
// ---------------------------------------------------------------------------------------------------------

const excC14n = new ExclusiveCanonicalization();

/**
 * Exclusive C14N, without comments, of an element where it stands in its document. Prefixes in an
 * InclusiveNamespaces PrefixList are rendered as in inclusive C14N, so their bindings from the ancestors
 * are handed to the canonicalizer, which works on a detached copy.
 */
function canonicalize(el: Element, prefixList: readonly string[]): string {
  if (prefixList.length === 0) return excC14n.process(el, {});
  const ancestorNamespaces = prefixList.flatMap((prefix) => {
    if (el.hasAttribute(`xmlns:${prefix}`)) return [];
    const namespaceURI = el.parentNode ? inScopeNamespace(el.parentNode, prefix) : null;
    return namespaceURI ? [{ prefix, namespaceURI }] : [];
  });
  return excC14n.process(el.cloneNode(true) as Element, { inclusiveNamespacesPrefixList: [...prefixList], ancestorNamespaces });
}

function inScopeNamespace(node: Node, prefix: string): string | null {
  for (let n: Node | null = node; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
    const el = n as Element;
    if (el.hasAttribute(`xmlns:${prefix}`)) return el.getAttribute(`xmlns:${prefix}`) || null;
  }
  return null;
}

function sha256Base64(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64');
}

/** Strict base64 (whitespace allowed, as XML Signature line-wraps values), or null. */
function decodeBase64(value: string): Buffer | null {
  const compact = value.replace(/\s+/g, '');
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact) && compact !== '' ? Buffer.from(compact, 'base64') : null;
}

// ---------------------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------------------

/** Adds wsa:To, wsa:MessageID (urn:uuid:... when not given) and a signed wsse:Security header to a SOAP 1.1 envelope. */
export function signEnvelope(envelopeXml: string, o: SignOptions): string {
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (o.to.trim() === '' || (o.messageId !== undefined && o.messageId.trim() === '') || !(ttl > 0)) {
    throw new Error('firmaBusta: servono un wsa:To e un wsa:MessageID non vuoti e una validità positiva');
  }
  const { cert, key } = signingKey(o.keyPem, o.certPem);
  const parsed = parseStrict(envelopeXml);
  if ('error' in parsed) throw new Error(`firmaBusta: ${parsed.error}`);
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

  const security = header.firstChild as Element;
  const signed = [timestampOf(security), ...childrenNamed(header, WSA_NS, 'To'), ...childrenNamed(header, WSA_NS, 'MessageID'), body];
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

/** A process signs with one key: parsing it once saves about a third of firmaBusta's time. */
let lastSigningKey: SigningKey | null = null;

/** Key and certificate to publish, checked to be RSA and to match (else nobody could verify the message). */
function signingKey(keyPem: string, certPem: string): SigningKey {
  if (lastSigningKey && lastSigningKey.keyPem === keyPem && lastSigningKey.certPem === certPem) return lastSigningKey;
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new Error('firmaBusta: il certificato deve avere una chiave RSA (RSA-SHA256)');
  if (!cert.checkPrivateKey(key)) throw new Error('firmaBusta: la chiave privata non corrisponde al certificato');
  lastSigningKey = { keyPem, certPem, cert, key };
  return lastSigningKey;
}

function headerAndBody(doc: Document): { header: Element; body: Element } {
  const env = doc.documentElement!;
  if (!isElement(env, SOAP_NS, 'Envelope')) throw new Error(`firmaBusta: serve una busta SOAP 1.1 (${SOAP_NS})`);
  const parts = elementChildren(env);
  let header = isElement(parts[0], SOAP_NS, 'Header') ? parts[0] : undefined;
  const body = parts[header ? 1 : 0];
  if (!isElement(body, SOAP_NS, 'Body') || parts.length !== (header ? 2 : 1)) throw new Error('firmaBusta: la busta deve contenere un soap:Header facoltativo seguito da un solo soap:Body');
  if (!header) {
    header = doc.createElementNS(SOAP_NS, prefixed(env.prefix, 'Header'));
    env.insertBefore(header, body);
  }
  for (const [ns, local] of [[WSSE_NS, 'Security'], [WSA_NS, 'To'], [WSA_NS, 'MessageID']] as const) {
    if (countInDocument(doc, ns, local) > 0) throw new Error(`firmaBusta: la busta contiene già ${local}; firmaBusta lo aggiunge e lo firma`);
  }
  return { header, body };
}

function prefixed(prefix: string | null, local: string): string {
  return prefix ? `${prefix}:${local}` : local;
}

/** Ids are NCNames (they cannot start with a digit, a UUID can). */
function newId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}

function setWsuId(el: Element, id: string): void {
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
function securityHeader(doc: Document, p: SecurityParts): Element {
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
function signature(doc: Document, signed: readonly Element[], tokenId: string, key: KeyObject): Element {
  const sig = dsElement(doc, 'Signature');
  sig.setAttributeNS(XMLNS_NS, 'xmlns:ds', DS_NS);
  const signedInfo = dsElement(doc, 'SignedInfo');
  signedInfo.appendChild(dsElement(doc, 'CanonicalizationMethod', { Algorithm: ALGORITHMS.canonicalizzazione }));
  signedInfo.appendChild(dsElement(doc, 'SignatureMethod', { Algorithm: ALGORITHMS.firma }));
  for (const el of signed) {
    const ref = dsElement(doc, 'Reference', { URI: `#${wsuId(el)!}` });
    ref.appendChild(dsElement(doc, 'Transforms')).appendChild(dsElement(doc, 'Transform', { Algorithm: ALGORITHMS.canonicalizzazione }));
    ref.appendChild(dsElement(doc, 'DigestMethod', { Algorithm: ALGORITHMS.digest }));
    ref.appendChild(dsElement(doc, 'DigestValue', {}, sha256Base64(canonicalize(el, []))));
    signedInfo.appendChild(ref);
  }
  sig.appendChild(signedInfo);
  const value = sign('sha256', Buffer.from(canonicalize(signedInfo, []), 'utf8'), key).toString('base64');
  sig.appendChild(dsElement(doc, 'SignatureValue', {}, value));

  const tokenRef = doc.createElementNS(WSSE_NS, 'wsse:Reference');
  tokenRef.setAttribute('URI', `#${tokenId}`);
  tokenRef.setAttribute('ValueType', X509V3);
  const str = doc.createElementNS(WSSE_NS, 'wsse:SecurityTokenReference');
  str.appendChild(tokenRef);
  sig.appendChild(dsElement(doc, 'KeyInfo')).appendChild(str);
  return sig;
}

// ---------------------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------------------

/** Verifies a signed envelope; throws WsSecurityError with a code and an Italian message the sender can act on. */
export function verifyEnvelope(rawXml: string, o: VerifyOptions): VerifiedEnvelope {
  const parsed = parseStrict(rawXml);
  if ('error' in parsed) fail('FIRMA_NON_VALIDA', `impossibile verificare la firma: ${parsed.error}`);
  const doc = parsed.doc;
  const parts = locateParts(doc);
  const signedInfo = readSignedInfo(parts.signature);
  const ids = idOccurrences(doc);
  const targets = resolveReferences(ids, parts, signedInfo.references);
  const cert = signerCertificate(ids, parts);
  checkDigests(parts, signedInfo.references, targets);
  checkSignatureValue(parts.signature, signedInfo, cert.publicKey);
  // Only now are the values trustworthy: they are read from the elements the digests covered.
  const { created, expires } = checkTimestamp(parts.timestamp, o);
  const to = checkTo(parts.to, o.expectedTo);
  const messageId = text(parts.messageId);
  if (messageId === '') fail('FIRMA_NON_VALIDA', 'wsa:MessageID è vuoto: serve un identificativo univoco del messaggio (ID_AUTH_SOAP_02)');
  return { certificatePem: cert.toString(), certificateFingerprint256: cert.fingerprint256, messageId, to, created, expires };
}

interface SecuredParts {
  header: Element;
  body: Element;
  security: Element;
  signature: Element;
  timestamp: Element;
  to: Element;
  messageId: Element;
}

/**
 * Finds the parts by position and refuses any second copy anywhere in the document: a copy is what a
 * signature-wrapping attack needs (signed original hidden in a wrapper, forged element where it is read).
 */
function locateParts(doc: Document): SecuredParts {
  const env = doc.documentElement!;
  if (!isElement(env, SOAP_NS, 'Envelope')) fail('FIRMA_NON_VALIDA', `l'elemento radice deve essere soap:Envelope SOAP 1.1 (${SOAP_NS})`);
  const top = elementChildren(env);
  const header = top.length === 2 && isElement(top[0], SOAP_NS, 'Header') ? top[0] : undefined;
  const last = top[top.length - 1];
  if (!isElement(last, SOAP_NS, 'Body') || top.length > 2 || (top.length === 2 && !header)) {
    fail('FIRMA_NON_VALIDA', 'la busta deve contenere un soap:Header seguito da un solo soap:Body');
  }
  if (!header) fail('FIRMA_ASSENTE', 'manca il soap:Header con wsse:Security: il messaggio deve essere firmato secondo ID_AUTH_SOAP_02 e INTEGRITY_SOAP_01');
  requireUnique(doc, SOAP_NS, 'Header', 'soap:Header');
  requireUnique(doc, SOAP_NS, 'Body', 'soap:Body');

  const security = single(header, WSSE_NS, 'Security', 'FIRMA_ASSENTE', "manca l'header wsse:Security: il messaggio deve essere firmato (ID_AUTH_SOAP_02)");
  requireUnique(doc, WSSE_NS, 'Security', 'wsse:Security');
  const signature = single(security, DS_NS, 'Signature', 'FIRMA_ASSENTE', 'wsse:Security non contiene ds:Signature: il messaggio deve essere firmato');
  // Our contracts carry no signed documents, so any other signature can only be there to confuse.
  requireUnique(doc, DS_NS, 'Signature', 'ds:Signature');
  const timestamp = single(security, WSU_NS, 'Timestamp', 'TIMESTAMP_NON_VALIDO', 'wsse:Security deve contenere un wsu:Timestamp firmato con Created ed Expires');
  requireUnique(doc, WSU_NS, 'Timestamp', 'wsu:Timestamp');
  const to = single(header, WSA_NS, 'To', 'DESTINATARIO_NON_VALIDO', `manca l'header wsa:To (${WSA_NS}) firmato con l'indirizzo del destinatario`);
  requireUnique(doc, WSA_NS, 'To', 'wsa:To');
  const messageId = single(header, WSA_NS, 'MessageID', 'FIRMA_NON_VALIDA', `manca l'header wsa:MessageID (${WSA_NS}) firmato, obbligatorio per ID_AUTH_SOAP_02`);
  requireUnique(doc, WSA_NS, 'MessageID', 'wsa:MessageID');
  return { header, body: last, security, signature, timestamp, to, messageId };
}

function single(parent: Element, ns: string, local: string, missing: WsSecurityCode, missingMessage: string): Element {
  const found = childrenNamed(parent, ns, local);
  if (found.length === 0) fail(missing, missingMessage);
  if (found.length > 1) fail('FIRMA_NON_VALIDA', `${parent.localName} contiene ${found.length} elementi ${local}: ne è ammesso uno solo`);
  return found[0]!;
}

function requireUnique(doc: Document, ns: string, local: string, name: string): void {
  const n = countInDocument(doc, ns, local);
  if (n > 1) fail('FIRMA_NON_VALIDA', `il messaggio contiene ${n} elementi ${name}: ne è ammesso uno solo (protezione da signature wrapping)`);
}

interface SignedReference {
  id: string;
  prefixList: string[];
  digestValue: string;
}

interface SignedInfo {
  element: Element;
  prefixList: string[];
  references: SignedReference[];
}

/** Reads SignedInfo and refuses anything but exclusive C14N, RSA-SHA256 and SHA-256 before any digest is computed. */
function readSignedInfo(signature: Element): SignedInfo {
  const kids = elementChildren(signature);
  const layout = kids.map((k) => (k.namespaceURI === DS_NS ? k.localName : `{${k.namespaceURI}}${k.localName}`)).join(',');
  if (layout !== 'SignedInfo,SignatureValue,KeyInfo') {
    fail('FIRMA_NON_VALIDA', `ds:Signature deve contenere SignedInfo, SignatureValue e KeyInfo in quest'ordine (trovati: ${layout})`);
  }
  const signedInfo = kids[0]!;
  const [c14n, method, ...refs] = elementChildren(signedInfo);
  if (!isElement(c14n, DS_NS, 'CanonicalizationMethod') || !isElement(method, DS_NS, 'SignatureMethod')) {
    fail('FIRMA_NON_VALIDA', 'ds:SignedInfo deve iniziare con CanonicalizationMethod e SignatureMethod');
  }
  const prefixList = exclusiveC14n(c14n, 'di canonicalizzazione di SignedInfo');
  requireAlgorithm(method, ALGORITHMS.firma, 'di firma');
  if (elementChildren(method).length > 0) fail('ALGORITMO_NON_AMMESSO', 'ds:SignatureMethod RSA-SHA256 non ammette parametri');
  if (refs.length === 0) fail('FIRMA_NON_VALIDA', 'ds:SignedInfo non contiene alcun Reference');
  return { element: signedInfo, prefixList, references: refs.map(readReference) };
}

function readReference(ref: Element): SignedReference {
  if (ref.namespaceURI !== DS_NS || ref.localName !== 'Reference') fail('FIRMA_NON_VALIDA', `elemento inatteso ${ref.localName} in ds:SignedInfo`);
  const uri = ref.getAttribute('URI') ?? '';
  if (!/^#[^#]+$/.test(uri)) fail('FIRMA_NON_VALIDA', `ds:Reference URI="${clip(uri)}" non ammesso: ogni riferimento deve indicare un wsu:Id ("#id") di un elemento del messaggio`);
  const [transforms, digest, value, ...extra] = elementChildren(ref);
  if (!isElement(transforms, DS_NS, 'Transforms')) fail('ALGORITMO_NON_AMMESSO', `ds:Reference ${uri} deve dichiarare la sola trasformazione ${ALGORITHMS.canonicalizzazione}`);
  const steps = elementChildren(transforms);
  if (steps.length !== 1 || !isElement(steps[0], DS_NS, 'Transform')) {
    fail('ALGORITMO_NON_AMMESSO', `ds:Reference ${uri} deve dichiarare una sola trasformazione, ${ALGORITHMS.canonicalizzazione}`);
  }
  const prefixList = exclusiveC14n(steps[0], `di trasformazione in ${uri}`);
  if (!isElement(digest, DS_NS, 'DigestMethod') || !isElement(value, DS_NS, 'DigestValue') || extra.length > 0) {
    fail('FIRMA_NON_VALIDA', `ds:Reference ${uri} deve contenere Transforms, DigestMethod e DigestValue`);
  }
  requireAlgorithm(digest, ALGORITHMS.digest, `di digest in ${uri}`);
  return { id: uri.slice(1), prefixList, digestValue: value.textContent ?? '' };
}

/** Checks an exclusive C14N method and returns its InclusiveNamespaces PrefixList (WSS4J-based senders send one). */
function exclusiveC14n(el: Element, what: string): string[] {
  requireAlgorithm(el, ALGORITHMS.canonicalizzazione, what);
  const params = elementChildren(el);
  if (params.length === 0) return [];
  if (params.length > 1 || !isElement(params[0], ALGORITHMS.canonicalizzazione, 'InclusiveNamespaces')) {
    fail('ALGORITMO_NON_AMMESSO', `parametri non ammessi per l'algoritmo ${what}: solo ec:InclusiveNamespaces`);
  }
  const prefixes = (params[0].getAttribute('PrefixList') ?? '').split(/\s+/).filter((p) => p !== '');
  // The canonicalizer has no notion of the default namespace in a PrefixList; refuse rather than mis-digest.
  if (prefixes.includes('#default')) fail('ALGORITMO_NON_AMMESSO', `InclusiveNamespaces PrefixList "#default" non supportato (${what})`);
  return prefixes;
}

function requireAlgorithm(el: Element, allowed: string, what: string): void {
  const alg = el.getAttribute('Algorithm') ?? '';
  if (alg !== allowed) fail('ALGORITMO_NON_AMMESSO', `algoritmo ${what} "${alg}" non ammesso: usare ${allowed}`);
}

/**
 * Resolves each reference, by an Id found once in the whole document, to one of the elements located by
 * structure. The four the profiles require must all be covered; other header blocks (wsa:Action, the token...)
 * may be signed too, as other ModI implementations do, but nothing in the Body's content or elsewhere.
 */
function resolveReferences(occurrences: ReadonlyMap<string, number>, parts: SecuredParts, refs: readonly SignedReference[]): Map<string, Element> {
  const required = new Map<string, string>();
  for (const [name, el] of requiredParts(parts)) {
    const id = wsuId(el);
    if (!id) fail('FIRMA_NON_VALIDA', `${name} non ha wsu:Id e quindi non è firmato: la firma deve coprire soap:Body, wsu:Timestamp, wsa:To e wsa:MessageID`);
    required.set(id, name);
  }
  const candidates = new Map<string, Element>();
  for (const el of [parts.body, ...elementChildren(parts.header), ...elementChildren(parts.security)]) {
    const id = wsuId(el);
    if (id && el !== parts.signature && el !== parts.security) candidates.set(id, el);
  }
  const targets = new Map<string, Element>();
  for (const { id } of refs) {
    if (targets.has(id)) fail('FIRMA_NON_VALIDA', `ds:SignedInfo contiene due Reference a #${id}`);
    const n = occurrences.get(id) ?? 0;
    if (n === 0) fail('FIRMA_NON_VALIDA', `la firma si riferisce a #${id}, che non esiste nel messaggio`);
    if (n > 1) fail('FIRMA_NON_VALIDA', `l'Id ${id} compare ${n} volte nel messaggio: gli Id devono essere univoci (protezione da signature wrapping)`);
    const target = candidates.get(id);
    if (!target) fail('FIRMA_NON_VALIDA', `la firma si riferisce a #${id}, che non è soap:Body né un header del messaggio o di wsse:Security`);
    targets.set(id, target);
  }
  for (const [id, name] of required) {
    if (!targets.has(id)) fail('FIRMA_NON_VALIDA', `la firma non copre ${name}: devono essere firmati soap:Body, wsu:Timestamp, wsa:To e wsa:MessageID`);
  }
  return targets;
}

function requiredParts(parts: SecuredParts): Array<[string, Element]> {
  return [['soap:Body', parts.body], ['wsu:Timestamp', parts.timestamp], ['wsa:To', parts.to], ['wsa:MessageID', parts.messageId]];
}

/** The certificate in the BinarySecurityToken that KeyInfo points at (wsse:SecurityTokenReference/wsse:Reference). */
function signerCertificate(occurrences: ReadonlyMap<string, number>, parts: SecuredParts): X509Certificate {
  const keyInfo = childrenNamed(parts.signature, DS_NS, 'KeyInfo')[0]!;
  const strs = elementChildren(keyInfo);
  const str = strs[0];
  const refs = str ? elementChildren(str) : [];
  const ref = refs[0];
  const uri = ref?.getAttribute('URI') ?? '';
  if (strs.length !== 1 || !isElement(str, WSSE_NS, 'SecurityTokenReference') || refs.length !== 1 || !isElement(ref, WSSE_NS, 'Reference') || !/^#[^#]+$/.test(uri)) {
    fail('FIRMA_NON_VALIDA', 'ds:KeyInfo deve contenere un wsse:SecurityTokenReference con un wsse:Reference (URI="#...") al wsse:BinarySecurityToken del mittente');
  }
  const valueType = ref.getAttribute('ValueType');
  if (valueType && valueType !== X509V3) fail('FIRMA_NON_VALIDA', `wsse:Reference ValueType "${valueType}" non ammesso: usare ${X509V3}`);
  const id = uri.slice(1);
  const tokens = childrenNamed(parts.security, WSSE_NS, 'BinarySecurityToken').filter((t) => wsuId(t) === id);
  if (tokens.length !== 1 || (occurrences.get(id) ?? 0) !== 1) {
    fail('FIRMA_NON_VALIDA', `wsse:SecurityTokenReference indica #${id}, che deve essere un unico wsse:BinarySecurityToken in wsse:Security`);
  }
  return tokenCertificate(tokens[0]!);
}

/**
 * Parsed certificates by their exact encoding (base64 DER or PEM). A party signs every message with the same
 * certificate; parsing it again for each one was a tenth of a SOAP endpoint's CPU time. Bounded: the oldest entry
 * goes when it is full. Validity in time is still checked at every use.
 */
const CERTIFICATI_LETTI = new Map<string, X509Certificate>();
const CERTIFICATI_LETTI_MAX = 256;

export function parsedCertificate(codifica: string, leggi: () => X509Certificate): X509Certificate {
  const noto = CERTIFICATI_LETTI.get(codifica);
  if (noto) return noto;
  const cert = leggi();
  if (CERTIFICATI_LETTI.size >= CERTIFICATI_LETTI_MAX) CERTIFICATI_LETTI.delete(CERTIFICATI_LETTI.keys().next().value!);
  CERTIFICATI_LETTI.set(codifica, cert);
  return cert;
}

function tokenCertificate(token: Element): X509Certificate {
  if (token.getAttribute('ValueType') !== X509V3) fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken deve avere ValueType="${X509V3}"`);
  const encoding = token.getAttribute('EncodingType');
  if (encoding && encoding !== BASE64_BINARY) fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken deve avere EncodingType="${BASE64_BINARY}"`);
  const testo = (token.textContent ?? '').replace(/\s+/g, '');
  let cert: X509Certificate;
  try {
    cert = parsedCertificate(testo, () => {
      const der = decodeBase64(testo);
      if (!der) throw new Error('base64 non valido');
      return new X509Certificate(der);
    });
  } catch (err) {
    fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken non contiene un certificato X.509 DER in base64 leggibile (${(err as Error).message})`);
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') fail('ALGORITMO_NON_AMMESSO', 'il certificato del BinarySecurityToken deve avere una chiave RSA (firma RSA-SHA256)');
  return cert;
}

/** Each reference's SHA-256 over the exclusive C14N of the element it was resolved to. */
function checkDigests(parts: SecuredParts, refs: readonly SignedReference[], targets: ReadonlyMap<string, Element>): void {
  for (const ref of refs) {
    const expected = decodeBase64(ref.digestValue);
    const actual = Buffer.from(sha256Base64(canonicalize(targets.get(ref.id)!, ref.prefixList)), 'base64');
    if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      const name = requiredParts(parts).find(([, el]) => wsuId(el) === ref.id)?.[0] ?? `#${ref.id}`;
      fail('FIRMA_NON_VALIDA', `il digest di ${name} non corrisponde: il contenuto è stato modificato dopo la firma`);
    }
  }
}

/** RSA-SHA256 (PKCS#1 v1.5) over the exclusive C14N of SignedInfo, with the token's public key. */
function checkSignatureValue(signature: Element, signedInfo: SignedInfo, publicKey: KeyObject): void {
  const value = decodeBase64(childrenNamed(signature, DS_NS, 'SignatureValue')[0]!.textContent ?? '');
  const canonical = Buffer.from(canonicalize(signedInfo.element, signedInfo.prefixList), 'utf8');
  if (!value || !verify('sha256', canonical, publicKey, value)) {
    fail('FIRMA_NON_VALIDA', 'la firma (SignatureValue) non è valida con il certificato del wsse:BinarySecurityToken: chiave privata diversa o SignedInfo alterato');
  }
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

function checkTimestamp(timestamp: Element, o: VerifyOptions): { created: Date; expires: Date } {
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
    fail('DESTINATARIO_NON_VALIDO', `wsa:To "${clip(to)}" non corrisponde all'indirizzo di questo servizio "${expectedTo}": il messaggio era destinato a un altro endpoint`);
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
