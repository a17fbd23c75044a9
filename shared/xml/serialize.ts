import { escapeXml } from './write';
import { NS } from './namespaces';
import type { XmlNode } from './tree';

/**
 * Writes a parsed element back as XML (the hub forwards payloads as it received them). The contracts'
 * namespaces get their usual prefixes, declared on the envelope; any other namespace is declared where used.
 */
const PREFIXES = new Map<string, string>([
  [NS.com, 'com'],
  [NS.ist, 'ist'],
  [NS.pac, 'pac'],
  [NS.esi, 'esi'],
]);

export function serializeNode(node: XmlNode, omit: ReadonlySet<string> = new Set()): string {
  const known = PREFIXES.get(node.ns);
  const name = known ? `${known}:${node.local}` : node.local;
  const decl = known || node.ns === '' ? '' : ` xmlns="${escapeXml(node.ns)}"`;
  const kids = node.children.filter((c) => !omit.has(c.local));
  const inner = node.children.length > 0 ? kids.map((c) => serializeNode(c, omit)).join('') : escapeXml(node.text);
  return inner === '' ? `<${name}${decl}/>` : `<${name}${decl}>${inner}</${name}>`;
}
