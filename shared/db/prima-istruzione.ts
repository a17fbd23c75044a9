import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';

/**
 * A statement that must be committed with the first read-write transaction a piece of work opens on a pool, and
 * before anything else in it: the SOAP intake's replay record (shared/soap/intake/replay.ts) goes into the
 * handler's own transaction, so a call that changes state costs one commit at the receiver, not two, and a replay
 * is refused before the handler's first statement, by the same unique key, under the same transaction.
 *
 * withTransaction (pool.ts) takes it: only on the given pool, only in a read-write transaction, one transaction at a
 * time. A transaction that rolls back gives it back (the next one takes it); one that commits has it done. When the
 * work ends (`chiudi`) it is never taken again, so nothing the work left scheduled can take it later: the caller
 * then knows whether it was committed, and writes it alone otherwise.
 */
export class PrimaIstruzione {
  private stato: 'libera' | 'in-corso' | 'committed' | 'chiusa' = 'libera';

  constructor(
    readonly pool: Pool,
    private readonly esegui: (tx: PoolClient) => Promise<void>,
  ) {}

  /** Runs work with this statement pending for its transactions on the pool. */
  durante<T>(work: () => Promise<T>): Promise<T> {
    return contesto.run(this, work);
  }

  /** Ends the work's claim: true when the statement was committed in one of its transactions. */
  chiudi(): boolean {
    if (this.stato === 'committed') return true;
    this.stato = 'chiusa';
    return false;
  }

  /** @internal withTransaction: after BEGIN, takes and runs the statement when it is free and for this pool. */
  async prendi(pool: Pool, tx: PoolClient): Promise<boolean> {
    if (this.stato !== 'libera' || pool !== this.pool) return false;
    this.stato = 'in-corso';
    try {
      await this.esegui(tx);
    } catch (err) {
      this.stato = 'libera';
      throw err;
    }
    return true;
  }

  /** @internal withTransaction: the transaction that took it committed, or rolled back (it is free again). */
  esito(committed: boolean): void {
    if (this.stato === 'in-corso') this.stato = committed ? 'committed' : 'libera';
  }
}

const contesto = new AsyncLocalStorage<PrimaIstruzione>();

/** The statement pending in this asynchronous context, if any. */
export function primaIstruzioneInCorso(): PrimaIstruzione | undefined {
  return contesto.getStore();
}

/**
 * Runs fn outside any pending statement: for work started from a caller's context that serves others too (a
 * group commit's batch), which must never take one caller's statement into everybody's transaction.
 */
export function fuoriDallaPrimaIstruzione<T>(fn: () => T): T {
  return contesto.exit(fn);
}
