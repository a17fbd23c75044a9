import { createHash } from 'node:crypto';
import { ELEMENT_NODE } from './dom';

/**
 * XML Signature primitives: Exclusive XML Canonicalization 1.0 without comments (W3C xml-exc-c14n, the only
 * canonicalization the federation accepts), SHA-256 digests in base64, strict base64 decoding.
 *
 * The canonicalization is written here, over @xmldom/xmldom nodes, because it must be complete: an
 * InclusiveNamespaces PrefixList may name "#default" (WSS4J adds it whenever an ancestor declares a default
 * namespace), which xml-crypto's canonicalizer ignores. Text and CDATA sections are rendered alike, as escaped
 * character data (the canonical form has no CDATA), so the digest covers exactly the characters a reader reads.
 */

const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;

/** Namespace bindings by prefix ('' for the default namespace; '' as a value undeclares it). */
export type Bindings = ReadonlyMap<string, string>;

/**
 * Exclusive C14N, without comments, of an element where it stands in its document (its ancestors' namespace
 * declarations count for the prefixes of the PrefixList, "#default" naming the default namespace).
 */
export function canonicalize(el: Element, prefixList: readonly string[]): string {
  const inclusive = prefixList.map((p) => (p === '#default' ? '' : p));
  const out: string[] = [];
  render(el, declaredAbove(el), new Map(), inclusive, out);
  return out.join('');
}

/** The bindings declared by the element's ancestors (the nearest declaration of each prefix wins). */
function declaredAbove(el: Element): Map<string, string> {
  const chain: Element[] = [];
  for (let n = el.parentNode; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) chain.push(n as Element);
  const scope = new Map<string, string>();
  for (let k = chain.length - 1; k >= 0; k--) declare(chain[k]!, scope);
  return scope;
}

/** Adds the element's own xmlns declarations to a scope. */
function declare(el: Element, scope: Map<string, string>): void {
  const attrs = el.attributes;
  for (let k = 0; k < attrs.length; k++) {
    const a = attrs.item(k)!;
    if (a.name === 'xmlns') scope.set('', a.value);
    else if (a.name.startsWith('xmlns:')) scope.set(a.name.slice(6), a.value);
  }
}

function declaresNamespaces(el: Element): boolean {
  const attrs = el.attributes;
  for (let k = 0; k < attrs.length; k++) {
    const name = attrs.item(k)!.name;
    if (name === 'xmlns' || name.startsWith('xmlns:')) return true;
  }
  return false;
}

/**
 * One element: the namespace declarations exclusive C14N renders on it (those it visibly uses, and those of the
 * PrefixList in scope, each unless the nearest output ancestor already has it in effect), then its attributes in
 * canonical order, then its content.
 */
function render(el: Element, outer: Bindings, inEffect: Bindings, inclusive: readonly string[], out: string[]): void {
  let scope = outer;
  if (declaresNamespaces(el)) {
    const own = new Map(outer);
    declare(el, own);
    scope = own;
  }
  const wanted = new Map<string, string>();
  const want = (prefix: string, uri: string) => {
    if (prefix === 'xml' || wanted.has(prefix)) return;
    // An undeclared default namespace needs xmlns="" only where an output ancestor made one the default.
    if ((inEffect.get(prefix) ?? '') !== uri) wanted.set(prefix, uri);
  };
  want(el.prefix ?? '', el.namespaceURI ?? '');
  const attributes: Attr[] = [];
  const attrs = el.attributes;
  for (let k = 0; k < attrs.length; k++) {
    const a = attrs.item(k)!;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attributes.push(a);
    if (a.prefix) want(a.prefix, a.namespaceURI ?? '');
  }
  for (const prefix of inclusive) {
    const uri = scope.get(prefix);
    if (uri !== undefined) want(prefix, uri);
  }

  out.push('<', el.tagName);
  const effect = renderDeclarations(wanted, inEffect, out);
  attributes.sort(byNamespaceThenName);
  for (const a of attributes) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
  out.push('>');

  for (let c = el.firstChild; c; c = c.nextSibling) {
    switch (c.nodeType) {
      case ELEMENT_NODE:
        render(c as Element, scope, effect, inclusive, out);
        break;
      case TEXT_NODE:
      case CDATA_SECTION_NODE:
        out.push(escapeText((c as CharacterData).data));
        break;
      case PROCESSING_INSTRUCTION_NODE: {
        const pi = c as ProcessingInstruction;
        out.push('<?', pi.target, pi.data ? ` ${pi.data}` : '', '?>');
        break;
      }
      default:
        // Comments are not part of the canonical form without comments.
        break;
    }
  }
  out.push('</', el.tagName, '>');
}

/**
 * The namespace declarations an element renders (those it wants that are not in effect already), by prefix, the
 * default first; returns the bindings in effect for its content. Shared with c14n-tree.ts.
 */
export function renderDeclarations(wanted: ReadonlyMap<string, string>, inEffect: Bindings, out: string[]): Bindings {
  if (wanted.size === 0) return inEffect;
  const next = new Map(inEffect);
  for (const prefix of [...wanted.keys()].sort()) {
    const uri = wanted.get(prefix)!;
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"');
    next.set(prefix, uri);
  }
  return next;
}

/** Attributes without a namespace first, then by namespace URI, then by local name. */
function byNamespaceThenName(a: Attr, b: Attr): number {
  return canonicalOrder(a.namespaceURI ?? '', a.localName ?? a.name, b.namespaceURI ?? '', b.localName ?? b.name);
}

/** Canonical attribute order: without a namespace first, then by namespace URI, then by local name. Shared with c14n-tree.ts. */
export function canonicalOrder(an: string, al: string, bn: string, bl: string): number {
  if (an !== bn) return an < bn ? -1 : 1;
  return al < bl ? -1 : al > bl ? 1 : 0;
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

export function escapeText(s: string): string {
  return /[&<>\r]/.test(s) ? s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!) : s;
}

export function escapeAttribute(s: string): string {
  return /[&<"\t\n\r]/.test(s) ? s.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!) : s;
}

export function sha256Base64(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64');
}

/** Strict base64 (whitespace allowed, as XML Signature line-wraps values), or null. */
export function decodeBase64(value: string): Buffer | null {
  const compact = value.replace(/\s+/g, '');
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact) && compact !== '' ? Buffer.from(compact, 'base64') : null;
}
