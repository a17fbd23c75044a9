import { toError } from '../errors';
import { isDataError } from './pool';

/**
 * Group commit: items submitted while a batch is being written (and those submitted in the same turn of the
 * event loop) are written together by the next call of `scriviLotto`, which returns one result per item, in
 * order. When PostgreSQL refuses the batch for its data, each item is written again alone, so one bad item
 * fails alone; any other failure (connection lost, commit outcome unknown) reaches every item of the batch,
 * since writing again could repeat what was committed.
 */
interface InAttesa<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

export class GroupCommit<I, R> {
  private queue: InAttesa<I, R>[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly scriviLotto: (items: readonly I[]) => Promise<R[]>,
    private readonly massimoLotto = 500,
  ) {}

  /** Resolves with the item's result once its batch is written. */
  aggiungi(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Started after this turn's other items are queued, so they share the batch.
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const lotto = this.queue.splice(0, this.massimoLotto);
      try {
        const esiti = await this.scriviLotto(lotto.map((a) => a.item));
        lotto.forEach((a, i) => a.resolve(esiti[i]!));
      } catch (err) {
        if (lotto.length === 1 || !isDataError(err)) {
          for (const a of lotto) a.reject(toError(err));
          continue;
        }
        for (const a of lotto) {
          await this.scriviLotto([a.item]).then(([r]) => a.resolve(r!), (e: unknown) => a.reject(toError(e)));
        }
      }
    }
    this.flushing = null;
  }
}
