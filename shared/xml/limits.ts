import { ApeError } from '../errors';

/**
 * Bounds on the shape of an incoming XML document, checked by one linear scan of its text before any parser builds
 * anything. A parser's cost grows with what it builds, and some of its checks grow faster than the input (libxml2
 * 2.9 compares each attribute with every earlier one of its element: 30,000 attributes in 200 KB took 1.7 s of
 * synchronous work, stalling every other caller of the process). The scan looks only at the markup's lexical
 * structure (tags, attribute names and quoted values, text runs, comments, CDATA sections) and counts; it refuses
 * what it cannot recognise (XML_MALFORMATO), so that no unscanned construct reaches the parser.
 */

export interface XmlLimits {
  /** Elements nested in each other, the root counting as 1. Default 64. */
  maxDepth: number;
  /** Attributes of one element, namespace declarations included. Default 64. */
  maxAttributes: number;
  /** Nodes of the whole document: elements, attributes, text runs, comments, CDATA sections. Default 50,000. */
  maxNodes: number;
  /** Characters of an element or attribute name, prefix included. Default 256. */
  maxNameLength: number;
  /** Characters of one text run, CDATA section, comment or attribute value. Default 65,536. */
  maxTextLength: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxDepth: 64,
  maxAttributes: 64,
  maxNodes: 50_000,
  maxNameLength: 256,
  maxTextLength: 65_536,
});

function tooComplex(what: string, limit: number, key: keyof XmlLimits): never {
  throw new ApeError('XML_TROPPO_COMPLESSO', `${what} oltre il limite di ${limit} (limite ${key}): il messaggio è rifiutato prima della lettura`);
}

function malformed(what: string, at: number): never {
  throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${what} (carattere ${at})`);
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOS = 0x27;
const QUESTION = 0x3f;
const BANG = 0x21;

const isSpace = (c: number) => c === SPACE || c === TAB || c === LF || c === CR;

/** Throws XML_TROPPO_COMPLESSO naming the first limit the document exceeds; time linear in its length. */
export function checkXmlLimits(xml: string, l: XmlLimits): void {
  const n = xml.length;
  let i = 0;
  let depth = 0;
  let nodes = 0;
  const node = () => {
    if (++nodes > l.maxNodes) tooComplex('numero di nodi del documento', l.maxNodes, 'maxNodes');
  };
  const text = (length: number, what: string) => {
    node();
    if (length > l.maxTextLength) tooComplex(`${what} di ${length} caratteri`, l.maxTextLength, 'maxTextLength');
  };
  const name = (from: number, to: number, what: string) => {
    if (to === from) malformed(`${what} senza nome`, from);
    if (to - from > l.maxNameLength) tooComplex(`nome di ${what} di ${to - from} caratteri`, l.maxNameLength, 'maxNameLength');
  };
  /** Index of `token` from `from`, or a refusal: every construct must be closed. */
  const find = (token: string, from: number, what: string) => {
    const at = xml.indexOf(token, from);
    if (at < 0) malformed(`${what} non chiuso`, from);
    return at;
  };

  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) text(textEnd - i, 'testo');
    if (lt < 0) break;
    const c = xml.charCodeAt(lt + 1);
    if (c === QUESTION) {
      // The XML declaration (the parser refuses any other processing instruction).
      i = find('?>', lt + 2, "un'istruzione di elaborazione") + 2;
      continue;
    }
    if (c === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const end = find('-->', lt + 4, 'un commento');
        text(end - lt - 4, 'commento');
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = find(']]>', lt + 9, 'una sezione CDATA');
        text(end - lt - 9, 'sezione CDATA');
        i = end + 3;
      } else {
        malformed('dichiarazione "<!" non ammessa', lt);
      }
      continue;
    }
    if (c === SLASH) {
      const end = find('>', lt + 2, 'un tag di chiusura');
      let stop = lt + 2;
      while (stop < end && !isSpace(xml.charCodeAt(stop))) stop++;
      name(lt + 2, stop, 'elemento');
      if (--depth < 0) malformed('tag di chiusura senza apertura', lt);
      i = end + 1;
      continue;
    }
    // A start tag: its name, then attributes (name = quoted value) up to > or />.
    let j = lt + 1;
    while (j < n) {
      const k = xml.charCodeAt(j);
      if (isSpace(k) || k === GT || k === SLASH) break;
      j++;
    }
    name(lt + 1, j, 'elemento');
    node();
    if (++depth > l.maxDepth) tooComplex(`annidamento di ${depth} elementi`, l.maxDepth, 'maxDepth');
    let attributes = 0;
    for (;;) {
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      if (j >= n) malformed('tag non chiuso', lt);
      const k = xml.charCodeAt(j);
      if (k === GT) {
        j++;
        break;
      }
      if (k === SLASH && xml.charCodeAt(j + 1) === GT) {
        depth--;
        j += 2;
        break;
      }
      const start = j;
      while (j < n) {
        const a = xml.charCodeAt(j);
        if (isSpace(a) || a === EQUALS || a === GT || a === SLASH || a === LT) break;
        j++;
      }
      name(start, j, 'attributo');
      node();
      if (++attributes > l.maxAttributes) tooComplex('numero di attributi di un elemento', l.maxAttributes, 'maxAttributes');
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== EQUALS) malformed('attributo senza valore', start);
      j++;
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      const q = xml.charCodeAt(j);
      if (q !== QUOTE && q !== APOS) malformed('valore di attributo senza virgolette', j);
      const end = find(q === QUOTE ? '"' : "'", j + 1, 'un valore di attributo');
      if (end - j - 1 > l.maxTextLength) tooComplex(`valore di attributo di ${end - j - 1} caratteri`, l.maxTextLength, 'maxTextLength');
      j = end + 1;
    }
    i = j;
  }
}
