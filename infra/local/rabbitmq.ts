import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, type ChannelModel } from 'amqplib';
import { declareExchanges, queueSpecs, type QueueSpec, type TopologyOptions } from '../../shared/amqp/topology';

/**
 * Local RabbitMQ vhosts (the federation's own, or one per test file), managed with rabbitmqctl, which the
 * local broker's administrator (root here) can run.
 */
const run = promisify(execFile);

function vhostOf(url: string): { vhost: string; user: string } {
  const u = new URL(url);
  const vhost = decodeURIComponent(u.pathname.replace(/^\//, '')) || '/';
  return { vhost, user: decodeURIComponent(u.username || 'guest') };
}

export async function ensureVhost(url: string): Promise<void> {
  const { vhost, user } = vhostOf(url);
  if (vhost === '/') return;
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_vhosts']);
  if (!stdout.split('\n').map((l) => l.trim()).includes(vhost)) {
    await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  }
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
}

export async function deleteVhost(url: string): Promise<void> {
  const { vhost } = vhostOf(url);
  if (vhost === '/') return;
  // Swallowed: cleaning up after tests and demos; a vhost already gone is the outcome wanted.
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
}

/**
 * Declares the federation's topology, replacing a queue declared earlier with other arguments (an older
 * version of the topology) when it is empty and unused; a queue that still holds messages stops the setup
 * with what to do, rather than being dropped. Returns the queues it replaced.
 */
export async function allineaTopologia(url: string, opts: TopologyOptions): Promise<string[]> {
  const conn = await connect(url);
  // Failures surface through the calls that meet them; an unhandled 'error' event would crash the setup.
  conn.on('error', () => undefined);
  const sostituite: string[] = [];
  try {
    const ch = await conn.createChannel();
    await declareExchanges(ch, opts);
    await ch.close();
    for (const q of queueSpecs(opts)) {
      if (!(await dichiara(conn, q))) {
        const probe = await conn.createChannel();
        const { messageCount, consumerCount } = await probe.checkQueue(q.name);
        if (messageCount > 0 || consumerCount > 0) {
          await probe.close();
          throw new Error(
            `la coda ${q.name} esiste con argomenti di una versione precedente e contiene ${messageCount} messaggi (${consumerCount} consumatori): ` +
              'fermare i servizi, svuotarla (npm run ops -- scarti / riprova) e ripetere, oppure spostarne i messaggi con lo shovel di RabbitMQ',
          );
        }
        // Quorum queues refuse if-empty and if-unused (540 NOT_IMPLEMENTED, closing the connection): both were checked
        // just above, and setup runs with the services stopped.
        await probe.deleteQueue(q.name);
        await probe.close();
        if (!(await dichiara(conn, q))) throw new Error(`impossibile dichiarare la coda ${q.name}`);
        sostituite.push(q.name);
      }
    }
    return sostituite;
  } finally {
    // Swallowed: the setup's outcome is decided (returned or thrown); the connection goes with the process.
    await conn.close().catch(() => undefined);
  }
}

/** Declares one queue with its bindings on a channel of its own: false when an existing queue has other arguments. */
async function dichiara(conn: ChannelModel, q: QueueSpec): Promise<boolean> {
  const ch = await conn.createChannel();
  // A 406 (existing queue, other arguments) closes the channel and rejects assertQueue, handled below; unhandled, the event would crash the setup.
  ch.on('error', () => undefined);
  try {
    await ch.assertQueue(q.name, { durable: true, arguments: q.arguments });
  } catch (err) {
    if ((err as { code?: number }).code === 406) return false;
    throw err;
  }
  for (const [exchange, key] of q.bindings) await ch.bindQueue(q.name, exchange, key);
  await ch.close();
  return true;
}
