import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { isApeError } from '../shared/errors';
import { registraUnaVolta } from '../shared/outbox/richiesta-una-volta';
import { TestDatabase } from './support/database';

/**
 * A request stored once per key (shared/outbox/richiesta-una-volta.ts), as the hub's forwarded messages, the parties'
 * packets and INL's cases are: a sender's retry under a new MessageID is acknowledged as the first one was and causes
 * nothing again; the same key with other content is refused and changes nothing.
 */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await TestDatabase.create('richiesta_una_volta', 'hub', ['messaging']);
  pool = db.pool('hub');
  await pool.query('CREATE TABLE richiesta (id text PRIMARY KEY, correlation_id text, impronta text NOT NULL, valore integer NOT NULL)');
});

afterAll(async () => {
  await db?.drop();
});

const richiesta = (id: string, correlazione: string, impronta: string, valore: number) => ({
  tabella: 'richiesta',
  chiave: 'id',
  riga: { id, correlation_id: correlazione, impronta, valore },
  messaggi: [{ routingKey: 'coda.prova', payload: { id } }],
  diverso: `la richiesta ${id} è già stata ricevuta con un contenuto diverso`,
});

async function stato(id: string): Promise<{ righe: unknown[]; messaggi: number }> {
  const righe = (await pool.query('SELECT id, correlation_id, impronta, valore FROM richiesta WHERE id = $1', [id])).rows;
  const messaggi = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE payload->>'id' = $1", [id])).rows[0]!.n;
  return { righe, messaggi };
}

test('a new request is stored with its messages and acknowledged with the correlation id it proposed', async () => {
  const id = randomUUID();
  expect(await registraUnaVolta(pool, undefined, richiesta(id, 'c-1', 'h-1', 1))).toEqual({ nuova: true, correlationId: 'c-1' });
  expect(await stato(id)).toEqual({ righe: [{ id, correlation_id: 'c-1', impronta: 'h-1', valore: 1 }], messaggi: 1 });
});

test('the same request again gets the first correlation id and causes no message', async () => {
  const id = randomUUID();
  await registraUnaVolta(pool, undefined, richiesta(id, 'c-1', 'h-1', 1));
  expect(await registraUnaVolta(pool, undefined, richiesta(id, 'c-2', 'h-1', 1))).toEqual({ nuova: false, correlationId: 'c-1' });
  expect(await stato(id)).toEqual({ righe: [{ id, correlation_id: 'c-1', impronta: 'h-1', valore: 1 }], messaggi: 1 });
});

test('the same key with other content is refused with PACCHETTO_DUPLICATO and changes nothing', async () => {
  const id = randomUUID();
  await registraUnaVolta(pool, undefined, richiesta(id, 'c-1', 'h-1', 1));
  const rifiuto = await registraUnaVolta(pool, undefined, richiesta(id, 'c-2', 'h-2', 2)).then(
    () => null,
    (e: unknown) => (isApeError(e) ? `${e.code}: ${e.message}` : e),
  );
  expect(rifiuto).toBe(`PACCHETTO_DUPLICATO: la richiesta ${id} è già stata ricevuta con un contenuto diverso`);
  expect(await stato(id)).toEqual({ righe: [{ id, correlation_id: 'c-1', impronta: 'h-1', valore: 1 }], messaggi: 1 });
});

test('a copy sent while the first is being written waits for it and is acknowledged as it', async () => {
  const id = randomUUID();
  const esiti = await Promise.all([1, 2, 3].map((k) => registraUnaVolta(pool, undefined, richiesta(id, `c-${k}`, 'h-1', 1))));
  expect(esiti.filter((e) => e.nuova)).toHaveLength(1);
  const prima = esiti.find((e) => e.nuova)!.correlationId;
  expect(esiti.map((e) => e.correlationId)).toEqual([prima, prima, prima]);
  expect((await stato(id)).messaggi).toBe(1);
});
