import type { Pool } from 'pg';
import type { MessaggiVisti } from '../soap/firma-ingresso';

/**
 * The replay guard's memory (table messaggio_visto): a MessageID is inserted once, by whichever instance sees
 * it first. Rows are dropped a while after their Timestamp expired, since from then on the Timestamp check
 * refuses a copy on its own; the sweep runs at most once a minute, piggybacking on inserts.
 */
export class MessaggiVistiPostgres implements MessaggiVisti {
  private ultimaPulizia = 0;

  constructor(
    private readonly pool: Pool,
    /** Kept beyond Expires: the clock difference the Timestamp check tolerates, with a margin. */
    private readonly margineMs = 10 * 60_000,
  ) {}

  async registra(messageId: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean> {
    const r = await this.pool.query(
      'INSERT INTO messaggio_visto (message_id, mittente, visto_il, scade_il) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING',
      [messageId, mittente, now, scadeIl],
    );
    if (now.getTime() - this.ultimaPulizia > 60_000) {
      this.ultimaPulizia = now.getTime();
      await this.pulisci(now);
    }
    return r.rowCount === 1;
  }

  async pulisci(now: Date): Promise<number> {
    const r = await this.pool.query('DELETE FROM messaggio_visto WHERE scade_il < $1', [new Date(now.getTime() - this.margineMs)]);
    return r.rowCount ?? 0;
  }
}
