import type { Pool } from 'pg';
import { ENTI_VERIFICATORI } from '../../../shared/domain/types';
import { queryElenco, type FiltroIstruttorie } from './filtri';

/** What the console's pages read besides the istruttoria view (services/inps/core/vista.ts). */

export interface RigaElenco {
  id: string;
  stato: string;
  aperta_il: Date;
  esito_verifica: string | null;
  regola_chiusura: string | null;
  limite: Date | null;
  protocollo: string;
  tipo: string;
  codice_fiscale: string;
  in_attesa: string[] | null;
}

export const RIGHE_PER_PAGINA = 25;

export async function elencoIstruttorie(pool: Pool, f: FiltroIstruttorie, now: Date): Promise<{ righe: RigaElenco[]; altre: boolean }> {
  const q = queryElenco(f, now, RIGHE_PER_PAGINA);
  const { rows } = await pool.query<RigaElenco>(q.text, q.values);
  return { righe: rows.slice(0, RIGHE_PER_PAGINA), altre: rows.length > RIGHE_PER_PAGINA };
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
export async function statistichePerParte(pool: Pool, now: Date): Promise<StatParte[]> {
  const dal = new Date(now.getTime() - 30 * 86_400_000);
  const [attesa, risposte] = await Promise.all([
    pool.query<{ destinatario: string; in_attesa: number; scaduti: number }>(
      `SELECT destinatario, count(*) FILTER (WHERE stato IN ('DA_INVIARE', 'INVIATO'))::int AS in_attesa,
              count(*) FILTER (WHERE stato = 'SCADUTO' OR (stato = 'INVIATO' AND scadenza_esito < $1))::int AS scaduti
         FROM pacchetto WHERE stato IN ('DA_INVIARE', 'INVIATO', 'SCADUTO') GROUP BY destinatario`,
      [now],
    ),
    pool.query<{ destinatario: string; n: number; mediana: number | null; p95: number | null }>(
      `SELECT destinatario, count(*)::int AS n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM risposto_il - inviato_il)) / 3600 AS mediana,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM risposto_il - inviato_il)) / 3600 AS p95
         FROM pacchetto WHERE risposto_il IS NOT NULL AND risposto_il >= $1 AND inviato_il IS NOT NULL GROUP BY destinatario`,
      [dal],
    ),
  ]);
  return ENTI_VERIFICATORI.map((e) => {
    const a = attesa.rows.find((r) => r.destinatario === e);
    const r = risposte.rows.find((x) => x.destinatario === e);
    return {
      destinatario: e,
      inAttesa: a?.in_attesa ?? 0,
      scaduti: a?.scaduti ?? 0,
      risposti: r?.n ?? 0,
      medianaOre: r?.mediana === null || r?.mediana === undefined ? null : Number(r.mediana),
      p95Ore: r?.p95 === null || r?.p95 === undefined ? null : Number(r.p95),
    };
  });
}

/** Domande received and packets answered per day (Europe/Rome), the last `giorni` days up to today. */
export async function volumiPerGiorno(pool: Pool, now: Date, giorni = 14): Promise<VolumeGiorno[]> {
  const { rows } = await pool.query<{ giorno: string; domande: number; esiti: number }>(
    `WITH g AS (
       SELECT generate_series((($1::timestamptz AT TIME ZONE 'Europe/Rome')::date - ($2::int - 1)), ($1::timestamptz AT TIME ZONE 'Europe/Rome')::date, interval '1 day')::date AS giorno
     )
     SELECT to_char(g.giorno, 'YYYY-MM-DD') AS giorno,
            (SELECT count(*) FROM istruttoria i WHERE i.aperta_il >= (g.giorno::timestamp AT TIME ZONE 'Europe/Rome') AND i.aperta_il < ((g.giorno + 1)::timestamp AT TIME ZONE 'Europe/Rome'))::int AS domande,
            (SELECT count(*) FROM pacchetto p WHERE p.risposto_il >= (g.giorno::timestamp AT TIME ZONE 'Europe/Rome') AND p.risposto_il < ((g.giorno + 1)::timestamp AT TIME ZONE 'Europe/Rome'))::int AS esiti
       FROM g ORDER BY g.giorno`,
    [now, giorni],
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
