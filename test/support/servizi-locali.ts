import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { connect } from 'amqplib';

/**
 * The machine's own PostgreSQL and RabbitMQ, restarted for real by the fault suite (which therefore runs alone:
 * every other test file on the machine would see the outage too), and RabbitMQ's queue depths as the broker
 * itself reports them, unacknowledged messages included.
 */
const run = promisify(execFile);
const sudo = process.getuid?.() === 0 ? [] : ['sudo'];

async function cmd(bin: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [file, ...rest] = [...sudo, bin, ...args];
  const { stdout } = await run(file!, rest, { timeout: timeoutMs });
  return stdout;
}

async function attendi(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    // A service that does not answer yet is not back yet.
    if (await ok().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what} not back within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Crashes the PostgreSQL cluster and starts it again, and waits until it answers: an immediate stop cuts every
 * connection and writes nothing more (no checkpoint, the WAL's last unflushed records lost, as in a power cut), and
 * the start recovers from the WAL: every commit the services made (all synchronous) is there.
 */
export async function riavviaPostgres(): Promise<number> {
  const version = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).pop()!;
  const t0 = Date.now();
  await cmd('pg_ctlcluster', ['--skip-systemctl-redirect', '-m', 'immediate', version, 'main', 'restart']);
  await attendi('PostgreSQL', async () => {
    const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 1000 });
    await c.connect();
    await c.end();
    return true;
  }, 60_000);
  return Date.now() - t0;
}

/** Stops and starts the RabbitMQ application (every connection is closed; durable queues survive). */
export async function riavviaRabbitmq(): Promise<number> {
  const t0 = Date.now();
  await cmd('rabbitmqctl', ['stop_app']);
  await cmd('rabbitmqctl', ['start_app']);
  await attendi('RabbitMQ', async () => {
    const c = await connect('amqp://guest:guest@127.0.0.1:5672');
    await c.close();
    return true;
  }, 120_000);
  return Date.now() - t0;
}

export interface Coda {
  name: string;
  messages: number;
  messages_unacknowledged: number;
}

/** Every queue of a vhost with its ready and unacknowledged messages. */
export async function codeRabbitmq(vhost: string, nodo: readonly string[] = []): Promise<Coda[]> {
  const out = await cmd('rabbitmqctl', [...nodo, 'list_queues', '-q', '-p', vhost, 'name', 'messages', 'messages_unacknowledged', '--formatter', 'json']);
  return JSON.parse(out) as Coda[];
}
