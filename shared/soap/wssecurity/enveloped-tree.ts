import { createHash, randomUUID } from 'node:crypto';
import { xmlElement, type XmlElement } from '../../xml/write';
import type { Bindings } from './c14n';
import { canonicalTree, resolve, scopeOf, splitName, TreeNotCanonical } from './c14n-tree';
import { ALGORITHMS, DS_NS } from './constants';
import { ENVELOPED_SIGNATURE, signerKey, type ElementSigner } from './enveloped';
import { firmaValore, metodoDellaChiave } from './metodo-firma';
import { ds } from './sign-tree';

/**
 * signElement (enveloped.ts) on an element we wrote, from its tree: the same Id, the same ds:Signature as its last
 * child, the digest and SignedInfo canonicalized from the trees (c14n-tree.ts) instead of from a parse of the text.
 * `scope` holds the bindings of the prefixes the element may use; the signed element declares them, so that, like
 * signElement's, its text stands alone and can travel into any envelope (exclusive C14N renders only the namespaces
 * an element uses, so the declarations change no digest). Null for an element c14n-tree declines or that holds a
 * ds:Signature already: signElement then decides.
 */
export function signElementTree(el: XmlElement, scope: Bindings, signer: ElementSigner): XmlElement | null {
  try {
    refuseSignature(el, scope);
    const { key, cert } = signerKey(signer);
    const id = el.attrs.find(([name]) => name === 'Id')?.[1] || `orig-${randomUUID()}`;
    const own = el.attrs.some(([name]) => name === 'Id') ? el.attrs.map(([name, v]): [string, string] => [name, name === 'Id' ? id : v]) : [...el.attrs, ['Id', id] as [string, string]];
    const declared = [...scope].map(([prefix, uri]): [string, string] => [prefix === '' ? 'xmlns' : `xmlns:${prefix}`, uri]).filter(([name]) => !el.attrs.some(([n]) => n === name));
    const attrs = [...declared, ...own];
    const withId = xmlElement(el.name, attrs, el.children);
    // The digest is of the element without its Signature: what the enveloped-signature transform gives back.
    const digest = createHash('sha256').update(canonicalTree(withId, scope), 'utf8').digest('base64');
    const reference = xmlElement('ds:Reference', [['URI', `#${id}`]], [
      xmlElement('ds:Transforms', [], [ds('Transform', ENVELOPED_SIGNATURE), ds('Transform', ALGORITHMS.canonicalizzazione)]),
      ds('DigestMethod', ALGORITHMS.digest),
      xmlElement('ds:DigestValue', [], [digest]),
    ]);
    const signedInfo = xmlElement('ds:SignedInfo', [], [ds('CanonicalizationMethod', ALGORITHMS.canonicalizzazione), ds('SignatureMethod', metodoDellaChiave(key)!), reference]);
    const value = firmaValore(canonicalTree(signedInfo, new Map([['ds', DS_NS]])), key);
    const keyInfo = xmlElement('ds:KeyInfo', [], [xmlElement('ds:X509Data', [], [xmlElement('ds:X509Certificate', [], [cert.raw.toString('base64')])])]);
    const signature = xmlElement('ds:Signature', [['xmlns:ds', DS_NS]], [signedInfo, xmlElement('ds:SignatureValue', [], [value]), keyInfo]);
    return xmlElement(el.name, attrs, [...el.children, signature]);
  } catch (err) {
    if (err instanceof TreeNotCanonical) return null;
    throw err;
  }
}

function refuseSignature(el: XmlElement, outer: Bindings): void {
  const scope = scopeOf(el, outer);
  const [prefix, local] = splitName(el.name);
  if (local === 'Signature' && resolve(scope, prefix) === DS_NS) throw new TreeNotCanonical('already signed');
  for (const c of el.children) if (typeof c !== 'string') refuseSignature(c, scope);
}
