import type { Pool } from 'pg';
import { toError } from '../errors';
import { erroreDeiDati } from '../db/pool';
import type { MessaggiVisti } from '../soap/firma-ingresso';

/**
 * The replay guard's memory (table messaggio_visto): a MessageID is inserted once, by whichever instance sees
 * it first. Concurrent calls share one statement and one commit (each learns from RETURNING whether its row
 * went in; of two copies in the same statement only the first does). Rows are dropped a while after their
 * Timestamp expired, since from then on the Timestamp check refuses a copy on its own; the sweep runs at most
 * once a minute, piggybacking on inserts.
 */
interface Attesa {
  messageId: string;
  mittente: string;
  scadeIl: Date;
  now: Date;
  resolve: (nuovo: boolean) => void;
  reject: (e: Error) => void;
}

export class MessaggiVistiPostgres implements MessaggiVisti {
  private ultimaPulizia = 0;
  private queue: Attesa[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    /** Kept beyond Expires: the clock difference the Timestamp check tolerates, with a margin. */
    private readonly margineMs = 10 * 60_000,
  ) {}

  registra(messageId: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ messageId, mittente, scadeIl, now, resolve, reject });
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        const inseriti = await this.inserisci(batch);
        for (const a of batch) a.resolve(inseriti.delete(a.messageId));
      } catch (err) {
        // One row the database refuses must not refuse the calls grouped with it. Any other failure reaches every
        // call (ERRORE_INTERNO, retryable, with a new MessageID): inserting again after a commit whose outcome
        // was lost would answer "already seen" to messages seen only by that commit.
        if (batch.length === 1 || !erroreDeiDati(err)) for (const a of batch) a.reject(toError(err));
        else for (const a of batch) await this.inserisci([a]).then((s) => a.resolve(s.has(a.messageId)), (e: unknown) => a.reject(toError(e)));
      }
      const now = batch[batch.length - 1]!.now;
      if (now.getTime() - this.ultimaPulizia > 60_000) {
        this.ultimaPulizia = now.getTime();
        await this.pulisci(now).catch(() => undefined);
      }
    }
    this.flushing = null;
  }

  /** The MessageIDs this batch inserted (a copy already present, or earlier in the batch, is absent). */
  private async inserisci(batch: readonly Attesa[]): Promise<Set<string>> {
    // One row per MessageID (the first copy), in MessageID order: two instances inserting the same IDs take
    // their locks in the same order, so a replay sent to both cannot deadlock their batches.
    const primi = new Map<string, Attesa>();
    for (const a of batch) if (!primi.has(a.messageId)) primi.set(a.messageId, a);
    const righe = [...primi.values()].sort((x, y) => (x.messageId < y.messageId ? -1 : x.messageId > y.messageId ? 1 : 0));
    const params: unknown[] = [];
    const tuples = righe.map((a) => {
      params.push(a.messageId, a.mittente, a.now, a.scadeIl);
      const n = params.length;
      return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const r = await this.pool.query<{ message_id: string }>(
      `INSERT INTO messaggio_visto (message_id, mittente, visto_il, scade_il) VALUES ${tuples.join(', ')} ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      params,
    );
    return new Set(r.rows.map((x) => x.message_id));
  }

  async pulisci(now: Date): Promise<number> {
    const r = await this.pool.query('DELETE FROM messaggio_visto WHERE scade_il < $1', [new Date(now.getTime() - this.margineMs)]);
    return r.rowCount ?? 0;
  }
}
