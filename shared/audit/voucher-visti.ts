import type { Pool } from 'pg';

/**
 * The durable memory of PDND vouchers presented (table voucher_visto): each jti with the binding it was first seen
 * with. A voucher is meant to be reused until it expires (a client holds it for many calls), so a jti seen again
 * is a replay only when its binding differs: another client, purpose, e-service or tracking evidence under the same
 * jti. The first presentation of each jti costs one statement; the process remembers the jtis it has seen, so later
 * ones cost none. Rows are dropped a while after the voucher expired (exp refuses it from then on anyway).
 */
export interface VoucherReplayGuard {
  /** False when the jti was already recorded with another binding. */
  registra(jti: string, vincolo: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean>;
}

export class VoucherVistiPostgres implements VoucherReplayGuard {
  private readonly noti = new Map<string, { vincolo: string; scadeIl: number }>();
  private ultimaPulizia = 0;

  constructor(
    private readonly pool: Pool,
    /** Kept beyond exp: the skew the exp check tolerates, with a margin. */
    private readonly margineMs = 10 * 60_000,
  ) {}

  async registra(jti: string, vincolo: string, mittente: string, scadeIl: Date, now: Date): Promise<boolean> {
    const noto = this.noti.get(jti);
    if (noto) return noto.vincolo === vincolo;
    const r = await this.pool.query<{ vincolo: string }>(
      `WITH nuovo AS (
         INSERT INTO voucher_visto (jti, vincolo, mittente, visto_il, scade_il) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (jti) DO NOTHING RETURNING vincolo)
       SELECT vincolo FROM nuovo UNION ALL SELECT vincolo FROM voucher_visto WHERE jti = $1 AND NOT EXISTS (SELECT 1 FROM nuovo)`,
      [jti, vincolo, mittente, now, scadeIl],
    );
    // Empty only when a concurrent insert of the same jti committed after this statement's snapshot: read it now.
    const row = r.rows[0] ?? (await this.pool.query<{ vincolo: string }>('SELECT vincolo FROM voucher_visto WHERE jti = $1', [jti])).rows[0];
    const registrato = row?.vincolo ?? vincolo;
    this.ricorda(jti, registrato, scadeIl, now);
    return registrato === vincolo;
  }

  private ricorda(jti: string, vincolo: string, scadeIl: Date, now: Date): void {
    this.noti.set(jti, { vincolo, scadeIl: scadeIl.getTime() });
    if (now.getTime() - this.ultimaPulizia < 60_000) return;
    this.ultimaPulizia = now.getTime();
    for (const [k, v] of this.noti) if (v.scadeIl < now.getTime()) this.noti.delete(k);
    // Off the caller's path: a failed sweep is tried again a minute later.
    void this.pool.query('DELETE FROM voucher_visto WHERE scade_il < $1', [new Date(now.getTime() - this.margineMs)]).catch(() => undefined);
  }
}
