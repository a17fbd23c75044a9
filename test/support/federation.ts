import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { parseConfig, identityOf } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { createPool } from '../../shared/db/pool';
import { setClockOffset } from '../../shared/clock';
import { addressOf } from '../../shared/config/addresses';
import { SoapClient, type SoapClientOptions } from '../../shared/soap/client';
import { PdndRegistry } from '../../shared/pdnd/registry';
import { VoucherClient } from '../../shared/pdnd/voucher-client';
import { voucherHeaders } from '../../shared/runtime/pdnd';
import { PROJECT_ROOT } from '../../shared/paths';
import { localFederationConfig, PORTE_FEDERAZIONE } from '../../infra/federation-config';
import { SistemaIstruttorio } from '../../infra/clients/sistema-istruttorio';
import { FEDERATION_PROCESSES, startService, type ServiceProcess } from '../../infra/local/processes';
import { dropDatabase } from '../../infra/local/postgres';
import { deleteVhost } from '../../infra/local/rabbitmq';
import { setupFederation } from '../../infra/scripts/setup';
import { freePortRange } from '../../infra/local/ports';

/**
 * A whole federation for one test file: its own database, RabbitMQ vhost, PKI and ports; the services run
 * as separate processes from dist/ (npm test builds first). Logs go to test-artifacts/<name>/ and are kept
 * when a test fails. stop() removes the database and vhost.
 */
export interface FederationOptions {
  name: string;
  routing?: 'hub' | 'direct';
  /** Which processes to start (default: all). */
  processes?: readonly string[];
  retryDelaysMs?: number[];
  maxAttempts?: number;
  /** Every process reads time from a file clock the test moves (advanceClock). */
  fileClock?: boolean;
  schedulerPollMs?: number;
  inlApertura?: 'indici' | 'sempre' | 'manuale';
  /** Identities PDND is on for (default: the generated configuration's, INAIL). */
  pdnd?: readonly string[];
  /** Changes the generated configuration before it is written (extra identities, thresholds...). */
  mutaConfig?: (json: Record<string, any>, dir: string) => void;
}

export class TestFederation {
  readonly procs = new Map<string, ServiceProcess>();
  private readonly pools: Pool[] = [];
  private readonly clients: SoapClient[] = [];

  private constructor(
    readonly name: string,
    readonly config: FederationConfig,
    readonly configFile: string,
    readonly dir: string,
    private readonly logDir: string,
  ) {}

  static async start(o: FederationOptions): Promise<TestFederation> {
    const id = `${o.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), `ape-${o.name}-`));
    const basePort = await freePortRange(PORTE_FEDERAZIONE);
    const json = localFederationConfig({
      postgresUrl: `postgres://postgres@127.0.0.1:5432/t_${id}`,
      rabbitmqUrl: `amqp://guest:guest@127.0.0.1:5672/t_${id}`,
      pkiDir: path.join(dir, 'pki'),
      basePort,
      environment: 'test',
      poolSize: 4,
      ...(o.routing && { routing: o.routing }),
      ...(o.retryDelaysMs && { retryDelaysMs: o.retryDelaysMs }),
      ...(o.maxAttempts && { maxAttempts: o.maxAttempts }),
      ...(o.fileClock && { clockFile: path.join(dir, 'clock.json') }),
      ...(o.schedulerPollMs && { schedulerPollMs: o.schedulerPollMs }),
      ...(o.inlApertura && { inlApertura: o.inlApertura }),
      ...(o.pdnd && { pdndAttivo: o.pdnd }),
    });
    // Tests bring parties back within seconds: a circuit held open for the default 30 s would only slow them.
    (json as Record<string, any>).soap = { ...(json as Record<string, any>).soap, circuito: { soglia: 5, aperturaMs: 1000 } };
    o.mutaConfig?.(json as Record<string, any>, dir);
    const configFile = path.join(dir, 'federation.json');
    writeFileSync(configFile, JSON.stringify(json, null, 2));
    const config = parseConfig(json, dir);
    await setupFederation(config, { demo: true, log: () => undefined });
    const logDir = path.join(PROJECT_ROOT, 'test-artifacts', o.name);
    mkdirSync(logDir, { recursive: true });
    const fed = new TestFederation(o.name, config, configFile, dir, logDir);
    const wanted = [...(o.processes ?? FEDERATION_PROCESSES.map((p) => p.name))];
    // A node that calls counterparts as an identity PDND is on for needs the authorization server for its vouchers.
    if (config.pdnd?.server && !wanted.includes('pdnd-as') && wanted.some((n) => n !== 'inps-gateway' && n !== 'inps-console')) wanted.push('pdnd-as');
    try {
      await Promise.all(wanted.map((n) => fed.startProcess(n)));
    } catch (err) {
      // Leave nothing running behind a failed start (it would keep the test runner alive).
      await fed.stop().catch(() => undefined);
      throw err;
    }
    return fed;
  }

  /** Starts a process by name; "name#2" starts a further instance of it (competing consumers). */
  async startProcess(name: string): Promise<ServiceProcess> {
    const base = name.split('#')[0];
    const def = FEDERATION_PROCESSES.find((p) => p.name === base);
    if (!def) throw new Error(`unknown process ${name}`);
    const logFile = path.join(this.logDir, `${name.replace('#', '-')}.log`);
    const lines: string[] = this.logs.get(name) ?? [];
    const p = startService({
      ...def,
      name,
      env: {
        ...process.env,
        APE_CONFIG: this.configFile,
        APE_LOG_LEVEL: process.env.APE_LOG_LEVEL ?? 'info',
        // A further instance cannot share the first one's operations port: it takes an ephemeral one (see opsUrl).
        ...(name.includes('#') && { APE_OPS_PORT: '0' }),
      },
      onLine: (_n, line) => {
        lines.push(line);
        if (lines.length > 5000) lines.shift();
      },
    });
    void p.exited.then(() => writeFileSync(logFile, lines.join('\n') + '\n'));
    this.procs.set(name, p);
    this.logs.set(name, lines);
    try {
      await p.ready;
    } catch (err) {
      throw new Error(`${name} did not start: ${(err as Error).message}\n${lines.slice(-3).join('\n')}`);
    }
    return p;
  }

  readonly logs = new Map<string, string[]>();

  /** The operations endpoint (/metrics, /health, /ready) of a running process, as it announced it when ready. */
  opsUrl(name: string): string {
    const ops = this.procs.get(name)?.annuncio?.ops;
    if (typeof ops !== 'string') throw new Error(`${name} is not running or announced no operations endpoint`);
    return ops;
  }
  private offsetMs = 0;

  /** Moves every process's clock forward (needs fileClock). */
  advanceClock(ms: number): void {
    if (this.config.clock.source !== 'file') throw new Error('the federation was not started with fileClock');
    this.offsetMs += ms;
    setClockOffset(this.config.clock.file, this.offsetMs);
  }

  /** The federation's current time (real time plus the offset). */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  async stopProcess(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const p = this.procs.get(name);
    if (!p) return null;
    this.procs.delete(name);
    return p.stop(signal);
  }

  /** A pool as the application role (what the services are allowed to do). */
  pool(schema: string): Pool {
    const pool = createPool(this.config.postgres.url, schema, { max: 3 });
    this.pools.push(pool);
    return pool;
  }

  /** A pool as the schema owner (to tamper with what the application role cannot touch). */
  adminPool(schema: string): Pool {
    const pool = createPool(this.config.postgres.adminUrl, schema, { max: 2 });
    this.pools.push(pool);
    return pool;
  }

  identity(code: string) {
    return identityOf(this.config, code);
  }

  tlsOf(code: string) {
    const id = this.identity(code);
    return { keyFile: id.keyFile, certFile: id.certFile, caFile: this.config.pki.caCertFile };
  }

  /** The INPS case system as an independent client would be: node-soap over mutual TLS. */
  async caseSystem(operatore = { id: 'INPS-OP-TEST-0001', ufficio: 'INPS - sede di test' }): Promise<SistemaIstruttorio> {
    return SistemaIstruttorio.connect(this.url('istruttoria'), this.tlsOf('INPS_ISTRUTTORIA'), operatore);
  }

  /**
   * Our own SOAP client acting as the given identity (for raw protocol tests): with PDND on for the identity, it
   * obtains and sends vouchers and tracking evidence as that party's own client does (not with another tls).
   */
  soapAs(code: string, tls?: { keyFile: string; certFile: string; caFile: string }): SoapClient {
    const t = tls ?? this.tlsOf(code);
    const id = this.identity(code);
    let pdnd: SoapClientOptions['pdnd'];
    if (!tls && id.pdnd?.attivo) {
      const vouchers = PdndRegistry.of(this.config).then((registry) => new VoucherClient({ registry, identity: code, keyPem: readFileSync(id.keyFile, 'utf8'), ca: [readFileSync(this.config.pki.caCertFile)] }));
      void vouchers.then((v) => this.onStop.push(() => v.close()), () => undefined);
      pdnd = voucherHeaders(vouchers);
    }
    const c = new SoapClient({ ...t, timeoutMs: 10_000, ...(pdnd && { pdnd }) });
    this.clients.push(c);
    return c;
  }

  private readonly onStop: Array<() => void> = [];

  url(what: 'istruttoria' | 'esiti' | 'hub' | 'MINLAVORO' | 'ANPAL' | 'INAIL' | 'INL'): string {
    if (what === 'istruttoria' || what === 'esiti') return addressOf(this.config, 'INPS', what).url;
    return addressOf(this.config, what, 'verifica').url;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.stopProcess(n)));
    for (const c of this.clients) c.close();
    for (const f of this.onStop) f();
    // Swallowed: cleaning up; the databases are dropped next anyway.
    await Promise.all(this.pools.map((p) => p.end().catch(() => undefined)));
    await dropDatabase(this.config.postgres.adminUrl);
    await deleteVhost(this.config.rabbitmq.url);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
