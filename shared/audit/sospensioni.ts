import type { Pool } from 'pg';
import { ApeError, toError } from '../errors';
import type { Logger } from '../log';
import type { SuspensionCheck } from '../soap/intake/suspension';

/**
 * Suspensions decided by a supervisor (table sospensione), checked on every call from an in-memory copy that a
 * NOTIFY refreshes at once (and a poll every few seconds, in case a notification is lost).
 */
export class CacheSospensioni implements SuspensionCheck {
  private parti = new Map<string, string>();
  private operatori = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private listener: import('pg').PoolClient | null = null;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly log: Logger,
    private readonly pollMs = 5000,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
    void this.listen();
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.pool.connect();
      if (this.stopped) {
        client.release();
        return;
      }
      this.listener = client;
      client.on('error', () => {
        // Already given back (stop(), then the server ended the connection): releasing twice would throw.
        if (this.listener !== client) return;
        this.listener = null;
        client.release(true);
      });
      client.on('notification', () => void this.refresh());
      await client.query(`LISTEN ape_sospensioni_${this.schema}`);
    } catch (err) {
      this.log.debug({ err: toError(err).message }, 'suspensions LISTEN unavailable; polling only');
    }
  }

  async refresh(): Promise<void> {
    try {
      const r = await this.pool.query<{ tipo: 'OPERATORE' | 'PARTE'; soggetto: string; motivo: string }>('SELECT tipo, soggetto, motivo FROM sospensione WHERE revocata_il IS NULL');
      this.parti = new Map(r.rows.filter((x) => x.tipo === 'PARTE').map((x) => [x.soggetto, x.motivo]));
      this.operatori = new Map(r.rows.filter((x) => x.tipo === 'OPERATORE').map((x) => [x.soggetto, x.motivo]));
    } catch (err) {
      this.log.warn({ err: toError(err).message }, 'cannot refresh suspensions; keeping the last known');
    }
  }

  verifica(identity: string, operatoreId: string | null): void {
    const parte = this.parti.get(identity);
    if (parte !== undefined) throw new ApeError('PARTE_SOSPESA', `l'accesso di ${identity} è sospeso dal supervisore: ${parte}`);
    if (operatoreId !== null) {
      const op = this.operatori.get(operatoreId);
      if (op !== undefined) throw new ApeError('OPERATORE_SOSPESO', `l'operatore ${operatoreId} è sospeso dal supervisore: ${op}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const listener = this.listener;
    this.listener = null;
    listener?.release(true);
  }
}

/** A supervisor's decisions, with author and reason; never deleted, revoked with author and time. */
export async function sospendi(pool: Pool, s: { tipo: 'OPERATORE' | 'PARTE'; soggetto: string; motivo: string; autore: string }, now: Date): Promise<void> {
  if (s.motivo.trim().length < 5) throw new ApeError('DATI_INCOERENTI', 'indicare il motivo della sospensione');
  const r = await pool.query(
    'INSERT INTO sospensione (tipo, soggetto, motivo, autore, sospeso_il) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
    [s.tipo, s.soggetto, s.motivo.trim(), s.autore, now],
  );
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `${s.tipo.toLowerCase()} ${s.soggetto} è già sospeso`);
}

export async function riattiva(pool: Pool, s: { tipo: 'OPERATORE' | 'PARTE'; soggetto: string; autore: string }, now: Date): Promise<void> {
  const r = await pool.query('UPDATE sospensione SET revocata_il = $3, revocata_da = $4 WHERE tipo = $1 AND soggetto = $2 AND revocata_il IS NULL', [s.tipo, s.soggetto, now, s.autore]);
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `${s.tipo.toLowerCase()} ${s.soggetto} non è sospeso`);
}
