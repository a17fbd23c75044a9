import type { Built, Code, HostileCase } from './cases';
import { type CaseKit, CF_DATORE, CF_PERSONA, element, INNER, nameOf, NS, post, REQUIRED, setText } from './kit';

/**
 * Hostile PresentaDomanda payloads in a well-formed envelope: invalid against the schema, with a codice fiscale
 * whose check character is wrong, incoherent, or with dates the schema accepts but no domanda can carry.
 */

// ------------------------------------------------------------------------------------ schema-invalid
export function schemaInvalid(kit: CaseKit): HostileCase {
  const r = kit.rng;
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
  return kit.make('schema-invalid', `schema:${form}`, repro, (prot) => {
    const e = (m: (p: string) => string): Built => ({ request: post(kit.envelope(prot, m)), expect: S });
    switch (form) {
      case 'categoria':
        return e((p) => setText(p, 'Categoria', categoria));
      case 'date':
        return e((p) => setText(p, dateField, badDate));
      case 'date-time':
        return e((p) => setText(p, 'DataPresentazione', badDateTime));
      case 'cf-persona-format':
        return e((p) => setText(p, 'CodiceFiscale', badCf(kit.cfRichiedente, cfMutation, cfPos), 1));
      case 'cf-datore-format':
        return e((p) => setText(p, 'CodiceFiscale', badCf(kit.cfDatore, cfMutation, cfPos), 2));
      case 'riferimento':
        return e((p) => setText(p, 'Riferimento', riferimento));
      case 'duplicate-riferimento':
        return e((p) => {
          const a = element(p, 'Attestazione')!;
          const block = p.slice(a.start, a.end);
          return p.slice(0, a.end) + block.repeat(dup - 1) + p.slice(a.end);
        });
      case 'too-many-attestazioni':
        return e((p) => {
          const a = element(p, 'Attestazione')!;
          const block = p.slice(a.start, a.end);
          let all = '';
          for (let i = 1; i <= count; i++) all += setText(block, 'Riferimento', String(i));
          return p.slice(0, a.start) + all + p.slice(a.end);
        });
      case 'missing-element':
        return e((p) => {
          const { name, nth } = nameOf(missing);
          const m = element(p, name, nth)!;
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
          const { name, nth } = nameOf(movedName);
          const m = element(p, name, nth)!;
          const inner = p.slice(m.start + `<ist:${name}>`.length, m.end - `</ist:${name}>`.length);
          const moved =
            movedTo === 'random' ? `<q:${name} xmlns:q="urn:fuzz:${name.toLowerCase()}">${inner}</q:${name}>`
            : movedTo === 'default-none' ? `<${name} xmlns="">${inner}</${name}>`
            : movedTo === 'default-other' ? `<${name} xmlns="${NS.com}">${inner}</${name}>`
            : `<${movedTo}:${name}>${inner}</${movedTo}:${name}>`;
          return p.slice(0, m.start) + moved + p.slice(m.end);
        });
      case 'long-text':
        return e((p) => setText(p, longField, 'D'.repeat(longLength)));
      case 'enumeration':
        return e((p) => setText(p, enumField, enumValue));
      case 'pattern':
        return e((p) => setText(p, patternCase[0], patternCase[1]));
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
function badCf(valid: string, mutation: string, pos: number): string {
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
export function codiceFiscale(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const which = r.pick(['richiedente', 'richiedente', 'datore', 'both'] as const);
  const letter = r.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => c !== kit.cfRichiedente.slice(-1)));
  const digit = r.pick([...'0123456789'].filter((c) => c !== kit.cfDatore.slice(-1)));
  const cfR = kit.cfRichiedente.slice(0, 15) + letter;
  const cfD = kit.cfDatore.slice(0, 10) + digit;
  const repro = which === 'richiedente' ? `Richiedente CF ${cfR}` : which === 'datore' ? `DatoreLavoro CF ${cfD}` : `Richiedente CF ${cfR} and DatoreLavoro CF ${cfD}`;
  return kit.make('codice-fiscale', `cf:${which}`, repro, (prot) => ({
    request: post(
      kit.envelope(prot, (p) => {
        let q = p;
        if (which !== 'datore') q = setText(q, 'CodiceFiscale', cfR, 1);
        if (which !== 'richiedente') q = setText(q, 'CodiceFiscale', cfD, 2);
        return q;
      }),
    ),
    expect: ['CODICE_FISCALE_NON_VALIDO'],
  }));
}

// ---------------------------------------------------------------------------------------- incoherent
export function incoherent(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const form = r.pick(['al-before-dal', 'al-before-dal', 'al-before-dal', 'nascita-after-presentazione', 'dal-after-presentazione', 'domestico-categoria-a'] as const);
  const y = (a: number, b: number) => `${r.int(a, b)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
  const dal = y(2005, 2020);
  const al = y(1980, Number(dal.slice(0, 4)) - 1);
  const future = y(2030, 2090);
  const repro = form === 'al-before-dal' ? `Periodo Dal ${dal} Al ${al}` : form === 'domestico-categoria-a' ? 'TipoAttestazione DATORE_DOMESTICO with Categoria A' : `${form} ${future}`;
  return kit.make('incoherent', `incoherent:${form}`, repro, (prot) => ({
    request: post(
      kit.envelope(prot, (p) => {
        switch (form) {
          case 'al-before-dal':
            return p.replace(/<ist:Dal>[^<]*<\/ist:Dal>/, `<ist:Dal>${dal}</ist:Dal><ist:Al>${al}</ist:Al>`);
          case 'nascita-after-presentazione':
            return setText(p, 'DataNascita', future);
          case 'dal-after-presentazione':
            return setText(p, 'Dal', future);
          case 'domestico-categoria-a':
            return setText(p, 'TipoAttestazione', 'DATORE_DOMESTICO');
        }
      }),
    ),
    expect: ['DATI_INCOERENTI'],
  }));
}

// ------------------------------------------------------------------------------------- extreme dates
/** Dates the XSD accepts (xs:date allows years beyond 9999 and before year 1) but no domanda can carry. */
export function extremeDates(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const field = r.pick(['DataNascita', 'DataDecorrenza', 'Dal', 'Al', 'DataPresentazione'] as const);
  const year = r.pick([String(r.int(10_000, 99_999)), String(r.int(100_000, 9_999_999)), `-${String(r.int(1, 9_999)).padStart(4, '0')}`, '-0001', `-${r.int(10_000, 99_999)}`]);
  const value = field === 'DataPresentazione' ? `${year}-06-15T10:00:00Z` : `${year}-06-15`;
  return kit.make('extreme-dates', `extreme-date:${field}`, `${field} ${value}`, (prot) => ({
    request: post(
      kit.envelope(prot, (p) =>
        field === 'Al' ? p.replace(/<ist:Dal>([^<]*)<\/ist:Dal>/, `<ist:Dal>$1</ist:Dal><ist:Al>${value}</ist:Al>`) : setText(p, field, value),
      ),
    ),
    expect: ['DATI_INCOERENTI', 'SCHEMA_NON_VALIDO'],
  }));
}
