import type { Pool } from 'pg';
import { ApeError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import { registeredDeliveryWorker } from '../../shared/soap/registered-delivery';
import type { ContenutoPacchetto, EnteVerificatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import type { PacchettoRicevutoMsg } from '../../shared/verifica-pacchetto/ricezione';
import type { SoapClient } from '../../shared/soap/client';
import { Xml } from '../../shared/xml/write';

/**
 * Forwards a packet to its recipient, preserving X-ReplyTo (INPS's callback), the X-Correlation-ID the hub
 * acknowledged to INPS, and the operator who caused the call. The payload is the one INPS signed, as received
 * (corpo): the recipient verifies INPS's origin signature on it, so the hub neither rewrites nor could forge it.
 * The recipient must answer with that same correlation id. Idempotent: a forwarded packet is not forwarded again.
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
  /** Null for a packet stored before origin signatures (migration hub/004). */
  corpo: string | null;
  /** False for a packet stored before the payload was kept in canonical form (migration hub/005). */
  corpo_canonico: boolean;
}

export function inoltroPacchetto(deps: InoltroDeps): WorkHandler<PacchettoRicevutoMsg> {
  return registeredDeliveryWorker<PacchettoRicevutoMsg, Row & { id: string }, void>({
    pool: deps.pool,
    soap: deps.soap,
    async load(msg) {
      const { rows } = await deps.pool.query<Row>(
        'SELECT stato, correlation_id, reply_to, operatore_id, operatore_ufficio, contenuto, corpo, corpo_canonico FROM pacchetto_inoltro WHERE id_pacchetto = $1',
        [msg.payload.idPacchetto],
      );
      const row = rows[0];
      if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
      return { id: msg.payload.idPacchetto, ...row };
    },
    describe: (p) => ({ idPacchetto: p.id, correlationId: p.correlation_id, destinatario: p.contenuto.destinatario }),
    isDone: (p) => p.stato === 'INOLTRATO',
    prepare(p) {
      const dest = deps.destinazione(p.contenuto.destinatario);
      if (p.corpo === null) {
        throw new ApeError('ORIGINE_NON_VALIDA', `il pacchetto ${p.id} è stato ricevuto senza firma d'origine (prima della versione che la richiede): INPS deve reinviarlo (npm run ops -- reinvia)`);
      }
      return {
        url: dest.url,
        soapAction: OPERATIONS.VerificaPacchetto.soapAction,
        expectedServerCN: dest.expectedServerCN,
        headers: [operatoreHeader({ id: p.operatore_id, ufficio: p.operatore_ufficio }), replyToHeader(p.reply_to), correlationHeader(p.correlation_id)],
        body: p.corpo_canonico ? Xml.canonico(p.corpo) : new Xml(p.corpo),
      };
    },
    async call(p, request) {
      const result = await deps.soap.call(request);
      const echoed = result.headers.optional('X-Correlation-ID')?.value();
      if (echoed !== p.correlation_id) {
        throw new ApeError('RISPOSTA_NON_VALIDA', `${p.contenuto.destinatario} ha risposto con X-Correlation-ID ${echoed ?? '(assente)'} invece di ${p.correlation_id}`, { retryable: false });
      }
    },
    delivered: (p) => (v) =>
      `UPDATE pacchetto_inoltro SET stato = 'INOLTRATO', inoltrato_il = ${v(deps.clock.now())}, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id_pacchetto = ${v(p.id)}`,
    failed: (p, err) => (v) => `UPDATE pacchetto_inoltro SET tentativi = tentativi + 1, ultimo_errore = ${v(err.message.slice(0, 500))} WHERE id_pacchetto = ${v(p.id)}`,
    text: { done: 'packet already forwarded; nothing to do', delivered: 'packet forwarded', refused: 'recipient refused the packet' },
  });
}
