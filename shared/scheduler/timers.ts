import type { Pool } from 'pg';
import type { Clock } from '../clock';
import { ApeError, toError } from '../errors';
import { withTransaction, type Tx } from '../db/pool';
import { testoInsert } from '../db/insert';
import { segnaposti, type Segnaposto } from '../db/segnaposti';
import type { Logger } from '../log';
import { metrics } from '../metrics/metrics';

/**
 * Durable timers in PostgreSQL. A timer is (tipo, chiave) with the instant it falls due; programming it again
 * moves it. The scheduler claims due timers with FOR UPDATE SKIP LOCKED, so any number of instances can run
 * against one database and each timer fires once: its handler runs in the transaction that marks it fired,
 * so a crash before the commit leaves it due for the next pass, and a commit means the state change and the
 * messages it causes are stored together. A handler that fails is retried later with growing delays,
 * without holding up the other timers.
 */

export interface Timer {
  id: string;
  tipo: string;
  chiave: string;
  scadeIl: Date;
  payload: Record<string, unknown>;
  tentativi: number;
}

export type TimerHandler = (tx: Tx, timer: Timer, now: Date) => Promise<void>;

export interface TimerDaProgrammare {
  tipo: string;
  chiave: string;
  scadeIl: Date;
  payload?: Record<string, unknown>;
}

export async function scheduleTimer(tx: Tx, t: TimerDaProgrammare): Promise<void> {
  await scheduleTimers(tx, [t]);
}

/** Programs timers (each a distinct tipo and chiave) in one statement; one already fired or cancelled stays so. */
export async function scheduleTimers(tx: Tx, timers: readonly TimerDaProgrammare[]): Promise<void> {
  if (timers.length === 0) return;
  const { params, p } = segnaposti();
  await tx.query(testoScheduleTimers(p, timers), params);
}

/** The statement programming these timers (at least one), written with `p`: for a statement that does more (shared/db/insieme.ts). */
export function testoScheduleTimers(p: Segnaposto, timers: readonly TimerDaProgrammare[]): string {
  return testoInsert(
    p,
    'timer',
    ['tipo', 'chiave', 'scade_il', 'payload'],
    timers.map((t) => [t.tipo, t.chiave, t.scadeIl, JSON.stringify(t.payload ?? {})]),
    `ON CONFLICT (tipo, chiave) DO UPDATE SET scade_il = EXCLUDED.scade_il, payload = EXCLUDED.payload WHERE timer.stato = 'ATTESA'`,
  );
}

/**
 * The statement cancelling timers, written with `p`: a part of the statement of the change that makes them moot
 * (shared/db/insieme.ts). A timer the scheduler is firing right now (row locked) is left alone rather than waited
 * for: waiting could deadlock with a handler that locks the istruttoria, and handlers find nothing to do on a case
 * that moved on.
 */
export function testoCancelTimers(p: Segnaposto, timers: ReadonlyArray<{ tipo: string; chiave: string }>): string {
  return `UPDATE timer SET stato = 'ANNULLATO'
      WHERE id IN (SELECT t.id FROM timer t JOIN unnest(${p(timers.map((t) => t.tipo))}::text[], ${p(timers.map((t) => t.chiave))}::text[]) AS c(tipo, chiave) ON t.tipo = c.tipo AND t.chiave = c.chiave
                    WHERE t.stato = 'ATTESA' FOR UPDATE OF t SKIP LOCKED)`;
}

/** Delay before a failed timer is tried again: 10 s, 20 s, 40 s... capped at 1 hour. */
function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
}

export interface SchedulerOptions {
  pool: Pool;
  clock: Clock;
  handlers: Readonly<Record<string, TimerHandler>>;
  log: Logger;
  /** Timers claimed per transaction (default 50). */
  batchSize?: number;
  /** Pause between passes when nothing was due, in ms (default 1000). */
  pollMs?: number;
}

export class Scheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Fires every timer due at the clock's now; returns how many fired. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, fired } = await this.runBatch();
      total += fired;
      if (claimed < (this.opts.batchSize ?? 50)) return total;
    }
  }

  /** One transaction: claims up to batchSize due timers and fires them, each under a savepoint. */
  async runBatch(): Promise<{ claimed: number; fired: number }> {
    const now = this.opts.clock.now();
    return withTransaction(this.opts.pool, async (tx) => {
      const { rows } = await tx.query<{ id: string; tipo: string; chiave: string; scade_il: Date; payload: Record<string, unknown>; tentativi: number }>(
        `SELECT id, tipo, chiave, scade_il, payload, tentativi FROM timer
          WHERE stato = 'ATTESA' AND scade_il <= $1
          ORDER BY scade_il, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.opts.batchSize ?? 50],
      );
      let fired = 0;
      for (const r of rows) {
        const timer: Timer = { id: r.id, tipo: r.tipo, chiave: r.chiave, scadeIl: r.scade_il, payload: r.payload, tentativi: r.tentativi };
        const handler = this.opts.handlers[r.tipo];
        // An earlier handler of this batch may have cancelled it (closing a case cancels its other timers).
        const ancora = await tx.query<{ stato: string }>('SELECT stato FROM timer WHERE id = $1', [r.id]);
        if (ancora.rows[0]?.stato !== 'ATTESA') continue;
        await tx.query('SAVEPOINT timer');
        try {
          if (!handler) throw new Error(`no handler for timer type ${r.tipo}`);
          await handler(tx, timer, now);
          await tx.query(`UPDATE timer SET stato = 'ESEGUITO', eseguito_il = $2, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id = $1`, [r.id, now]);
          await tx.query('RELEASE SAVEPOINT timer');
          fired++;
          // Counted before the commit: a commit that then fails re-fires the timer, which counts it twice (rare, and visible).
          metrics().timerEseguiti.inc({ tipo: r.tipo, esito: 'eseguito' });
          metrics().timerRitardo.observe({ tipo: r.tipo }, Math.max(0, now.getTime() - r.scade_il.getTime()) / 1000);
        } catch (thrown) {
          const err = toError(thrown);
          await tx.query('ROLLBACK TO SAVEPOINT timer');
          await tx.query(`UPDATE timer SET tentativi = tentativi + 1, ultimo_errore = $2, scade_il = $3 WHERE id = $1`, [
            r.id,
            err.message.slice(0, 500),
            new Date(now.getTime() + retryDelayMs(r.tentativi + 1)),
          ]);
          this.opts.log.error({ err, timer: r.id, tipo: r.tipo, chiave: r.chiave }, 'timer handler failed; will retry');
          metrics().timerEseguiti.inc({ tipo: r.tipo, esito: 'fallito' });
          metrics().errore(err instanceof ApeError ? err.code : 'ERRORE_INTERNO', 'timer');
        }
      }
      return { claimed: rows.length, fired };
    });
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.runDue();
        } catch (err) {
          this.opts.log.warn({ err: toError(err).message }, 'scheduler pass failed; will retry');
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollMs ?? 1000);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
