import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { testoInsert } from '../db/insert';
import type { PrimaIstruzione } from '../db/prima-istruzione';
import { conOutboxNellaChiamata, type OutboxMessage } from './outbox';

/** A request's row, keyed by its own identifier, with its content's digest and the correlation id its ack gives. */
export interface RichiestaUnaVolta<C extends string | null> {
  tabella: string;
  /** The key column (a unique constraint on it decides what a copy is). */
  chiave: string;
  /** Every column of the row, in the order written, `impronta` and `correlation_id` among them. */
  riga: Record<string, unknown> & { impronta: string; correlation_id: C };
  /** The messages the request causes: stored only with a new row. */
  messaggi: readonly OutboxMessage[];
  /** The refusal of a copy with other content (PACCHETTO_DUPLICATO). */
  diverso: string;
}

/**
 * A request stored once per key, with the messages it causes and the call's replay record, in one statement and
 * one commit (conOutboxNellaChiamata). A sender's retry (the same request under a new MessageID) finds its row
 * there and causes nothing: with the same content it is acknowledged as the first one was (the same correlation
 * id), with other content it is refused. The row is read after the statement, committed: ON CONFLICT DO NOTHING
 * waited for the transaction that was writing it.
 */
export async function registraUnaVolta<C extends string | null>(
  pool: Pool,
  prima: PrimaIstruzione | undefined,
  r: RichiestaUnaVolta<C>,
): Promise<{ nuova: boolean; correlationId: C }> {
  const colonne = Object.keys(r.riga);
  const inserita = await conOutboxNellaChiamata(
    pool,
    prima,
    (p) => testoInsert(p, r.tabella, colonne, [colonne.map((c) => r.riga[c])], `ON CONFLICT (${r.chiave}) DO NOTHING`),
    r.messaggi,
    { seCambia: true },
  );
  if (inserita > 0) return { nuova: true, correlationId: r.riga.correlation_id };
  // The table and key column come from the caller's code, not from the request.
  const prev = (await pool.query<{ impronta: string; correlation_id: C }>(`SELECT impronta, correlation_id FROM ${r.tabella} WHERE ${r.chiave} = $1`, [r.riga[r.chiave]])).rows[0]!;
  if (prev.impronta !== r.riga.impronta) throw new ApeError('PACCHETTO_DUPLICATO', r.diverso);
  return { nuova: false, correlationId: prev.correlation_id };
}
