import { QUEUES } from '../../../shared/amqp/topology';
import { withTransaction } from '../../../shared/db/pool';
import { ApeError } from '../../../shared/errors';
import { bloccaIstruttoria } from '../../inps/core/sql/istruttoria';
import type { InvioPacchettoMsg } from '../../inps/core/domande';
import { registraEventi, type TipoEvento } from '../../inps/core/eventi';
import { enqueue } from '../../../shared/outbox/outbox';
import type { Schema } from './traccia';
import type { StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

/**
 * npm run ops -- reinvia: asks the INPS dispatcher to send a packet again. Allowed while the istruttoria is open
 * and the packet has no esito; the request is an outbox message (relayed by the running dispatcher) and an event
 * on the istruttoria's timeline naming the operator, committed together.
 */
const REINVIABILI: readonly StatoPacchetto[] = ['DA_INVIARE', 'INVIATO', 'SCADUTO', 'RIFIUTATO'];

// The timeline's event kinds (services/inps/core/eventi.ts) do not list this one; evento.tipo is free text and the
// timeline shows an unknown kind by its name.
const PACCHETTO_REINVIATO: TipoEvento = 'PACCHETTO_REINVIATO';

export interface Reinvio {
  idPacchetto: string;
  idIstruttoria: string;
  destinatario: string;
  /** The packet's state when the resend was asked. */
  stato: StatoPacchetto;
  correlationId: string | null;
  messageId: string;
}

export async function reinvia(inps: Schema, idPacchetto: string, operatore: string, il: Date): Promise<Reinvio> {
  return withTransaction(inps.pool, async (tx) => {
    const ref = await tx.query<{ istruttoria_id: string }>('SELECT istruttoria_id FROM pacchetto WHERE id = $1', [idPacchetto]);
    if (!ref.rows[0]) throw new ApeError('PACCHETTO_NON_TROVATO', `nessun pacchetto ${idPacchetto} presso INPS`);
    const idIstruttoria = ref.rows[0].istruttoria_id;
    // Lock order of every INPS change: the istruttoria, then its packet.
    const statoIstruttoria: StatoIstruttoria = await bloccaIstruttoria(tx, idIstruttoria);
    const p = (
      await tx.query<{ stato: StatoPacchetto; esito: string | null; destinatario: string; correlation_id: string | null }>(
        'SELECT stato, esito, destinatario, correlation_id FROM pacchetto WHERE id = $1 FOR UPDATE',
        [idPacchetto],
      )
    ).rows[0]!;
    if (statoIstruttoria === 'CHIUSA') {
      throw new ApeError('TRANSIZIONE_NON_AMMESSA', `l'istruttoria ${idIstruttoria} è chiusa: il pacchetto ${idPacchetto} non si reinvia`);
    }
    if (p.esito !== null || !REINVIABILI.includes(p.stato)) {
      throw new ApeError('TRANSIZIONE_NON_AMMESSA', `il pacchetto ${idPacchetto} è ${p.stato}${p.esito ? ` con esito ${p.esito}` : ''}: si reinvia solo un pacchetto senza esito (${REINVIABILI.join(', ')})`);
    }
    const msg: InvioPacchettoMsg = { idPacchetto, reinvio: true };
    const messageId = await enqueue(tx, { routingKey: QUEUES.inpsInvioPacchetto, payload: msg, headers: { idIstruttoria, reinvioDa: operatore } });
    await registraEventi(tx, [{ istruttoriaId: idIstruttoria, pacchettoId: idPacchetto, tipo: PACCHETTO_REINVIATO, at: il, dettagli: { operatore, stato: p.stato } }]);
    return { idPacchetto, idIstruttoria, destinatario: p.destinatario, stato: p.stato, correlationId: p.correlation_id, messageId };
  });
}
