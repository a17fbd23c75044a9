import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Pool } from 'pg';
import { connect, type ChannelModel } from 'amqplib';
import { AmqpClient } from '../shared/amqp/client';
import { WORK_EXCHANGE } from '../shared/amqp/topology';
import { OutboxRelay } from '../shared/outbox/relay';
import { deleteVhost, ensureVhost } from '../infra/local/rabbitmq';
import { TestDatabase } from './support/database';

/**
 * The outbox relay (shared/outbox/relay.ts) against the machine's PostgreSQL and RabbitMQ: rows are published in the
 * order they were written and marked, and a batch one of whose messages RabbitMQ does not confirm is marked not at
 * all, so it is relayed again whole (nothing lost; its consumers take a copy once, by message id).
 */
const CODA = 'prova.relay';
const vhost = `t_relay_${randomBytes(4).toString('hex')}`;
const url = `amqp://guest:guest@127.0.0.1:5672/${vhost}`;
const log = pino({ level: 'silent' });
let db: TestDatabase;
let pool: Pool;
let amqp: AmqpClient;
let lettore: ChannelModel;

beforeAll(async () => {
  db = await TestDatabase.create('outbox_relay', 'hub', ['messaging']);
  pool = db.pool('hub');
  await ensureVhost(url);
  amqp = new AmqpClient(url, log);
  amqp.onConnect(async (model) => {
    const ch = await model.createChannel();
    await ch.assertExchange(WORK_EXCHANGE, 'direct', { durable: true });
    await ch.assertQueue(CODA, { durable: true });
    await ch.bindQueue(CODA, WORK_EXCHANGE, CODA);
    await ch.close();
  });
  await amqp.start();
  lettore = await connect(url);
});

afterAll(async () => {
  await lettore?.close();
  await amqp?.close();
  await deleteVhost(url);
  await db?.drop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM outbox');
});

async function scrivi(righe: Array<{ routingKey: string; n: number }>): Promise<string[]> {
  const ids = righe.map(() => randomUUID());
  for (const [i, r] of righe.entries()) {
    await pool.query('INSERT INTO outbox (message_id, routing_key, payload) VALUES ($1, $2, $3)', [ids[i], r.routingKey, { n: r.n }]);
  }
  return ids;
}

async function leggiCoda(n: number): Promise<Array<{ id: string; n: number }>> {
  const ch = await lettore.createChannel();
  const out: Array<{ id: string; n: number }> = [];
  try {
    while (out.length < n) {
      const m = await ch.get(CODA, { noAck: true });
      if (!m) throw new Error(`${out.length} messaggi in coda, attesi ${n}`);
      out.push({ id: m.properties.messageId as string, n: (JSON.parse(m.content.toString()) as { n: number }).n });
    }
  } finally {
    await ch.close();
  }
  return out;
}

const nonPubblicate = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE pubblicato_il IS NULL')).rows[0]!.n;

test('rows are published in the order they were written, each once, and marked', async () => {
  const ids = await scrivi([1, 2, 3].map((n) => ({ routingKey: CODA, n })));
  const relay = new OutboxRelay({ pool, schema: 'hub', amqp, log });
  expect(await relay.drainOnce()).toBe(3);
  expect(await leggiCoda(3)).toEqual(ids.map((id, i) => ({ id, n: i + 1 })));
  expect(await nonPubblicate()).toBe(0);
  expect(await relay.drainOnce()).toBe(0);
});

test('a batch with a message RabbitMQ cannot route is marked not at all, and is relayed again whole', async () => {
  await scrivi([
    { routingKey: CODA, n: 1 },
    { routingKey: 'nessuna.coda', n: 2 },
  ]);
  const relay = new OutboxRelay({ pool, schema: 'hub', amqp, log });
  await expect(relay.drainOnce()).rejects.toThrow(/non instradabile/);
  expect(await nonPubblicate()).toBe(2);
  // The routable one reached its queue; published again with the batch, its consumer takes it by message id once.
  await leggiCoda(1);
});
