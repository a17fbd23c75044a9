import type { Pool } from 'pg';
import { rilevaAnomalie, rilevaRifiutiRipetuti } from '../audit/anomalie';
import { toError } from '../errors';
import type { ServiceRuntime } from './service';

/**
 * Background duties of a service (anomaly rules, retention, certificate checks): each runs once shortly after
 * start and then at its interval; a failure is logged and retried at the next turn. Safe with several
 * instances: the duties themselves are idempotent or claim their work with SKIP LOCKED.
 */
export interface PeriodicTask {
  nome: string;
  ogniMs: number;
  esegui(): Promise<Record<string, unknown> | void>;
}

export function startPeriodicTasks(rt: ServiceRuntime, attivita: readonly PeriodicTask[]): void {
  for (const a of attivita) {
    let running = false;
    const run = async () => {
      if (running) return;
      running = true;
      try {
        const esito = await a.esegui();
        if (esito && Object.values(esito).some((v) => typeof v === 'number' && v > 0)) rt.log.info({ attivita: a.nome, ...esito }, `${a.nome} done`);
      } catch (err) {
        rt.log.warn({ attivita: a.nome, err: toError(err).message }, `${a.nome} failed; will retry`);
      } finally {
        running = false;
      }
    };
    const first = setTimeout(() => void run(), 1000);
    const every = setInterval(() => void run(), a.ogniMs);
    first.unref();
    every.unref();
    rt.onShutdown(() => {
      clearTimeout(first);
      clearInterval(every);
    });
  }
}

/**
 * The anomaly rules on this party's access log, every minute, and RIFIUTI_RIPETUTI every 30 s (a burst of refusals is
 * reported within a minute; the intake also raises it at once for callers without an identity); system operators are
 * never flagged.
 */
export function controlliAccessi(rt: ServiceRuntime, pool: Pool, o: { istruttorie: boolean }): PeriodicTask[] {
  const operatoriDiSistema = Object.values(rt.config.systemOperators).map((op) => op.id);
  return [
    {
      nome: 'controlli automatici sugli accessi',
      ogniMs: 60_000,
      esegui: () => rilevaAnomalie(pool, rt.clock.now(), rt.config.security, { operatoriDiSistema, istruttorie: o.istruttorie, rifiuti: false }),
    },
    {
      nome: 'controllo dei rifiuti ripetuti',
      ogniMs: 30_000,
      esegui: async () => ({ nuove: await rilevaRifiutiRipetuti(pool, rt.clock.now(), rt.config.security) }),
    },
  ];
}
