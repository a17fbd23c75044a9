import type { Pool } from 'pg';
import { withTransaction } from '../../../shared/db/pool';
import type { EnteVerificatore } from '../../../shared/domain/types';
import { ApeError } from '../../../shared/errors';
import { registraEventi } from '../core/eventi';
import { creaMessaggio } from '../core/messaggi';
import { bloccaIstruttoria } from '../core/sql/istruttoria';

/**
 * A reminder (sollecito) asked by a supervisor for a packet the party received and has not answered: the same
 * message the deadline timer sends (services/inps/core/timer-inps.ts), with its event on the timeline, committed
 * together (outbox: the dispatcher delivers it). Only while the istruttoria is open and the packet has no esito.
 */
export async function sollecita(pool: Pool, idPacchetto: string, operatore: string, now: Date): Promise<{ destinatario: string; idIstruttoria: string }> {
  return withTransaction(pool, async (tx) => {
    const ref = await tx.query<{ istruttoria_id: string }>('SELECT istruttoria_id FROM pacchetto WHERE id = $1', [idPacchetto]);
    if (!ref.rows[0]) throw new ApeError('PACCHETTO_NON_TROVATO', `nessun pacchetto ${idPacchetto}`);
    const idIstruttoria = ref.rows[0].istruttoria_id;
    // Lock order of every INPS change: the istruttoria, then its packet.
    if ((await bloccaIstruttoria(tx, idIstruttoria)) === 'CHIUSA') throw new ApeError('TRANSIZIONE_NON_AMMESSA', "l'istruttoria è chiusa: nessun sollecito");
    const p = (
      await tx.query<{ destinatario: EnteVerificatore; stato: string; esito: string | null; scadenza_esito: Date | null; correlation_id: string | null }>(
        'SELECT destinatario, stato, esito, scadenza_esito, correlation_id FROM pacchetto WHERE id = $1 FOR UPDATE',
        [idPacchetto],
      )
    ).rows[0]!;
    if (p.esito !== null || p.scadenza_esito === null || !['INVIATO', 'SCADUTO'].includes(p.stato)) {
      throw new ApeError('TRANSIZIONE_NON_AMMESSA', 'si sollecita solo un pacchetto ricevuto dalla parte e ancora senza esito');
    }
    await creaMessaggio(tx, {
      istruttoriaId: idIstruttoria,
      destinatario: p.destinatario,
      now,
      ...(p.correlation_id !== null && { correlationId: p.correlation_id }),
      corpo: { tipo: 'SOLLECITO', sollecito: { idSollecito: '', idPacchetto, destinatario: p.destinatario, scadenza: p.scadenza_esito.toISOString(), dataSollecito: now.toISOString() } },
    });
    await registraEventi(tx, [{ istruttoriaId: idIstruttoria, pacchettoId: idPacchetto, tipo: 'SOLLECITO_RICHIESTO', at: now, dettagli: { operatore, destinatario: p.destinatario } }]);
    return { destinatario: p.destinatario, idIstruttoria };
  });
}
