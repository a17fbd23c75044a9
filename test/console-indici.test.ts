import type { Pool } from 'pg';
import { leggiFiltro, queryElenco } from '../services/inps/console/filtri';
import { TestDatabase } from './support/database';

/**
 * The console's list and search on 100,000 istruttorie: every query the filters can build is answered through
 * indexes (migration inps/004 and the earlier ones), never by reading a big table whole. Checked on the plan
 * (EXPLAIN), not by timing: plans do not depend on how busy the machine is.
 */
const N = 100_000;
const GRANDI = ['istruttoria', 'domanda', 'pacchetto', 'attestazione', 'evento'];

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await TestDatabase.create('console_indici', 'inps', ['messaging', 'inps', 'audit']);
  pool = db.pool('inps', 2);
  const now = new Date('2026-03-02T08:00:00Z');
  await pool.query(
    `INSERT INTO domanda (id, protocollo, tipo, codice_fiscale, cognome, nome, data_nascita, data_presentazione, data_decorrenza, ricevuta_il, impronta, operatore_id, operatore_ufficio)
     SELECT md5('d' || g)::uuid, 'INPS.PROVA.' || g, CASE WHEN g % 2 = 0 THEN 'APE_SOCIALE' ELSE 'PRECOCI' END,
            'PRVTST' || substr(lpad(g::text, 7, '0'), 1, 2) || 'A' || substr(lpad(g::text, 7, '0'), 3, 2) || 'H' || substr(lpad(g::text, 7, '0'), 5, 3) || 'Z', 'COGNOME', 'NOME', date '1962-01-01',
            $1::timestamptz - g * interval '5 minutes', date '2026-06-01', $1::timestamptz - g * interval '5 minutes', md5('h' || g), 'INPS-OP-' || (g % 50), 'INPS - sede'
       FROM generate_series(1, ${N}) g`,
    [now],
  );
  await pool.query(
    `INSERT INTO attestazione (domanda_id, riferimento, tipo, datore_codice_fiscale, datore_denominazione, dal, categoria, professione_istat, data_presentazione)
     SELECT md5('d' || g)::uuid, 1, 'DATORE_PRIVATO_PA', lpad((g % 9000)::text, 11, '0'), 'Datore', date '2000-01-01',
            (ARRAY['A','B','C','D','E','F','G','H','I','L','M'])[1 + g % 11], '6.1.2.3.0', $1::timestamptz - g * interval '5 minutes'
       FROM generate_series(1, ${N}) g`,
    [now],
  );
  await pool.query(
    `INSERT INTO istruttoria (id, domanda_id, stato, aperta_il, esito_verifica, chiusa_il, regola_chiusura, aggiornata_il, limite)
     SELECT md5('i' || g)::uuid, md5('d' || g)::uuid,
            CASE WHEN g % 10 < 7 THEN 'CHIUSA' WHEN g % 10 < 9 THEN 'IN_VERIFICA' ELSE 'VALUTAZIONE_INL' END,
            $1::timestamptz - g * interval '5 minutes',
            CASE WHEN g % 10 < 7 THEN 'CONFORME' END,
            CASE WHEN g % 10 < 7 THEN $1::timestamptz - g * interval '4 minutes' END,
            CASE WHEN g % 10 < 6 THEN 'ESITI_ARCHIVI' WHEN g % 10 = 6 THEN 'AUTOCERTIFICAZIONI_TERMINE' END,
            $1::timestamptz, $1::timestamptz - g * interval '5 minutes' + interval '30 days'
       FROM generate_series(1, ${N}) g`,
    [now],
  );
  await pool.query(
    `INSERT INTO pacchetto (id, istruttoria_id, destinatario, stato, contenuto, correlation_id, creato_il, inviato_il, risposto_il, esito, scadenza_esito)
     SELECT md5('p' || g || e)::uuid, md5('i' || g)::uuid, e,
            CASE WHEN g % 10 < 7 THEN 'RISPOSTO' WHEN g % 10 = 7 THEN 'INVIATO' WHEN g % 10 = 8 THEN 'SCADUTO' ELSE 'RISPOSTO' END,
            '{}'::jsonb, md5('c' || g || e), $1::timestamptz - g * interval '5 minutes', $1::timestamptz - g * interval '5 minutes',
            CASE WHEN g % 10 < 7 OR g % 10 = 9 THEN $1::timestamptz - g * interval '4 minutes' END,
            CASE WHEN g % 10 < 7 OR g % 10 = 9 THEN 'CONFORME' END,
            $1::timestamptz - g * interval '5 minutes' + interval '5 days'
       FROM generate_series(1, ${N}) g, unnest(ARRAY['MINLAVORO', 'INAIL']) e`,
    [now],
  );
  await pool.query(
    `INSERT INTO evento (istruttoria_id, tipo, avvenuto_il, dettagli)
     SELECT md5('i' || g)::uuid, 'DOMANDA_RICEVUTA', $1::timestamptz - g * interval '5 minutes', '{}'::jsonb FROM generate_series(1, ${N}) g`,
    [now],
  );
  // As autovacuum leaves them in service: statistics current and the visibility map set (index-only scans).
  for (const t of GRANDI) await pool.query(`VACUUM ANALYZE ${t}`);
}, 300_000);

afterAll(async () => {
  await db?.drop();
});

interface Nodo {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: Nodo[];
}

function scansioniSequenziali(n: Nodo, out: string[] = []): string[] {
  if (n['Node Type'] === 'Seq Scan' && n['Relation Name'] && GRANDI.includes(n['Relation Name'])) out.push(n['Relation Name']);
  for (const c of n.Plans ?? []) scansioniSequenziali(c, out);
  return out;
}

async function piano(query: string): Promise<{ seq: string[]; righe: number }> {
  const f = leggiFiltro(new URLSearchParams(query));
  const q = queryElenco(f, new Date('2026-03-02T08:00:00Z'), 25);
  const { rows } = await pool.query<{ 'QUERY PLAN': Array<{ Plan: Nodo }> }>(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
  const righe = (await pool.query(q.text, q.values)).rowCount ?? 0;
  if (process.env.CONSOLE_PIANI) {
    const t = await pool.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q.text}`, q.values);
    console.log(query, t.rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  return { seq: scansioniSequenziali(rows[0]!['QUERY PLAN'][0]!.Plan), righe };
}

describe('console list and search on 100,000 istruttorie', () => {
  it.each([
    ['no filter', ''],
    ['state', 'stato=IN_VERIFICA'],
    ['state: the rare one', 'stato=VALUTAZIONE_INL'],
    ['type', 'tipo=PRECOCI'],
    ['category', 'categoria=C'],
    ['party awaited', 'attesa=INAIL'],
    ['party awaited: INL, its evaluations included', 'attesa=INL'],
    ['open ones by next deadline', 'ordine=scadenza'],
    ['closed with an outcome', 'esito=CONFORME'],
    ['overdue', 'scadute=1'],
    ['closing rule', 'regola=AUTOCERTIFICAZIONI_TERMINE'],
    ['date range', 'dal=2026-01-10&al=2026-01-20'],
    ['everything at once', 'stato=IN_VERIFICA&tipo=PRECOCI&categoria=A&attesa=MINLAVORO&scadute=1&dal=2025-06-01&al=2026-03-01'],
    ['next page', 'stato=CHIUSA&dopo=2026-02-01T10:00:00.000Z_0f8fad5b-d9cb-469f-a165-70867728950e'],
  ])('%s: uses indexes', async (_nome, query) => {
    const { seq, righe } = await piano(query);
    expect(seq).toEqual([]);
    expect(righe).toBeGreaterThan(0);
  });

  it.each([
    ['codice fiscale', 'cerca=prvtst00a54h321z'],
    ['domanda protocol', 'cerca=INPS.PROVA.54321'],
    ['istruttoria id', `cerca=IDISTR`],
    ['packet id', 'cerca=IDPACC'],
    ['correlation id', 'cerca=CORR'],
  ])('search by %s: uses indexes and finds the one istruttoria', async (_nome, query) => {
    const ids = (await pool.query<{ i: string; p: string; c: string }>(`SELECT md5('i54321')::uuid::text AS i, md5('p54321INAIL')::uuid::text AS p, md5('c54321INAIL') AS c`)).rows[0]!;
    const { seq, righe } = await piano(query.replace('IDISTR', ids.i).replace('IDPACC', ids.p).replace('CORR', ids.c));
    expect(seq).toEqual([]);
    expect(righe).toBe(1);
  });
});
