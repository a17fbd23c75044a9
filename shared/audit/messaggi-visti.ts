import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { GroupCommit } from '../db/group-commit';
import { PrimaIstruzione } from '../db/prima-istruzione';
import { MESSAGGIO_RIPETUTO, type ReplayGuard } from '../soap/intake/replay';

/**
 * The replay guard's memory (table messaggio_visto): a MessageID is inserted once, by whichever instance sees
 * it first. Concurrent calls share one statement and one commit (shared/db/group-commit.ts; each learns from
 * RETURNING whether its row went in; of two copies in the same statement only the first does). Rows are dropped a while after their
 * Timestamp expired, since from then on the Timestamp check refuses a copy on its own; the sweep runs at most
 * once a minute, piggybacking on inserts.
 */
interface Riga {
  messageId: string;
  mittente: string;
  scadeIl: Date;
  now: Date;
}

export class MessaggiVistiPostgres implements ReplayGuard {
  private ultimaPulizia = 0;
  private readonly righe = new GroupCommit<Riga, boolean>((righe) => this.inserisci(righe));

  constructor(
    private readonly pool: Pool,
    /** Kept beyond Expires: the clock difference the Timestamp check tolerates, with a margin. */
    private readonly margineMs = 10 * 60_000,
  ) {}

  registra(messageId: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean> {
    return this.righe.aggiungi({ messageId, mittente, scadeIl, now });
  }

  /**
   * The same row as the first statement of the handler's transaction on this database (its one commit): a copy
   * already there, or being inserted by another call's transaction (waited for), refuses the call there.
   */
  nellaTransazione(messageId: string, mittente: string, scadeIl: Date, now: Date): PrimaIstruzione {
    const rifiuto = () => new ApeError('MESSAGGIO_RIPETUTO', MESSAGGIO_RIPETUTO(messageId));
    return new PrimaIstruzione(
      this.pool,
      async (tx) => {
        const r = await tx.query('INSERT INTO messaggio_visto (message_id, mittente, visto_il, scade_il) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING', [messageId, mittente, now, scadeIl]);
        if (r.rowCount !== 1) throw rifiuto();
        this.forsePulisci(now);
      },
      {
        // The same row inside the handler's one statement (conOutboxNellaChiamata), which a copy refuses whole.
        testo: (p) => `INSERT INTO messaggio_visto (message_id, mittente, visto_il, scade_il) VALUES (${p(messageId)}, ${p(mittente)}, ${p(now)}, ${p(scadeIl)}) ON CONFLICT (message_id) DO NOTHING RETURNING 1`,
        rifiuto,
        fatto: () => this.forsePulisci(now),
      },
    );
  }

  /** For each row, whether it was new (a copy already present, or earlier in the batch, was not). */
  private async inserisci(batch: readonly Riga[]): Promise<boolean[]> {
    // One row per MessageID (the first copy), in MessageID order: two instances inserting the same IDs take
    // their locks in the same order, so a replay sent to both cannot deadlock their batches.
    const primi = new Map<string, Riga>();
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
    this.forsePulisci(batch[batch.length - 1]!.now);
    const inseriti = new Set(r.rows.map((x) => x.message_id));
    return batch.map((a) => inseriti.delete(a.messageId));
  }

  /** After an insert, off the callers' path, at most once a minute: a failed sweep is tried again a minute later. */
  private forsePulisci(now: Date): void {
    if (now.getTime() - this.ultimaPulizia <= 60_000) return;
    this.ultimaPulizia = now.getTime();
    void this.pulisci(now).catch(() => undefined);
  }

  async pulisci(now: Date): Promise<number> {
    const r = await this.pool.query('DELETE FROM messaggio_visto WHERE scade_il < $1', [new Date(now.getTime() - this.margineMs)]);
    return r.rowCount ?? 0;
  }
}
