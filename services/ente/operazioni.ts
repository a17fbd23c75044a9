import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError } from '../../shared/errors';
import { withTransaction } from '../../shared/db/pool';
import { impronta } from '../../shared/domain/impronta';
import type { EnteVerificatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader } from '../../shared/messages/envelope';
import { readNotificaRiscontro, readSegnalaCaso, readSollecitaEsito, writePresaInCarico } from '../../shared/messages/pacchetto';
import { testoInsert } from '../../shared/db/insert';
import { conOutbox, conOutboxNellaChiamata } from '../../shared/outbox/outbox';
import { registraUnaVolta } from '../../shared/outbox/richiesta-una-volta';
import type { SoapOperation } from '../../shared/soap/server';
import { conOrigineVerificata, type RegolaOrigine } from '../../shared/verifica-pacchetto/origine';
import { QUEUES } from '../../shared/amqp/topology';

/**
 * The operations a party's node serves besides VerificaPacchetto: a reminder for an overdue esito, another
 * party's esito on the same istruttoria (art. 4), and, at INL, a case to evaluate (art. 5 c). Like packets, each
 * is INPS's: its origin signature is verified before anything in it is read or stored.
 */
export interface OperazioniDeps {
  pool: Pool;
  ente: EnteVerificatore;
  callers: readonly string[];
  routingConsegna: string;
  allowedReplyTo: readonly string[];
  /** Whose signature proves that INPS wrote the message. */
  origine: RegolaOrigine;
}

function perQuestoEnte(ente: EnteVerificatore, destinatario: EnteVerificatore): void {
  if (destinatario !== ente) throw new ApeError('DESTINATARIO_ERRATO', `questo nodo è di ${ente}; il messaggio è destinato a ${destinatario}`);
}

/** Payload of a delivery of an esito; riconsegna asks for it again although it was delivered (a reminder). */
export interface ConsegnaMsg {
  idPacchetto: string;
  riconsegna?: boolean;
}

export function sollecitaEsito(deps: OperazioniDeps): SoapOperation {
  return conOrigineVerificata(deps.origine, {
    name: 'SollecitaEsito',
    ...OPERATIONS.SollecitaEsito,
    callers: deps.callers,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      const s = readSollecitaEsito(payload);
      ctx.traccia({ riferimenti: { idPacchetto: s.idPacchetto, idMessaggio: s.idSollecito } });
      perQuestoEnte(deps.ente, s.destinatario);
      const azione = await withTransaction(deps.pool, async (tx) => {
        const p = await tx.query<{ stato: string }>('SELECT stato FROM pacchetto_ricevuto WHERE id_pacchetto = $1 FOR UPDATE', [s.idPacchetto]);
        // A reminder can overtake its packet (both wait at the hub while this node is down): recorded, and the
        // packet is verified when it arrives.
        const stato = p.rows[0]?.stato ?? 'NON_RICEVUTO';
        const scelta = stato === 'ESITO_CONSEGNATO' ? 'ESITO_RICONSEGNATO' : stato === 'NON_RICEVUTO' ? 'PACCHETTO_NON_ANCORA_RICEVUTO' : 'VERIFICA_IN_CORSO';
        // A reminder after an esito was delivered: INPS may have lost it; deliver it again (INPS applies it once).
        // Recorded with that delivery in one statement; a copy of the reminder records and delivers nothing.
        const msg: ConsegnaMsg = { idPacchetto: s.idPacchetto, riconsegna: true };
        await conOutbox(
          tx,
          (p) => testoInsert(p, 'sollecito_ricevuto', ['id_sollecito', 'id_pacchetto', 'scadenza', 'ricevuto_il', 'azione'], [[s.idSollecito, s.idPacchetto, s.scadenza, ctx.receivedAt, scelta]], 'ON CONFLICT DO NOTHING'),
          scelta === 'ESITO_RICONSEGNATO' ? [{ routingKey: deps.routingConsegna, payload: msg, messageId: randomUUID() }] : [],
          { seCambia: true },
        );
        return scelta;
      }, { primaIstruzione: ctx.primaIstruzione });
      ctx.log.info({ idPacchetto: s.idPacchetto, azione }, 'reminder received');
      return { body: writePresaInCarico('SollecitaEsito') };
    },
  });
}

export function notificaRiscontro(deps: OperazioniDeps): SoapOperation {
  return conOrigineVerificata(deps.origine, {
    name: 'NotificaRiscontro',
    ...OPERATIONS.NotificaRiscontro,
    callers: deps.callers,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      const r = readNotificaRiscontro(payload);
      ctx.traccia({ riferimenti: { idIstruttoria: r.idIstruttoria, protocollo: r.protocolloDomanda, idMessaggio: r.idRiscontro } });
      perQuestoEnte(deps.ente, r.destinatario);
      // In one statement with the call's replay record: one round trip and one commit for both.
      await conOutboxNellaChiamata(
        deps.pool,
        ctx.primaIstruzione,
        (p) =>
          testoInsert(
            p,
            'riscontro',
            ['id_riscontro', 'id_istruttoria', 'protocollo', 'ente_rispondente', 'esito', 'data_esito', 'in_ritardo', 'ricevuto_il'],
            [[r.idRiscontro, r.idIstruttoria, r.protocolloDomanda, r.enteRispondente, r.esito, r.dataEsito, r.inRitardo, ctx.receivedAt]],
            'ON CONFLICT DO NOTHING',
          ),
        [],
      );
      return { body: writePresaInCarico('NotificaRiscontro') };
    },
  });
}

export interface SegnalazioneMsg {
  idSegnalazione: string;
}

/** INL only: a case to evaluate, stored before the ack (ModI NONBLOCK_PUSH: correlation id in the ack). */
export function segnalaCaso(deps: OperazioniDeps): SoapOperation {
  return conOrigineVerificata(deps.origine, {
    name: 'SegnalaCaso',
    ...OPERATIONS.SegnalaCaso,
    callers: deps.callers,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      if (deps.ente !== 'INL') throw new ApeError('DESTINATARIO_ERRATO', `SegnalaCaso è un'operazione dell'INL, non di ${deps.ente}`);
      const s = readSegnalaCaso(payload);
      ctx.traccia({ riferimenti: { idSegnalazione: s.idSegnalazione, idIstruttoria: s.idIstruttoria, protocollo: s.protocolloDomanda }, codiceFiscale: s.lavoratore.codiceFiscale });
      perQuestoEnte(deps.ente, s.destinatario);
      const replyTo = ctx.headers.required('X-ReplyTo');
      if (!deps.allowedReplyTo.includes(replyTo)) throw new ApeError('DATI_INCOERENTI', `X-ReplyTo ${replyTo} non è un endpoint esiti registrato`);
      const proposed = ctx.headers.optional('X-Correlation-ID')?.value() ?? randomUUID();
      const hash = impronta({ ...s, dataInvio: undefined });
      // The case, the message that has it evaluated and the call's replay record, in one statement and one commit;
      // neither case nor message for a copy (a sender's retry, under a new MessageID).
      const msg: SegnalazioneMsg = { idSegnalazione: s.idSegnalazione };
      const { correlationId } = await registraUnaVolta(deps.pool, ctx.primaIstruzione, {
        tabella: 'accertamento',
        chiave: 'id_segnalazione',
        riga: {
          id_segnalazione: s.idSegnalazione,
          id_istruttoria: s.idIstruttoria,
          protocollo: s.protocolloDomanda,
          correlation_id: proposed,
          reply_to: replyTo,
          contenuto: JSON.stringify(s),
          impronta: hash,
          ricevuto_il: ctx.receivedAt,
          limite_attesa: s.limiteAttesa,
          stato: 'SEGNALATO',
        },
        messaggi: [{ routingKey: QUEUES.inlValutazione, payload: msg }],
        diverso: `la segnalazione ${s.idSegnalazione} è già stata ricevuta con un contenuto diverso`,
      });
      ctx.log.info({ idSegnalazione: s.idSegnalazione, correlationId, indici: s.indici.length }, 'case received for evaluation');
      return { headers: [correlationHeader(correlationId)], body: writePresaInCarico('SegnalaCaso') };
    },
  });
}
