import { DateTime } from 'luxon';
import { CATEGORIE, ENTI_VERIFICATORI, ESITI } from '../../../shared/domain/types';

/**
 * The istruttorie list's filters, read from the query string and turned into one parameterised SQL query.
 * Pages are keyset-paginated on (aperta_il, id), newest first: the cursor is the last row shown, so a page
 * costs the same at the end of 100,000 istruttorie as at the start, and rows added meanwhile do not shift it.
 * Every condition is written so that an index answers it (migration inps/004).
 */
export const STATI = ['IN_VERIFICA', 'VALUTAZIONE_INL', 'CHIUSA'] as const;
export const TIPI = ['APE_SOCIALE', 'PRECOCI'] as const;
export const REGOLE = ['ESITI_ARCHIVI', 'ESITO_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_TERMINE'] as const;
export const ESITI_FILTRO = ESITI;
/** Parties an istruttoria can wait on: the four verifiers' packets, and INL's evaluation or inspection. */
export const ATTESE = ENTI_VERIFICATORI;

/** A row's place in the order of the list: its sort key (an instant, ISO) and its id. */
export interface Cursore {
  chiave: string;
  id: string;
}

export interface FiltroIstruttorie {
  stato?: (typeof STATI)[number];
  categoria?: (typeof CATEGORIE)[number];
  tipo?: (typeof TIPI)[number];
  /**
   * A party the istruttoria waits on: its packet not yet answered (not sent, or sent and unanswered) or, for INL,
   * also its evaluation of the case or its inspection (state VALUTAZIONE_INL).
   */
  attesa?: (typeof ATTESE)[number];
  /** Only istruttorie with a deadline passed: a packet overdue, or the wait limit reached while still open. */
  scadute?: boolean;
  regola?: (typeof REGOLE)[number];
  /** Closed with this outcome of the verification. */
  esito?: (typeof ESITI)[number];
  /** Only istruttorie with a riesame requested (a late INL outcome contradicting the closure). */
  riesame?: boolean;
  /** Opened on or after this day (Europe/Rome)... */
  dal?: string;
  /** ...and on or before this one. */
  al?: string;
  /** Codice fiscale, domanda protocol, istruttoria id, packet id or correlation id. */
  cerca?: string;
  /** Order: newest first (default) or open istruttorie by their next deadline, soonest first. */
  ordine?: 'scadenza';
  /** The last row of the previous page (next page)... */
  dopo?: Cursore;
  /** ...or the first row of the next one (previous page). */
  prima?: Cursore;
  /** The page's number, for its heading (1 when absent). */
  pagina?: number;
  /** Office scoping (never from the query string): only domande submitted from this office (sede). */
  sede?: string;
}

export class FiltroNonValido extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CF = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

function scelta<T extends string>(nome: string, v: string | null, ammessi: readonly T[]): T | undefined {
  if (v === null || v === '') return undefined;
  if (!(ammessi as readonly string[]).includes(v)) throw new FiltroNonValido(`valore non ammesso per ${nome}: ${v}`);
  return v as T;
}

function giorno(nome: string, v: string | null): string | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !DateTime.fromISO(v).isValid) throw new FiltroNonValido(`${nome}: data non valida (AAAA-MM-GG)`);
  return v;
}

function cursore(v: string | null): Cursore | undefined {
  if (!v) return undefined;
  const [chiave, id] = v.split('_');
  if (!chiave || !id || !UUID.test(id) || Number.isNaN(Date.parse(chiave))) throw new FiltroNonValido('cursore di pagina non valido');
  return { chiave: new Date(chiave).toISOString(), id };
}

/** Reads the filters from a query string; anything not understood is refused with a readable reason. */
export function leggiFiltro(q: URLSearchParams): FiltroIstruttorie {
  const f: FiltroIstruttorie = {};
  const stato = scelta('stato', q.get('stato'), STATI);
  if (stato) f.stato = stato;
  const categoria = scelta('categoria', q.get('categoria'), CATEGORIE);
  if (categoria) f.categoria = categoria;
  const tipo = scelta('tipo', q.get('tipo'), TIPI);
  if (tipo) f.tipo = tipo;
  const attesa = scelta('attesa', q.get('attesa'), ATTESE);
  if (attesa) f.attesa = attesa;
  const regola = scelta('regola', q.get('regola'), REGOLE);
  if (regola) f.regola = regola;
  const esito = scelta('esito', q.get('esito'), ESITI);
  if (esito) f.esito = esito;
  if (q.get('scadute') === '1') f.scadute = true;
  if (q.get('riesame') === '1') f.riesame = true;
  const ordine = scelta('ordine', q.get('ordine'), ['scadenza'] as const);
  if (ordine) f.ordine = ordine;
  const dal = giorno('dal', q.get('dal'));
  if (dal) f.dal = dal;
  const al = giorno('al', q.get('al'));
  if (al) f.al = al;
  if (f.dal && f.al && f.al < f.dal) throw new FiltroNonValido('la data finale precede quella iniziale');
  const cerca = (q.get('cerca') ?? '').trim();
  if (cerca.length > 200) throw new FiltroNonValido('testo di ricerca troppo lungo');
  if (cerca !== '') f.cerca = cerca;
  const dopo = cursore(q.get('dopo'));
  if (dopo) f.dopo = dopo;
  const prima = cursore(q.get('prima'));
  if (prima) f.prima = prima;
  const pagina = Number(q.get('pagina') ?? '1');
  if (Number.isInteger(pagina) && pagina > 1 && pagina < 1_000_000) f.pagina = pagina;
  return f;
}

const CAMPI = ['stato', 'categoria', 'tipo', 'attesa', 'regola', 'esito', 'dal', 'al', 'cerca', 'ordine'] as const;

/**
 * The query string of a filter: with a page's cursor (`verso` dopo: next page; prima: previous page) and its number,
 * or without (the filter itself: first page, saved filters, CSV export, dashboard links).
 */
export function queryDi(f: FiltroIstruttorie, pagina?: { verso: 'dopo' | 'prima'; cursore: Cursore; numero: number }): string {
  const q = new URLSearchParams();
  for (const k of CAMPI) if (f[k]) q.set(k, f[k]!);
  if (f.scadute) q.set('scadute', '1');
  if (f.riesame) q.set('riesame', '1');
  if (pagina) {
    q.set(pagina.verso, `${pagina.cursore.chiave}_${pagina.cursore.id}`);
    if (pagina.numero > 1) q.set('pagina', String(pagina.numero));
  }
  return q.toString();
}

const inizioGiorno = (d: string, giorni = 0) => DateTime.fromISO(d, { zone: 'Europe/Rome' }).plus({ days: giorni }).startOf('day').toJSDate();

export interface QueryElenco {
  text: string;
  values: unknown[];
}

/** The conditions of a filter (without its page cursor), on the istruttoria `i`. */
function condizioni(f: FiltroIstruttorie, now: Date, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  // Every condition is on the istruttoria (the domanda's through semi-joins): the page is chosen first, and
  // only its rows are joined to their domanda.
  if (f.sede !== undefined) where.push(`i.domanda_id IN (SELECT du.id FROM domanda du WHERE du.operatore_ufficio = ${p(f.sede)})`);
  if (f.stato) where.push(`i.stato = ${p(f.stato)}`);
  if (f.ordine === 'scadenza' && !f.stato) where.push(`i.stato IN ('IN_VERIFICA', 'VALUTAZIONE_INL')`);
  if (f.regola) where.push(`i.regola_chiusura = ${p(f.regola)}`);
  if (f.esito) where.push(`(i.stato = 'CHIUSA' AND i.esito_verifica = ${p(f.esito)})`);
  if (f.riesame) where.push('i.riesame_il IS NOT NULL');
  if (f.tipo) where.push(`i.domanda_id IN (SELECT dt.id FROM domanda dt WHERE dt.tipo = ${p(f.tipo)})`);
  if (f.dal) where.push(`i.aperta_il >= ${p(inizioGiorno(f.dal))}`);
  if (f.al) where.push(`i.aperta_il < ${p(inizioGiorno(f.al, 1))}`);
  if (f.categoria) where.push(`EXISTS (SELECT 1 FROM attestazione a WHERE a.domanda_id = i.domanda_id AND a.categoria = ${p(f.categoria)})`);
  if (f.attesa) {
    const pacchetto = `EXISTS (SELECT 1 FROM pacchetto pa WHERE pa.istruttoria_id = i.id AND pa.destinatario = ${p(f.attesa)} AND pa.stato IN ('DA_INVIARE', 'INVIATO'))`;
    // INL's evaluation of the case and its inspection are a wait on INL too (art. 5).
    where.push(f.attesa === 'INL' ? `(${pacchetto} OR i.stato = 'VALUTAZIONE_INL')` : pacchetto);
  }
  if (f.scadute) {
    const n = p(now);
    where.push(
      `(EXISTS (SELECT 1 FROM pacchetto ps WHERE ps.istruttoria_id = i.id AND (ps.stato = 'SCADUTO' OR (ps.stato = 'INVIATO' AND ps.scadenza_esito < ${n})))` +
        ` OR (i.stato <> 'CHIUSA' AND i.limite < ${n}))`,
    );
  }
  if (f.cerca) where.push(condizioneRicerca(f.cerca, p));
  return where;
}

/** The next deadline of an open istruttoria: the earliest awaited esito, or its wait limit; none once closed. */
const PROSSIMA = `CASE WHEN i.stato = 'CHIUSA' THEN NULL ELSE LEAST(i.limite, (SELECT min(px.scadenza_esito) FROM pacchetto px WHERE px.istruttoria_id = i.id AND px.stato IN ('DA_INVIARE', 'INVIATO'))) END`;
/** Sort key of the deadline order (an open istruttoria without any deadline goes last). */
const CHIAVE_SCADENZA = `COALESCE(${PROSSIMA}, '9999-12-31T00:00:00Z'::timestamptz)`;

/**
 * The page query: `limite` + 1 rows, so the caller knows whether there is another page without counting.
 * `now` decides what is overdue. A previous page is read backwards from its cursor, then put back in order.
 */
export function queryElenco(f: FiltroIstruttorie, now: Date, limite: number): QueryElenco {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where = condizioni(f, now, p);
  const perScadenza = f.ordine === 'scadenza';
  const chiave = perScadenza ? CHIAVE_SCADENZA : 'i.aperta_il';
  // Newest first, or soonest deadline first; backwards for a previous page.
  const indietro = !f.dopo && f.prima !== undefined;
  const verso = perScadenza !== indietro ? 'ASC' : 'DESC';
  const c = f.dopo ?? f.prima;
  if (c) {
    where.push(`(${chiave}, i.id) ${verso === 'ASC' ? '>' : '<'} (${p(c.chiave)}::timestamptz, ${p(c.id)}::uuid)`);
  }
  const ordine = `${perScadenza ? 's.chiave' : 's.aperta_il'} ${perScadenza ? 'ASC' : 'DESC'}, s.id ${perScadenza ? 'ASC' : 'DESC'}`;
  const text = `SELECT s.id, s.stato, s.aperta_il, s.esito_verifica, s.regola_chiusura, s.limite, s.riesame_il, s.prossima, s.chiave,
       to_char(s.finestra_chiusura, 'YYYY-MM-DD') AS finestra_chiusura, to_char(s.finestra_graduatoria, 'YYYY-MM-DD') AS finestra_graduatoria,
       d.protocollo, d.tipo, d.codice_fiscale,
       (SELECT array_agg(pa.destinatario ORDER BY pa.destinatario) FROM pacchetto pa WHERE pa.istruttoria_id = s.id AND pa.stato IN ('DA_INVIARE', 'INVIATO')) AS in_attesa
  FROM (SELECT i.id, i.domanda_id, i.stato, i.aperta_il, i.esito_verifica, i.regola_chiusura, i.limite, i.riesame_il, i.finestra_chiusura, i.finestra_graduatoria,
               ${PROSSIMA} AS prossima, ${chiave} AS chiave
          FROM istruttoria i
         ${where.length > 0 ? `WHERE ${where.join('\n           AND ')}` : ''}
         ORDER BY ${chiave} ${verso}, i.id ${verso}
         LIMIT ${p(limite + 1)}) s
  JOIN domanda d ON d.id = s.domanda_id
 ORDER BY ${ordine}`;
  return { text, values };
}

/** How many istruttorie the filter selects (the list's total), whatever the page. */
export function queryConteggio(f: FiltroIstruttorie, now: Date): QueryElenco {
  const values: unknown[] = [];
  const where = condizioni(f, now, (v) => {
    values.push(v);
    return `$${values.length}`;
  });
  return { text: `SELECT count(*)::int AS n FROM istruttoria i ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`, values };
}

/**
 * One search box for five identifiers: the shape of the text says which (a codice fiscale; a UUID: istruttoria,
 * packet or correlation id; anything else: domanda protocol or correlation id). The matching istruttorie are
 * found first through unique or dedicated indexes, so the planner joins a handful of ids, never scans.
 */
function condizioneRicerca(testo: string, p: (v: unknown) => string): string {
  const t = testo.toUpperCase();
  if (CF.test(t)) return `i.domanda_id IN (SELECT dc.id FROM domanda dc WHERE dc.codice_fiscale = ${p(t)})`;
  if (UUID.test(testo)) {
    const id = p(testo.toLowerCase());
    return `i.id IN (SELECT ${id}::uuid UNION ALL SELECT pc.istruttoria_id FROM pacchetto pc WHERE pc.id = ${id}::uuid UNION ALL SELECT pk.istruttoria_id FROM pacchetto pk WHERE pk.correlation_id = ${id}::text)`;
  }
  const v = p(testo);
  return `i.id IN (SELECT ix.id FROM domanda dx JOIN istruttoria ix ON ix.domanda_id = dx.id WHERE dx.protocollo = ${v} UNION ALL SELECT pk.istruttoria_id FROM pacchetto pk WHERE pk.correlation_id = ${v})`;
}
