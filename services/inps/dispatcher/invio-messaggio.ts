import type { Pool } from 'pg';
import { ApeError, RemoteFaultError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { WorkHandler } from '../../../shared/amqp/consumer';
import { registeredDeliveryWorker } from '../../../shared/soap/registered-delivery';
import type { EnteVerificatore, Operatore } from '../../../shared/domain/types';
import { inserisciEventi } from '../core/eventi';
import type { CorpoMessaggio, InvioMessaggioMsg } from '../core/messaggi';
import { OPERATIONS } from '../../../shared/messages/contracts';
import { correlationHeader, operatoreHeader, replyToHeader } from '../../../shared/messages/envelope';
import { writeNotificaRiscontro, writeSegnalaCaso, writeSollecitaEsito } from '../../../shared/messages/pacchetto';
import type { SoapCall, SoapClient } from '../../../shared/soap/client';
import { firmaOrigine, type FirmatarioOrigine } from '../../../shared/verifica-pacchetto/origine';
import type { Xml } from '../../../shared/xml/write';
import type { Destinazione } from './invio-pacchetto';

/**
 * Sends a reminder, a case for INL or a notice of esito through the hub, once: a message already delivered is
 * not sent again, and the hub answers a repeated one with the same ack. A case for INL records the correlation
 * id INL will call back with.
 */
export interface InvioMessaggioDeps {
  pool: Pool;
  soap: SoapClient;
  clock: Clock;
  destinazione(destinatario: EnteVerificatore): Destinazione;
  replyTo: string;
  /** The operator named on messages INPS sends on its own (deadlines, notices). */
  operatore: Operatore;
  /** INPS's key and certificate: each message carries INPS's origin signature, which the hub forwards unchanged. */
  firmatario: FirmatarioOrigine;
}

interface Row {
  tipo: CorpoMessaggio['tipo'];
  destinatario: EnteVerificatore;
  istruttoria_id: string;
  corpo: CorpoMessaggio;
  stato: 'DA_INVIARE' | 'INVIATO' | 'RIFIUTATO';
  correlation_id: string | null;
}

function richiesta(row: Row, deps: InvioMessaggioDeps, now: Date): { soapAction: string; headers: Xml[]; body: Xml } {
  const op = operatoreHeader(deps.operatore);
  const c = row.corpo;
  switch (c.tipo) {
    case 'SOLLECITO':
      return {
        soapAction: OPERATIONS.SollecitaEsito.soapAction,
        headers: [op, ...(row.correlation_id ? [correlationHeader(row.correlation_id)] : [])],
        body: writeSollecitaEsito({ ...c.sollecito, scadenza: new Date(c.sollecito.scadenza), dataSollecito: new Date(c.sollecito.dataSollecito) }),
      };
    case 'SEGNALAZIONE':
      return {
        soapAction: OPERATIONS.SegnalaCaso.soapAction,
        headers: [op, replyToHeader(deps.replyTo)],
        body: writeSegnalaCaso({ ...c.segnalazione, dataInvio: now, limiteAttesa: new Date(c.segnalazione.limiteAttesa) }),
      };
    case 'RISCONTRO':
      return {
        soapAction: OPERATIONS.NotificaRiscontro.soapAction,
        headers: [op],
        body: writeNotificaRiscontro({ ...c.riscontro, dataEsito: new Date(c.riscontro.dataEsito) }),
      };
  }
}

interface Messaggio extends Row {
  id: string;
}

export function invioMessaggio(deps: InvioMessaggioDeps): WorkHandler<InvioMessaggioMsg> {
  return registeredDeliveryWorker<InvioMessaggioMsg, Messaggio, { correlationId: string | null; now: Date }, SoapCall & { now: Date }>({
    pool: deps.pool,
    soap: deps.soap,
    async load(msg) {
      const { rows } = await deps.pool.query<Row>(
        'SELECT tipo, destinatario, istruttoria_id, corpo, stato, correlation_id FROM messaggio_uscita WHERE id = $1',
        [msg.payload.idMessaggio],
      );
      const row = rows[0];
      if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `messaggio ${msg.payload.idMessaggio} assente`);
      return { id: msg.payload.idMessaggio, ...row };
    },
    describe: (m) => ({ idMessaggio: m.id, tipo: m.tipo, destinatario: m.destinatario, idIstruttoria: m.istruttoria_id, stato: m.stato }),
    isDone: (m) => m.stato !== 'DA_INVIARE',
    prepare(m) {
      const dest = deps.destinazione(m.destinatario);
      const now = deps.clock.now();
      const r = richiesta(m, deps, now);
      return { url: dest.url, expectedServerCN: dest.expectedServerCN, ...r, body: firmaOrigine(r.body, deps.firmatario), now };
    },
    async call(m, { now, ...request }) {
      const result = await deps.soap.call(request);
      if (m.tipo !== 'SEGNALAZIONE') return { correlationId: m.correlation_id, now };
      // INL will call back with the correlation id the hub gave for the case.
      const correlationId = result.headers.optional('X-Correlation-ID')?.value() ?? null;
      if (!correlationId) throw new ApeError('RISPOSTA_NON_VALIDA', `l'ack di ${request.url} non contiene X-Correlation-ID`, { retryable: false });
      return { correlationId, now };
    },
    delivered: (m, { correlationId, now }) => (v) => [
      `UPDATE messaggio_uscita SET stato = 'INVIATO', inviato_il = ${v(now)}, correlation_id = ${v(correlationId)}, tentativi = tentativi + 1, ultimo_errore = NULL WHERE id = ${v(m.id)}`,
      ...(m.tipo === 'SEGNALAZIONE'
        ? [`UPDATE segnalazione_inl SET correlation_id = COALESCE(correlation_id, ${v(correlationId)}), inviata_il = COALESCE(inviata_il, ${v(now)}) WHERE id = ${v(m.id)}`]
        : []),
      inserisciEventi(v, [
        { istruttoriaId: m.istruttoria_id, tipo: m.tipo === 'SOLLECITO' ? 'SOLLECITO_INVIATO' : 'MESSAGGIO_INVIATO', at: now, dettagli: { tipo: m.tipo, destinatario: m.destinatario } },
      ]),
    ],
    logged: (_m, { correlationId }) => ({ correlationId }),
    /** A failed send, counted; a counterpart's refusal not to retry makes the message RIFIUTATO, on the istruttoria's timeline. */
    failed(m, err) {
      const refused = err instanceof RemoteFaultError && !err.retryable;
      return (v) => [
        `UPDATE messaggio_uscita SET tentativi = tentativi + 1, ultimo_errore = ${v(err.message.slice(0, 500))}, stato = ${refused ? "'RIFIUTATO'" : 'stato'} WHERE id = ${v(m.id)}`,
        ...(refused
          ? [inserisciEventi(v, [{ istruttoriaId: m.istruttoria_id, tipo: 'MESSAGGIO_RIFIUTATO', at: deps.clock.now(), dettagli: { tipo: m.tipo, destinatario: m.destinatario, errore: err.message.slice(0, 300) } }])]
          : []),
      ];
    },
    text: { done: 'message already handled', delivered: 'message accepted by counterpart', refused: 'counterpart refused the message' },
  });
}
