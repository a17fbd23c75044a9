import type { XmlNode } from './tree';

/**
 * The tree the payload readers work on (XmlNode), taken from an @xmldom/xmldom element: used where the content must be
 * read from exactly the nodes a signature was verified on. Text is what exclusive C14N sees: text and CDATA
 * children concatenated, comments and processing instructions left out.
 */
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export function treeOfElement(el: Element, omit: (child: Element) => boolean = () => false): XmlNode {
  const children: XmlNode[] = [];
  let text = '';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE) {
      if (!omit(c as Element)) children.push(treeOfElement(c as Element));
    } else if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) {
      text += c.nodeValue ?? '';
    }
  }
  const attrs: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attrs[a.namespaceURI ? `{${a.namespaceURI}}${a.localName}` : (a.localName ?? a.name)] = a.value;
  }
  return { ns: el.namespaceURI ?? '', local: el.localName ?? el.nodeName, children, text, attrs };
}
