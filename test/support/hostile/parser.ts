import { OPERATORE, rawEnvelope } from '../raw-soap';
import type { Built, Code, HostileCase } from './cases';
import { type CaseKit, NS, XML_DECL, post } from './kit';

/**
 * Hostile requests the XML parser must refuse or survive: deep nesting and ill-formed documents of every kind.
 */

// -------------------------------------------------------------------------------------- deep nesting
export function deepNesting(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const max = kit.ctx.maxBodyBytes;
  const depth = r.logInt(300, 100_000);
  const form = r.pick(['closed', 'closed', 'unclosed', 'same-element', 'with-attributes', 'in-header', 'mixed-namespaces'] as const);
  return kit.make('deep-nesting', `deep:${form}`, `${form}, ${depth} levels inside ist:Cognome (or a header block)`, (prot) => {
    let open = '';
    let close = '';
    switch (form) {
      case 'closed':
      case 'in-header':
        open = '<a>'.repeat(depth);
        close = '</a>'.repeat(depth);
        break;
      case 'unclosed':
        open = '<a>'.repeat(depth);
        break;
      case 'same-element':
        open = '<ist:Cognome>'.repeat(depth);
        close = '</ist:Cognome>'.repeat(depth);
        break;
      case 'with-attributes':
        open = '<a b="c">'.repeat(depth);
        close = '</a>'.repeat(depth);
        break;
      case 'mixed-namespaces':
        for (let i = 0; i < depth; i++) open += i % 2 ? '<c:a xmlns:c="urn:c">' : '<a>';
        for (let i = depth - 1; i >= 0; i--) close += i % 2 ? '</c:a>' : '</a>';
        break;
    }
    const body =
      form === 'in-header'
        ? rawEnvelope(`${OPERATORE}<z:Blocco xmlns:z="urn:fuzz">${open}${close}</z:Blocco>`, kit.payload(prot))
        : kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome>${open}Rossi${close}</ist:Cognome>`));
    const bytes = Buffer.byteLength(body);
    // Beyond the configured depth (64 by default) the scan refuses it before any parser runs.
    return { request: post(body), expect: bytes > max ? ['MESSAGGIO_TROPPO_GRANDE'] : depth > 64 ? ['XML_TROPPO_COMPLESSO'] : ['XML_MALFORMATO', 'SCHEMA_NON_VALIDO'] };
  });
}

// ----------------------------------------------------------------------------------------- complexity
/**
 * Documents over a limit of the XML's shape (soap.xmlLimits, defaults: 64 attributes per element, 50,000 nodes,
 * names of 256 and texts of 65,536 characters): each must be refused by the scan that runs before any parser, with
 * XML_TROPPO_COMPLESSO, at once (an attribute bomb once cost 1.7 s of synchronous parsing).
 */
export function complexity(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const max = kit.ctx.maxBodyBytes;
  const form = r.pick(['attribute-bomb', 'attribute-bomb', 'attributes-on-header', 'long-element-name', 'long-attribute-name', 'long-text', 'long-attribute-value', 'long-comment', 'long-cdata', 'many-elements'] as const);
  const n = form === 'attribute-bomb' ? r.logInt(65, 40_000) : form === 'many-elements' ? r.logInt(50_001, 80_000) : r.logInt(65_537, 200_000);
  return kit.make('complexity', `complexity:${form}`, `${form}, ${n}`, (prot) => {
    const attrs = (k: number) => Array.from({ length: k }, (_, i) => ` x${i.toString(36)}=""`).join('');
    const body = ((): string => {
      switch (form) {
        case 'attribute-bomb':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome${attrs(n)}>`));
        case 'attributes-on-header':
          return rawEnvelope(`<z:Blocco xmlns:z="urn:fuzz"${attrs(Math.min(n, 20_000))}/>${OPERATORE}`, kit.payload(prot));
        case 'long-element-name':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome><${'n'.repeat(257 + (n % 5000))}/>Rossi`));
        case 'long-attribute-name':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome ${'a'.repeat(257 + (n % 5000))}="1">`));
        case 'long-text':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome>${'R'.repeat(n)}`));
        case 'long-attribute-value':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome a="${'v'.repeat(n)}">`));
        case 'long-comment':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<!--${'c'.repeat(n)}--><ist:Cognome>`));
        case 'long-cdata':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome><![CDATA[${'R'.repeat(n)}]]>`));
        case 'many-elements':
          return kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome>${'<a/>'.repeat(n)}Rossi`));
      }
    })();
    return { request: post(body), expect: Buffer.byteLength(body) > max ? ['MESSAGGIO_TROPPO_GRANDE'] : ['XML_TROPPO_COMPLESSO'] };
  });
}

// ----------------------------------------------------------------------------------------- malformed
export function malformed(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const form = r.pick([
    'truncated', 'truncated', 'truncated', 'byte-replaced', 'byte-replaced', 'byte-replaced', 'byte-inserted', 'byte-inserted', 'unclosed-tag', 'unclosed-tag',
    'mismatched-tag', 'mismatched-tag', 'invalid-char', 'invalid-char', 'invalid-utf8', 'invalid-utf8', 'nul-inside', 'nul-inside', 'trailing-nul',
    'empty', 'only-bom', 'whitespace-only', 'garbage-before-declaration', 'declaration-not-first', 'two-declarations', 'unescaped-ampersand',
    'cdata-end-in-text', 'unterminated-comment', 'double-dash-in-comment', 'unterminated-cdata', 'unquoted-attribute', 'duplicate-attribute',
    'name-starts-with-digit', 'lone-lt', 'attribute-without-value', 'end-tag-with-attribute', 'empty-end-tag', 'trailing-garbage', 'second-root',
    'bad-standalone', 'unknown-encoding', 'bad-char-reference',
  ] as const);
  const u = r.next();
  const v = r.next();
  // Never a byte XML allows in text (0x7F is allowed, tab/LF/CR too): the mutation must make the message ill-formed.
  const poisonBytes = [0x01, 0x02, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xfe, 0xff, 0x3c, 0x26];
  const poison = r.pick(poisonBytes);
  const badChar = r.pick(['\u0001', '\u0002', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f', '\ufffe', '\uffff']);
  const badUtf8 = r.pick([[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80], [0xc3]]);
  const trailer = r.pick(['', ' ', '\n', ' trailing text', '<!-- after -->', '<?pi after?>', '\u0000\u0000']);
  const name = r.ncname(12);
  const describe = (): string => {
    switch (form) {
      case 'byte-replaced':
        return `byte at ${(u * 100).toFixed(1)}% replaced with 0x${poison.toString(16)}`;
      case 'byte-inserted':
        return `byte 0x${poison.toString(16)} inserted at ${(u * 100).toFixed(1)}%`;
      case 'truncated':
        return `valid envelope cut at ${(u * 100).toFixed(1)}% of its length`;
      case 'invalid-char':
        return `U+${badChar.charCodeAt(0).toString(16).padStart(4, '0')} inside ist:Cognome`;
      case 'invalid-utf8':
        return `bytes ${badUtf8.map((b) => b.toString(16)).join(' ')} at ${(u * 100).toFixed(1)}%`;
      case 'nul-inside':
        return `NUL byte at ${(u * 100).toFixed(1)}% of a valid envelope`;
      case 'trailing-nul':
        return `valid envelope followed by a NUL byte and ${JSON.stringify(trailer)}`;
      default:
        return form;
    }
  };
  return kit.make('malformed', `malformed:${form}`, describe(), (prot) => {
    const env = kit.envelope(prot);
    const bytes = Buffer.from(env, 'utf8');
    const at = (f: number) => Math.min(bytes.length - 1, Math.floor(f * bytes.length));
    const splice = (pos: number, insert: Buffer, remove = 0) => Buffer.concat([bytes.subarray(0, pos), insert, bytes.subarray(pos + remove)]);
    const closingTags = [...env.matchAll(/<\/[A-Za-z:]+>/g)];
    const pickTag = () => closingTags[Math.floor(v * closingTags.length)]!;
    const MALFORMED: readonly Code[] = ['XML_MALFORMATO', 'SOAP_NON_VALIDO', 'SCHEMA_NON_VALIDO'];
    const out = (body: string | Buffer): Built => ({ request: post(body), expect: MALFORMED });
    switch (form) {
      case 'truncated':
        return out(bytes.subarray(0, at(u)));
      case 'byte-replaced': {
        let pos = at(u);
        if (bytes[pos] === poison) pos = (pos + 1) % bytes.length;
        return out(splice(pos, Buffer.from([poison]), 1));
      }
      case 'byte-inserted':
        return out(splice(at(u), Buffer.from([poison])));
      case 'unclosed-tag': {
        const t = pickTag();
        return out(env.slice(0, t.index) + env.slice(t.index + t[0].length));
      }
      case 'mismatched-tag': {
        const t = pickTag();
        return out(`${env.slice(0, t.index)}</${name}>${env.slice(t.index + t[0].length)}`);
      }
      case 'invalid-char':
        return out(env.replace('<ist:Cognome>Rossi', `<ist:Cognome>Ro${badChar}ssi`));
      case 'invalid-utf8':
        return out(splice(at(u), Buffer.from(badUtf8)));
      case 'nul-inside':
        return out(splice(Math.max(1, at(u)), Buffer.from([0])));
      case 'trailing-nul':
        // libxml2 is handed a C string: a NUL would end the document it checks, not the one that is read.
        return out(Buffer.concat([bytes, Buffer.from([0]), Buffer.from(trailer, 'utf8')]));
      case 'empty':
        return out('');
      case 'only-bom':
        return out(Buffer.from([0xef, 0xbb, 0xbf]));
      case 'whitespace-only':
        return out(' \r\n\t ');
      case 'garbage-before-declaration':
        return out(`garbage${env}`);
      case 'declaration-not-first':
        return out(`\n ${env}`);
      case 'two-declarations':
        return out(env.replace(XML_DECL, `${XML_DECL}${XML_DECL}`));
      case 'unescaped-ampersand':
        return out(env.replace('<ist:Cognome>Rossi', '<ist:Cognome>Rossi & figli'));
      case 'cdata-end-in-text':
        return out(env.replace('<ist:Cognome>Rossi', '<ist:Cognome>Rossi]]>'));
      case 'unterminated-comment':
        return out(env.replace('<ist:Richiedente>', '<!-- never closed <ist:Richiedente>'));
      case 'double-dash-in-comment':
        return out(env.replace('<ist:Richiedente>', '<!-- a -- b --><ist:Richiedente>'));
      case 'unterminated-cdata':
        return out(env.replace('<ist:Cognome>Rossi', '<ist:Cognome><![CDATA[Rossi'));
      case 'unquoted-attribute':
        return out(env.replace(`xmlns:ist="${NS.ist}"`, `xmlns:ist=${NS.ist}`));
      case 'duplicate-attribute':
        return out(env.replace(`xmlns:ist="${NS.ist}"`, `xmlns:ist="${NS.ist}" xmlns:ist="${NS.ist}"`));
      case 'name-starts-with-digit':
        return out(env.replace('<ist:Cognome>Rossi</ist:Cognome>', '<ist:Cognome><1a>Rossi</1a></ist:Cognome>'));
      case 'lone-lt':
        return out(env.replace('<ist:Cognome>Rossi', '<ist:Cognome>Ro < ssi'));
      case 'attribute-without-value':
        return out(env.replace('<ist:PresentaDomanda>', '<ist:PresentaDomanda checked>'));
      case 'end-tag-with-attribute':
        return out(env.replace('</ist:Cognome>', '</ist:Cognome a="b">'));
      case 'empty-end-tag':
        return out(env.replace('</ist:Cognome>', '</>'));
      case 'trailing-garbage':
        return out(`${env}${r.pick(['junk', '<', '&', ']]>'])}`);
      case 'second-root':
        return out(`${env}<soap:Envelope xmlns:soap="${NS.soap}"/>`);
      case 'bad-standalone':
        return out(env.replace(XML_DECL, '<?xml version="1.0" encoding="UTF-8" standalone="maybe"?>'));
      case 'unknown-encoding':
        return out(env.replace('encoding="UTF-8"', `encoding="X-FUZZ-${name}"`));
      case 'bad-char-reference':
        return out(env.replace('<ist:Cognome>Rossi', `<ist:Cognome>Ro${r.pick(['&#0;', '&#x1;', '&#xD800;', '&#xFFFE;', '&#1114112;', '&#xZZ;', '&#;'])}ssi`));
    }
  });
}
