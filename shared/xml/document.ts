import { DOMParser } from '@xmldom/xmldom';
import { Libxml } from 'node-libxml';
import { ApeError } from '../errors';
import { checkXmlLimits, DEFAULT_XML_LIMITS, type XmlLimits } from './limits';

/**
 * The one parse of an incoming message: what the signature is verified on, what the schema validates (its
 * serialization, schemaText below) and what the payload is read from are this one document, so no two parsers can
 * disagree about the same bytes (CDATA, references, whitespace). Before any parser runs: no DTD (SOAP 1.1 forbids
 * them; entity expansion and XXE are never given a chance), no NUL, UTF-8 only, and the document's shape within its
 * limits (limits.ts), and well-formed by libxml2's judgement (requireWellFormed). Then @xmldom/xmldom parses it
 * strictly: any warning refuses it, as does any processing instruction other than the XML declaration.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;
const ENCODING_DECL = /^\uFEFF?<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/;

/** Parses a whole message; throws ApeError DTD_NON_AMMESSA, XML_MALFORMATO or XML_TROPPO_COMPLESSO. */
export function parseXmlDocument(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  if (DTD_MARKERS.test(xml)) throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD (<!DOCTYPE> o <!ENTITY>)');
  if (xml.includes('\u0000')) throw new ApeError('XML_MALFORMATO', 'XML non ben formato: il carattere NUL non è ammesso');
  // The body was decoded as UTF-8; a declaration of another encoding would have other characters read.
  const enc = ENCODING_DECL.exec(xml)?.[1];
  if (enc !== undefined && enc.toLowerCase() !== 'utf-8') throw new ApeError('XML_MALFORMATO', `codifica "${enc}" non ammessa: i messaggi sono in UTF-8`);
  checkXmlLimits(xml, limits);
  requireWellFormed(xml);

  const problems: string[] = [];
  let doc: Document;
  try {
    const options = { errorHandler: (_level: string, msg: unknown) => void problems.push(xmldomMessage(msg)), normalizeLineEndings: xml10LineEndings };
    doc = new DOMParser(options as ConstructorParameters<typeof DOMParser>[0]).parseFromString(xml, 'text/xml');
  } catch (err) {
    throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${(err as Error).message}`, { cause: err });
  }
  // xmldom recovers from many errors; a message must be read exactly as its sender wrote it, or not at all.
  if (problems.length > 0) throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${problems[0]!}`);
  if (!doc.documentElement) throw new ApeError('XML_MALFORMATO', 'documento XML vuoto');
  if (doc.doctype) throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD');
  refuseProcessingInstructions(doc);
  return doc;
}

/**
 * End-of-line handling as XML 1.0 says (section 2.11): CR LF and a lone CR become LF, nothing else. xmldom's default
 * also turns NEL (U+0085) and LINE SEPARATOR (U+2028) into LF, as XML 1.1 does: a text holding one would then be
 * digested here otherwise than by its XML 1.0 signer (libxml2, Santuario, .NET), and a valid signature refused.
 */
function xml10LineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

let checker: Libxml | null = null;

/**
 * xmldom is not a conforming parser: it accepts "--" in comments, "]]>" in text, a bare "&", characters XML
 * forbids, text before the declaration or after the root. libxml2 is, so it judges well-formedness first (no DTD
 * reaches it, no entity is substituted, the limits above bound its work); nothing is read from its tree, which is
 * freed at once. What is read is xmldom's tree of the same, now known well-formed, text.
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

/**
 * SOAP 1.1 (section 3) forbids processing instructions. Only the XML declaration, which xmldom reports as one, may
 * open the document; any other is refused (a canonicalizer that rendered "<?x NON_?>CONFORME" as its bare text
 * would digest it like the signed "NON_CONFORME" while every reader reads "CONFORME").
 */
function refuseProcessingInstructions(doc: Document): void {
  const refuse = (n: Node): never => {
    throw new ApeError('XML_MALFORMATO', `i messaggi SOAP non possono contenere istruzioni di elaborazione (<?${(n as ProcessingInstruction).target} ...?>)`);
  };
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === PROCESSING_INSTRUCTION_NODE && (n !== doc.firstChild || (n as ProcessingInstruction).target !== 'xml')) refuse(n);
  }
  const stack: Node[] = [doc.documentElement!];
  while (stack.length > 0) {
    for (let c = stack.pop()!.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === PROCESSING_INSTRUCTION_NODE) refuse(c);
      if (c.nodeType === ELEMENT_NODE) stack.push(c);
    }
  }
}

/** xmldom reports "[xmldom warning]\tunclosed xml attribute\n@#[line:1,col:9]": keep the problem and where it is. */
function xmldomMessage(msg: unknown): string {
  const [what = '', where = ''] = String(msg).replace(/^\[xmldom \w+\]\s*/, '').split('\n');
  return `${what.trim()} ${where.replace(/^@#\[line:(\d+),col:(\d+)\]$/, '(riga $1, colonna $2)')}`.trim();
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
