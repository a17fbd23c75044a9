import { createHash } from 'node:crypto';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ELEMENT_NODE } from './dom';

/**
 * XML Signature primitives: exclusive C14N without comments (xml-crypto's canonicalizer, the only part of
 * xml-crypto used), SHA-256 digests in base64, strict base64 decoding.
 */

const excC14n = new ExclusiveCanonicalization();

/**
 * Exclusive C14N, without comments, of an element where it stands in its document. Prefixes in an
 * InclusiveNamespaces PrefixList are rendered as in inclusive C14N, so their bindings from the ancestors
 * are handed to the canonicalizer, which works on a detached copy.
 */
export function canonicalize(el: Element, prefixList: readonly string[]): string {
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

export function sha256Base64(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64');
}

/** Strict base64 (whitespace allowed, as XML Signature line-wraps values), or null. */
export function decodeBase64(value: string): Buffer | null {
  const compact = value.replace(/\s+/g, '');
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact) && compact !== '' ? Buffer.from(compact, 'base64') : null;
}
