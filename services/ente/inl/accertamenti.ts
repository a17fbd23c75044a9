import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { withTransaction, type Tx } from '../../../shared/db/pool';
import type { InlConfig } from '../../../shared/config/schema';
import type { Operatore } from '../../../shared/domain/types';
import type { Segnalazione } from '../../../shared/messages/pacchetto';
import { enqueue } from '../../../shared/outbox/outbox';
import { QUEUES } from '../../../shared/amqp/topology';

/**
 * INL's side of art. 5 c: the cases INPS sends (accertamento rows), the decision whether to open an inspection
 * (an automatic policy, or an identified inspector through the CLI), and its outcome, recorded by an inspector.
 * Every decision and outcome is a notice to INPS (notifica_accertamento + outbox), delivered even after INPS
 * closed the istruttoria.
 */
export type StatoInl = 'SEGNALATO' | 'AVVIATO' | 'NON_AVVIATO' | 'CONCLUSO';
export type EsitoInl = 'REQUISITI_CONFERMATI' | 'REQUISITI_NON_CONFERMATI';

export interface NotificaInlMsg {
  idNotifica: string;
}

async function notifica(tx: Tx, idSegnalazione: string, stato: Exclude<StatoInl, 'SEGNALATO'>, operatore: Operatore, now: Date, extra: { esito?: EsitoInl; nota?: string } = {}): Promise<void> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO notifica_accertamento (id, id_segnalazione, stato, esito, nota, operatore_id, operatore_ufficio, creata_il) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, idSegnalazione, stato, extra.esito ?? null, extra.nota ?? null, operatore.id, operatore.ufficio, now],
  );
  const msg: NotificaInlMsg = { idNotifica: id };
  await enqueue(tx, { routingKey: QUEUES.inlNotifica, payload: msg });
}

async function blocca(tx: Tx, idSegnalazione: string): Promise<{ stato: StatoInl }> {
  const r = await tx.query<{ stato: StatoInl }>('SELECT stato FROM accertamento WHERE id_segnalazione = $1 FOR UPDATE', [idSegnalazione]);
  if (!r.rows[0]) throw new ApeError('SEGNALAZIONE_NON_TROVATA', `nessuna segnalazione ${idSegnalazione}`);
  return r.rows[0];
}

/** Opens an inspection on a case, or declines to; the decision of `operatore`. */
export async function decidiAccertamento(pool: Pool, idSegnalazione: string, avvia: boolean, operatore: Operatore, now: Date, nota?: string): Promise<string | null> {
  return withTransaction(pool, async (tx) => {
    const a = await blocca(tx, idSegnalazione);
    const ammessi: StatoInl[] = avvia ? ['SEGNALATO', 'NON_AVVIATO'] : ['SEGNALATO'];
    if (!ammessi.includes(a.stato)) throw new ApeError('TRANSIZIONE_NON_AMMESSA', `la segnalazione ${idSegnalazione} è ${a.stato}`);
    const idAccertamento = avvia ? randomUUID() : null;
    await tx.query(
      `UPDATE accertamento SET stato = $2, id_accertamento = COALESCE($3, id_accertamento), deciso_il = $4, deciso_da = $5, nota = COALESCE($6, nota) WHERE id_segnalazione = $1`,
      [idSegnalazione, avvia ? 'AVVIATO' : 'NON_AVVIATO', idAccertamento, now, operatore.id, nota ?? null],
    );
    await notifica(tx, idSegnalazione, avvia ? 'AVVIATO' : 'NON_AVVIATO', operatore, now, nota === undefined ? {} : { nota });
    return idAccertamento;
  });
}

/** Records an inspection's outcome: an identified inspector's act. */
export async function concludiAccertamento(pool: Pool, idSegnalazione: string, esito: EsitoInl, ispettore: Operatore, now: Date, nota?: string): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const a = await blocca(tx, idSegnalazione);
    if (a.stato !== 'AVVIATO') throw new ApeError('TRANSIZIONE_NON_AMMESSA', `la segnalazione ${idSegnalazione} è ${a.stato}: si conclude solo un accertamento AVVIATO`);
    await tx.query(`UPDATE accertamento SET stato = 'CONCLUSO', esito = $2, concluso_il = $3, ispettore = $4, nota = COALESCE($5, nota) WHERE id_segnalazione = $1`, [
      idSegnalazione,
      esito,
      now,
      ispettore.id,
      nota ?? null,
    ]);
    await notifica(tx, idSegnalazione, 'CONCLUSO', ispettore, now, { esito, ...(nota !== undefined && { nota }) });
  });
}

/** The automatic policy (config inl.apertura): "indici" opens when a trigger matched, "sempre" always, "manuale" leaves it to an inspector. */
export function decisioneAutomatica(apertura: InlConfig['apertura'], segnalazione: Pick<Segnalazione, 'indici'>): boolean | null {
  if (apertura === 'manuale') return null;
  return apertura === 'sempre' || segnalazione.indici.length > 0;
}
