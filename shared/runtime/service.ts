import { loadConfig } from '../config/load';
import type { FederationConfig } from '../config/schema';
import { clockFrom, type Clock } from '../clock';
import { toError } from '../errors';
import { createLogger, type Logger } from '../log';
import { startOpsEndpoint, type OpsEndpoint, type Observability } from './observability';

/**
 * The life of a service process: configuration read and validated once, a logger, a clock, and an orderly
 * shutdown on SIGTERM/SIGINT that runs the registered closers in reverse order (stop intake, drain
 * in-flight work, close channels and pools). A failure to start stops the process with exit code 1.
 */
export interface ServiceRuntime {
  name: string;
  config: FederationConfig;
  log: Logger;
  clock: Clock;
  /** Registers a closer; closers run last-registered first. */
  onShutdown(fn: () => Promise<void> | void): void;
  /**
   * Announces readiness (log line, and an IPC message when spawned by the launcher or a test); both carry the
   * operations endpoint's URL as `ops`.
   */
  ready(details?: Record<string, unknown>): void;
  /** The process's metrics and readiness checks, served on its operations endpoint (/metrics, /health, /ready). */
  observability: Observability;
}

export function runService(name: string, start: (rt: ServiceRuntime) => Promise<void>): void {
  const log = createLogger(name);
  const closers: Array<() => Promise<void> | void> = [];
  let shuttingDown = false;
  let ops: OpsEndpoint | null = null;

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    ops?.inArresto();
    for (const fn of closers.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.warn({ err: toError(err).message }, 'error while shutting down');
      }
    }
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => log.error({ err: toError(reason) }, 'unhandled promise rejection'));

  const main = async () => {
    const config = loadConfig();
    // Up before anything else, so that /health answers and /ready says why while the service starts; closed last.
    const endpoint = await startOpsEndpoint({ processo: name, config: config.observability, log });
    ops = endpoint;
    closers.push(() => endpoint.chiudi());
    const rt: ServiceRuntime = {
      name,
      config,
      log,
      clock: clockFrom(config.clock),
      onShutdown: (fn) => closers.push(fn),
      ready: (details = {}) => {
        endpoint.avviato();
        const all = { ...details, ops: endpoint.url };
        log.info(all, `${name} ready`);
        if (process.send) process.send({ ready: name, ...all });
      },
      observability: endpoint,
    };
    await start(rt);
  };
  main().catch((err: unknown) => {
    log.fatal({ err: toError(err) }, `${name} failed to start`);
    process.exit(1);
  });
}
