import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { canonicalize, decodeBase64, sha256Base64 } from './c14n';
import { ALGORITHMS, DS_NS } from './constants';
import { childrenNamed, elementChildren, isElement, wsuId } from './dom';
import { clip } from '../../xml/clip';
import { fail } from './errors';
import { metodoAmmesso, metodoRifiutato, metodoNonCoerente, valoreValido, type MetodoFirma } from './metodo-firma';
import { requiredParts, type SecuredParts } from './parts';

/**
 * The ds:Signature itself: SignedInfo read with only the allowed algorithms, its references resolved to the parts
 * located by structure, then the digests and the signature value (RSA-SHA256 or ECDSA-SHA256, as the token's key implies) checked.
 */

export interface SignedReference {
  id: string;
  prefixList: string[];
  digestValue: string;
}

export interface SignedInfo {
  element: Element;
  method: MetodoFirma;
  prefixList: string[];
  references: SignedReference[];
}

/** Reads SignedInfo and refuses anything but exclusive C14N, RSA-SHA256 or ECDSA-SHA256, and SHA-256 before any digest is computed. */
export function readSignedInfo(signature: Element): SignedInfo {
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
  const algorithm = method.getAttribute('Algorithm') ?? '';
  if (!metodoAmmesso(algorithm)) fail('ALGORITMO_NON_AMMESSO', metodoRifiutato(algorithm));
  if (elementChildren(method).length > 0) fail('ALGORITMO_NON_AMMESSO', 'ds:SignatureMethod non ammette parametri');
  if (refs.length === 0) fail('FIRMA_NON_VALIDA', 'ds:SignedInfo non contiene alcun Reference');
  return { element: signedInfo, method: algorithm, prefixList, references: refs.map(readReference) };
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
  // Prefixes, and "#default" for the default namespace (exclusive C14N, section 3; c14n.ts renders both).
  return (params[0].getAttribute('PrefixList') ?? '').split(/\s+/).filter((p) => p !== '');
}

function requireAlgorithm(el: Element, allowed: string, what: string): void {
  const alg = el.getAttribute('Algorithm') ?? '';
  if (alg !== allowed) fail('ALGORITMO_NON_AMMESSO', `algoritmo ${what} "${alg}" non ammesso: usare ${allowed}`);
}

/**
 * Resolves each reference, by an Id found once in the whole document, to one of the elements located by
 * structure. The four the profiles require must all be covered, and so must every header block the broker acts on
 * (parts.trusted: com:*, wsa:*); other header blocks (the token...) may be signed too, as other ModI implementations
 * do, but nothing in the Body's content or elsewhere.
 */
export function resolveReferences(occurrences: ReadonlyMap<string, number>, parts: SecuredParts, refs: readonly SignedReference[]): Map<string, Element> {
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
  for (const [name, el] of parts.trusted) {
    const id = wsuId(el);
    if (!id || targets.get(id) !== el) {
      fail('INTESTAZIONE_NON_FIRMATA', `l'intestazione ${name} non è coperta dalla firma: ogni intestazione com:* (Operatore, X-ReplyTo, X-Correlation-ID) e wsa:* presente deve avere un wsu:Id ed essere un ds:Reference della firma`);
    }
  }
  return targets;
}

/** Each reference's SHA-256 over the exclusive C14N of the element it was resolved to. */
export function checkDigests(parts: SecuredParts, refs: readonly SignedReference[], targets: ReadonlyMap<string, Element>): void {
  for (const ref of refs) {
    const expected = decodeBase64(ref.digestValue);
    const actual = Buffer.from(sha256Base64(canonicalize(targets.get(ref.id)!, ref.prefixList)), 'base64');
    if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      const name = [...requiredParts(parts), ...parts.trusted].find(([, el]) => wsuId(el) === ref.id)?.[0] ?? `#${ref.id}`;
      fail('FIRMA_NON_VALIDA', `il digest di ${name} non corrisponde: il contenuto è stato modificato dopo la firma`);
    }
  }
}

/** SignedInfo's method is the one the token's key implies: checked as soon as the certificate is read, before any digest. */
export function checkMethodForKey(signedInfo: SignedInfo, publicKey: KeyObject): void {
  const incoerente = metodoNonCoerente(signedInfo.method, publicKey);
  if (incoerente) fail('ALGORITMO_NON_AMMESSO', incoerente);
}

/**
 * The signature value over the exclusive C14N of SignedInfo, with the token's public key: RSA-SHA256 (PKCS#1 v1.5)
 * or ECDSA-SHA256, the one the key implies and SignedInfo declares (both, or the message is refused).
 */
export function checkSignatureValue(signature: Element, signedInfo: SignedInfo, publicKey: KeyObject): void {
  checkMethodForKey(signedInfo, publicKey);
  const value = decodeBase64(childrenNamed(signature, DS_NS, 'SignatureValue')[0]!.textContent ?? '');
  if (!value || !valoreValido(signedInfo.method, canonicalize(signedInfo.element, signedInfo.prefixList), publicKey, value)) {
    fail('FIRMA_NON_VALIDA', 'la firma (SignatureValue) non è valida con il certificato del wsse:BinarySecurityToken: chiave privata diversa o SignedInfo alterato');
  }
}
