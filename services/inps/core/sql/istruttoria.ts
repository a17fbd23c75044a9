import type { Tx } from '../../../../shared/db/pool';
import type { Finestra } from '../../../../shared/domain/graduatorie';
import type { Esito } from '../../../../shared/domain/types';
import type { RegolaChiusura, StatoIstruttoria } from '../../../../shared/domain/stati';

/**
 * Every write of an istruttoria row, and the lock every INPS change takes first. Which state follows is decided
 * by ciclo.ts (`decidi`) and applied by aggiorna.ts under this lock; these functions only write what was decided.
 * (Retention's pseudonymisation, shared/audit/conservazione.ts, marks the row too: content, not lifecycle.)
 */

/** A domanda's istruttoria, opened waiting for the archives' esiti, with its graduatoria window and wait limit. */
export async function apriIstruttoria(
  tx: Tx,
  i: { id: string; domandaId: string; apertaIl: Date; limite: Date; limiteMotivo: string; finestra: Finestra | null },
): Promise<StatoIstruttoria> {
  const stato: StatoIstruttoria = 'IN_VERIFICA';
  const f = i.finestra;
  await tx.query(
    `INSERT INTO istruttoria (id, domanda_id, stato, aperta_il, aggiornata_il, limite, limite_motivo,
                              finestra_anno, finestra_numero, finestra_apertura, finestra_chiusura, finestra_graduatoria)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [i.id, i.domandaId, stato, i.apertaIl, i.limite, i.limiteMotivo, f?.anno ?? null, f?.numero ?? null, f?.apertura ?? null, f?.chiusura ?? null, f?.graduatoria ?? null],
  );
  return stato;
}

/**
 * Locks the istruttoria row (callers lock it first, then its packets). NO KEY UPDATE, not UPDATE: the key never
 * changes, and a plain FOR UPDATE would also block the KEY SHARE lock that every foreign-key insert (an evento of
 * this istruttoria) takes, so the dispatcher, holding a packet's lock while it records the packet's receipt,
 * waited on us while we waited on that packet: a deadlock the benchmark hit under load.
 */
export async function bloccaIstruttoria(tx: Tx, istruttoriaId: string): Promise<StatoIstruttoria> {
  return (await bloccaELeggiIstruttoria(tx, istruttoriaId)).stato;
}

export interface IstruttoriaBloccata {
  stato: StatoIstruttoria;
  limite: Date | null;
  esitoVerifica: Esito | null;
}

/** The same lock, returning what the lifecycle decides on: the row as the previous holder of the lock committed it. */
export async function bloccaELeggiIstruttoria(tx: Tx, istruttoriaId: string): Promise<IstruttoriaBloccata> {
  const r = await tx.query<{ stato: StatoIstruttoria; limite: Date | null; esito_verifica: Esito | null }>(
    'SELECT stato, limite, esito_verifica FROM istruttoria WHERE id = $1 FOR NO KEY UPDATE',
    [istruttoriaId],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`istruttoria ${istruttoriaId} not found`);
  return { stato: row.stato, limite: row.limite, esitoVerifica: row.esito_verifica };
}

/** The summary of what the archives said so far, kept current while INL evaluates the case. */
export async function aggiornaEsitoVerifica(tx: Tx, istruttoriaId: string, esito: Esito, il: Date): Promise<void> {
  await tx.query('UPDATE istruttoria SET esito_verifica = $2, aggiornata_il = $3 WHERE id = $1', [istruttoriaId, esito, il]);
}

/** Some datum could not be verified (art. 5 c): the case waits on INL. */
export async function segnalaInl(tx: Tx, istruttoriaId: string, esito: Esito, il: Date): Promise<void> {
  await tx.query(`UPDATE istruttoria SET stato = 'VALUTAZIONE_INL', esito_verifica = $2, aggiornata_il = $3 WHERE id = $1`, [istruttoriaId, esito, il]);
}

/** The verification is over, with its outcome and the rule that closed it. */
export async function chiudiIstruttoria(tx: Tx, istruttoriaId: string, c: { esito: Esito; regola: RegolaChiusura; il: Date }): Promise<void> {
  await tx.query(
    `UPDATE istruttoria SET stato = 'CHIUSA', esito_verifica = $2, regola_chiusura = $3, chiusa_il = $4, aggiornata_il = $4 WHERE id = $1`,
    [istruttoriaId, c.esito, c.regola, c.il],
  );
}

/** A closed istruttoria flagged for re-examination (riesame), with why. */
export async function segnaRiesame(tx: Tx, istruttoriaId: string, il: Date, motivo: string): Promise<void> {
  await tx.query('UPDATE istruttoria SET riesame_il = $2, riesame_motivo = $3, aggiornata_il = $2 WHERE id = $1', [istruttoriaId, il, motivo]);
}
