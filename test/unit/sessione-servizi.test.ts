import type { Pool } from 'pg';
import { metrics } from '../../shared/metrics/metrics';
import { TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';

/**
 * What every service's PostgreSQL session is set to (shared/db/pool.ts, createPool): no JIT compilation, whatever a
 * statement's estimated cost. A misestimate (statistics missing or older than the data) had INPS compile its
 * three-packet lookup on every esito, 150-430 ms each, in the 20,000-domande benchmark.
 */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await TestDatabase.create('sessione', 'hub', ['messaging']);
  pool = db.pool('hub', 1);
});

afterAll(async () => {
  await db?.drop();
});

test('a statement estimated far above jit_above_cost runs without being compiled', async () => {
  // Three functions of a size the planner cannot see: it estimates a thousand million rows; 27 come back (with JIT,
  // 0.1 ms of work took 259 ms to compile on the development machine).
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
    'EXPLAIN (ANALYZE, COSTS ON) SELECT count(*) FROM generate_series(1, (SELECT 3)) a, generate_series(1, (SELECT 3)) b, generate_series(1, (SELECT 3)) c',
  );
  const piano = rows.map((r) => r['QUERY PLAN']).join('\n');
  const costo = Number(/cost=[\d.]+\.\.([\d.]+)/.exec(piano)?.[1]);
  const soglia = Number((await pool.query<{ jit_above_cost: string }>('SHOW jit_above_cost')).rows[0]!.jit_above_cost);
  expect(costo).toBeGreaterThan(soglia);
  expect(piano).not.toContain('JIT:');
  expect((await pool.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
});

test('the connections a pool opens and closes are counted per schema, for /metrics', async () => {
  // Issue 17's eighth round found a pool replacing a connection at every refused statement, about one per domanda,
  // visible only in PostgreSQL's own statistics. The series shows it from the service.
  // A schema of its own (search_path may name one that does not exist): the suite's other pools count apart.
  const SCHEMA = 'conteggio_connessioni';
  const conta = async (evento: 'aperta' | 'chiusa') =>
    (await metrics().connessioniDb.get()).values.find((v) => v.labels.schema === SCHEMA && v.labels.evento === evento)?.value ?? 0;
  const [aperte, chiuse] = [await conta('aperta'), await conta('chiusa')];
  const propria = db.pool(SCHEMA, 2);
  const client = await Promise.all([propria.connect(), propria.connect()]);
  for (const c of client) c.release();
  await propria.query('SELECT 1');
  expect((await conta('aperta')) - aperte).toBe(2);
  // pg-pool resolves end() before its clients have closed; each is counted when it has.
  await propria.end();
  await eventually(async () => (await conta('chiusa')) - chiuse === 2, { what: 'both connections counted as closed' });
  expect((await conta('chiusa')) - chiuse).toBe(2);
});
