import { spawn, execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { sottoPrefisso } from './processes';

/**
 * A RabbitMQ cluster of three (or more) nodes on one machine, from Debian's rabbitmq-server: each node with its own
 * name, AMQP and distribution ports and data directory, one Erlang cookie, no plugins (so no listener besides AMQP
 * and distribution). What INPS's node runs on in production across three hosts (docs/OPERATIONS.md), here for the
 * tests that kill and restart its nodes. Quorum queues declared on it are replicated on every node.
 */
const run = promisify(execFile);
const BIN = '/usr/lib/rabbitmq/bin';

export interface NodoCluster {
  /** Short name: the Erlang node is <nome>@localhost. */
  nome: string;
  /** AMQP port. */
  porta: number;
  /** Erlang distribution port (between the nodes and for rabbitmqctl). */
  portaDistribuzione: number;
}

export interface OpzioniCluster {
  /**
   * A command every node and every rabbitmqctl runs under, e.g. ['ip', 'netns', 'exec', ns] for a node on a party's
   * host in test:siti. Such a node's AMQP port is on that host's loopback, out of this process's reach: it is taken
   * as ready once booted (await_startup returns after the listeners are up).
   */
  prefisso?: readonly string[];
}

export class ClusterRabbitmq {
  /** The detached rabbitmq-server process groups, for a kill that does not depend on the node answering. */
  private readonly gruppi = new Map<string, number>();
  private readonly allUscita = () => this.uccidiTutti();

  private constructor(
    readonly dir: string,
    readonly nodi: readonly NodoCluster[],
    private readonly cookie: string,
    private readonly prefisso: readonly string[] = [],
  ) {
    // Whatever ends this process (a test runner killed, say), the nodes it started do not outlive it.
    process.once('exit', this.allUscita);
  }

  /** Starts every node, joins the others to the first, and waits until each accepts AMQP connections. */
  static async avvia(dir: string, nodi: readonly NodoCluster[], cookie: string, o: OpzioniCluster = {}): Promise<ClusterRabbitmq> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
    const c = new ClusterRabbitmq(dir, nodi, cookie, o.prefisso);
    try {
      for (const n of nodi) c.lancia(n);
      for (const n of nodi) await c.attendiAvvio(n);
      const [primo, ...altri] = nodi;
      for (const n of altri) {
        await c.ctl(n, ['stop_app']);
        await c.ctl(n, ['join_cluster', `${primo!.nome}@localhost`]);
        await c.ctl(n, ['start_app']);
      }
      for (const n of nodi) await c.attendiAmqp(n, 60_000);
      return c;
    } catch (err) {
      // Nothing left running behind a cluster that did not form (its nodes are detached from this process).
      c.uccidiTutti();
      process.removeListener('exit', c.allUscita);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** amqp URLs of the nodes, the vhost given (escaped as in a URL). */
  urls(vhost = ''): string[] {
    return this.nodi.map((n) => `amqp://guest:guest@127.0.0.1:${n.porta}/${vhost}`);
  }

  /** rabbitmqctl's arguments to reach a node of this cluster (for tools that list queues). */
  argomentiCtl(nome = this.nodi[0]!.nome): string[] {
    return ['-n', `${nome}@localhost`, '--erlang-cookie', this.cookie];
  }

  /** rabbitmqctl against one node. */
  async ctl(n: NodoCluster, args: string[], timeoutMs = 120_000): Promise<string> {
    const { stdout } = await run(...sottoPrefisso(this.prefisso, path.join(BIN, 'rabbitmqctl'), [...this.argomentiCtl(n.nome), ...args]), { timeout: timeoutMs });
    return stdout;
  }

  /** The node leading a quorum queue of the vhost. */
  async leader(coda: string, vhost = '/'): Promise<NodoCluster> {
    for (const n of this.nodi) {
      const out = await this.ctl(n, ['list_queues', '-q', '-p', vhost, 'name', 'leader', '--formatter', 'json']).catch(() => null);
      if (!out) continue;
      const riga = (JSON.parse(out) as Array<{ name: string; leader: string }>).find((q) => q.name === coda);
      const nodo = this.nodi.find((x) => `${x.nome}@localhost` === riga?.leader);
      if (nodo) return nodo;
    }
    throw new Error(`no node leads ${coda}`);
  }

  /** SIGKILL to the node's Erlang VM: no goodbye to its connections or to the other nodes. */
  uccidi(n: NodoCluster): void {
    const pid = Number(readFileSync(this.file(n, 'pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  /** Starts a node that was killed or stopped again, with its data, and waits until it is back in the cluster. */
  async riavvia(n: NodoCluster): Promise<void> {
    this.lancia(n);
    await this.attendiAvvio(n);
    await this.attendiAmqp(n, 60_000);
  }

  /** A clean stop of one node (its queues' leadership moves), waiting until its VM has exited, then its start. */
  async riavviaOrdinato(n: NodoCluster): Promise<void> {
    await this.ctl(n, ['stop', this.file(n, 'pid')]);
    await this.riavvia(n);
  }

  /** Stops every node (killing what does not stop) and removes the data directories. */
  async ferma(): Promise<void> {
    for (const n of this.nodi) {
      // Swallowed: a node already down is the outcome wanted; one that does not answer is killed below.
      await this.ctl(n, ['stop', this.file(n, 'pid')], 60_000).catch(() => undefined);
    }
    this.uccidiTutti();
    process.removeListener('exit', this.allUscita);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL to every node's process group (the launcher script and its Erlang VM), synchronously. */
  private uccidiTutti(): void {
    for (const pgid of this.gruppi.values()) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.gruppi.clear();
  }

  private file(n: NodoCluster, what: string): string {
    return path.join(this.dir, n.nome, what);
  }

  private lancia(n: NodoCluster): void {
    mkdirSync(this.file(n, ''), { recursive: true });
    // The cookie in the node's home, readable by its owner only (not on a command line every local user can read).
    const cookie = this.file(n, '.erlang.cookie');
    rmSync(cookie, { force: true });
    writeFileSync(cookie, this.cookie, { mode: 0o400 });
    const child = spawn(...sottoPrefisso(this.prefisso, path.join(BIN, 'rabbitmq-server')), {
      env: {
        ...process.env,
        HOME: this.file(n, ''),
        RABBITMQ_NODENAME: `${n.nome}@localhost`,
        RABBITMQ_NODE_PORT: String(n.porta),
        RABBITMQ_DIST_PORT: String(n.portaDistribuzione),
        RABBITMQ_MNESIA_BASE: this.file(n, 'mnesia'),
        RABBITMQ_LOG_BASE: this.file(n, 'log'),
        RABBITMQ_PID_FILE: this.file(n, 'pid'),
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(this.dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: this.file(n, 'nessuna'),
        // Every listener on the loopback only (AMQP, distribution, the epmd a node starts): reachable from its host
        // alone, which on a party's host in test:siti is its own namespace.
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        ERL_EPMD_ADDRESS: '127.0.0.1',
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      stdio: 'ignore',
      detached: true,
    });
    // Detached: the node leads its own process group, which uccidiTutti kills whole.
    if (child.pid) this.gruppi.set(n.nome, child.pid);
    child.unref();
  }

  /** Until the node has booted: await_startup fails at once while the VM has not registered its name yet. */
  private attendiAvvio(n: NodoCluster): Promise<void> {
    return finoA(`RabbitMQ node ${n.nome} did not start`, () => this.ctl(n, ['await_startup', '--timeout', '60'], 70_000), 180_000, 500);
  }

  private attendiAmqp(n: NodoCluster, timeoutMs: number): Promise<void> {
    if (this.prefisso.length > 0) return Promise.resolve();
    return finoA(`RabbitMQ node ${n.nome} does not accept connections`, async () => (await connect(`amqp://guest:guest@127.0.0.1:${n.porta}`)).close(), timeoutMs, 250);
  }
}

/** Tries `prova` every `pausaMs` until it succeeds; after `timeoutMs`, fails with `cosa` and the last error. */
async function finoA(cosa: string, prova: () => Promise<unknown>, timeoutMs: number, pausaMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await prova();
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`${cosa}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, pausaMs));
    }
  }
}
