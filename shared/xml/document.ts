import { DOMImplementation } from '@xmldom/xmldom';
import { Libxml } from 'node-libxml';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ApeError } from '../errors';
import { clip } from './clip';
import { checkXmlLimits, DEFAULT_XML_LIMITS, type XmlLimits } from './limits';

/**
 * The one parse of an incoming message: what the signature is verified on, what the schema validates (its
 * serialization, schemaText below) and what the payload is read from are this one document, so no two parsers can
 * disagree about the same bytes (CDATA, references, whitespace). Before any parser runs: no DTD (SOAP 1.1 forbids
 * them; entity expansion and XXE are never given a chance), no NUL, UTF-8 only, and the document's shape within its
 * limits (limits.ts), and well-formed by libxml2's judgement (requireWellFormed). Then saxes, a conforming
 * namespace-aware XML 1.0 parser (jsdom's), reads it and the document is built from its events, as an
 * @xmldom/xmldom DOM (what the verifier, the canonicalizer and the readers work on): any error refuses it, as does
 * any processing instruction (the XML declaration is not one).
 *
 * xmldom's own parser built the tree until issue 17's tenth round: not a conforming one (it took a prefix never
 * declared, or one attribute twice under two prefixes of its namespace), and slow: on a signed 6.8 KB envelope its
 * parse took 690 µs, saxes's 200 µs, and this whole function 790 µs then, 510 µs now (building xmldom's nodes
 * is most of the difference), on every message received and every response of every process.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;
const ENCODING_DECL = /^\uFEFF?<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/;
const DOM = new DOMImplementation();
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Parses a whole message; throws ApeError DTD_NON_AMMESSA, XML_MALFORMATO or XML_TROPPO_COMPLESSO. */
export function parseXmlDocument(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  if (DTD_MARKERS.test(xml)) throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD (<!DOCTYPE> o <!ENTITY>)');
  if (xml.includes('\u0000')) throw new ApeError('XML_MALFORMATO', 'XML non ben formato: il carattere NUL non è ammesso');
  // The body was decoded as UTF-8; a declaration of another encoding would have other characters read.
  const enc = ENCODING_DECL.exec(xml)?.[1];
  if (enc !== undefined && enc.toLowerCase() !== 'utf-8') throw new ApeError('XML_MALFORMATO', `codifica "${enc}" non ammessa: i messaggi sono in UTF-8`);
  checkXmlLimits(xml, limits);
  requireWellFormed(xml);
  const doc = buildDocument(xml);
  if (!doc.documentElement) throw new ApeError('XML_MALFORMATO', 'documento XML vuoto');
  return doc;
}

/**
 * The document built from saxes's events, node by node as xmldom's own parser builds it: elements and attributes
 * (namespace declarations included, in the order written) with the namespaces their prefixes are bound to, each run
 * of character data one Text node, CDATA sections and comments as such. XML 1.0 whatever the declaration says: its
 * end-of-line handling (section 2.11, CR LF and a lone CR become LF, nothing else) and attribute-value
 * normalization (3.3.3), as the signers' parsers (libxml2, Santuario, .NET) read it; XML 1.1 would also turn NEL
 * (U+0085) and LINE SEPARATOR (U+2028) into LF, and a signed text holding one would be digested otherwise here.
 */
function buildDocument(xml: string): Document {
  const builder = new DocumentBuilder();
  builder.write(xml).close();
  return builder.documento;
}

/**
 * saxes's parser with this module's handlers, registered in its constructor: handlers set on a parser after it is
 * built (`parser.on`) are properties V8 adds to an object that has its shape already, and past six of them it keeps
 * the parser's properties in a dictionary; every character read then costs a lookup (measured on the 6.8 KB envelope:
 * 1,045 µs with the eight handlers set afterwards, 393 µs set here).
 */
class DocumentBuilder extends SaxesParser<{ xmlns: true; position: true; forceXMLVersion: true; defaultXMLVersion: '1.0' }> {
  readonly documento = DOM.createDocument(null, null as unknown as string, null);
  private nodoCorrente: Node = this.documento;
  private testoInAttesa = '';

  constructor() {
    super({ xmlns: true, position: true, forceXMLVersion: true, defaultXMLVersion: '1.0' });
    // The declaration as xmldom's parser kept it, a first node: a document signed from its text is written back with it.
    this.on('xmldecl', (d) => {
      const pseudo = [`version="${d.version ?? '1.0'}"`, d.encoding && `encoding="${d.encoding}"`, d.standalone && `standalone="${d.standalone}"`];
      this.documento.appendChild(this.documento.createProcessingInstruction('xml', pseudo.filter(Boolean).join(' ')));
    });
    this.on('text', (t) => {
      this.testoInAttesa += t;
    });
    this.on('cdata', (t) => {
      this.flushText();
      if (t !== '') this.nodoCorrente.appendChild(this.documento.createCDATASection(t));
    });
    this.on('comment', (c) => {
      this.flushText();
      if (this.nodoCorrente !== this.documento) this.nodoCorrente.appendChild(this.documento.createComment(c));
    });
    this.on('opentag', (tag) => {
      this.flushText();
      this.nodoCorrente = this.nodoCorrente.appendChild(elementOf(this.documento, tag));
    });
    this.on('closetag', () => {
      this.flushText();
      this.nodoCorrente = this.nodoCorrente.parentNode!;
    });
    this.on('processinginstruction', (pi) => {
      // SOAP 1.1 (section 3) forbids them; a canonicalizer that rendered "<?x NON_?>CONFORME" as its bare text would
      // digest it like the signed "NON_CONFORME" while every reader reads "CONFORME".
      throw new ApeError('XML_MALFORMATO', `i messaggi SOAP non possono contenere istruzioni di elaborazione (<?${pi.target} ...?>)`);
    });
    this.on('doctype', () => {
      throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD');
    });
    this.on('error', (err) => {
      throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${saxesMessage(err.message)}`, { cause: err });
    });
  }

  private flushText(): void {
    if (this.testoInAttesa === '') return;
    // Character data outside the root can only be whitespace (saxes refuses any other): not part of the document.
    if (this.nodoCorrente !== this.documento) this.nodoCorrente.appendChild(this.documento.createTextNode(this.testoInAttesa));
    this.testoInAttesa = '';
  }
}

function elementOf(doc: Document, tag: SaxesTagNS): Element {
  const el = doc.createElementNS(tag.uri || null, tag.name);
  for (const name in tag.attributes) {
    const a = tag.attributes[name]!;
    // saxes trims a declaration's value before binding it: "urn:...:v1 " would name our namespace here and another
    // one for libxml2 and every other reader. A namespace name is a URI reference (Namespaces in XML 1.0, 2.2), which
    // cannot begin or end with a space: refused, so no two readers can disagree about it.
    if (a.uri === XMLNS_NS && a.value !== a.value.trim()) {
      throw new ApeError('XML_MALFORMATO', `XML non ben formato: il namespace dichiarato da ${a.name} inizia o finisce con spazi (${JSON.stringify(clip(a.value))}); un nome di namespace è un riferimento URI`);
    }
    const attr = doc.createAttributeNS(a.uri || null, a.name);
    attr.value = attr.nodeValue = a.value;
    el.setAttributeNodeNS(attr);
  }
  return el;
}

/** saxes reports "3:17: unbound namespace prefix: x.": keep the problem and where it is. */
function saxesMessage(msg: string): string {
  const m = /^(\d+):(\d+): (.*)$/s.exec(msg);
  return m ? `${m[3]!.trim()} (riga ${m[1]}, colonna ${m[2]})` : msg;
}

let checker: Libxml | null = null;

/**
 * libxml2 judges well-formedness first, as a second conforming parser (no DTD reaches it, no entity is substituted,
 * the limits above bound its work); nothing is read from its tree, which is freed at once. What is read is the tree
 * built from saxes's reading of the same, now known well-formed, text: a text only one of the two accepts is refused.
 */
function requireWellFormed(xml: string): void {
  checker ??= new Libxml();
  try {
    if (!checker.loadXmlFromString(xml)) {
      const errs = (checker as unknown as { wellformedErrors?: Array<{ message: string; line: number; column: number }> }).wellformedErrors ?? [];
      const first = errs[0];
      throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${first ? `${first.message.trim()} (riga ${first.line}, colonna ${first.column})` : 'documento vuoto o illeggibile'}`);
    }
  } finally {
    checker.freeXml();
  }
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };
const escapeText = (s: string) => s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!);
const escapeAttribute = (s: string) => s.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);

/**
 * The document as the text the XSD validator is given: every element, attribute (namespace declarations
 * included) and character of the parsed tree, CDATA written as escaped text, comments left out. The validator
 * parses this, not the bytes received, so what it validates is what the verifier and the reader see.
 */
export function schemaText(doc: Document): string {
  const out: string[] = [];
  const write = (el: Element) => {
    out.push('<', el.tagName);
    const attrs = el.attributes;
    for (let k = 0; k < attrs.length; k++) {
      const a = attrs.item(k)!;
      out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
    }
    out.push('>');
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === ELEMENT_NODE) write(c as Element);
      else if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) out.push(escapeText((c as CharacterData).data));
    }
    out.push('</', el.tagName, '>');
  };
  write(doc.documentElement!);
  return out.join('');
}
