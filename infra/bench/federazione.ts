import { freePortRange } from '../local/ports';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseConfig, identityOf } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { addressOf } from '../../shared/config/addresses';
import { localFederationConfig, PORTE_FEDERAZIONE } from '../federation-config';
import { FEDERATION_PROCESSES, startService, type ServiceProcess } from '../local/processes';
import { dropDatabase } from '../local/postgres';
import { deleteVhost } from '../local/rabbitmq';
import { setupFederation } from '../scripts/setup';
import { fileArchivio } from '../demo/csv';
import { createPool } from '../../shared/db/pool';
import { servizioProprio } from '../../shared/config/parte';
import { caricaFonte } from '../../services/ente/archivio-carico';
import { leggiFileArchivio } from '../../services/ente/archivio-csv';
import { FORMATI } from '../../services/ente/archivio-formato';
import type { ArchiviGenerati } from './carico-generato';
import type { KeyType } from '../../shared/pki/key-types';

/**
 * The whole federation for one benchmark run, as the tests start it: its own PostgreSQL database and RabbitMQ
 * vhost (bench_<id>), its own PKI and free ports, every service a separate process from dist/ over mutual
 * TLS, the agency nodes loaded with the demo archives (and, for the load at national shape, the generated ones beside
 * them, as a source of their own). stop() removes the database and vhost unless asked
 * to keep them.
 */
export interface OpzioniFederazione {
  /** Connections per process (default 5: eight processes share PostgreSQL's 100 with whatever else runs). */
  poolSize: number;
  logLevel: string;
  /** Passed to every service as NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=...). */
  nodeOptions?: string;
  /** Where the services' last log lines are written when they stop. */
  dirLog: string;
  /** Archive rows loaded beside the demo's before the services start (carico-generato.ts). */
  archivi?: ArchiviGenerati;
  /** pki.keyType of the run's PKI (default RSA-2048). */
  keyType?: KeyType;
}

/** Loads generated archives into each agency node's schema, as the importer would: checked, one source. */
async function caricaArchivi(config: FederationConfig, archivi: ArchiviGenerati): Promise<void> {
  for (const f of fileArchivio(archivi.rapporti, archivi.inail)) {
    const schema = servizioProprio(config, f.ente).schema;
    const pool = createPool(config.postgres.adminUrl, schema, { max: 1, applicationName: 'bench-archivi' });
    try {
      await caricaFonte(pool, schema, leggiFileArchivio(FORMATI[f.tipo], f.testo, `generato/${f.nome}`), 'bench-generato', { sostituisci: true });
    } finally {
      await pool.end();
    }
  }
}


export class FederazioneBench {
  readonly procs = new Map<string, ServiceProcess>();
  private readonly ultimeRighe = new Map<string, string[]>();
  /** Log lines at warn level or above, per process (pino levels 40+). */
  readonly avvisi = new Map<string, number>();

  private constructor(
    readonly id: string,
    readonly config: FederationConfig,
    readonly configFile: string,
    readonly dir: string,
    private readonly o: OpzioniFederazione,
  ) {}

  static async avvia(o: OpzioniFederazione): Promise<FederazioneBench> {
    const id = `bench_${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ape-bench-'));
    const basePort = await freePortRange(PORTE_FEDERAZIONE);
    const json = localFederationConfig({
      postgresUrl: `postgres://postgres@127.0.0.1:5432/${id}`,
      rabbitmqUrl: `amqp://guest:guest@127.0.0.1:5672/${id}`,
      pkiDir: path.join(dir, 'pki'),
      basePort,
      environment: 'test',
      poolSize: o.poolSize,
    });
    if (o.keyType) (json as { pki: Record<string, unknown> }).pki.keyType = o.keyType;
    const configFile = path.join(dir, 'federation.json');
    writeFileSync(configFile, JSON.stringify(json, null, 2));
    const config = parseConfig(json, dir);
    await setupFederation(config, { demo: true, log: () => undefined });
    if (o.archivi) await caricaArchivi(config, o.archivi);
    mkdirSync(o.dirLog, { recursive: true });
    const fed = new FederazioneBench(id, config, configFile, dir, o);
    try {
      await Promise.all(FEDERATION_PROCESSES.map((p) => fed.avviaProcesso(p.name)));
    } catch (err) {
      // Swallowed: stopping what did start after a failed start; the start's error is the one to report.
      await fed.ferma().catch(() => undefined);
      throw err;
    }
    return fed;
  }

  private async avviaProcesso(nome: string): Promise<void> {
    const def = FEDERATION_PROCESSES.find((p) => p.name === nome)!;
    const righe: string[] = [];
    // Warnings and errors are kept apart (the first 200), so a busy run's last lines do not push them out.
    const gravi: string[] = [];
    this.ultimeRighe.set(nome, righe);
    const env: NodeJS.ProcessEnv = { ...process.env, APE_CONFIG: this.configFile, APE_LOG_LEVEL: this.o.logLevel };
    if (this.o.nodeOptions) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${this.o.nodeOptions}`.trim();
    const p = startService({
      ...def,
      env,
      readyTimeoutMs: 60_000,
      onLine: (_n, line) => {
        righe.push(line);
        if (righe.length > 300) righe.shift();
        const m = /"level":(\d+|"warn"|"error"|"fatal")/.exec(line);
        if (m && (['"warn"', '"error"', '"fatal"'].includes(m[1]!) || Number(m[1]) >= 40)) {
          this.avvisi.set(nome, (this.avvisi.get(nome) ?? 0) + 1);
          if (gravi.length < 200) gravi.push(line);
        }
      },
    });
    void p.exited.then(() => writeFileSync(path.join(this.o.dirLog, `${nome}.log`), [...gravi, '--- last lines ---', ...righe].join('\n') + '\n'));
    this.procs.set(nome, p);
    try {
      await p.ready;
    } catch (err) {
      throw new Error(`${nome} did not start: ${(err as Error).message}\n${righe.slice(-3).join('\n')}`);
    }
  }

  tlsOf(code: string) {
    const id = identityOf(this.config, code);
    return { keyFile: id.keyFile, certFile: id.certFile, caFile: this.config.pki.caCertFile };
  }

  urlIstruttoria(): string {
    return addressOf(this.config, 'INPS', 'istruttoria').url;
  }

  /** Stops the services (SIGTERM: they drain and exit, writing CPU profiles when asked to). */
  async fermaProcessi(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.stop()));
    this.procs.clear();
  }

  async ferma(conserva = false): Promise<void> {
    await this.fermaProcessi();
    if (!conserva) {
      await dropDatabase(this.config.postgres.adminUrl);
      await deleteVhost(this.config.rabbitmq.url);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
