import { DateTime } from 'luxon';
import { CATEGORIE, ENTI_VERIFICATORI } from '../../../shared/domain/types';

/**
 * The istruttorie list's filters, read from the query string and turned into one parameterised SQL query.
 * Pages are keyset-paginated on (aperta_il, id), newest first: the cursor is the last row shown, so a page
 * costs the same at the end of 100,000 istruttorie as at the start, and rows added meanwhile do not shift it.
 * Every condition is written so that an index answers it (migration inps/004).
 */
export const STATI = ['IN_VERIFICA', 'VALUTAZIONE_INL', 'CHIUSA'] as const;
export const TIPI = ['APE_SOCIALE', 'PRECOCI'] as const;
export const REGOLE = ['ESITI_ARCHIVI', 'ESITO_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_TERMINE'] as const;

export interface FiltroIstruttorie {
  stato?: (typeof STATI)[number];
  categoria?: (typeof CATEGORIE)[number];
  tipo?: (typeof TIPI)[number];
  /** A party whose packet is still awaited (not yet sent, or sent and unanswered). */
  attesa?: (typeof ENTI_VERIFICATORI)[number];
  /** Only istruttorie with a deadline passed: a packet overdue, or the wait limit reached while still open. */
  scadute?: boolean;
  regola?: (typeof REGOLE)[number];
  /** Opened on or after this day (Europe/Rome)... */
  dal?: string;
  /** ...and on or before this one. */
  al?: string;
  /** Codice fiscale, domanda protocol, istruttoria id, packet id or correlation id. */
  cerca?: string;
  /** The last row of the previous page: aperta_il (ISO) and id. */
  dopo?: { apertaIl: string; id: string };
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

/** Reads the filters from a query string; anything not understood is refused with a readable reason. */
export function leggiFiltro(q: URLSearchParams): FiltroIstruttorie {
  const f: FiltroIstruttorie = {};
  const stato = scelta('stato', q.get('stato'), STATI);
  if (stato) f.stato = stato;
  const categoria = scelta('categoria', q.get('categoria'), CATEGORIE);
  if (categoria) f.categoria = categoria;
  const tipo = scelta('tipo', q.get('tipo'), TIPI);
  if (tipo) f.tipo = tipo;
  const attesa = scelta('attesa', q.get('attesa'), ENTI_VERIFICATORI);
  if (attesa) f.attesa = attesa;
  const regola = scelta('regola', q.get('regola'), REGOLE);
  if (regola) f.regola = regola;
  if (q.get('scadute') === '1') f.scadute = true;
  const dal = giorno('dal', q.get('dal'));
  if (dal) f.dal = dal;
  const al = giorno('al', q.get('al'));
  if (al) f.al = al;
  if (f.dal && f.al && f.al < f.dal) throw new FiltroNonValido('la data finale precede quella iniziale');
  const cerca = (q.get('cerca') ?? '').trim();
  if (cerca.length > 200) throw new FiltroNonValido('testo di ricerca troppo lungo');
  if (cerca !== '') f.cerca = cerca;
  const dopo = q.get('dopo');
  if (dopo) {
    const [apertaIl, id] = dopo.split('_');
    if (!apertaIl || !id || !UUID.test(id) || Number.isNaN(Date.parse(apertaIl))) throw new FiltroNonValido('cursore di pagina non valido');
    f.dopo = { apertaIl: new Date(apertaIl).toISOString(), id };
  }
  return f;
}

/** The query string of a filter (links to the next page, the live refresh). */
export function queryDi(f: FiltroIstruttorie, dopo?: { apertaIl: Date; id: string }): string {
  const q = new URLSearchParams();
  for (const k of ['stato', 'categoria', 'tipo', 'attesa', 'regola', 'dal', 'al', 'cerca'] as const) if (f[k]) q.set(k, f[k]!);
  if (f.scadute) q.set('scadute', '1');
  if (dopo) q.set('dopo', `${dopo.apertaIl.toISOString()}_${dopo.id}`);
  return q.toString();
}

const inizioGiorno = (d: string, giorni = 0) => DateTime.fromISO(d, { zone: 'Europe/Rome' }).plus({ days: giorni }).startOf('day').toJSDate();

export interface QueryElenco {
  text: string;
  values: unknown[];
}

/**
 * The page query: `limite` + 1 rows, so the caller knows whether there is a next page without counting.
 * `now` decides what is overdue.
 */
export function queryElenco(f: FiltroIstruttorie, now: Date, limite: number): QueryElenco {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where: string[] = [];
  // Every condition is on the istruttoria (the domanda's through semi-joins): the page is chosen first, and
  // only its rows are joined to their domanda.
  if (f.stato) where.push(`i.stato = ${p(f.stato)}`);
  if (f.regola) where.push(`i.regola_chiusura = ${p(f.regola)}`);
  if (f.tipo) where.push(`i.domanda_id IN (SELECT dt.id FROM domanda dt WHERE dt.tipo = ${p(f.tipo)})`);
  if (f.dal) where.push(`i.aperta_il >= ${p(inizioGiorno(f.dal))}`);
  if (f.al) where.push(`i.aperta_il < ${p(inizioGiorno(f.al, 1))}`);
  if (f.categoria) where.push(`EXISTS (SELECT 1 FROM attestazione a WHERE a.domanda_id = i.domanda_id AND a.categoria = ${p(f.categoria)})`);
  if (f.attesa) {
    where.push(`EXISTS (SELECT 1 FROM pacchetto pa WHERE pa.istruttoria_id = i.id AND pa.destinatario = ${p(f.attesa)} AND pa.stato IN ('DA_INVIARE', 'INVIATO'))`);
  }
  if (f.scadute) {
    const n = p(now);
    where.push(
      `(EXISTS (SELECT 1 FROM pacchetto ps WHERE ps.istruttoria_id = i.id AND (ps.stato = 'SCADUTO' OR (ps.stato = 'INVIATO' AND ps.scadenza_esito < ${n})))` +
        ` OR (i.stato <> 'CHIUSA' AND i.limite < ${n}))`,
    );
  }
  if (f.cerca) where.push(condizioneRicerca(f.cerca, p));
  if (f.dopo) where.push(`(i.aperta_il, i.id) < (${p(f.dopo.apertaIl)}::timestamptz, ${p(f.dopo.id)}::uuid)`);
  const text = `SELECT s.id, s.stato, s.aperta_il, s.esito_verifica, s.regola_chiusura, s.limite, d.protocollo, d.tipo, d.codice_fiscale,
       (SELECT array_agg(pa.destinatario ORDER BY pa.destinatario) FROM pacchetto pa WHERE pa.istruttoria_id = s.id AND pa.stato IN ('DA_INVIARE', 'INVIATO')) AS in_attesa
  FROM (SELECT i.id, i.domanda_id, i.stato, i.aperta_il, i.esito_verifica, i.regola_chiusura, i.limite
          FROM istruttoria i
         ${where.length > 0 ? `WHERE ${where.join('\n           AND ')}` : ''}
         ORDER BY i.aperta_il DESC, i.id DESC
         LIMIT ${p(limite + 1)}) s
  JOIN domanda d ON d.id = s.domanda_id
 ORDER BY s.aperta_il DESC, s.id DESC`;
  return { text, values };
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
