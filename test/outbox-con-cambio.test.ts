import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../shared/db/pool';
import { conOutbox } from '../shared/outbox/outbox';
import { TestDatabase } from './support/database';

/**
 * A state change and the messages it causes in one statement (shared/outbox/outbox.ts conOutbox): the rows and
 * their outbox messages commit, or roll back, together; a copy that inserts nothing causes no message; and it is one
 * round trip, which is what it is for (issue 17, eighth round).
 */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await TestDatabase.create('outbox_con_cambio', 'hub', ['messaging']);
  pool = db.pool('hub');
  await pool.query('CREATE TABLE prova (id text PRIMARY KEY, valore integer NOT NULL)');
});

afterAll(async () => {
  await db?.drop();
});

const inserisci = (id: string, valore: number) => (p: (v: unknown) => string) => `INSERT INTO prova (id, valore) VALUES (${p(id)}, ${p(valore)}) ON CONFLICT (id) DO NOTHING`;

async function messaggiDi(id: string): Promise<Array<{ routing_key: string; payload: unknown; headers: unknown }>> {
  const r = await pool.query("SELECT routing_key, payload, headers FROM outbox WHERE payload->>'id' = $1 ORDER BY id", [id]);
  return r.rows;
}

test('the rows and their messages are written by one statement, and commit together', async () => {
  const id = randomUUID();
  let istruzioni = 0;
  const n = await withTransaction(pool, async (tx) => {
    const query = tx.query.bind(tx);
    (tx as unknown as { query: unknown }).query = (...a: unknown[]) => {
      istruzioni += 1;
      return (query as (...x: unknown[]) => unknown)(...a);
    };
    try {
      return await conOutbox(tx, inserisci(id, 7), [
        { routingKey: 'coda.uno', payload: { id, n: 1 }, headers: { tipo: 'A' } },
        { routingKey: 'coda.due', payload: { id, n: 2 } },
      ]);
    } finally {
      (tx as unknown as { query: unknown }).query = query;
    }
  });
  expect(n).toBe(1);
  expect(istruzioni).toBe(1);
  expect((await pool.query('SELECT valore FROM prova WHERE id = $1', [id])).rows).toEqual([{ valore: 7 }]);
  expect(await messaggiDi(id)).toEqual([
    { routing_key: 'coda.uno', payload: { id, n: 1 }, headers: { tipo: 'A' } },
    { routing_key: 'coda.due', payload: { id, n: 2 }, headers: {} },
  ]);
});

test('a copy that inserts nothing causes no message when the messages depend on the change', async () => {
  const id = randomUUID();
  expect(await withTransaction(pool, (tx) => conOutbox(tx, inserisci(id, 1), [{ routingKey: 'coda', payload: { id } }], { seCambia: true }))).toBe(1);
  expect(await withTransaction(pool, (tx) => conOutbox(tx, inserisci(id, 2), [{ routingKey: 'coda', payload: { id } }], { seCambia: true }))).toBe(0);
  expect((await pool.query('SELECT valore FROM prova WHERE id = $1', [id])).rows).toEqual([{ valore: 1 }]);
  expect(await messaggiDi(id)).toHaveLength(1);
});

test('rolled back, neither the change nor its messages remain', async () => {
  const id = randomUUID();
  await expect(
    withTransaction(pool, async (tx) => {
      await conOutbox(tx, inserisci(id, 3), [{ routingKey: 'coda', payload: { id } }]);
      throw new Error('il gestore fallisce dopo');
    }),
  ).rejects.toThrow('il gestore fallisce dopo');
  expect((await pool.query('SELECT 1 FROM prova WHERE id = $1', [id])).rowCount).toBe(0);
  expect(await messaggiDi(id)).toHaveLength(0);
});

test('a change the database refuses stores no message either', async () => {
  const id = randomUUID();
  await expect(
    withTransaction(pool, (tx) => conOutbox(tx, (p) => `INSERT INTO prova (id, valore) VALUES (${p(id)}, ${p(null)})`, [{ routingKey: 'coda', payload: { id } }])),
  ).rejects.toMatchObject({ code: '23502' });
  expect(await messaggiDi(id)).toHaveLength(0);
});
