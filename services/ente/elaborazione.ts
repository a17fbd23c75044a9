import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import { ApeError, RemoteFaultError, toError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import { withTransaction } from '../../shared/db/pool';
import type { ContenutoPacchetto, EnteVerificatore, EsitoDato, Operatore } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito } from '../../shared/messages/esiti';
import { claimInbox, enqueue } from '../../shared/outbox/outbox';
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
      const { rows } = await tx.query<{ stato: string }>('SELECT stato FROM pacchetto_ricevuto WHERE id_pacchetto = $1 FOR UPDATE', [
        msg.payload.idPacchetto,
      ]);
      if (rows[0]?.stato !== 'RICEVUTO') return;
      await tx.query(`UPDATE pacchetto_ricevuto SET stato = 'VERIFICATO', verificato_il = $2, esiti = $3 WHERE id_pacchetto = $1`, [
        msg.payload.idPacchetto,
        now,
        JSON.stringify(esiti),
      ]);
      await enqueue(tx, { routingKey: deps.routingConsegna, payload: { idPacchetto: msg.payload.idPacchetto } });
      log.info({ idPacchetto: msg.payload.idPacchetto, dati: esiti.length }, 'packet verified');
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

export function consegnaEsito(deps: ConsegnaDeps): WorkHandler<ConsegnaMsg> {
  return async (msg, log) => {
    const { rows } = await deps.pool.query<{ stato: string; correlation_id: string; reply_to: string; esiti: EsitoDato[] | null }>(
      'SELECT stato, correlation_id, reply_to, esiti FROM pacchetto_ricevuto WHERE id_pacchetto = $1',
      [msg.payload.idPacchetto],
    );
    const row = rows[0];
    if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
    const plog = log.child({ idPacchetto: msg.payload.idPacchetto, correlationId: row.correlation_id });
    if (row.stato === 'ESITO_CONSEGNATO' && !msg.payload.riconsegna) {
      plog.info('esito already delivered');
      return;
    }
    if (!row.esiti) throw new ApeError('ERRORE_INTERNO', `pacchetto ${msg.payload.idPacchetto} non ancora verificato`);
    try {
      await deps.soap.call({
        url: row.reply_to,
        soapAction: OPERATIONS.NotificaEsito.soapAction,
        expectedServerCN: deps.inpsServerCN,
        headers: [operatoreHeader(deps.operatore), correlationHeader(row.correlation_id)],
        body: writeNotificaEsito({ idPacchetto: msg.payload.idPacchetto, ente: deps.ente, dataEsito: deps.clock.now(), esitiDato: row.esiti }),
      });
    } catch (thrown) {
      const err = toError(thrown);
      await deps.pool
        .query('UPDATE pacchetto_ricevuto SET tentativi_consegna = tentativi_consegna + 1, ultimo_errore = $2 WHERE id_pacchetto = $1', [msg.payload.idPacchetto, err.message.slice(0, 500)])
        .catch(() => undefined);
      if (err instanceof RemoteFaultError) plog.warn({ code: err.code, retryable: err.retryable }, 'INPS refused the esito');
      throw err;
    }
    await deps.pool.query(
      `UPDATE pacchetto_ricevuto SET stato = 'ESITO_CONSEGNATO', esito_consegnato_il = COALESCE(esito_consegnato_il, $2), tentativi_consegna = tentativi_consegna + 1, ultimo_errore = NULL WHERE id_pacchetto = $1`,
      [msg.payload.idPacchetto, deps.clock.now()],
    );
    plog.info('esito delivered to INPS');
  };
}
