import type { Pool } from 'pg';
import { ENTI_VERIFICATORI } from '../../../shared/domain/types';
import { queryConteggio, queryElenco, type FiltroIstruttorie } from './filtri';

/** What the console's pages read besides the istruttoria view (services/inps/core/vista.ts). */

export interface RigaElenco {
  id: string;
  stato: string;
  aperta_il: Date;
  esito_verifica: string | null;
  regola_chiusura: string | null;
  limite: Date | null;
  riesame_il: Date | null;
  /** The next deadline of an open istruttoria (earliest awaited esito or its wait limit). */
  prossima: Date | null;
  /** The row's sort key (its cursor). */
  chiave: Date;
  finestra_chiusura: string | null;
  finestra_graduatoria: string | null;
  protocollo: string;
  tipo: string;
  codice_fiscale: string;
  /** Parties awaited: packets unanswered, and INL while it evaluates the case or inspects. */
  in_attesa: string[];
}

export const RIGHE_PER_PAGINA = 25;

export interface PaginaElenco {
  righe: RigaElenco[];
  /** Whether there is a page after this one... */
  successiva: boolean;
  /** ...and before it. */
  precedente: boolean;
  totale: number;
}

export async function elencoIstruttorie(pool: Pool, f: FiltroIstruttorie, now: Date, righePerPagina = RIGHE_PER_PAGINA): Promise<PaginaElenco> {
  const q = queryElenco(f, now, righePerPagina);
  const c = queryConteggio(f, now);
  const [{ rows }, conteggio] = await Promise.all([pool.query<Omit<RigaElenco, 'in_attesa'> & { in_attesa: string[] | null }>(q.text, q.values), pool.query<{ n: number }>(c.text, c.values)]);
  const indietro = !f.dopo && f.prima !== undefined;
  const altre = rows.length > righePerPagina;
  // Read backwards from a previous page's cursor, the extra row is the farthest from it: the first in list order.
  const pagina = altre ? (indietro ? rows.slice(1) : rows.slice(0, righePerPagina)) : rows;
  return {
    righe: pagina.map((r) => ({ ...r, in_attesa: attese(r.in_attesa ?? [], r.stato) })),
    successiva: indietro ? true : altre,
    precedente: indietro ? altre : f.dopo !== undefined,
    totale: conteggio.rows[0]?.n ?? 0,
  };
}

/** INL evaluating the case or inspecting (VALUTAZIONE_INL) is a wait on INL, like an unanswered packet. */
function attese(pacchetti: string[], stato: string): string[] {
  return stato === 'VALUTAZIONE_INL' && !pacchetti.includes('INL') ? [...pacchetti, 'INL'] : pacchetti;
}

/** Whether the istruttoria's domanda was submitted from this office (sede). */
export async function dellaSede(pool: Pool, idIstruttoria: string, sede: string): Promise<boolean> {
  const r = await pool.query('SELECT 1 FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id WHERE i.id = $1 AND d.operatore_ufficio = $2', [idIstruttoria, sede]);
  return (r.rowCount ?? 0) > 0;
}

/** One timeline event with what the console's wording needs: its details and its packet's party. */
export interface EventoConsole {
  tipo: string;
  avvenutoIl: Date;
  dettagli: Record<string, unknown>;
  destinatario: string | null;
}

export async function eventiIstruttoria(pool: Pool, idIstruttoria: string): Promise<EventoConsole[]> {
  const { rows } = await pool.query<{ tipo: string; avvenuto_il: Date; dettagli: Record<string, unknown>; destinatario: string | null }>(
    `SELECT e.tipo, e.avvenuto_il, e.dettagli, p.destinatario FROM evento e LEFT JOIN pacchetto p ON p.id = e.pacchetto_id WHERE e.istruttoria_id = $1 ORDER BY e.id`,
    [idIstruttoria],
  );
  return rows.map((r) => ({ tipo: r.tipo, avvenutoIl: r.avvenuto_il, dettagli: r.dettagli ?? {}, destinatario: r.destinatario }));
}

/** The attestations as declared in the domanda (what each esito is about), by their reference number. */
export interface AttestazioneDichiarata {
  riferimento: number;
  datore: string;
  datoreCf: string;
  dal: string;
  al: string | null;
  ccnl: string | null;
  livello: string | null;
  categoria: string;
  professioneIstat: string;
  vociTariffaInail: string[];
  lavoroATurni: boolean | null;
  attivitaEducativa: boolean | null;
}

export async function attestazioniDichiarate(pool: Pool, idIstruttoria: string): Promise<AttestazioneDichiarata[]> {
  const { rows } = await pool.query<AttestazioneDichiarata>(
    `SELECT a.riferimento, a.datore_denominazione AS datore, a.datore_codice_fiscale AS "datoreCf", to_char(a.dal, 'YYYY-MM-DD') AS dal, to_char(a.al, 'YYYY-MM-DD') AS al,
            a.ccnl, a.livello, a.categoria, a.professione_istat AS "professioneIstat", a.voci_tariffa_inail AS "vociTariffaInail",
            a.lavoro_a_turni AS "lavoroATurni", a.attivita_educativa AS "attivitaEducativa"
       FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id WHERE i.id = $1 ORDER BY a.riferimento`,
    [idIstruttoria],
  );
  return rows;
}

/** Exactly what each party received (the packet's stored content): its minimised data. */
export async function contenutiPacchetti(pool: Pool, idIstruttoria: string): Promise<Array<{ id: string; destinatario: string; contenuto: Record<string, unknown> }>> {
  const { rows } = await pool.query(
    `SELECT id, destinatario, contenuto FROM pacchetto WHERE istruttoria_id = $1 ORDER BY array_position(ARRAY['MINLAVORO','ANPAL','INAIL','INL'], destinatario)`,
    [idIstruttoria],
  );
  return rows;
}

export interface StatParte {
  destinatario: string;
  inAttesa: number;
  scaduti: number;
  risposti: number;
  medianaOre: number | null;
  p95Ore: number | null;
}

export interface VolumeGiorno {
  giorno: string;
  domande: number;
  esiti: number;
}

/** Per party: packets awaited, overdue, and reply times (sent to answered) over the last 30 days. */
export async function statistichePerParte(pool: Pool, now: Date, sede?: string): Promise<StatParte[]> {
  const dal = new Date(now.getTime() - 30 * 86_400_000);
  // Within one office (an officer's view): only the packets and istruttorie of domande submitted from it.
  const dellaSede = (alias: string) => (sede === undefined ? '' : ` AND EXISTS (SELECT 1 FROM istruttoria si JOIN domanda sd ON sd.id = si.domanda_id WHERE si.id = ${alias} AND sd.operatore_ufficio = $2)`);
  const conSede = (params: unknown[]) => (sede === undefined ? params : [...params, sede]);
  const [attesa, risposte, valutazioneInl] = await Promise.all([
    pool.query<{ destinatario: string; in_attesa: number; scaduti: number }>(
      `SELECT destinatario, count(*) FILTER (WHERE stato IN ('DA_INVIARE', 'INVIATO'))::int AS in_attesa,
              count(*) FILTER (WHERE stato = 'SCADUTO' OR (stato = 'INVIATO' AND scadenza_esito < $1))::int AS scaduti
         FROM pacchetto WHERE stato IN ('DA_INVIARE', 'INVIATO', 'SCADUTO')${dellaSede('pacchetto.istruttoria_id')} GROUP BY destinatario`,
      conSede([now]),
    ),
    pool.query<{ destinatario: string; n: number; mediana: number | null; p95: number | null }>(
      `SELECT destinatario, count(*)::int AS n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM risposto_il - inviato_il)) / 3600 AS mediana,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM risposto_il - inviato_il)) / 3600 AS p95
         FROM pacchetto WHERE risposto_il IS NOT NULL AND risposto_il >= $1 AND inviato_il IS NOT NULL${dellaSede('pacchetto.istruttoria_id')} GROUP BY destinatario`,
      conSede([dal]),
    ),
    // INL evaluating a case or inspecting: a wait on INL as much as an unanswered packet (art. 5).
    pool.query<{ n: number; scaduti: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE limite < $1)::int AS scaduti FROM istruttoria i
        WHERE stato = 'VALUTAZIONE_INL' AND NOT EXISTS (SELECT 1 FROM pacchetto p WHERE p.istruttoria_id = i.id AND p.destinatario = 'INL' AND p.stato IN ('DA_INVIARE', 'INVIATO'))${dellaSede('i.id')}`,
      conSede([now]),
    ),
  ]);
  return ENTI_VERIFICATORI.map((e) => {
    const a = attesa.rows.find((r) => r.destinatario === e);
    const r = risposte.rows.find((x) => x.destinatario === e);
    const inl = e === 'INL' ? valutazioneInl.rows[0] : undefined;
    return {
      destinatario: e,
      inAttesa: (a?.in_attesa ?? 0) + (inl?.n ?? 0),
      scaduti: (a?.scaduti ?? 0) + (inl?.scaduti ?? 0),
      risposti: r?.n ?? 0,
      medianaOre: r?.mediana === null || r?.mediana === undefined ? null : Number(r.mediana),
      p95Ore: r?.p95 === null || r?.p95 === undefined ? null : Number(r.p95),
    };
  });
}

/** Domande received and packets answered per day (Europe/Rome), the last `giorni` days up to today. */
export async function volumiPerGiorno(pool: Pool, now: Date, giorni = 14, sede?: string): Promise<VolumeGiorno[]> {
  const dellaSede = (alias: string) => (sede === undefined ? '' : ` AND EXISTS (SELECT 1 FROM istruttoria si JOIN domanda sd ON sd.id = si.domanda_id WHERE si.id = ${alias} AND sd.operatore_ufficio = $3)`);
  const { rows } = await pool.query<{ giorno: string; domande: number; esiti: number }>(
    `WITH g AS (
       SELECT generate_series((($1::timestamptz AT TIME ZONE 'Europe/Rome')::date - ($2::int - 1)), ($1::timestamptz AT TIME ZONE 'Europe/Rome')::date, interval '1 day')::date AS giorno
     )
     SELECT to_char(g.giorno, 'YYYY-MM-DD') AS giorno,
            (SELECT count(*) FROM istruttoria i WHERE i.aperta_il >= (g.giorno::timestamp AT TIME ZONE 'Europe/Rome') AND i.aperta_il < ((g.giorno + 1)::timestamp AT TIME ZONE 'Europe/Rome')${dellaSede('i.id')})::int AS domande,
            (SELECT count(*) FROM pacchetto p WHERE p.risposto_il >= (g.giorno::timestamp AT TIME ZONE 'Europe/Rome') AND p.risposto_il < ((g.giorno + 1)::timestamp AT TIME ZONE 'Europe/Rome')${dellaSede('p.istruttoria_id')})::int AS esiti
       FROM g ORDER BY g.giorno`,
    sede === undefined ? [now, giorni] : [now, giorni, sede],
  );
  return rows;
}

/** Console accounts with their suspension, for the supervisor. */
export async function operatoriConSospensione(pool: Pool): Promise<Array<{ id: string; nome: string; ufficio: string; ruolo: string; attivo: boolean; sospeso: string | null }>> {
  const { rows } = await pool.query(
    `SELECT o.id, o.nome, o.ufficio, o.ruolo, o.attivo,
            (SELECT s.motivo FROM sospensione s WHERE s.tipo = 'OPERATORE' AND s.soggetto = o.id AND s.revocata_il IS NULL) AS sospeso
       FROM operatore_console o ORDER BY o.id`,
  );
  return rows;
}
