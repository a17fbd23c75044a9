import { DOMParser } from '@xmldom/xmldom';
import { WSU_NS } from './constants';

/**
 * The strict parse every signature operation starts from (no recovery, no DTD, no processing instruction, bounded
 * nesting) and the small DOM lookups signing and verification share, on @xmldom/xmldom trees.
 */

export const ELEMENT_NODE = 1;
const PROCESSING_INSTRUCTION_NODE = 7;
const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;

/**
 * xmldom recovers from many errors by default; a signature must be checked on exactly the tree the sender
 * meant, so any warning or error refuses the document. DTDs are refused before parsing (SOAP 1.1 forbids
 * them; entity expansion and XXE are never given a chance).
 */
export function parseStrict(xml: string): { doc: Document } | { error: string } {
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

/** Values of every attribute xml-crypto treats as an Id (local name Id, ID or id, any namespace), with counts. */
export function idOccurrences(doc: Document): Map<string, number> {
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

export function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

/** Values from the message quoted in an error, kept short (the Fault's description is bounded anyway). */
export function clip(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
