import net from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { AmqpClient } from '../shared/amqp/client';
import { deleteVhost, ensureVhost } from '../infra/local/rabbitmq';

/**
 * A cluster node that accepts connections and never speaks AMQP (a frozen VM, a half-dead host) must not hold the
 * client: it gives that node up after its connect timeout and reaches the next node of the list.
 */
const vhost = `t_failover_${randomBytes(4).toString('hex')}`;
const reale = `amqp://guest:guest@127.0.0.1:5672/${vhost}`;
let muto: net.Server;
let portaMuta: number;
const accettate: net.Socket[] = [];

beforeAll(async () => {
  await ensureVhost(reale);
  muto = net.createServer((s) => void accettate.push(s));
  await new Promise<void>((r) => muto.listen(0, '127.0.0.1', r));
  portaMuta = (muto.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of accettate) s.destroy();
  await new Promise((r) => muto.close(r));
  await deleteVhost(reale);
});

test('a silent node is given up and the next node of the cluster is reached', async () => {
  const righe: Array<{ msg: string; node?: string }> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void righe.push(JSON.parse(l) as { msg: string; node?: string }) });
  const client = new AmqpClient([`amqp://guest:guest@127.0.0.1:${portaMuta}/${vhost}`, reale], log);
  try {
    await client.start();
    expect(client.nonPronto()).toBeNull();
    expect(accettate.length).toBeGreaterThanOrEqual(1);
    expect(righe.filter((r) => r.msg === 'RabbitMQ connected').map((r) => r.node)).toEqual(['127.0.0.1:5672']);
  } finally {
    await client.close();
  }
}, 30_000);
