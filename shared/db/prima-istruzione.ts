import type { Pool, PoolClient } from 'pg';
import type { Segnaposto } from './segnaposti';

/**
 * The statement as a part of the handler's own statement (shared/outbox/outbox.ts conOutboxNellaChiamata), where the
 * handler's change is one statement: then BEGIN, the record, the change and COMMIT are one round trip.
 */
export interface ParteDiIstruzione {
  /** The record as a data-modifying statement RETURNING one row when it went in, none for a copy; written with `p`. */
  testo: (p: Segnaposto) => string;
  /** The error a copy is refused with. */
  rifiuto: () => Error;
  /** Called once the statement holding it committed. */
  fatto: () => void;
}

/**
 * A statement that must be committed with the first read-write transaction a call's handler opens on a pool, and
 * before anything else in it: the SOAP intake's replay record (shared/soap/intake/replay.ts) goes into the
 * handler's own transaction, so a call that changes state costs one commit at the receiver, not two, and a copy is
 * refused before the handler's first statement, by the same unique key, in the same transaction.
 *
 * The handler hands it to withTransaction (pool.ts, option primaIstruzione), which runs it: only on the pool it is
 * for, one transaction at a time. A transaction that rolls back gives it back (a later one takes it); one that
 * commits has it done. When the call ends (`chiudi`) it is never taken again: the caller then knows whether it was
 * committed, and writes it alone otherwise. Passed explicitly: an implicit context (AsyncLocalStorage) costs every
 * promise of the process on Node 20, measured at 3-6% of each service's CPU.
 */
export class PrimaIstruzione {
  private stato: 'libera' | 'in-corso' | 'committed' | 'chiusa' = 'libera';

  constructor(
    readonly pool: Pool,
    private readonly esegui: (tx: PoolClient) => Promise<void>,
    private readonly parte?: ParteDiIstruzione,
  ) {}

  /**
   * conOutboxNellaChiamata: takes the statement as a part of the handler's one statement, when it is free, for this
   * pool and has that form; the caller then reports the statement's outcome with `esito`.
   */
  prendiComeParte(pool: Pool): ParteDiIstruzione | null {
    if (this.stato !== 'libera' || pool !== this.pool || !this.parte) return null;
    this.stato = 'in-corso';
    return this.parte;
  }

  /** Ends the call's claim: true when the statement was committed in one of its transactions. */
  chiudi(): boolean {
    if (this.stato === 'committed') return true;
    this.stato = 'chiusa';
    return false;
  }

  /** withTransaction, after BEGIN: takes and runs the statement when it is free and for this pool. */
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

  /** withTransaction: the transaction that took it committed, or rolled back (it is free again). */
  esito(committed: boolean): void {
    if (this.stato === 'in-corso') this.stato = committed ? 'committed' : 'libera';
  }
}
