import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { isApeError } from '../../shared/errors';
import { canonicalize } from '../../shared/soap/wssecurity/c14n';
import { parseXmlDocument } from '../../shared/xml/document';

/**
 * The one parse of a message (shared/xml/document.ts) reads XML with namespaces as Namespaces in XML 1.0 defines it,
 * as libxml2, Santuario and .NET do. @xmldom/xmldom's parser, which built the tree before, accepted documents that are
 * not namespace-well-formed: a prefix never declared (its elements then had no namespace at all), the same attribute
 * twice under two prefixes of one namespace (two wsu:Id on one element, of which a lookup sees one), a prefix
 * undeclared, xml and xmlns rebound. Each is refused now, with XML_MALFORMATO and where it is.
 */

const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

function refusal(xml: string): string {
  try {
    parseXmlDocument(xml);
  } catch (err) {
    if (isApeError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error(`accepted: ${xml}`);
}

describe('documents that are not namespace-well-formed are refused', () => {
  test.each([
    ['an element prefix never declared', '<a><p:b/></a>', /unbound namespace prefix: "p".*riga 1, colonna \d+/],
    ['an attribute prefix never declared', '<a p:b="1"/>', /unbound namespace prefix: "p"/],
    ['one attribute twice, under two prefixes of one namespace', `<a xmlns:u="${WSU}" xmlns:v="${WSU}" u:Id="corpo" v:Id="altro"/>`, /duplicate attribute: \{http:\/\/docs\.oasis-open\.org.*\}Id/],
    ['a prefix undeclared (XML 1.0 has no such thing)', '<p:a xmlns:p="urn:a"><p:b xmlns:p=""/></p:a>', /undefine prefix/],
    ['the xml prefix bound elsewhere', '<a xmlns:xml="urn:altro"/>', /xml prefix must be bound/],
    ['the xmlns prefix declared', '<a xmlns:xmlns="urn:altro"/>', /xmlns prefix must be bound/],
    ['the default namespace bound to the xmlns namespace', '<a xmlns="http://www.w3.org/2000/xmlns/"/>', /default namespace may not be set/],
    ['a namespace name ending with a space', '<a xmlns="urn:it:ape-precoci:istruttoria:v1 "/>', /xmlns inizia o finisce con spazi/],
    ['a prefixed namespace name beginning with a space', '<p:a xmlns:p=" urn:it:ape-precoci:istruttoria:v1"/>', /xmlns:p inizia o finisce con spazi/],
  ])('%s', (_what, xml, message) => {
    const r = refusal(xml);
    expect(r).toMatch(/^XML_MALFORMATO: XML non ben formato: /);
    expect(r).toMatch(message);
  });

  test('processing instructions stay refused, the XML declaration is not one', () => {
    expect(refusal('<a><?x NON_?>CONFORME</a>')).toMatch(/^XML_MALFORMATO: .*istruzioni di elaborazione \(<\?x \.\.\.\?>\)/);
    expect(refusal('<a/><?x y?>')).toMatch(/^XML_MALFORMATO: .*istruzioni di elaborazione/);
    expect(parseXmlDocument('<?xml version="1.0" encoding="UTF-8"?><a/>').documentElement!.localName).toBe('a');
  });
});

describe('a namespace-well-formed document is the tree it always was', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="${WSU}"><soap:Header>\r\n` +
    '  <!-- nota -->\r\n' +
    '</soap:Header><soap:Body wsu:Id="corpo"><ist:Esito xmlns:ist="urn:it:ape-precoci:istruttoria:v1" xmlns="urn:predefinito">' +
    '<ist:Nota lang="it" xml:lang="it">a &amp; b &#xD; c\rd<![CDATA[<e> & f]]>g<!-- x -->h</ist:Nota>' +
    '<Campo a="x&#9;y&#10;z\tw" b=\'"\'>uno</Campo><vuoto xmlns=""/>' +
    '</ist:Esito></soap:Body></soap:Envelope>';

  test('the same nodes, names, namespaces and values as xmldom built, and the same canonical form', () => {
    const atteso = new DOMParser({ errorHandler: () => undefined, normalizeLineEndings: (t: string) => t.replace(/\r\n?/g, '\n') } as ConstructorParameters<typeof DOMParser>[0]).parseFromString(xml, 'text/xml');
    const letto = parseXmlDocument(xml);
    const s = new XMLSerializer();
    // (Whitespace between the declaration and the root is not part of the document: xmldom kept it, it is not kept.)
    expect(s.serializeToString(letto.documentElement!)).toBe(s.serializeToString(atteso.documentElement!));
    expect(letto.firstChild!.nodeName).toBe('xml');
    const body = (d: Document) => d.getElementsByTagNameNS('http://schemas.xmlsoap.org/soap/envelope/', 'Body')[0]!;
    expect(canonicalize(body(letto), [])).toBe(canonicalize(body(atteso), []));
    const nota = letto.getElementsByTagNameNS('urn:it:ape-precoci:istruttoria:v1', 'Nota')[0]!;
    expect(nota.textContent).toBe('a & b \r c\nd<e> & fgh');
    expect(body(letto).getAttributeNS(WSU, 'Id')).toBe('corpo');
    const vuoto = letto.getElementsByTagName('vuoto')[0]!;
    expect(vuoto.namespaceURI ?? '').toBe('');
  });

  test('a document declaring XML 1.1 is read as XML 1.0 (NEL is a character, not a line end)', () => {
    expect(parseXmlDocument('<?xml version="1.1"?><a>x\u0085y</a>').documentElement!.textContent).toBe('x\u0085y');
  });
});
