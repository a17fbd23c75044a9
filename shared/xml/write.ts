/**
 * Minimal XML writing for our own messages: elements with prefixed names whose namespaces are declared on
 * the envelope. Text is escaped; absent optional values are omitted with `opt`.
 *
 * What `el` writes keeps its tree beside its text (`nodi`), so that a signer can canonicalize it without parsing
 * the text back (shared/soap/wssecurity/sign-tree.ts). An Xml made from a text (`new Xml(text)`: a body received
 * and forwarded, a fragment serialized from a parsed document) has no tree, nor has any element containing one.
 */

/** An element as written: its qualified name, its attributes in order (values unescaped), its content. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: readonly (readonly [string, string])[];
  /** Elements and character data (unescaped), in order. */
  readonly children: readonly (XmlElement | string)[];
  /** This element serialized, as `el` writes it. */
  readonly text: string;
}

export class Xml {
  /** The elements of `text` as written (none for ''); undefined when the text was not written by `el`. */
  readonly nodi: readonly XmlElement[] | undefined;
  /** True when `text` is one element in exclusive canonical form (c14n.ts), declaring every namespace it uses. */
  readonly canonico: boolean;

  constructor(
    readonly text: string,
    nodi?: readonly XmlElement[],
  ) {
    this.nodi = nodi ?? (text === '' ? [] : undefined);
    this.canonico = false;
  }

  /** An element kept in exclusive canonical form (a body received, to be forwarded as it is). */
  static canonico(text: string): Xml {
    const x = new Xml(text);
    (x as { canonico: boolean }).canonico = true;
    return x;
  }

  toString(): string {
    return this.text;
  }
}

export type XmlContent = string | number | boolean | Xml | readonly XmlContent[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Appends content to an element's children; false when some of it has no tree (a text-made Xml). */
function collect(content: XmlContent, out: (XmlElement | string)[]): boolean {
  if (content instanceof Xml) {
    if (content.nodi === undefined) return false;
    out.push(...content.nodi);
    return true;
  }
  if (Array.isArray(content)) return content.every((c: XmlContent) => collect(c, out));
  const s = String(content);
  if (s !== '') out.push(s);
  return true;
}

/** An element with its serialization: attribute values and text escaped, `<name/>` when it has no content. */
export function xmlElement(name: string, attrs: readonly (readonly [string, string])[], children: readonly (XmlElement | string)[]): XmlElement {
  let inner = '';
  for (const c of children) inner += typeof c === 'string' ? escapeXml(c) : c.text;
  return { name, attrs, children, text: elementText(name, attrs, inner) };
}

function elementText(name: string, attrs: readonly (readonly [string, string])[], inner: string): string {
  let a = '';
  for (const [k, v] of attrs) a += ` ${k}="${escapeXml(v)}"`;
  return inner === '' ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`;
}

function render(content: XmlContent): string {
  if (content instanceof Xml) return content.text;
  if (Array.isArray(content)) return content.map(render).join('');
  return escapeXml(String(content));
}

export function el(name: string, content: XmlContent = '', attrs: Record<string, string> = {}): Xml {
  const attributes = Object.entries(attrs);
  const children: (XmlElement | string)[] = [];
  if (collect(content, children)) {
    const element = xmlElement(name, attributes, children);
    return new Xml(element.text, [element]);
  }
  return new Xml(elementText(name, attributes, render(content)));
}

/** An element only when the value is present. */
export function opt(name: string, value: XmlContent | undefined | null): Xml {
  return value === undefined || value === null ? new Xml('') : el(name, value);
}

/** xs:dateTime in UTC with milliseconds. */
export function xsDateTime(d: Date): string {
  return d.toISOString();
}
