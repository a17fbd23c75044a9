import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { WorkHandler } from '../../../shared/amqp/consumer';
import { registeredDeliveryWorker } from '../../../shared/soap/registered-delivery';
import type { InlConfig } from '../../../shared/config/schema';
import type { Operatore } from '../../../shared/domain/types';
import { OPERATIONS } from '../../../shared/messages/contracts';
import { correlationHeader, operatoreHeader } from '../../../shared/messages/envelope';
import { writeNotificaAccertamento } from '../../../shared/messages/esiti';
import type { Segnalazione } from '../../../shared/messages/pacchetto';
import type { SoapClient } from '../../../shared/soap/client';
import { decidiAccertamento, decisioneAutomatica, type NotificaInlMsg } from './accertamenti';
import type { SegnalazioneMsg } from '../operazioni';

/** INL node work: the automatic decision on a case, and the delivery of notices to INPS. */

export function valutazioneAutomatica(deps: { pool: Pool; clock: Clock; apertura: InlConfig['apertura']; operatore: Operatore }): WorkHandler<SegnalazioneMsg> {
  return async (msg, log) => {
    const { rows } = await deps.pool.query<{ stato: string; contenuto: Segnalazione }>('SELECT stato, contenuto FROM accertamento WHERE id_segnalazione = $1', [msg.payload.idSegnalazione]);
    const row = rows[0];
    if (!row) throw new ApeError('SEGNALAZIONE_NON_TROVATA', `segnalazione ${msg.payload.idSegnalazione} assente`);
    if (row.stato !== 'SEGNALATO') return;
    const avvia = decisioneAutomatica(deps.apertura, row.contenuto);
    if (avvia === null) {
      log.info({ idSegnalazione: msg.payload.idSegnalazione }, 'case waits for an inspector decision');
      return;
    }
    const id = await decidiAccertamento(deps.pool, msg.payload.idSegnalazione, avvia, deps.operatore, deps.clock.now(), avvia ? `avviato per ${row.contenuto.indici.map((i) => i.codice).join(', ') || 'politica di apertura'}` : 'nessun indice rilevato');
    log.info({ idSegnalazione: msg.payload.idSegnalazione, avvia, idAccertamento: id }, 'case decided');
  };
}

interface Notifica {
  id: string;
  id_segnalazione: string;
  stato: 'AVVIATO' | 'NON_AVVIATO' | 'CONCLUSO';
  esito: 'REQUISITI_CONFERMATI' | 'REQUISITI_NON_CONFERMATI' | null;
  nota: string | null;
  operatore_id: string;
  operatore_ufficio: string;
  creata_il: Date;
  consegnata_il: Date | null;
  reply_to: string;
  correlation_id: string;
  id_accertamento: string | null;
}

export function consegnaNotifica(deps: { pool: Pool; soap: SoapClient; clock: Clock; inpsServerCN: string }): WorkHandler<NotificaInlMsg> {
  return registeredDeliveryWorker<NotificaInlMsg, Notifica, void>({
    pool: deps.pool,
    soap: deps.soap,
    async load(msg) {
      const { rows } = await deps.pool.query<Omit<Notifica, 'id'>>(
        `SELECT n.id_segnalazione, n.stato, n.esito, n.nota, n.operatore_id, n.operatore_ufficio, n.creata_il, n.consegnata_il, a.reply_to, a.correlation_id, a.id_accertamento
           FROM notifica_accertamento n JOIN accertamento a ON a.id_segnalazione = n.id_segnalazione WHERE n.id = $1`,
        [msg.payload.idNotifica],
      );
      const n = rows[0];
      if (!n) throw new ApeError('SEGNALAZIONE_NON_TROVATA', `notifica ${msg.payload.idNotifica} assente`);
      return { id: msg.payload.idNotifica, ...n };
    },
    describe: (n) => ({ idNotifica: n.id, idSegnalazione: n.id_segnalazione, stato: n.stato }),
    isDone: (n) => n.consegnata_il !== null,
    prepare: (n) => ({
      url: n.reply_to,
      soapAction: OPERATIONS.NotificaAccertamento.soapAction,
      expectedServerCN: deps.inpsServerCN,
      headers: [operatoreHeader({ id: n.operatore_id, ufficio: n.operatore_ufficio }), correlationHeader(n.correlation_id)],
      body: writeNotificaAccertamento({
        idSegnalazione: n.id_segnalazione,
        stato: n.stato,
        dataEvento: n.creata_il,
        ...(n.id_accertamento !== null && n.stato !== 'NON_AVVIATO' && { idAccertamento: n.id_accertamento }),
        ...(n.esito !== null && { esito: n.esito }),
        ...(n.nota !== null && { nota: n.nota }),
      }),
    }),
    async call(_n, request) {
      await deps.soap.call(request);
    },
    delivered: (n) => (v) => `UPDATE notifica_accertamento SET consegnata_il = ${v(deps.clock.now())}, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id = ${v(n.id)}`,
    failed: (n, err) => (v) => `UPDATE notifica_accertamento SET tentativi = tentativi + 1, ultimo_errore = ${v(err.message.slice(0, 500))} WHERE id = ${v(n.id)}`,
    text: { done: 'inspection notice already delivered', delivered: 'inspection notice delivered to INPS', refused: 'INPS refused the inspection notice' },
  });
}
