import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { StatementiPreparati } from '../../shared/db/prepared';
import { withTransaction } from '../../shared/db/pool';
import { TestDatabase } from '../support/database';

/**
 * Statements a service repeats are prepared once per connection: after a few runs of the same text PostgreSQL holds
 * it as a named prepared statement, the results are those of the unnamed runs, and what could break a running
 * service (a `*` select list, unbounded one-off texts) is never prepared.
 */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await TestDatabase.create('prepared', 'hub', ['messaging']);
  // One connection: pg_prepared_statements shows that session's statements.
  pool = db.pool('hub', 1);
});

afterAll(async () => {
  await db?.drop();
});

async function preparate(): Promise<string[]> {
  const r = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY statement');
  return r.rows.map((x) => x.statement.replace(/\s+/g, ' ').trim());
}

test('a statement run again and again is prepared on the connection, with the same results, in and out of transactions', async () => {
  const text = "INSERT INTO outbox (message_id, routing_key, payload, headers) VALUES ($1, 'coda', $2, '{}') RETURNING message_id, payload";
  const sent = Array.from({ length: 6 }, () => randomUUID());
  const back: unknown[] = [];
  for (const [i, id] of sent.entries()) {
    const r = i % 2 === 0 ? await pool.query(text, [id, { i }]) : await withTransaction(pool, (tx) => tx.query(text, [id, { i }]));
    back.push(r.rows[0]);
  }
  expect(back).toEqual(sent.map((id, i) => ({ message_id: id, payload: { i } })));
  expect(await preparate()).toContain(text);
  const stored = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE routing_key = 'coda'");
  expect(stored.rows[0]!.n).toBe(6);
});

test('a statement with * in its select list or RETURNING is never prepared (a column added while running would break it)', async () => {
  for (let i = 0; i < 6; i += 1) {
    await pool.query('SELECT * FROM outbox WHERE routing_key = $1', [`r-${i}`]);
    await pool.query('UPDATE outbox SET headers = headers WHERE routing_key = $1 RETURNING *', [`r-${i}`]);
  }
  expect((await preparate()).filter((s) => s.includes('*'))).toEqual([]);
});

test('a statement that fails to prepare is not taken for prepared: the next run reports the same error', async () => {
  for (let i = 0; i < 4; i += 1) {
    await expect(pool.query('SELECT manca FROM outbox WHERE message_id = $1', ['x'])).rejects.toThrow(/manca/);
  }
});

test('bounded: one-off texts are not prepared, and at most 256 texts ever are', () => {
  const p = new StatementiPreparati();
  for (let i = 0; i < 5000; i += 1) expect(p.nome(`SELECT ${i} WHERE $1`)).toBeNull();
  for (let i = 0; i < 400; i += 1) for (let k = 0; k < 3; k += 1) p.nome(`SELECT ${i} + 0 WHERE $1`);
  expect(p.preparate).toBe(256);
  expect(p.nome('SELECT 1 + 0 WHERE $1')).toMatch(/^ape_[0-9a-f]{24}$/);
});
