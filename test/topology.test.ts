import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { allineaTopologia, deleteVhost, ensureVhost } from '../infra/local/rabbitmq';
import { QUEUES, WORK_EXCHANGE, deadLetterQueue } from '../shared/amqp/topology';
import { eventually } from './support/eventually';

/**
 * The project's RabbitMQ topology on a real broker, in a vhost of its own: a message refused for good reaches its
 * queue's dead letters and stays there however often an operator lists it; setup replaces an empty queue declared
 * by an older version and refuses to drop one that holds messages.
 */
const VHOST = `ape-topologia-${randomUUID().slice(0, 8)}`;
const URL_MQ = `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(VHOST)}`;
const OPZIONI = { retryDelaysMs: [1000, 2000], deliveryLimit: 3 };
const CODA = QUEUES.inpsInvioMessaggio;

let conn: ChannelModel;

beforeAll(async () => {
  await ensureVhost(URL_MQ);
  await allineaTopologia(URL_MQ, OPZIONI);
  conn = await connect(URL_MQ);
  // Failures surface through the calls that meet them; an unhandled 'error' event would crash the test runner.
  conn.on('error', () => undefined);
});

afterAll(async () => {
  // Swallowed: cleaning up; the tests' outcome is decided.
  await conn?.close().catch(() => undefined);
  await deleteVhost(URL_MQ);
});

async function pubblica(coda: string, id: string): Promise<void> {
  const ch = await conn.createConfirmChannel();
  ch.publish(WORK_EXCHANGE, coda, Buffer.from(JSON.stringify({ id })), { persistent: true, messageId: id, mandatory: true });
  await ch.waitForConfirms();
  await ch.close();
}

test('a message refused for good is dead-lettered, and listing it 30 times does not lose it', async () => {
  const id = randomUUID();
  await pubblica(CODA, id);
  const ch = await conn.createChannel();
  const m = await ch.get(CODA, { noAck: false });
  expect(m && m.properties.messageId).toBe(id);
  if (m) ch.nack(m, false, false);
  await ch.close();
  // Dead-lettering is asynchronous.
  await eventually(async () => (await conn.createChannel().then(async (c) => { const q = await c.checkQueue(deadLetterQueue(CODA)); await c.close(); return q.messageCount === 1; })), { what: 'the dead letter' });

  for (let giro = 0; giro < 30; giro++) {
    // The ops CLI lists dead letters this way: takes them unacked, then gives them back by closing its channel.
    const lettura = await conn.createChannel();
    const preso = await lettura.get(deadLetterQueue(CODA), { noAck: false });
    expect(preso && preso.properties.messageId).toBe(id);
    await lettura.close();
  }
  const fine = await conn.createChannel();
  const ultimo = await fine.get(deadLetterQueue(CODA), { noAck: false });
  expect(ultimo && ultimo.properties.messageId).toBe(id);
  if (ultimo) fine.ack(ultimo);
  await fine.close();
});

test('setup replaces an empty queue of an older topology and refuses to drop one holding messages', async () => {
  const vecchia = deadLetterQueue(QUEUES.inlNotifica);
  const ch = await conn.createChannel();
  await ch.deleteQueue(vecchia);
  await ch.assertQueue(vecchia, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.close();
  expect(await allineaTopologia(URL_MQ, OPZIONI)).toEqual([vecchia]);
  expect(await allineaTopologia(URL_MQ, OPZIONI)).toEqual([]);

  const ch2 = await conn.createConfirmChannel();
  await ch2.deleteQueue(vecchia);
  await ch2.assertQueue(vecchia, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  ch2.sendToQueue(vecchia, Buffer.from('{}'), { persistent: true });
  await ch2.waitForConfirms();
  await ch2.close();
  await expect(allineaTopologia(URL_MQ, OPZIONI)).rejects.toThrow(`la coda ${vecchia} esiste con argomenti di una versione precedente e contiene 1 messaggi`);
  const ch3 = await conn.createChannel();
  expect((await ch3.checkQueue(vecchia)).messageCount).toBe(1);
  await ch3.close();
});
