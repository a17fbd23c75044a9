import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { envelope } from '../../shared/messages/envelope';
import { PROJECT_ROOT, WSDL_DIR } from '../../shared/paths';
import { parseEnvelope, validateEnvelope } from '../../shared/xml/envelope';
import { Xml } from '../../shared/xml/write';

/**
 * docs/INTEGRAZIONE.md is what a counterpart's developers build from: it must stay true to the code. Every fault
 * code of the catalogue is in its tables (the ones sent in a Fault with their HTTP status, faultcode and
 * retryability as the catalogue has them), and every operation of the three WSDLs has a worked example whose
 * request and response payloads are the operation's elements and valid against the contracts' XSD.
 */

const DOC = readFileSync(path.join(PROJECT_ROOT, 'docs', 'INTEGRAZIONE.md'), 'utf8');

/** The text of a section, from its heading to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs/INTEGRAZIONE.md has no heading "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}} `).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Rows of the markdown tables in a text whose first cell is a code in backticks, as arrays of trimmed cells. */
function codeRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => /^\| `[A-Z][A-Z0-9_]+` \|/.test(l))
    .map((l) => l.slice(1, l.lastIndexOf('|')).split('|').map((c) => c.trim()));
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('docs/INTEGRAZIONE.md, fault codes', () => {
  const codici = section(DOC, '## Codici di errore');
  const inviati = codeRows(section(codici, '### Codici che la federazione invia'));
  const nonInviati = codeRows(section(codici, '### Codici che non ricevete in un Fault'));

  test('every code of shared/errors.ts is in one of the two tables, once, and the tables name no other', () => {
    const documented = [...inviati, ...nonInviati].map((r) => unquote(r[0]!));
    expect(documented.filter((c, i) => documented.indexOf(c) !== i)).toEqual([]);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  test('a code sent in a Fault has the HTTP status, faultcode and retryability of the catalogue, and says what to do', () => {
    expect(inviati.length).toBeGreaterThan(0);
    for (const [codice, http, faultcode, ritentabile, significato, cosaFare] of inviati) {
      const spec = ERROR_CODES[unquote(codice!) as ErrorCode];
      expect({ codice, http, faultcode, ritentabile }).toEqual({
        codice,
        http: String(spec.http),
        faultcode: `\`soap:${spec.actor}\``,
        ritentabile: spec.retryable ? 'sì' : 'no',
      });
      expect(significato).not.toBe('');
      expect(cosaFare).not.toBe('');
    }
  });

  test('the Fault example carries com:ErroreApe as the catalogue defines its code', () => {
    const esempio = /```xml\n(<soap:Envelope[\s\S]*?<\/soap:Envelope>)\n```/.exec(codici)![1]!;
    const codice = /<com:Codice>([A-Z_]+)<\/com:Codice>/.exec(esempio)![1] as ErrorCode;
    const spec = ERROR_CODES[codice];
    expect(esempio).toContain(`<faultcode>soap:${spec.actor}</faultcode>`);
    expect(esempio).toContain(`<com:Ritentabile>${spec.retryable}</com:Ritentabile>`);
    const fault = /<soap:Fault>[\s\S]*<\/soap:Fault>/.exec(esempio)![0];
    expect(() => validateEnvelope(parseEnvelope(envelope([], new Xml(fault))))).not.toThrow();
  });
});

interface Operazione {
  wsdl: string;
  name: string;
  /** The request and response payload elements as prefix:local (the prefixes the contracts use throughout). */
  input: string;
  output: string;
}

/** Every operation of every WSDL's portType, with the elements of its input and output messages. */
function operazioni(): Operazione[] {
  const result: Operazione[] = [];
  for (const file of readdirSync(WSDL_DIR).filter((f) => f.endsWith('.wsdl'))) {
    const doc = new DOMParser().parseFromString(readFileSync(path.join(WSDL_DIR, file), 'utf8'), 'text/xml');
    const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
    const elementOf = new Map<string, string>();
    for (const m of Array.from(doc.getElementsByTagNameNS(WSDL, 'message'))) {
      const part = m.getElementsByTagNameNS(WSDL, 'part')[0];
      if (part?.getAttribute('element')) elementOf.set(m.getAttribute('name')!, part.getAttribute('element')!);
    }
    const portType = doc.getElementsByTagNameNS(WSDL, 'portType')[0]!;
    for (const op of Array.from(portType.getElementsByTagNameNS(WSDL, 'operation'))) {
      const msg = (tag: string) => op.getElementsByTagNameNS(WSDL, tag)[0]!.getAttribute('message')!.replace(/^tns:/, '');
      result.push({ wsdl: file, name: op.getAttribute('name')!, input: elementOf.get(msg('input'))!, output: elementOf.get(msg('output'))! });
    }
  }
  return result;
}

describe('docs/INTEGRAZIONE.md, worked examples', () => {
  const esempi = section(DOC, '## Esempi svolti');
  const ops = operazioni();

  test('the three WSDLs are read (eight operations)', () => {
    expect(ops.map((o) => o.name).sort()).toEqual(
      ['NotificaAccertamento', 'NotificaEsito', 'NotificaRiscontro', 'PresentaDomanda', 'SegnalaCaso', 'SollecitaEsito', 'StatoIstruttoria', 'VerificaPacchetto'],
    );
  });

  test.each(ops.map((o) => [o.name, o] as const))('%s has a heading, a request and a response, both valid against the contracts', (_name, op) => {
    const testo = section(esempi, `### ${op.name}`);
    const blocchi = [...testo.matchAll(/```xml\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocchi).toHaveLength(2);
    const [richiesta, risposta] = blocchi as [string, string];
    expect(richiesta.startsWith(`<${op.input} `)).toBe(true);
    expect(risposta.startsWith(`<${op.output} `)).toBe(true);
    for (const payload of blocchi) expect(() => validateEnvelope(parseEnvelope(envelope([], new Xml(payload))))).not.toThrow();
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, -, _ and spaces kept), spaces as -. */
const anchor = (heading: string) =>
  heading
    .replace(/^#+ /, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

test('every link to a section of docs/INTEGRAZIONE.md, in it or in the other documents, names a heading it has', () => {
  const anchors = new Set(DOC.split('\n').filter((l) => /^#{1,6} /.test(l)).map(anchor));
  const links = [...DOC.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  expect(links.length).toBeGreaterThan(10);
  const docs = path.join(PROJECT_ROOT, 'docs');
  const others = [path.join(PROJECT_ROOT, 'README.md'), ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => path.join(docs, f))];
  for (const file of others) links.push(...[...readFileSync(file, 'utf8').matchAll(/INTEGRAZIONE\.md#([^)]+)\)/g)].map((m) => m[1]!));
  expect(links.filter((l) => !anchors.has(l))).toEqual([]);
});
