import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { correlationHeader, envelope, envelopeTree, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { NS } from '../../shared/xml/namespaces';
import { el, Xml, type XmlElement } from '../../shared/xml/write';
import { canonicalize } from '../../shared/soap/wssecurity/c14n';
import { canonicalTree } from '../../shared/soap/wssecurity/c14n-tree';
import { signElement, verifyElement } from '../../shared/soap/wssecurity/enveloped';
import { signElementTree } from '../../shared/soap/wssecurity/enveloped-tree';
import { parseStrict } from '../../shared/soap/wssecurity/dom';
import { WSA_NS, WSSE_NS, WSU_NS, responseSigner, signEnvelope, signEnvelopeTree, signResponse, signResponseTree, verifyEnvelope, verifyResponse, type ResponseSigner } from '../../shared/soap/wssecurity';

/**
 * Signing from the trees `el` wrote (sign-tree.ts, c14n-tree.ts) instead of from a parse of the text: the canonical
 * form computed from a tree is the one c14n.ts computes on the parsed text, which is what every receiver digests;
 * a tree-signed request or response is accepted by the verifiers as the text-signed one is, with the same parts
 * signed; and what a parser would not read back exactly as written is declined, so the text signer decides.
 */

const NOW = new Date('2026-03-10T09:00:00.000Z');
const TO = 'https://inps.ape-precoci.local/ape/esiti';
const MESSAGE_ID = 'urn:uuid:11111111-2222-4333-8444-555555555555';
const SOAP_NS = NS.soap;
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

let ca: KeyPairPem;
let sender: KeyPairPem;
let provider: ResponseSigner;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di test della firma da albero' }, validityFrom(NOW, 365));
  sender = issueCertificate(ca, { commonName: 'anpal.ape-precoci.local', dnsNames: ['anpal.ape-precoci.local'] }, validityFrom(NOW, 30));
  provider = responseSigner(sender.keyPem, sender.certPem);
});

const options = () => ({ keyPem: sender.keyPem, certPem: sender.certPem, to: TO, messageId: MESSAGE_ID, now: NOW });

/** Text with what escaping and canonicalization treat specially, and characters beyond the BMP. */
const AWKWARD = `a & b < c > d " e ' f ]]> g \n h àèìòù € 𝄞 \u00a0 end`;

function payloads(): Xml[] {
  return [
    el('esi:NotificaEsito', [
      el('esi:IdPacchetto', 'PKT-0001'),
      el('esi:Ente', 'ANPAL'),
      el('esi:EsitiDato', el('esi:EsitoDato', [el('esi:Riferimento', 'R1'), el('esi:Dato', 'CCNL'), el('esi:Esito', 'CONFORME')])),
    ]),
    el('pac:VerificaPacchetto', [el('pac:Vuoto'), el('pac:Numero', 42), el('pac:Vero', true), el('pac:Testo', AWKWARD), el('pac:Misto', ['x', el('ist:Dentro', 'y'), 'z'])]),
    el('pac:ConAttributi', el('com:Voce', 'v', { Tipo: AWKWARD.replace('\n', ' '), a: '1', Z: '2' }), { versione: '1.0' }),
    // An unprefixed element, outside any default namespace, as a Fault's faultcode and detail are.
    el('soap:Fault', [el('faultcode', 'soap:Client'), el('faultstring', 'X: y'), el('detail', el('com:ErroreApe', el('com:Codice', 'X')))]),
    // Namespaces declared on the element itself, default and prefixed, beside the envelope's.
    el('x:Altro', [el('Figlio', 'f', { xmlns: 'urn:esempio:default' }), el('x:Nipote', el('com:Voce', 'v'))], { 'xmlns:x': 'urn:esempio:x', 'x:attr': 'q', attr: 'p' }),
  ];
}

const HEADERS = [operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio & verifiche <1>' }), replyToHeader('https://inps.example/esiti?a=1&b=2'), correlationHeader('CORR-1')];

const dom = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const only = (doc: Document, ns: string, local: string) => doc.getElementsByTagNameNS(ns, local).item(0)!;

/** What each ds:Reference of a signed text covers, as {ns}local of its element, in order. */
function signedParts(xml: string): string[] {
  const doc = dom(xml);
  const byId = new Map<string, Element>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const id = all.item(i)!.getAttributeNS(WSU_NS, 'Id');
    if (id) byId.set(id, all.item(i)!);
  }
  const refs = doc.getElementsByTagNameNS(DS_NS, 'Reference');
  const out: string[] = [];
  for (let i = 0; i < refs.length; i++) {
    const target = byId.get(refs.item(i)!.getAttribute('URI')!.slice(1))!;
    out.push(`{${target.namespaceURI}}${target.localName}`);
  }
  return out;
}

/** The header blocks of a signed text, as {ns}local, in order. */
function headerBlocks(xml: string): string[] {
  const header = only(dom(xml), SOAP_NS, 'Header');
  const out: string[] = [];
  for (let c = header.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(`{${(c as Element).namespaceURI}}${(c as Element).localName}`);
  return out;
}

describe('canonical form from the tree', () => {
  test.each(payloads().map((p, i) => [i, p] as const))('payload %i: the same bytes as exclusive C14N of the parsed text', (_i, payload) => {
    const text = envelope(HEADERS, payload);
    const parsed = parseStrict(text);
    if ('error' in parsed) throw new Error(parsed.error);
    const body = only(parsed.doc, SOAP_NS, 'Body');
    const parsedPayload = body.firstChild as Element;
    const tree = envelopeTree(HEADERS, payload)!;
    expect(canonicalTree(tree.payload as XmlElement, tree.declarations)).toBe(canonicalize(parsedPayload, []));
    const header = only(parsed.doc, SOAP_NS, 'Header');
    const parsedHeaders = [...Array(header.childNodes.length).keys()].map((k) => header.childNodes.item(k) as Element);
    tree.headers.forEach((h: XmlElement, k: number) => expect(canonicalTree(h, tree.declarations)).toBe(canonicalize(parsedHeaders[k]!, [])));
  });

  test('random text and attribute values of XML characters come out as the parsed text canonicalizes', () => {
    // A fixed-seed generator: the same cases on every run, many of them.
    let seed = 17;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const alphabet = ['a', 'Z', '0', ' ', '&', '<', '>', '"', "'", ';', '#', '\n', '\t', 'é', '€', '𝄞', '\u00a0', ']', '=', '/', '\u2028', '\u2029', '\u0085'];
    const word = (max: number, noWhitespace = false) => {
      let s = '';
      for (let k = next(max); k > 0; k--) {
        const c = alphabet[next(alphabet.length)]!;
        s += noWhitespace && (c === '\n' || c === '\t') ? '_' : c;
      }
      return s;
    };
    for (let round = 0; round < 300; round++) {
      const payload = el('pac:R', [word(12), el('pac:A', word(20), { b: word(8, true), a: word(8, true) }), word(5), el('com:B', [el('ist:C', word(6)), word(3)])]);
      const text = envelope([], payload);
      const parsed = parseStrict(text);
      if ('error' in parsed) throw new Error(`${parsed.error} in ${text}`);
      const tree = envelopeTree([], payload)!;
      expect(canonicalTree(tree.payload as XmlElement, tree.declarations)).toBe(canonicalize(only(parsed.doc, SOAP_NS, 'Body').firstChild as Element, []));
    }
  });
});

describe('request signed from its trees', () => {
  test.each(payloads().map((p, i) => [i, p] as const))('payload %i: accepted by the verifier, the same parts signed as by signEnvelope', (_i, payload) => {
    const signed = signEnvelopeTree(envelopeTree(HEADERS, payload), options())!;
    expect(signed).not.toBeNull();
    const verified = verifyEnvelope(signed, { expectedTo: TO, now: NOW });
    expect(verified.messageId).toBe(MESSAGE_ID);
    expect(verified.to).toBe(TO);
    expect(verified.certificateFingerprint256).toBe(new X509Certificate(sender.certPem).fingerprint256);

    const fromText = signEnvelope(envelope(HEADERS, payload), options());
    expect(signedParts(signed)).toEqual(signedParts(fromText));
    expect(headerBlocks(signed)).toEqual(headerBlocks(fromText));
    expect(only(dom(signed), WSSE_NS, 'Security').getAttributeNS(SOAP_NS, 'mustUnderstand')).toBe('1');
    // The payload reads back as written.
    expect(payloadOf(signed)).toBe(payloadOf(fromText));
  });

  test('a header block outside com and wsa goes out unsigned, as with signEnvelope', () => {
    const other = el('x:Altro', 'v', { 'xmlns:x': 'urn:esempio:x' });
    const signed = signEnvelopeTree(envelopeTree([other, ...HEADERS], payloads()[0]!), options())!;
    verifyEnvelope(signed, { expectedTo: TO, now: NOW });
    expect(signedParts(signed)).toEqual(signedParts(signEnvelope(envelope([other, ...HEADERS], payloads()[0]!), options())));
    expect(signedParts(signed)).not.toContain('{urn:esempio:x}Altro');
  });

  test('NEL and LINE SEPARATOR, which XML 1.0 reads as written, are signed from the tree and verified', () => {
    const payload = el('pac:X', ['a\u2028b\u0085c', el('pac:Y', 'v', { a: 'x\u2028y\u0085z' })]);
    const signed = signEnvelopeTree(envelopeTree(HEADERS, payload), options())!;
    expect(signed).not.toBeNull();
    expect(verifyEnvelope(signed, { expectedTo: TO, now: NOW }).messageId).toBe(MESSAGE_ID);
    expect(payloadOf(signed)).toContain('a\u2028b\u0085c');
  });

  test('a changed payload fails the receiver digest check (the digest covers the tree as written)', () => {
    const signed = signEnvelopeTree(envelopeTree(HEADERS, payloads()[0]!), options())!;
    expect(() => verifyEnvelope(signed.replace('PKT-0001', 'PKT-0002'), { expectedTo: TO, now: NOW })).toThrow(/digest/);
  });
});

describe('response signed from its trees', () => {
  test.each(payloads().map((p, i) => [i, p] as const))('payload %i: accepted by the client verifier, the same parts signed as by signResponse', (_i, payload) => {
    const o = { relatesTo: MESSAGE_ID, now: NOW, action: 'urn:it:ape-precoci:azione' };
    const signed = signResponseTree(envelopeTree([correlationHeader('CORR-1')], payload), provider, o)!;
    expect(signed).not.toBeNull();
    const expected = { subjectCN: 'anpal.ape-precoci.local', cas: [new X509Certificate(ca.certPem)] };
    expect(() => verifyResponse(signed, { signer: expected, relatesTo: MESSAGE_ID, required: true, now: NOW })).not.toThrow();
    const fromText = signResponse(envelope([correlationHeader('CORR-1')], payload), provider, o);
    expect(signedParts(signed)).toEqual(signedParts(fromText));
    expect(headerBlocks(signed)).toEqual(headerBlocks(fromText));
    expect(only(dom(signed), WSSE_NS, 'Security').getAttributeNS(SOAP_NS, 'mustUnderstand')).toBe('');
    expect(only(dom(signed), WSA_NS, 'RelatesTo').textContent).toBe(MESSAGE_ID);
  });

  test('without RelatesTo (the request had no MessageID) and without Action', () => {
    const signed = signResponseTree(envelopeTree([], payloads()[0]!), provider, { relatesTo: null, now: NOW })!;
    expect(() => verifyResponse(signed, { signer: { subjectCN: 'anpal.ape-precoci.local', cas: [new X509Certificate(ca.certPem)] }, relatesTo: null, required: true, now: NOW })).not.toThrow();
    expect(headerBlocks(signed)).toEqual([`{${WSSE_NS}}Security`, `{${WSA_NS}}MessageID`]);
  });
});

describe('a forwarded payload kept in canonical form (the hub)', () => {
  /** What the hub keeps of a payload it received: the element in exclusive canonical form. */
  const received = (payload: Xml): string => payloadOf(envelope([], payload));

  // The Fault uses the soap prefix: it is among the declined below.
  const forwarded = payloads().filter((p) => !p.text.startsWith('<soap:'));
  test.each(forwarded.map((p, i) => [i, p] as const))('payload %i: signed without a parse, accepted by the verifier, the payload read back unchanged', (_i, payload) => {
    const body = Xml.canonico(received(payload));
    const signed = signEnvelopeTree(envelopeTree(HEADERS, body), options())!;
    expect(signed).not.toBeNull();
    expect(verifyEnvelope(signed, { expectedTo: TO, now: NOW }).messageId).toBe(MESSAGE_ID);
    expect(payloadOf(signed)).toBe(received(payload));
    expect(signedParts(signed)).toEqual(signedParts(signEnvelope(envelope(HEADERS, new Xml(received(payload))), options())));
  });

  test.each([
    ['it uses the soap prefix the Body renders for it', el('pac:X', 'v', { 'soap:mustUnderstand': '1' })],
    ['it uses the wsu prefix the Body renders for it', el('pac:X', 'v', { 'xmlns:wsu': WSU_NS, 'wsu:Id': 'x' })],
    ['it holds a WS-Addressing element', el('pac:X', el('wsa:To', 'x', { 'xmlns:wsa': WSA_NS }))],
  ])('declined when %s, and then signed from its text', (_what, payload) => {
    const body = Xml.canonico(received(payload));
    expect(signEnvelopeTree(envelopeTree(HEADERS, body), options())).toBeNull();
  });


  test('a text-made body not marked canonical is signed from its text, as before', () => {
    expect(envelopeTree(HEADERS, new Xml(received(payloads()[0]!)))).toBeNull();
  });
});

describe('enveloped signature from the tree (INPS origin)', () => {
  const PREFIXES = new Map([['com', NS.com], ['ist', NS.ist], ['pac', NS.pac], ['esi', NS.esi]]);
  const parsedPayload = (xml: string): Element => {
    const parsed = parseStrict(envelope([], new Xml(xml)));
    if ('error' in parsed) throw new Error(parsed.error);
    return only(parsed.doc, SOAP_NS, 'Body').firstChild as Element;
  };

  test.each(payloads().slice(0, 3).map((p, i) => [i, p] as const))('payload %i: verified as what signElement signs, with the same signature layout', (_i, payload) => {
    const signedTree = signElementTree(payload.nodi![0]!, PREFIXES, sender)!;
    expect(signedTree).not.toBeNull();
    const fromTree = parsedPayload(signedTree.text);
    expect(verifyElement(fromTree).fingerprint256).toBe(new X509Certificate(sender.certPem).fingerprint256);

    const parsed = parseStrict(`<w xmlns:com="${NS.com}" xmlns:ist="${NS.ist}" xmlns:pac="${NS.pac}" xmlns:esi="${NS.esi}">${payload.text}</w>`);
    if ('error' in parsed) throw new Error(parsed.error);
    const fromText = parsed.doc.documentElement!.firstChild as Element;
    signElement(fromText, sender);
    const layout = (e: Element) => canonicalize(e, []).replace(/(orig-)[0-9a-f-]+/g, '$1ID').replace(/<ds:(DigestValue|SignatureValue)>[^<]*/g, '<ds:$1>');
    expect(layout(fromTree)).toBe(layout(fromText));
  });

  test('the signed element stands alone, as what signElement signs does: its text declares what it uses and verifies outside any envelope', () => {
    const signedTree = signElementTree(payloads()[0]!.nodi![0]!, PREFIXES, sender)!;
    const alone = parseStrict(signedTree.text);
    if ('error' in alone) throw new Error(alone.error);
    expect(verifyElement(alone.doc.documentElement!).fingerprint256).toBe(new X509Certificate(sender.certPem).fingerprint256);
  });

  test('a changed field fails the check', () => {
    const signedTree = signElementTree(payloads()[0]!.nodi![0]!, PREFIXES, sender)!;
    expect(() => verifyElement(parsedPayload(signedTree.text.replace('PKT-0001', 'PKT-0002')))).toThrow(/digest/i);
  });

  test('an element already signed, or a prefix outside the payload writers\' ones, is left to signElement', () => {
    const signedTree = signElementTree(payloads()[0]!.nodi![0]!, PREFIXES, sender)!;
    expect(signElementTree(signedTree, PREFIXES, sender)).toBeNull();
    expect(signElementTree(el('soap:X', 'v').nodi![0]!, PREFIXES, sender)).toBeNull();
  });
});

describe('declined, so that the text signer decides', () => {
  const declined = (headers: Xml[], payload: Xml) => signEnvelopeTree(envelopeTree(headers, payload), options());

  test.each([
    ['a carriage return in text (read back as a line feed)', el('pac:X', 'a\rb')],
    ['a tab in an attribute value (read back as a space)', el('pac:X', 'v', { a: 'x\ty' })],
    ['a line feed in an attribute value', el('pac:X', 'v', { a: 'x\ny' })],
    ['a character XML does not allow', el('pac:X', 'a\u0001b')],
    ['a lone surrogate', el('pac:X', 'a\ud800b')],
    ['a prefix no declaration binds', el('nessuno:X', 'v')],
    ['an xml: attribute', el('pac:X', 'v', { 'xml:lang': 'it' })],
    ['a copy of wsa:MessageID in the payload', el('pac:X', el('wsa:MessageID', 'urn:x', { 'xmlns:wsa': WSA_NS }))],
    ['a wsse:Security in the payload', el('pac:X', el('s:Security', '', { 'xmlns:s': WSSE_NS }))],
    ['a tab in a namespace URI (read back as a space)', el('x:X', 'v', { 'xmlns:x': 'urn:a\tb' })],
    ['a control character in a namespace URI', el('x:X', 'v', { 'xmlns:x': 'urn:a\u0001b' })],
    ['an attribute name that is not a name', el('pac:X', 'v', { 'b="x" a': 'v' })],
    ['an element name that is not a name', el('pac:A B', 'v')],
    ['an element name starting with a digit', el('pac:1A', 'v')],
  ])('%s', (_what, payload) => {
    expect(declined([], payload)).toBeNull();
  });

  test('an unsigned header block a parser would not read as written', () => {
    expect(declined([el('x:Altro', 'a\u0001b', { 'xmlns:x': 'urn:esempio:x' })], payloads()[0]!)).toBeNull();
  });

  test('a message the receiver would refuse unread (a text beyond 65,536 characters): declined, and the text signer refuses it as before', () => {
    const payload = el('pac:X', 'x'.repeat(70_000));
    expect(declined([], payload)).toBeNull();
    expect(() => signEnvelope(envelope([], payload), options())).toThrow(/maxTextLength/);
  });

  test('a header block that has its own wsu:Id', () => {
    expect(declined([el('com:X-Correlation-ID', 'C', { 'xmlns:wsu': WSU_NS, 'wsu:Id': 'mio' })], payloads()[0]!)).toBeNull();
  });

  test('a body written as text (a forwarded one) has no tree', () => {
    expect(envelopeTree(HEADERS, new Xml('<pac:X>v</pac:X>'))).toBeNull();
    expect(envelopeTree(HEADERS, el('pac:Y', new Xml('<pac:X>v</pac:X>')))).toBeNull();
    expect(envelopeTree([new Xml('<com:Operatore/>')], payloads()[0]!)).toBeNull();
  });

  test('what is declined the text signer still refuses as before', () => {
    const payload = el('pac:X', el('wsa:MessageID', 'urn:x', { 'xmlns:wsa': WSA_NS }));
    expect(() => signEnvelope(envelope([], payload), options())).toThrow(/contiene già MessageID/);
    expect(() => signEnvelope(envelope([], el('pac:X', 'a\u0001b')), options())).toThrow();
  });

  test('options the text signer refuses', () => {
    const env = envelopeTree([], payloads()[0]!);
    expect(signEnvelopeTree(env, { ...options(), to: ' ' })).toBeNull();
    expect(signEnvelopeTree(env, { ...options(), messageId: '' })).toBeNull();
    expect(signEnvelopeTree(env, { ...options(), ttlSeconds: 0 })).toBeNull();
    expect(signResponseTree(env, provider, { relatesTo: '', now: NOW })).toBeNull();
  });
});

/** The payload element of a signed envelope as its canonical text (what a reader reads, whatever the serialization). */
function payloadOf(xml: string): string {
  const parsed = parseStrict(xml);
  if ('error' in parsed) throw new Error(parsed.error);
  return canonicalize(only(parsed.doc, SOAP_NS, 'Body').firstChild as Element, []);
}
