import { parseXmlDocument } from './document';

/**
 * A light, namespace-resolved view of an element of a parsed document (document.ts), for reading payloads and
 * header blocks: a view of the same tree the signature was verified on, never a second parse of the same bytes.
 * Element names carry the namespace their prefix was bound to, so a header in a foreign namespace can never pass
 * for one of ours.
 */
export interface XmlNode {
  ns: string;
  local: string;
  children: XmlNode[];
  /** Concatenated character data of this element (text and CDATA sections, not of its descendants). */
  text: string;
  /** Attributes other than namespace declarations, by Clark name ({ns}local, or local when unqualified). */
  attrs: Record<string, string>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** The element and its descendants as XmlNodes. */
export function elementTree(el: Element): XmlNode {
  const children: XmlNode[] = [];
  let text = '';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE) children.push(elementTree(c as Element));
    else if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) text += (c as CharacterData).data;
  }
  const attrs: Record<string, string> = {};
  const list = el.attributes;
  for (let k = 0; k < list.length; k++) {
    const a = list.item(k)!;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attrs[a.namespaceURI ? `{${a.namespaceURI}}${a.localName}` : a.name] = a.value;
  }
  return { ns: el.namespaceURI ?? '', local: el.localName ?? el.tagName, children, text, attrs };
}

/** Parses a whole document (with the default limits) and returns its root element's tree. */
export function parseTree(xml: string): XmlNode {
  return elementTree(parseXmlDocument(xml).documentElement!);
}
