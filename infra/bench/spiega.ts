import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Pool, PoolClient } from 'pg';
import { dropDatabase, ensureDatabase } from '../local/postgres';
import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { LETTURA_LIMITATA, SQL_LAVORATORI_DEL_DATORE, SQL_SEGNALA_APERTE_DEL_DATORE } from '../../services/inps/core/indici';

/**
 * npm run bench:spiega: the plans of INPS's hot statements on a database of national volume, which no bench run
 * builds (docs/BENCHMARK.md, "Hot queries at national volume"). A throwaway database `bench_spiega_<id>` is
 * migrated as INPS's and filled with generate_series: --domande submissions over three years, three attestazioni
 * each over 20,000 employers plus one large employer on one domanda in 20, their istruttorie (2.7% open), packets,
 * timers (one in twelve waiting), events and outbox rows, the large employer's open istruttorie already flagged by
 * the five-workers rule and none of its domande waiting to be examined (its steady state: it has been over the
 * threshold all year; every other employer's domande wait, as for employers never over it); ANALYZE; then each statement is explained with ANALYZE
 * and BUFFERS in a transaction rolled back. The five-workers rule's statements are the service's own; the others are
 * lookups by primary or unique key, written here as the services write them.
 */

const GRANDE = 'GRANDE0000000';
const FINE = new Date('2026-12-01T00:00:00Z');
const UN_ANNO_PRIMA = new Date('2025-12-01T00:00:00Z');
/** The rule's threshold in the default configuration (inl.sogliaStessoDatore). */
const SOGLIA = 5;

async function riempi(pool: Pool, n: number): Promise<void> {
  const t = `timestamptz '${FINE.toISOString()}' - (g * interval '315 seconds')`;
  await pool.query(
    `INSERT INTO domanda (id, protocollo, tipo, codice_fiscale, cognome, nome, data_nascita, data_presentazione, data_decorrenza, ricevuta_il, impronta, operatore_id, operatore_ufficio)
     SELECT md5('d' || g)::uuid, 'SPIEGA.' || g, 'APE_SOCIALE', 'CF' || g, 'C', 'N', date '1962-01-01', ${t}, date '2027-01-01', ${t}, md5('h' || g), 'OP', 'UFFICIO'
       FROM generate_series(1, $1::int) g`,
    [n],
  );
  await pool.query(
    `INSERT INTO attestazione (domanda_id, riferimento, tipo, datore_codice_fiscale, datore_denominazione, dal, categoria, professione_istat, data_presentazione)
     SELECT md5('d' || g)::uuid, r, 'DATORE_PRIVATO_PA', CASE WHEN r = 1 AND g % 20 = 0 THEN '${GRANDE}' ELSE 'D' || ((g * 7 + r) % 20000) END,
            'Datore', date '2000-01-01', 'A', '6.1.2.3.0', ${t}
       FROM generate_series(1, $1::int) g, generate_series(1, 3) r`,
    [n],
  );
  await pool.query(
    `INSERT INTO istruttoria (id, domanda_id, stato, aperta_il, aggiornata_il, limite)
     SELECT md5('i' || g)::uuid, md5('d' || g)::uuid, CASE WHEN g * 37 < $1::int THEN 'IN_VERIFICA' ELSE 'CHIUSA' END, ${t}, ${t}, ${t} + interval '30 days'
       FROM generate_series(1, $1::int) g`,
    [n],
  );
  await pool.query(
    `INSERT INTO pacchetto (id, istruttoria_id, destinatario, stato, contenuto, creato_il)
     SELECT md5('p' || g || '.' || r)::uuid, md5('i' || g)::uuid, (ARRAY['MINLAVORO', 'ANPAL', 'INAIL'])[r], 'RISPOSTO', '{}'::jsonb, ${t}
       FROM generate_series(1, $1::int) g, generate_series(1, 3) r`,
    [n],
  );
  await pool.query(
    `INSERT INTO timer (tipo, chiave, scade_il, payload, stato)
     SELECT 'SCADENZA_ESITO', md5('p' || g || '.1')::uuid::text, ${t} + interval '5 days', '{}'::jsonb, CASE WHEN g % 12 = 0 THEN 'ATTESA' ELSE 'ESEGUITO' END
       FROM generate_series(1, $1::int) g`,
    [n],
  );
  await pool.query(
    `INSERT INTO evento (istruttoria_id, tipo, avvenuto_il, dettagli)
     SELECT md5('i' || g)::uuid, 'ESITO_RICEVUTO', ${t}, '{}'::jsonb FROM generate_series(1, $1::int) g, generate_series(1, 4) r`,
    [n],
  );
  await pool.query(
    `INSERT INTO outbox (message_id, routing_key, payload, headers, pubblicato_il)
     SELECT md5('o' || g)::uuid, 'spiega', '{}'::jsonb, '{}'::jsonb, CASE WHEN g > 10 THEN ${t} END FROM generate_series(1, $1::int) g`,
    [n],
  );
  await pool.query(
    `INSERT INTO indice_inl (istruttoria_id, codice, datore_cf, descrizione, rilevato_il)
     SELECT i.id, 'CINQUE_LAVORATORI_STESSO_DATORE', '${GRANDE}', 'spiega', i.aperta_il
       FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id
      WHERE a.datore_codice_fiscale = '${GRANDE}' AND i.stato <> 'CHIUSA'`,
  );
  await pool.query(`DELETE FROM stesso_datore_da_esaminare WHERE datore_codice_fiscale = '${GRANDE}'`);
  await pool.query('ANALYZE');
}

function uuid(s: string): string {
  return `(md5('${s}')::uuid)`;
}

const STATEMENTS: Array<{ nome: string; sql: string; params: unknown[] }> = [
  {
    nome: `five-workers rule: the employer's distinct workers, its ${LETTURA_LIMITATA * SOGLIA} most recent attestazioni in the window (lavoratoriDelDatore)`,
    sql: SQL_LAVORATORI_DEL_DATORE,
    params: [GRANDE, UN_ANNO_PRIMA, FINE, LETTURA_LIMITATA * SOGLIA],
  },
  { nome: `five-workers rule: the same, the whole window (when those hold fewer than ${SOGLIA} workers)`, sql: SQL_LAVORATORI_DEL_DATORE, params: [GRANDE, UN_ANNO_PRIMA, FINE, null] },
  {
    nome: "five-workers rule: a pass over the threshold flags the employer's open istruttorie waiting to be examined, none at steady state (segnalaStessoDatore)",
    sql: SQL_SEGNALA_APERTE_DEL_DATORE,
    params: [GRANDE, UN_ANNO_PRIMA, 'CINQUE_LAVORATORI_STESSO_DATORE', 'spiega', FINE],
  },
  { nome: 'istruttoria by id, locked (aggiorna.ts)', sql: `SELECT stato, limite, esito_verifica FROM istruttoria WHERE id = ${uuid('i7')} FOR NO KEY UPDATE`, params: [] },
  { nome: 'pacchetto by id, locked (presaInCarico)', sql: `SELECT inviato_il FROM pacchetto WHERE id = ${uuid('p7.1')} FOR UPDATE`, params: [] },
  {
    nome: 'timers cancelled by (tipo, chiave) (testoCancelTimers)',
    sql: `UPDATE timer SET stato = 'ANNULLATO'
           WHERE id IN (SELECT t.id FROM timer t JOIN unnest($1::text[], $2::text[]) AS c(tipo, chiave) ON t.tipo = c.tipo AND t.chiave = c.chiave
                         WHERE t.stato = 'ATTESA' FOR UPDATE OF t SKIP LOCKED)`,
    params: [['SCADENZA_ESITO'], ['00000000-0000-0000-0000-000000000000']],
  },
  {
    nome: 'outbox claim (OutboxRelay)',
    sql: `UPDATE outbox SET pubblicato_il = now()
           WHERE id IN (SELECT id FROM outbox WHERE pubblicato_il IS NULL ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED) RETURNING id`,
    params: [],
  },
  { nome: "an istruttoria's timeline", sql: `SELECT tipo, avvenuto_il, dettagli FROM evento WHERE istruttoria_id = ${uuid('i7')} ORDER BY id`, params: [] },
];

async function rolledBack<R>(pool: Pool, fn: (c: PoolClient) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    return await fn(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { domande: { type: 'string', default: '300000' }, conserva: { type: 'boolean', default: false } } });
  const n = Number(values.domande);
  if (!Number.isInteger(n) || n < 1000) throw new Error('--domande: an integer of at least 1000');
  const url = `postgres://postgres@127.0.0.1:5432/bench_spiega_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url);
  const pool = createPool(url, 'inps', { max: 2 });
  try {
    await migrate(pool, 'inps', ['messaging', 'inps', 'audit']);
    const t0 = Date.now();
    await riempi(pool, n);
    console.log(`${n} domande, ${3 * n} attestazioni (${n / 20} of one employer), ${3 * n} packets, ${4 * n} events: filled in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    for (const s of STATEMENTS) {
      // Each run in a transaction rolled back, the warm-ups too: a claim or a cancel leaves the data as it was.
      for (let k = 0; k < 3; k++) await rolledBack(pool, (c) => c.query(s.sql, s.params));
      const { rows } = await rolledBack(pool, (c) => c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${s.sql}`, s.params));
      console.log(`-- ${s.nome}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    }
  } finally {
    await pool.end();
    if (values.conserva) console.log(`kept: ${url}`);
    else await dropDatabase(url);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
