import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import { registeredDeliveryWorker } from '../../shared/soap/registered-delivery';
import { impronta } from '../../shared/domain/impronta';
import type { EnteVerificatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { writePresaInCarico } from '../../shared/messages/pacchetto';
import { registraUnaVolta } from '../../shared/outbox/richiesta-una-volta';
import type { SoapOperation } from '../../shared/soap/server';
import { conOrigineVerificata, type RegolaOrigine } from '../../shared/verifica-pacchetto/origine';
import type { SoapClient } from '../../shared/soap/client';
import { serializeNode } from '../../shared/xml/serialize';
import { Xml } from '../../shared/xml/write';

/**
 * The hub forwards reminders (SollecitaEsito), cases for INL (SegnalaCaso) and notices of esiti
 * (NotificaRiscontro) to the Destinatario they name, as it does packets: INPS's origin signature verified, stored
 * before the ack, forwarded from a durable queue, payload unchanged (as INPS signed it), headers preserved. For SegnalaCaso (ModI NONBLOCK_PUSH) the hub gives the
 * X-Correlation-ID in its ack and INL must answer with it.
 */
export type OperazioneInoltrata = 'SollecitaEsito' | 'SegnalaCaso' | 'NotificaRiscontro';

const ID_FIELD: Record<OperazioneInoltrata, string> = { SollecitaEsito: 'IdSollecito', SegnalaCaso: 'IdSegnalazione', NotificaRiscontro: 'IdRiscontro' };

export interface MessaggioInoltroMsg {
  idMessaggio: string;
}

export interface RicezioneMessaggiOpts {
  pool: Pool;
  routingKey: string;
  /** Throws when nobody is configured for the recipient. */
  checkRecipient(destinatario: EnteVerificatore): void;
  allowedReplyTo: readonly string[];
  /** Whose signature proves that INPS wrote the message. */
  origine: RegolaOrigine;
}

export function operazioneInoltrata(operazione: OperazioneInoltrata, callers: readonly string[], opts: RicezioneMessaggiOpts): SoapOperation {
  return conOrigineVerificata(opts.origine, {
    name: operazione,
    ...OPERATIONS[operazione],
    callers,
    replayNellaTransazione: true,
    async handle(payload, ctx, origine) {
      const id = payload.text(ID_FIELD[operazione]);
      ctx.traccia({ riferimenti: { idMessaggio: id, ...(payload.optText('IdIstruttoria') !== undefined && { idIstruttoria: payload.text('IdIstruttoria') }) } });
      const destinatario = payload.text('Destinatario') as EnteVerificatore;
      if (operazione === 'SegnalaCaso' && destinatario !== 'INL') throw new ApeError('DESTINATARIO_ERRATO', `SegnalaCaso è destinato all'INL, non a ${destinatario}`);
      opts.checkRecipient(destinatario);
      let replyTo: string | null = null;
      if (operazione === 'SegnalaCaso') {
        replyTo = ctx.headers.required('X-ReplyTo');
        if (!opts.allowedReplyTo.includes(replyTo)) throw new ApeError('DATI_INCOERENTI', `X-ReplyTo ${replyTo} non è un endpoint esiti registrato`);
      }
      const proposed = operazione === 'SegnalaCaso' ? randomUUID() : (ctx.headers.optional('X-Correlation-ID')?.value() ?? null);
      const corpo = origine.corpo;
      // A sender's retry carries a new DataInvio and a new origin signature (not in payload): the rest must be the same.
      const hash = impronta(serializeNode(payload.node, new Set(['DataInvio'])));
      // The message, the outbox row that hands it to the forwarder and the call's replay record, in one statement
      // and one commit; neither message nor row for a copy (a sender's retry, under a new MessageID).
      const msg: MessaggioInoltroMsg = { idMessaggio: id };
      const { correlationId } = await registraUnaVolta(opts.pool, ctx.primaIstruzione, {
        tabella: 'messaggio_inoltro',
        chiave: 'id_messaggio',
        riga: {
          id_messaggio: id,
          operazione,
          destinatario,
          correlation_id: proposed,
          reply_to: replyTo,
          operatore_id: ctx.operatore.id,
          operatore_ufficio: ctx.operatore.ufficio,
          corpo,
          corpo_canonico: true,
          impronta: hash,
          ricevuto_il: ctx.receivedAt,
          stato: 'RICEVUTO',
        },
        messaggi: [{ routingKey: opts.routingKey, payload: msg, headers: { operazione } }],
        diverso: `${operazione} ${id} già ricevuto con un contenuto diverso`,
      });
      ctx.log.info({ operazione, idMessaggio: id, destinatario, correlationId }, 'message accepted for forwarding');
      return { headers: operazione === 'SegnalaCaso' && correlationId ? [correlationHeader(correlationId)] : [], body: writePresaInCarico(operazione) };
    },
  });
}

interface Row {
  operazione: OperazioneInoltrata;
  destinatario: EnteVerificatore;
  correlation_id: string | null;
  reply_to: string | null;
  operatore_id: string;
  operatore_ufficio: string;
  corpo: string;
  /** False for a message stored before the payload was kept in canonical form (migration hub/005). */
  corpo_canonico: boolean;
  stato: 'RICEVUTO' | 'INOLTRATO';
}

export function inoltroMessaggio(deps: { pool: Pool; soap: SoapClient; clock: Clock; destinazione(ente: EnteVerificatore): { url: string; expectedServerCN: string } }): WorkHandler<MessaggioInoltroMsg> {
  return registeredDeliveryWorker<MessaggioInoltroMsg, Row & { id: string }, void>({
    pool: deps.pool,
    soap: deps.soap,
    async load(msg) {
      const { rows } = await deps.pool.query<Row>(
        'SELECT operazione, destinatario, correlation_id, reply_to, operatore_id, operatore_ufficio, corpo, corpo_canonico, stato FROM messaggio_inoltro WHERE id_messaggio = $1',
        [msg.payload.idMessaggio],
      );
      const row = rows[0];
      if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `messaggio ${msg.payload.idMessaggio} assente`);
      return { id: msg.payload.idMessaggio, ...row };
    },
    describe: (m) => ({ idMessaggio: m.id, operazione: m.operazione, destinatario: m.destinatario }),
    isDone: (m) => m.stato === 'INOLTRATO',
    prepare(m) {
      const dest = deps.destinazione(m.destinatario);
      return {
        url: dest.url,
        expectedServerCN: dest.expectedServerCN,
        soapAction: OPERATIONS[m.operazione].soapAction,
        headers: [
          operatoreHeader({ id: m.operatore_id, ufficio: m.operatore_ufficio }),
          ...(m.reply_to ? [replyToHeader(m.reply_to)] : []),
          ...(m.correlation_id ? [correlationHeader(m.correlation_id)] : []),
        ],
        body: m.corpo_canonico ? Xml.canonico(m.corpo) : new Xml(m.corpo),
      };
    },
    async call(m, request) {
      const result = await deps.soap.call(request);
      if (m.operazione === 'SegnalaCaso' && result.headers.optional('X-Correlation-ID')?.value() !== m.correlation_id) {
        throw new ApeError('RISPOSTA_NON_VALIDA', `${m.destinatario} non ha confermato X-Correlation-ID ${m.correlation_id}`, { retryable: false });
      }
    },
    delivered: (m) => (v) =>
      `UPDATE messaggio_inoltro SET stato = 'INOLTRATO', inoltrato_il = ${v(deps.clock.now())}, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id_messaggio = ${v(m.id)}`,
    failed: (m, err) => (v) => `UPDATE messaggio_inoltro SET tentativi = tentativi + 1, ultimo_errore = ${v(err.message.slice(0, 500))} WHERE id_messaggio = ${v(m.id)}`,
    text: { done: 'message already forwarded', delivered: 'message forwarded', refused: 'recipient refused the message' },
  });
}
