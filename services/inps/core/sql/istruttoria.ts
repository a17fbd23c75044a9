import type { Tx } from '../../../../shared/db/pool';
import type { Segnaposto } from '../../../../shared/db/segnaposti';
import type { Finestra } from '../../../../shared/domain/graduatorie';
import type { Esito } from '../../../../shared/domain/types';
import type { RegolaChiusura, StatoIstruttoria } from '../../../../shared/domain/stati';

/**
 * Every write of an istruttoria row, and the lock every INPS change takes first. Which state follows is decided
 * by ciclo.ts (`decidi`) and applied by aggiorna.ts under this lock; these functions only write what was decided.
 * (Retention's pseudonymisation, shared/audit/conservazione.ts, marks the row too: content, not lifecycle.)
 */

/** The state an istruttoria opens in: waiting for the archives' esiti. */
export const STATO_APERTURA: StatoIstruttoria = 'IN_VERIFICA';

/**
 * A domanda's istruttoria, opened waiting for the archives' esiti, with its graduatoria window and wait limit: the
 * statement, written with `p` (the domanda's one statement with its packets, domande.ts).
 */
export function testoApriIstruttoria(
  p: Segnaposto,
  i: { id: string; domandaId: string; apertaIl: Date; limite: Date; limiteMotivo: string; finestra: Finestra | null },
): string {
  const f = i.finestra;
  return `INSERT INTO istruttoria (id, domanda_id, stato, aperta_il, aggiornata_il, limite, limite_motivo,
                              finestra_anno, finestra_numero, finestra_apertura, finestra_chiusura, finestra_graduatoria)
     VALUES (${[i.id, i.domandaId, STATO_APERTURA, i.apertaIl, i.apertaIl, i.limite, i.limiteMotivo, f?.anno, f?.numero, f?.apertura, f?.chiusura, f?.graduatoria].map((v) => p(v)).join(', ')})`;
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

/**
 * What holding an istruttoria's lock gives: its row as the previous holder of the lock committed it, and the
 * transaction that holds it (aggiorna.ts reads the case on it without taking the lock again).
 */
export interface IstruttoriaBloccata {
  id: string;
  tx: Tx;
  stato: StatoIstruttoria;
  limite: Date | null;
  esitoVerifica: Esito | null;
}

type RigaBloccata = { id: string; stato: StatoIstruttoria; limite: Date | null; esito_verifica: Esito | null };
const bloccata = (tx: Tx, row: RigaBloccata): IstruttoriaBloccata => ({ id: row.id, tx, stato: row.stato, limite: row.limite, esitoVerifica: row.esito_verifica });

/** The same lock, returning what the lifecycle decides on. */
export async function bloccaELeggiIstruttoria(tx: Tx, istruttoriaId: string): Promise<IstruttoriaBloccata> {
  const r = await tx.query<RigaBloccata>('SELECT id, stato, limite, esito_verifica FROM istruttoria WHERE id = $1 FOR NO KEY UPDATE', [istruttoriaId]);
  const row = r.rows[0];
  if (!row) throw new Error(`istruttoria ${istruttoriaId} not found`);
  return bloccata(tx, row);
}

/** The same lock on the istruttoria of a packet, found and locked in one statement; null when there is no such packet. */
export async function bloccaIstruttoriaDelPacchetto(tx: Tx, idPacchetto: string): Promise<IstruttoriaBloccata | null> {
  const r = await tx.query<RigaBloccata>(
    'SELECT id, stato, limite, esito_verifica FROM istruttoria WHERE id = (SELECT istruttoria_id FROM pacchetto WHERE id = $1) FOR NO KEY UPDATE',
    [idPacchetto],
  );
  return r.rows[0] ? bloccata(tx, r.rows[0]) : null;
}

/** The summary of what the archives said so far, kept current while INL evaluates the case. */
export async function aggiornaEsitoVerifica(tx: Tx, istruttoriaId: string, esito: Esito, il: Date): Promise<void> {
  await tx.query('UPDATE istruttoria SET esito_verifica = $2, aggiornata_il = $3 WHERE id = $1', [istruttoriaId, esito, il]);
}

/** Some datum could not be verified (art. 5 c): the case waits on INL. */
export async function segnalaInl(tx: Tx, istruttoriaId: string, esito: Esito, il: Date): Promise<void> {
  await tx.query(`UPDATE istruttoria SET stato = 'VALUTAZIONE_INL', esito_verifica = $2, aggiornata_il = $3 WHERE id = $1`, [istruttoriaId, esito, il]);
}

/** The verification is over, with its outcome and the rule that closed it: the statement, written with `p`. */
export function testoChiudiIstruttoria(p: Segnaposto, istruttoriaId: string, c: { esito: Esito; regola: RegolaChiusura; il: Date }): string {
  return `UPDATE istruttoria SET stato = 'CHIUSA', esito_verifica = ${p(c.esito)}, regola_chiusura = ${p(c.regola)}, chiusa_il = ${p(c.il)}, aggiornata_il = ${p(c.il)}
    WHERE id = ${p(istruttoriaId)}`;
}

/** A closed istruttoria flagged for re-examination (riesame), with why. */
export async function segnaRiesame(tx: Tx, istruttoriaId: string, il: Date, motivo: string): Promise<void> {
  await tx.query('UPDATE istruttoria SET riesame_il = $2, riesame_motivo = $3, aggiornata_il = $2 WHERE id = $1', [istruttoriaId, il, motivo]);
}
