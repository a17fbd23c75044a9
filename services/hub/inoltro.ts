import type { Pool } from 'pg';
import { ApeError, RemoteFaultError, toError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import type { ContenutoPacchetto, EnteVerificatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { writeVerificaPacchetto } from '../../shared/messages/pacchetto';
import type { PacchettoRicevutoMsg } from '../../shared/verifica-pacchetto/ricezione';
import type { SoapClient } from '../../shared/soap/client';

/**
 * Forwards a packet to its recipient, preserving X-ReplyTo (INPS's callback), the X-Correlation-ID the hub
 * acknowledged to INPS, and the operator who caused the call. The recipient must answer with that same
 * correlation id. Idempotent: a forwarded packet is not forwarded again.
 */
export interface InoltroDeps {
  pool: Pool;
  soap: SoapClient;
  clock: Clock;
  destinazione(ente: EnteVerificatore): { url: string; expectedServerCN: string };
}

interface Row {
  stato: 'RICEVUTO' | 'INOLTRATO';
  correlation_id: string;
  reply_to: string;
  operatore_id: string;
  operatore_ufficio: string;
  contenuto: ContenutoPacchetto & { dataInvio: string };
}

export function inoltroPacchetto(deps: InoltroDeps): WorkHandler<PacchettoRicevutoMsg> {
  return async (msg, log) => {
    const { rows } = await deps.pool.query<Row>(
      'SELECT stato, correlation_id, reply_to, operatore_id, operatore_ufficio, contenuto FROM pacchetto_inoltro WHERE id_pacchetto = $1',
      [msg.payload.idPacchetto],
    );
    const row = rows[0];
    if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
    const plog = log.child({ idPacchetto: msg.payload.idPacchetto, correlationId: row.correlation_id, destinatario: row.contenuto.destinatario });
    if (row.stato === 'INOLTRATO') {
      plog.info('packet already forwarded; nothing to do');
      return;
    }
    const dest = deps.destinazione(row.contenuto.destinatario);
    try {
      const result = await deps.soap.call({
        url: dest.url,
        soapAction: OPERATIONS.VerificaPacchetto.soapAction,
        expectedServerCN: dest.expectedServerCN,
        headers: [
          operatoreHeader({ id: row.operatore_id, ufficio: row.operatore_ufficio }),
          replyToHeader(row.reply_to),
          correlationHeader(row.correlation_id),
        ],
        body: writeVerificaPacchetto({ ...row.contenuto, dataInvio: new Date(row.contenuto.dataInvio) }),
      });
      const echoed = result.headers.optional('X-Correlation-ID')?.value();
      if (echoed !== row.correlation_id) {
        throw new ApeError('RISPOSTA_NON_VALIDA', `${row.contenuto.destinatario} ha risposto con X-Correlation-ID ${echoed ?? '(assente)'} invece di ${row.correlation_id}`, { retryable: false });
      }
    } catch (thrown) {
      const err = toError(thrown);
      await deps.pool
        .query('UPDATE pacchetto_inoltro SET tentativi = tentativi + 1, ultimo_errore = $2 WHERE id_pacchetto = $1', [msg.payload.idPacchetto, err.message.slice(0, 500)])
        .catch(() => undefined);
      if (err instanceof RemoteFaultError) plog.warn({ code: err.code }, 'recipient refused the packet');
      throw err;
    }
    await deps.pool.query(
      `UPDATE pacchetto_inoltro SET stato = 'INOLTRATO', inoltrato_il = $2, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id_pacchetto = $1`,
      [msg.payload.idPacchetto, deps.clock.now()],
    );
    plog.info('packet forwarded');
  };
}
