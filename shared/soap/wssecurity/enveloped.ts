import { X509Certificate, createPrivateKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { canonicalize, decodeBase64, sha256Base64 } from './c14n';
import { parsedCertificate } from './certificates';
import { ALGORITHMS, DS_NS, XMLNS_NS } from './constants';
import { census, childrenNamed, elementChildren, isElement } from './dom';
import { clip } from '../../xml/clip';
import { CHIAVI_AMMESSE, firmaValore, metodoAmmesso, metodoRifiutato, metodoDellaChiave, metodoNonCoerente, valoreValido } from './metodo-firma';

/**
 * An enveloped XML Signature on one element, as SAML assertions carry theirs: the element has an `Id` attribute, its
 * last child is a ds:Signature whose only Reference is "#" + that Id, with the transforms enveloped-signature and
 * exclusive C14N, SHA-256, RSA-SHA256 or ECDSA-SHA256 (metodo-firma.ts), and KeyInfo/X509Data/X509Certificate carrying the signer's certificate.
 * The signed element is self-contained: it can travel from one SOAP envelope to another, sent by someone else,
 * and still be verified by whoever receives it. That is also why an InclusiveNamespaces PrefixList is refused:
 * it would make the digest depend on the namespaces of the envelope the element happens to sit in.
 *
 * Verification locates everything by position (the signature is the element's last child and the only one in
 * it; the reference names the element that contains it) and checks algorithms before computing anything, as
 * verify.ts does for the WS-Security header. Deciding whether the certificate is the expected signer's is the
 * caller's part.
 */

export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Why an enveloped signature was refused; the caller turns it into its own coded error. */
export class EnvelopedSignatureError extends Error {
  override name = 'EnvelopedSignatureError';
}

function refuse(message: string): never {
  throw new EnvelopedSignatureError(message);
}

export interface ElementSigner {
  keyPem: string;
  certPem: string;
}

/** The last key used: a dispatcher signs everything with one key, and parsing it is a good part of the cost. */
let lastKey: { keyPem: string; certPem: string; key: KeyObject; cert: X509Certificate } | null = null;

export function signerKey(s: ElementSigner): { key: KeyObject; cert: X509Certificate } {
  if (lastKey && lastKey.keyPem === s.keyPem && lastKey.certPem === s.certPem) return lastKey;
  const cert = new X509Certificate(s.certPem);
  const key = createPrivateKey(s.keyPem);
  if (!metodoDellaChiave(cert.publicKey)) throw new Error(`signElement: la chiave del certificato non è ammessa: servono ${CHIAVI_AMMESSE}`);
  if (!cert.checkPrivateKey(key)) throw new Error('signElement: la chiave privata non corrisponde al certificato');
  lastKey = { ...s, key, cert };
  return lastKey;
}

function ds(doc: Document, local: string, attrs: Record<string, string> = {}, content?: string): Element {
  const el = doc.createElementNS(DS_NS, `ds:${local}`);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (content !== undefined) el.appendChild(doc.createTextNode(content));
  return el;
}

/** Signs `el` in place: gives it an Id (unless it has one) and appends the ds:Signature as its last child. */
export function signElement(el: Element, signer: ElementSigner): void {
  if (el.getElementsByTagNameNS(DS_NS, 'Signature').length > 0) throw new Error(`signElement: ${el.localName} è già firmato`);
  const { key, cert } = signerKey(signer);
  const doc = el.ownerDocument!;
  const id = el.getAttribute('Id') || `orig-${randomUUID()}`;
  el.setAttribute('Id', id);
  // The digest is taken before the Signature is appended: that is what the enveloped-signature transform gives back.
  const digest = sha256Base64(canonicalize(el, []));

  const signature = ds(doc, 'Signature');
  signature.setAttributeNS(XMLNS_NS, 'xmlns:ds', DS_NS);
  const signedInfo = ds(doc, 'SignedInfo');
  signedInfo.appendChild(ds(doc, 'CanonicalizationMethod', { Algorithm: ALGORITHMS.canonicalizzazione }));
  signedInfo.appendChild(ds(doc, 'SignatureMethod', { Algorithm: metodoDellaChiave(key)! }));
  const reference = ds(doc, 'Reference', { URI: `#${id}` });
  const transforms = ds(doc, 'Transforms');
  transforms.appendChild(ds(doc, 'Transform', { Algorithm: ENVELOPED_SIGNATURE }));
  transforms.appendChild(ds(doc, 'Transform', { Algorithm: ALGORITHMS.canonicalizzazione }));
  reference.appendChild(transforms);
  reference.appendChild(ds(doc, 'DigestMethod', { Algorithm: ALGORITHMS.digest }));
  reference.appendChild(ds(doc, 'DigestValue', {}, digest));
  signedInfo.appendChild(reference);
  signature.appendChild(signedInfo);
  el.appendChild(signature);
  const value = firmaValore(canonicalize(signedInfo, []), key);
  signature.appendChild(ds(doc, 'SignatureValue', {}, value));
  const x509 = ds(doc, 'X509Data');
  x509.appendChild(ds(doc, 'X509Certificate', {}, cert.raw.toString('base64')));
  signature.appendChild(ds(doc, 'KeyInfo')).appendChild(x509);
}

/** The element as XML text, with the namespace declarations it needs: to embed it in another envelope. */
export function serializeElement(el: Element): string {
  // As sign.ts: a carriage return can only have come from a character reference; written raw it would be read back as a line feed.
  return new XMLSerializer().serializeToString(el).replace(/\r/g, '&#xD;');
}

/** The element's enveloped signature, or null when it has none (its last child is not a ds:Signature and none is inside). */
export function envelopedSignatureOf(el: Element): Element | null {
  const kids = elementChildren(el);
  const last = kids[kids.length - 1];
  return isElement(last, DS_NS, 'Signature') ? last : null;
}

/** Verifies the enveloped signature of `el` and returns the certificate that signed it. */
export function verifyElement(el: Element): X509Certificate {
  const all = el.getElementsByTagNameNS(DS_NS, 'Signature');
  const signature = envelopedSignatureOf(el);
  if (all.length === 0) refuse(`${el.localName} non contiene alcuna ds:Signature`);
  if (!signature || all.length > 1) refuse(`${el.localName} deve contenere una sola ds:Signature, come suo ultimo elemento figlio`);
  const id = el.getAttribute('Id') ?? '';
  if (id === '') refuse(`${el.localName} non ha l'attributo Id a cui la firma deve riferirsi`);
  if ((census(el.ownerDocument!).ids.get(id) ?? 0) !== 1) refuse(`l'Id ${clip(id)} compare più di una volta nel messaggio`);

  const kids = elementChildren(signature);
  const layout = kids.map((k) => (k.namespaceURI === DS_NS ? k.localName : `{${k.namespaceURI}}${k.localName}`)).join(',');
  if (layout !== 'SignedInfo,SignatureValue,KeyInfo') refuse(`ds:Signature deve contenere SignedInfo, SignatureValue e KeyInfo in quest'ordine (trovati: ${layout})`);
  const [signedInfo, signatureValue, keyInfo] = kids as [Element, Element, Element];
  const [c14n, method, reference, ...others] = elementChildren(signedInfo);
  if (!isElement(c14n, DS_NS, 'CanonicalizationMethod') || !isElement(method, DS_NS, 'SignatureMethod') || !isElement(reference, DS_NS, 'Reference') || others.length > 0) {
    refuse('ds:SignedInfo deve contenere CanonicalizationMethod, SignatureMethod e un solo Reference');
  }
  algorithm(c14n, ALGORITHMS.canonicalizzazione, 'di canonicalizzazione di SignedInfo');
  const metodo = method.getAttribute('Algorithm') ?? '';
  if (!metodoAmmesso(metodo)) refuse(metodoRifiutato(metodo));
  if (elementChildren(method).length > 0) refuse('ds:SignatureMethod non ammette parametri');
  const digestValue = checkReference(reference, id);
  const cert = certificate(keyInfo);
  const incoerente = metodoNonCoerente(metodo, cert.publicKey);
  if (incoerente) refuse(incoerente);

  const expected = decodeBase64(digestValue);
  const actual = Buffer.from(sha256Base64(withoutSignature(el, signature, () => canonicalize(el, []))), 'base64');
  if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    refuse(`il digest di ${el.localName} non corrisponde: il contenuto è stato modificato dopo la firma`);
  }
  const value = decodeBase64(signatureValue.textContent ?? '');
  if (!value || !valoreValido(metodo, canonicalize(signedInfo, []), cert.publicKey, value)) {
    refuse('la firma (SignatureValue) non è valida con il certificato in ds:KeyInfo: chiave privata diversa o SignedInfo alterato');
  }
  return cert;
}

/**
 * The enveloped-signature transform: the element as it was before the signature was appended. The signature is
 * taken out of the tree for the canonicalization and put back where it was (a deep copy of the element would cost
 * several times the canonicalization itself).
 */
function withoutSignature<T>(el: Element, signature: Element, fn: () => T): T {
  const next = signature.nextSibling;
  el.removeChild(signature);
  try {
    return fn();
  } finally {
    el.insertBefore(signature, next);
  }
}

/** An Algorithm attribute and no parameters (an InclusiveNamespaces list would tie the digest to the envelope). */
function algorithm(el: Element, allowed: string, what: string): void {
  const alg = el.getAttribute('Algorithm') ?? '';
  if (alg !== allowed) refuse(`algoritmo ${what} "${clip(alg)}" non ammesso: usare ${allowed}`);
  if (elementChildren(el).length > 0) refuse(`l'algoritmo ${what} non ammette parametri (InclusiveNamespaces compreso)`);
}

function checkReference(reference: Element, id: string): string {
  const uri = reference.getAttribute('URI') ?? '';
  if (uri !== `#${id}`) refuse(`ds:Reference URI="${clip(uri)}": deve indicare l'elemento firmato stesso ("#${clip(id)}")`);
  const [transforms, digest, value, ...extra] = elementChildren(reference);
  if (!isElement(transforms, DS_NS, 'Transforms') || !isElement(digest, DS_NS, 'DigestMethod') || !isElement(value, DS_NS, 'DigestValue') || extra.length > 0) {
    refuse('ds:Reference deve contenere Transforms, DigestMethod e DigestValue');
  }
  const steps = elementChildren(transforms);
  if (steps.length !== 2 || !steps.every((s) => isElement(s, DS_NS, 'Transform'))) {
    refuse(`ds:Transforms deve contenere due trasformazioni: ${ENVELOPED_SIGNATURE} e ${ALGORITHMS.canonicalizzazione}`);
  }
  algorithm(steps[0]!, ENVELOPED_SIGNATURE, 'della prima trasformazione');
  algorithm(steps[1]!, ALGORITHMS.canonicalizzazione, 'della seconda trasformazione');
  algorithm(digest, ALGORITHMS.digest, 'di digest');
  return value.textContent ?? '';
}

/** KeyInfo/X509Data/X509Certificate: the signer's certificate itself, the one form every stack can read. */
function certificate(keyInfo: Element): X509Certificate {
  const data = elementChildren(keyInfo);
  const certs = data.length === 1 && isElement(data[0], DS_NS, 'X509Data') ? elementChildren(data[0]) : [];
  if (certs.length !== 1 || !isElement(certs[0], DS_NS, 'X509Certificate') || childrenNamed(keyInfo, DS_NS, 'X509Data').length !== 1) {
    refuse('ds:KeyInfo deve contenere un solo ds:X509Data con un solo ds:X509Certificate, il certificato del firmatario');
  }
  const base64Text = (certs[0].textContent ?? '').replace(/\s+/g, '');
  let cert: X509Certificate;
  try {
    cert = parsedCertificate(base64Text, () => {
      const der = decodeBase64(base64Text);
      if (!der) throw new Error('base64 non valido');
      return new X509Certificate(der);
    });
  } catch (err) {
    refuse(`ds:X509Certificate non contiene un certificato X.509 DER in base64 leggibile (${(err as Error).message})`);
  }
  if (!metodoDellaChiave(cert.publicKey)) refuse(`la chiave del certificato del firmatario non è ammessa: servono ${CHIAVI_AMMESSE}`);
  return cert;
}
