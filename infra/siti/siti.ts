import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { loadConfig, parseConfig } from '../../shared/config/load';
import { parteDelProcesso } from '../../shared/config/parte';
import type { FederationConfig } from '../../shared/config/schema';
import { createPool } from '../../shared/db/pool';
import { PROJECT_ROOT } from '../../shared/paths';
import { Launcher, type EventoLauncher } from '../local/launcher';
import { configurazioniParti, type SitoParte } from '../local/parti';
import { FEDERATION_PROCESSES, startService, type ServiceProcess } from '../local/processes';
import { ClusterRabbitmq } from '../local/rabbitmq-cluster';
import { risorsePerParte, urlDellaParte, type RisorseParte } from '../local/risorse-parte';
import { preparaPki } from '../scripts/setup';
import { federazioneSuSiti } from './configurazione';
import { PostgresSito } from './postgres-sito';
import { PARTI, ReteSiti, type Parte } from './rete';

/**
 * The federation on five hosts (test:siti): the network (rete.ts), on each host its party's PostgreSQL instance and
 * RabbitMQ node, its own configuration and PKI directory (infra/local/parti.ts), its roles, database, vhost and user
 * (infra/local/risorse-parte.ts) and setup (setupParte), and its processes under the launcher (as systemd keeps them
 * on a real host). ferma() removes everything; logs stay in test-artifacts/siti/.
 */
const run = promisify(execFile);

/** The processes on a party's host: the federation's of that party, but the web console (no browser here). */
const processiDi = (parte: Parte) => FEDERATION_PROCESSES.filter((p) => p.name !== 'inps-console' && parteDelProcesso(p.name) === parte).map((p) => p.name);

export interface OpzioniSiti {
  dir: string;
  /** Changes the federation's configuration before it is split into the parties' files. */
  variazioni?: (json: Record<string, any>) => void;
  evento?: (e: EventoLauncher) => void;
  /** Each step's name and duration, as it ends. */
  tempo?: (passo: string, ms: number) => void;
}

export class Siti {
  readonly launcher: Launcher;
  readonly logs = new Map<string, string[]>();
  private readonly pools = new Map<string, Pool>();
  private readonly logDir = path.join(PROJECT_ROOT, 'test-artifacts', 'siti');

  private constructor(
    readonly rete: ReteSiti,
    readonly dir: string,
    readonly postgres: Record<Parte, PostgresSito>,
    private readonly risorse: Record<Parte, RisorseParte>,
    private readonly rabbitmq: ClusterRabbitmq[],
    readonly configFile: Record<Parte, string>,
    readonly config: Record<Parte, FederationConfig>,
    o: OpzioniSiti,
  ) {
    this.launcher = new Launcher({ primaAttesaMs: 500, massimaAttesaMs: 4000, ...(o.evento && { evento: o.evento }) });
  }

  static async avvia(o: OpzioniSiti): Promise<Siti> {
    const tempo = cronometro(o.tempo);
    const rete = await tempo('network namespaces and links', () => ReteSiti.crea());
    const rabbitmq: ClusterRabbitmq[] = [];
    const postgres = {} as Record<Parte, PostgresSito>;
    try {
      // The temporary directory is the postgres user's way to its instances' data directories.
      chmodSync(o.dir, 0o755);
      await tempo('PostgreSQL and RabbitMQ on each host', () =>
        ognuno(
          PARTI.map(async (parte) => {
            const base = path.join(o.dir, 'host', parte.toLowerCase());
            [postgres[parte], rabbitmq[PARTI.indexOf(parte)]] = await ognuno([
              PostgresSito.avvia(path.join(base, 'postgresql'), rete.comando(parte)),
              brokerDi(rete, parte, path.join(base, 'rabbitmq'), rabbitmq),
            ] as const);
          }),
        ),
      );
      const federazione = federazioneSuSiti(rete, o.dir, (json) => {
        // Parties come back within seconds in the test: short retry tiers and circuit, as in the fault suite.
        json.rabbitmq = { ...json.rabbitmq, retryDelaysMs: [200, 400, 800, 1600, 3200] };
        json.soap = { ...json.soap, circuito: { soglia: 5, aperturaMs: 1000 } };
        o.variazioni?.(json);
      });
      // The development PKI (every key) once; each party's directory gets only its own keys from it.
      preparaPki(parseConfig(federazione, o.dir), () => undefined);
      const risorse = Object.fromEntries(PARTI.map((p) => [p, risorsePerParte(p)])) as Record<Parte, RisorseParte>;
      const siti = Object.fromEntries(PARTI.map((p) => [p, { indirizzo: rete.hosts[p].indirizzo, ...urlDellaParte(risorse[p], '127.0.0.1') }])) as Record<Parte, SitoParte>;
      const configFile = configurazioniParti(federazione, siti, path.join(o.dir, 'parti'));
      // The case system calls INPS from its own network (the bridge), not from INPS's gateway host.
      modificaJson(configFile.INPS, (json) => void (json.identities.INPS_ISTRUTTORIA.allowedIps = [rete.indirizzoRadice]));
      await tempo('roles, databases, vhosts, schemas and queues on each host', () => ognuno(PARTI.map((p) => prepara(rete, p, risorse[p], configFile[p], rabbitmq[PARTI.indexOf(p)]!))));
      const config = Object.fromEntries(PARTI.map((p) => [p, loadConfig(configFile[p])])) as Record<Parte, FederationConfig>;
      const s = new Siti(rete, o.dir, postgres, risorse, rabbitmq, configFile, config, o);
      await tempo('processes started', () => Promise.all(PARTI.flatMap((p) => processiDi(p).map((n) => s.avviaProcesso(p, n)))));
      return s;
    } catch (err) {
      await Promise.all(rabbitmq.filter(Boolean).map((r) => r.ferma().catch(() => undefined)));
      // Killing what runs on the hosts stops their PostgreSQL instances and the processes too.
      rete.rimuovi();
      throw err;
    }
  }

  private async avviaProcesso(parte: Parte, nome: string): Promise<ServiceProcess> {
    const def = FEDERATION_PROCESSES.find((p) => p.name === nome);
    if (!def) throw new Error(`unknown process ${nome}`);
    const righe = this.logs.get(nome) ?? [];
    this.logs.set(nome, righe);
    mkdirSync(this.logDir, { recursive: true });
    return this.launcher.avvia(nome, () => {
      const p = startService({
        ...def,
        prefisso: this.rete.comando(parte),
        env: { ...process.env, APE_CONFIG: this.configFile[parte], APE_LOG_LEVEL: process.env.APE_LOG_LEVEL ?? 'info' },
        onLine: (_n, line) => {
          righe.push(line);
          if (righe.length > 5000) righe.shift();
        },
      });
      void p.exited.then(() => writeFileSync(path.join(this.logDir, `${nome}.log`), righe.join('\n') + '\n'));
      return p;
    });
  }

  /** A pool on a party's database, from the root namespace (its unix socket), as the schema owner. */
  pool(parte: Parte, schema: string): Pool {
    const chiave = `${parte}/${schema}`;
    let pool = this.pools.get(chiave);
    if (!pool) {
      pool = createPool(this.postgres[parte].urlLocale(this.risorse[parte].nome), schema, { max: 2 });
      // A party's database stopped on purpose ends these connections: the error surfaces through the next query.
      pool.on('error', () => undefined);
      this.pools.set(chiave, pool);
    }
    return pool;
  }

  async ferma(): Promise<void> {
    await this.launcher.ferma();
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    for (const [nome, righe] of this.logs) writeFileSync(path.join(this.logDir, `${nome}.log`), righe.join('\n') + '\n');
    await Promise.all(this.rabbitmq.filter(Boolean).map((r) => r.ferma().catch(() => undefined)));
    await Promise.all(PARTI.map((p) => this.postgres[p].ferma().catch(() => undefined)));
    this.rete.rimuovi();
  }
}

/** A RabbitMQ node of its own on the party's host (the party's vhost and user come with its resources, in prepara). */
async function brokerDi(rete: ReteSiti, parte: Parte, dir: string, avviati: ClusterRabbitmq[]): Promise<ClusterRabbitmq> {
  const nodo = { nome: `ape${rete.id}${parte.toLowerCase()}`, porta: 5672, portaDistribuzione: 25672 };
  const cluster = await ClusterRabbitmq.avvia(dir, [nodo], randomBytes(16).toString('hex'), { prefisso: rete.comando(parte) });
  avviati[PARTI.indexOf(parte)] = cluster;
  return cluster;
}

/** The party's resources and setup, run on its host (its database and broker answer there only). */
async function prepara(rete: ReteSiti, parte: Parte, risorse: RisorseParte, configFile: string, broker: ClusterRabbitmq): Promise<void> {
  const [cmd, ...args] = [...rete.comando(parte), process.execPath, path.join(PROJECT_ROOT, 'dist', 'infra', 'siti', 'in-sito', 'prepara.js'), JSON.stringify(risorse)];
  // Its rabbitmqctl (for the vhost and user) reaches the host's own node: a rabbitmqctl first in PATH that names it.
  const bin = path.join(broker.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'rabbitmqctl'), `#!/bin/sh\nexec /usr/lib/rabbitmq/bin/rabbitmqctl ${broker.argomentiCtl().join(' ')} "$@"\n`, { mode: 0o700 });
  await run(cmd!, args, { env: { ...process.env, APE_CONFIG: configFile, PATH: `${bin}:${process.env.PATH ?? ''}` }, timeout: 120_000 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`setup of ${parte} failed: ${err.stderr ?? err.message}`, { cause: err });
  });
}

function modificaJson(file: string, f: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
  f(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

/** Promise.all that waits for every one to settle before failing: nothing still starting behind a failure. */
async function ognuno<T extends readonly unknown[]>(p: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const r = await Promise.allSettled(p);
  const fallito = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (fallito) throw fallito.reason;
  return r.map((x) => (x as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function cronometro(tempo: OpzioniSiti['tempo']) {
  return async <T>(passo: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const r = await f();
    tempo?.(passo, Date.now() - t0);
    return r;
  };
}
