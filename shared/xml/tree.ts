import { XMLParser } from 'fast-xml-parser';

/**
 * A light, namespace-resolved element tree built with fast-xml-parser from a document libxml2 has already
 * found well formed. Element names are resolved against the xmlns declarations in scope, so a header in a
 * foreign namespace can never pass for one of ours.
 */
export interface XmlNode {
  ns: string;
  local: string;
  children: XmlNode[];
  /** Concatenated text content of this element (not of its descendants). */
  text: string;
  /** Attributes other than namespace declarations, by Clark name ({ns}local, or local when unqualified). */
  attrs: Record<string, string>;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // References are decoded below, all in one pass (libxml2 has already refused undefined and malformed ones).
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

const PREDEFINITE: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Decodes the five predefined entities and character references, in one pass (so "&amp;#46;" stays "&#46;"). */
function decodifica(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|apos|quot);/g, (_m, ref: string) => {
    if (ref[0] !== '#') return PREDEFINITE[ref]!;
    return String.fromCodePoint(ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10));
  });
}

export function parseTree(xml: string): XmlNode {
  const items = parser.parse(xml) as Ordered[];
  const roots = build(items, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
  if (roots.length !== 1) throw new Error(`expected one root element, found ${roots.length}`);
  return roots[0]!;
}

function build(items: Ordered[], scope: Map<string, string>): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name === '#comment') continue;
    const attrs = item[':@'] ?? {};
    let local = scope;
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (local === scope) local = new Map(scope);
        local.set(k === 'xmlns' ? '' : k.slice(6), decodifica(v));
      }
    }
    const colon = name.indexOf(':');
    const prefix = colon >= 0 ? name.slice(0, colon) : '';
    const content = (item[name] ?? []) as Ordered[];
    let text = '';
    for (const c of content) if ('#text' in c) text += decodifica(String(c['#text']));
    const attributi: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      const c = k.indexOf(':');
      attributi[c >= 0 ? `{${local.get(k.slice(0, c)) ?? ''}}${k.slice(c + 1)}` : k] = decodifica(v);
    }
    out.push({ ns: local.get(prefix) ?? '', local: colon >= 0 ? name.slice(colon + 1) : name, children: build(content, local), text, attrs: attributi });
  }
  return out;
}
