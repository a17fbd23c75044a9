import type { Pool } from 'pg';
import type { Clock } from '../clock';
import { shortCache, type Reading, type SeriesRegistry } from './series';

/**
 * The scrape-time readings of the federation's state: outbox backlog (every schema), packets, istruttorie and
 * deadlines (the INPS schema), queue depths (RabbitMQ), certificate validity. Each is one cheap query or call,
 * cached for a few seconds.
 */

const CACHE_DB_MS = 5000;

/** Rows of a schema's outbox not yet published, and how long the oldest has waited. */
export function outboxReadings(serie: SeriesRegistry, pool: Pool, schema: string): void {
  const leggi = shortCache(CACHE_DB_MS, async () => {
    const r = await pool.query<{ n: number; eta: number | null }>(
      `SELECT count(*)::int AS n, extract(epoch FROM now() - min(creato_il))::float8 AS eta FROM outbox WHERE pubblicato_il IS NULL`,
    );
    return r.rows[0]!;
  });
  serie.serie(
    { nome: 'ape_outbox_da_pubblicare', help: 'Outbox rows not yet published to RabbitMQ, by schema', etichette: ['schema'] },
    `outbox ${schema}`,
    async () => [[{ schema }, (await leggi()).n]],
  );
  serie.serie(
    { nome: 'ape_outbox_attesa_massima_secondi', help: 'Age of the oldest outbox row not yet published (0 when none), by schema', etichette: ['schema'] },
    `outbox ${schema}`,
    async () => [[{ schema }, Math.max(0, (await leggi()).eta ?? 0)]],
  );
}

/** How far past its due time a pending timer counts as late rather than just due (the scheduler polls every second or so). */
export const TIMER_LATE_MS = 60_000;

interface StatoInps {
  pacchetti: Reading[];
  oltreScadenza: Reading[];
  istruttorie: Reading[];
  timer: Reading[];
}

/** Packets by party and state, packets past their deadline, istruttorie by state, pending timers (INPS schema). */
export function inpsReadings(serie: SeriesRegistry, pool: Pool, clock: Clock): void {
  const leggi = shortCache(CACHE_DB_MS, async (): Promise<StatoInps> => {
    const now = clock.now();
    const r = await pool.query<{ serie: string; a: string; b: string; n: number }>(
      `SELECT 'pacchetti' AS serie, destinatario AS a, stato AS b, count(*)::int AS n FROM pacchetto GROUP BY destinatario, stato
       UNION ALL
       SELECT 'oltre', p.destinatario, '', count(*)::int FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id
        WHERE i.stato <> 'CHIUSA' AND p.stato IN ('INVIATO', 'SCADUTO') AND p.scadenza_esito < $1 GROUP BY p.destinatario
       UNION ALL
       SELECT 'istruttorie', stato, '', count(*)::int FROM istruttoria GROUP BY stato
       UNION ALL
       SELECT 'timer', tipo, CASE WHEN scade_il > $1 THEN 'futuri' WHEN scade_il > $2 THEN 'dovuti' ELSE 'in_ritardo' END, count(*)::int
         FROM timer WHERE stato = 'ATTESA' GROUP BY 2, 3`,
      [now, new Date(now.getTime() - TIMER_LATE_MS)],
    );
    const out: StatoInps = { pacchetti: [], oltreScadenza: [], istruttorie: [], timer: [] };
    for (const x of r.rows) {
      if (x.serie === 'pacchetti') out.pacchetti.push([{ destinatario: x.a, stato: x.b }, x.n]);
      else if (x.serie === 'oltre') out.oltreScadenza.push([{ destinatario: x.a }, x.n]);
      else if (x.serie === 'istruttorie') out.istruttorie.push([{ stato: x.a }, x.n]);
      else out.timer.push([{ tipo: x.a, stato: x.b }, x.n]);
    }
    return out;
  });
  serie.serie(
    { nome: 'ape_pacchetti', help: 'INPS verification packets by recipient party and state (DA_INVIARE, INVIATO, RISPOSTO, SCADUTO, RIFIUTATO)', etichette: ['destinatario', 'stato'] },
    'stato inps',
    async () => (await leggi()).pacchetti,
  );
  serie.serie(
    { nome: 'ape_pacchetti_oltre_scadenza', help: 'Packets of open istruttorie still without an esito after their 5-day deadline, by recipient party', etichette: ['destinatario'] },
    'stato inps',
    async () => (await leggi()).oltreScadenza,
  );
  serie.serie(
    { nome: 'ape_istruttorie', help: 'Istruttorie by state (IN_VERIFICA, VALUTAZIONE_INL, CHIUSA)', etichette: ['stato'] },
    'stato inps',
    async () => (await leggi()).istruttorie,
  );
  serie.serie(
    {
      nome: 'ape_timer_in_attesa',
      help: `Pending deadline timers by type and state: futuri (not yet due), dovuti (due, to be fired), in_ritardo (due for more than ${TIMER_LATE_MS / 1000} s: the scheduler is behind or failing)`,
      etichette: ['tipo', 'stato'],
    },
    'stato inps',
    async () => (await leggi()).timer,
  );
}
