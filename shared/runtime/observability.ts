import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApeError, toError } from '../errors';
import type { Logger } from '../log';
import type { ObservabilityConfig } from '../config/schema';
import { metrics, type Metrics } from '../metrics/metrics';
import { withinTimeout, ReadSeries, type SeriesRegistry } from '../metrics/series';

/**
 * The operations endpoint every service process serves (plain HTTP, on loopback unless configured otherwise):
 *   GET /metrics  Prometheus text format (the process's Registry)
 *   GET /health   200 while the process is alive and its event loop answers
 *   GET /ready    200 when every registered dependency is usable, else 503 with a JSON body naming what is not
 * Readiness is also false until the service announced it started (rt.ready) and once it is shutting down, so
 * that a load balancer or an orchestrator stops sending work before the process goes.
 */

/** A readiness check: resolves when the dependency is usable; throws (or returns false) when it is not. */
export type ReadinessCheck = () => unknown;

export interface Observability extends SeriesRegistry {
  readonly metriche: Metrics;
  /** Registers a readiness check under a name (postgres, rabbitmq, soap...). */
  readiness(nome: string, verifica: ReadinessCheck): void;
}

export interface ReadinessResult {
  pronto: boolean;
  controlli: Record<string, string>;
  nonPronti: string[];
}

/**
 * Long enough that a busy pool (its connections taken by LISTEN loops and work) or a loaded machine does not read
 * as a dependency down, which would take instances out of a load balancer exactly when load peaks; short enough to
 * stay under the usual probe timeouts once configured (Kubernetes: timeoutSeconds >= 6).
 */
const TIMEOUT_PRONTEZZA_MS = 5000;

/** Runs every check at once, each with a deadline; the process is ready when all pass. */
export async function evaluateReadiness(checks: ReadonlyMap<string, ReadinessCheck>, timeoutMs = TIMEOUT_PRONTEZZA_MS): Promise<ReadinessResult> {
  const esiti = await Promise.all(
    [...checks].map(async ([nome, verifica]): Promise<[string, string]> => {
      try {
        const r = await withinTimeout(Promise.resolve().then(verifica), timeoutMs, nome);
        return [nome, r === false ? 'non disponibile' : 'ok'];
      } catch (err) {
        return [nome, toError(err).message || 'non disponibile'];
      }
    }),
  );
  const controlli = Object.fromEntries(esiti);
  const nonPronti = esiti.filter(([, v]) => v !== 'ok').map(([k]) => k);
  return { pronto: nonPronti.length === 0, controlli, nonPronti };
}

/** The port for a process: APE_OPS_PORT, else observability.ports (process names compared case-insensitively), else 0 (ephemeral). */
export function opsPort(config: ObservabilityConfig, processo: string, env: NodeJS.ProcessEnv = process.env): number {
  const daEnv = env.APE_OPS_PORT;
  if (daEnv !== undefined && daEnv !== '') {
    const n = Number(daEnv);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `APE_OPS_PORT "${daEnv}" non è una porta (0-65535)`);
    return n;
  }
  const chiave = Object.keys(config.ports).find((k) => k.toLowerCase() === processo.toLowerCase());
  return chiave === undefined ? 0 : config.ports[chiave]!;
}

export interface OpsEndpoint extends Observability {
  readonly url: string;
  /** Startup complete: readiness may become true. */
  avviato(): void;
  /** Shutdown started: readiness is false from now on. */
  inArresto(): void;
  chiudi(): Promise<void>;
}

export async function startOpsEndpoint(o: { processo: string; config: ObservabilityConfig; log: Logger; m?: Metrics }): Promise<OpsEndpoint> {
  const m = o.m ?? metrics();
  m.perProcesso(o.processo);
  const serie = new ReadSeries(m);
  const checks = new Map<string, ReadinessCheck>();
  let fase: 'avvio' | 'attivo' | 'arresto' = 'avvio';
  checks.set('avvio', () => {
    if (fase === 'avvio') throw new Error('avvio in corso');
    if (fase === 'arresto') throw new Error('arresto in corso');
  });

  const rispondi = (res: http.ServerResponse, status: number, body: string, type: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => rispondi(res, status, JSON.stringify(body), 'application/json; charset=utf-8');

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { errore: `metodo ${req.method} non ammesso: usare GET` });
    void (async () => {
      try {
        if (path === '/metrics') {
          await serie.aggiorna();
          return rispondi(res, 200, await m.registry.metrics(), m.registry.contentType);
        }
        if (path === '/health') {
          // Answering at all means the event loop turns; the lag says how well.
          const t0 = process.hrtime.bigint();
          await new Promise((r) => setImmediate(r));
          return json(res, 200, { stato: 'attivo', processo: o.processo, pid: process.pid, uptimeSecondi: Math.round(process.uptime()), ritardoCicloMs: Number(process.hrtime.bigint() - t0) / 1e6 });
        }
        if (path === '/ready') {
          const e = await evaluateReadiness(checks);
          return json(res, e.pronto ? 200 : 503, { pronto: e.pronto, processo: o.processo, nonPronti: e.nonPronti, controlli: e.controlli });
        }
        return json(res, 404, { errore: `${path} non esiste: /metrics, /health, /ready` });
      } catch (err) {
        o.log.warn({ err: toError(err).message, path }, 'operations endpoint request failed');
        if (!res.headersSent) json(res, 500, { errore: 'errore interno' });
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  const port = opsPort(o.config, o.processo);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ApeError('CONFIGURAZIONE_NON_VALIDA', `porta operativa ${o.config.host}:${port} già in uso (un'altra istanza di ${o.processo}? avviarla con APE_OPS_PORT=0 o un'altra porta)`)
          : err,
      ),
    );
    server.listen(port, o.config.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;

  return {
    url,
    metriche: m,
    readiness: (nome, verifica) => {
      if (checks.has(nome)) throw new Error(`controllo di prontezza "${nome}" già registrato`);
      checks.set(nome, verifica);
    },
    serie: (def, raccolta, leggi) => serie.serie(def, raccolta, leggi),
    avviato: () => {
      if (fase === 'avvio') fase = 'attivo';
    },
    inArresto: () => {
      fase = 'arresto';
    },
    chiudi: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
