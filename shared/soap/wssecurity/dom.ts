import { isApeError } from '../../errors';
import { parseXmlDocument } from '../../xml/document';
import { WSU_NS } from './constants';

/**
 * The strict parse signing and verification of a text start from (shared/xml/document.ts: no DTD, no processing
 * instruction, shape within the default limits, no recovery) and the small DOM lookups they share, on
 * @xmldom/xmldom trees. An endpoint verifies the document it already parsed instead (verifyDocument).
 */

export const ELEMENT_NODE = 1;

export function parseStrict(xml: string): { doc: Document } | { error: string } {
  try {
    return { doc: parseXmlDocument(xml) };
  } catch (err) {
    if (isApeError(err)) return { error: err.message };
    throw err;
  }
}

export function isElement(n: Node | null | undefined, ns: string, local: string): n is Element {
  return !!n && n.nodeType === ELEMENT_NODE && (n as Element).namespaceURI === ns && (n as Element).localName === local;
}

export function elementChildren(parent: Node): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

export function childrenNamed(parent: Node, ns: string, local: string): Element[] {
  return elementChildren(parent).filter((c) => isElement(c, ns, local));
}

/** Every element with this name anywhere in the document (a wrapper can hide a copy at any depth). */
export function countInDocument(doc: Document, ns: string, local: string): number {
  return doc.getElementsByTagNameNS(ns, local).length;
}

export function wsuId(el: Element): string | null {
  return el.getAttributeNS(WSU_NS, 'Id') || null;
}

/** How often each element name ({ns}local) and each Id value occur in a document, counted in one walk. */
export interface Census {
  names: Map<string, number>;
  /** Values of every attribute with local name Id, ID or id, in any namespace (what any XPath-based verifier could resolve). */
  ids: Map<string, number>;
}

export function census(doc: Document): Census {
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const stack: Element[] = [doc.documentElement!];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const name = `{${el.namespaceURI ?? ''}}${el.localName}`;
    names.set(name, (names.get(name) ?? 0) + 1);
    const attrs = el.attributes;
    for (let j = 0; j < attrs.length; j++) {
      const a = attrs.item(j)!;
      const local = a.localName ?? a.name;
      if (local === 'Id' || local === 'ID' || local === 'id') ids.set(a.value, (ids.get(a.value) ?? 0) + 1);
    }
    for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) stack.push(c as Element);
  }
  return { names, ids };
}

export function text(el: Element): string {
  return (el.textContent ?? '').trim();
}
