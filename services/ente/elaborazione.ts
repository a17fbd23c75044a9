import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import { ApeError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import { registeredDeliveryWorker } from '../../shared/soap/registered-delivery';
import { withTransaction } from '../../shared/db/pool';
import type { ContenutoPacchetto, EnteVerificatore, EsitoDato, Operatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito } from '../../shared/messages/esiti';
import { claimInbox, conOutbox } from '../../shared/outbox/outbox';
import type { PacchettoRicevutoMsg } from '../../shared/verifica-pacchetto/ricezione';
import type { ConsegnaMsg } from './operazioni';
import type { SoapClient } from '../../shared/soap/client';
import type { Archivio } from './archivio';
import { verificaRapporto } from './verifica';

/**
 * A party's work on a received packet: verify it against the archive (one transaction: esiti stored, callback
 * queued), then deliver the esito to INPS's X-ReplyTo with the packet's X-Correlation-ID.
 */

export interface VerificaDeps {
  pool: Pool;
  ente: EnteVerificatore;
  archivio: Archivio;
  clock: Clock;
  routingConsegna: string;
}

export function verificaPacchetto(deps: VerificaDeps): WorkHandler<PacchettoRicevutoMsg> {
  const consumer = `${deps.ente.toLowerCase()}.verifica`;
  return async (msg, log) => {
    // The archive is read before the transaction: it may live elsewhere, and a lookup must never hold one
    // of the pool's connections while waiting for another (with prefetch > pool size that deadlocks).
    const { rows: letti } = await deps.pool.query<{ stato: string; contenuto: ContenutoPacchetto }>(
      'SELECT stato, contenuto FROM pacchetto_ricevuto WHERE id_pacchetto = $1',
      [msg.payload.idPacchetto],
    );
    const letto = letti[0];
    if (!letto) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
    if (letto.stato !== 'RICEVUTO') {
      log.info({ idPacchetto: msg.payload.idPacchetto, stato: letto.stato }, 'packet already verified');
      return;
    }
    const now = deps.clock.now();
    const oggi = DateTime.fromJSDate(now, { zone: 'Europe/Rome' }).toISODate()!;
    const esiti: EsitoDato[] = [];
    for (const r of letto.contenuto.rapporti) {
      const dati = await deps.archivio.datiPer(letto.contenuto.lavoratore.codiceFiscale, r);
      esiti.push(...verificaRapporto(deps.ente, r, dati, oggi));
    }
    await withTransaction(deps.pool, async (tx) => {
      if (!(await claimInbox(tx, consumer, msg.messageId))) {
        log.info('message already applied');
        return;
      }
      // The esiti and the delivery they cause, in one statement, only from RICEVUTO: a concurrent verification's
      // commit is waited for and its row read again (READ COMMITTED), and then this one changes nothing.
      const verificato = await conOutbox(
        tx,
        (p) => `UPDATE pacchetto_ricevuto SET stato = 'VERIFICATO', verificato_il = ${p(now)}, esiti = ${p(JSON.stringify(esiti))} WHERE id_pacchetto = ${p(msg.payload.idPacchetto)} AND stato = 'RICEVUTO'`,
        [{ routingKey: deps.routingConsegna, payload: { idPacchetto: msg.payload.idPacchetto } }],
        { seCambia: true },
      );
      if (verificato === 1) log.info({ idPacchetto: msg.payload.idPacchetto, dati: esiti.length }, 'packet verified');
    });
  };
}

export interface ConsegnaDeps {
  pool: Pool;
  ente: EnteVerificatore;
  soap: SoapClient;
  clock: Clock;
  operatore: Operatore;
  /** Subject CN of INPS's gateway certificate: the esito goes to INPS and nobody else. */
  inpsServerCN: string;
}

interface Verificato {
  id: string;
  stato: string;
  correlation_id: string;
  reply_to: string;
  esiti: EsitoDato[];
}

export function consegnaEsito(deps: ConsegnaDeps): WorkHandler<ConsegnaMsg> {
  return registeredDeliveryWorker<ConsegnaMsg, Verificato, void>({
    pool: deps.pool,
    soap: deps.soap,
    async load(msg) {
      const { rows } = await deps.pool.query<{ stato: string; correlation_id: string; reply_to: string; esiti: EsitoDato[] | null }>(
        'SELECT stato, correlation_id, reply_to, esiti FROM pacchetto_ricevuto WHERE id_pacchetto = $1',
        [msg.payload.idPacchetto],
      );
      const row = rows[0];
      if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
      // Its esiti are stored when it is verified, before the delivery is queued: none means the queue ran ahead.
      if (!row.esiti) throw new ApeError('ERRORE_INTERNO', `pacchetto ${msg.payload.idPacchetto} non ancora verificato`);
      return { id: msg.payload.idPacchetto, ...row, esiti: row.esiti };
    },
    describe: (p) => ({ idPacchetto: p.id, correlationId: p.correlation_id }),
    // A reminder (SollecitaEsito) asks for an esito already delivered to be delivered again (riconsegna).
    isDone: (p, msg) => p.stato === 'ESITO_CONSEGNATO' && !msg.payload.riconsegna,
    prepare: (p) => ({
      url: p.reply_to,
      soapAction: OPERATIONS.NotificaEsito.soapAction,
      expectedServerCN: deps.inpsServerCN,
      headers: [operatoreHeader(deps.operatore), correlationHeader(p.correlation_id)],
      body: writeNotificaEsito({ idPacchetto: p.id, ente: deps.ente, dataEsito: deps.clock.now(), esitiDato: p.esiti }),
    }),
    async call(_p, request) {
      await deps.soap.call(request);
    },
    delivered: (p) => (v) =>
      `UPDATE pacchetto_ricevuto SET stato = 'ESITO_CONSEGNATO', esito_consegnato_il = COALESCE(esito_consegnato_il, ${v(deps.clock.now())}), tentativi_consegna = tentativi_consegna + 1, ultimo_errore = NULL WHERE id_pacchetto = ${v(p.id)}`,
    failed: (p, err) => (v) => `UPDATE pacchetto_ricevuto SET tentativi_consegna = tentativi_consegna + 1, ultimo_errore = ${v(err.message.slice(0, 500))} WHERE id_pacchetto = ${v(p.id)}`,
    text: { done: 'esito already delivered', delivered: 'esito delivered to INPS', refused: 'INPS refused the esito' },
  });
}
