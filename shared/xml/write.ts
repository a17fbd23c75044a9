/**
 * Minimal XML writing for our own messages: elements with prefixed names whose namespaces are declared on
 * the envelope. Text is escaped; absent optional values are omitted with `opt`.
 */
export class Xml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type XmlContent = string | number | boolean | Xml | readonly XmlContent[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(content: XmlContent): string {
  if (content instanceof Xml) return content.text;
  if (Array.isArray(content)) return content.map(render).join('');
  return escapeXml(String(content));
}

export function el(name: string, content: XmlContent = '', attrs: Record<string, string> = {}): Xml {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const inner = render(content);
  return new Xml(inner === '' ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`);
}

/** An element only when the value is present. */
export function opt(name: string, value: XmlContent | undefined | null): Xml {
  return value === undefined || value === null ? new Xml('') : el(name, value);
}

/** xs:dateTime in UTC with milliseconds. */
export function xsDateTime(d: Date): string {
  return d.toISOString();
}
