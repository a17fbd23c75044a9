import type { Pool } from 'pg';
import { ApeError, RemoteFaultError, toError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { WorkHandler } from '../../shared/amqp/consumer';
import { withTransaction } from '../../shared/db/pool';
import type { Operatore } from '../../shared/domain/types';
import type { InvioPacchettoMsg, PacchettoDaInviare } from '../../shared/inps/domande';
import { registraEventi } from '../../shared/inps/eventi';
import { OPERATIONS } from '../../shared/messages/contracts';
import { operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { writeVerificaPacchetto } from '../../shared/messages/pacchetto';
import type { StatoPacchetto } from '../../shared/messages/istruttoria';
import type { SoapClient } from '../../shared/soap/client';

/**
 * Sends one packet (ModI NONBLOCK_PUSH_SOAP step 1) and records the counterpart's ack and correlation id.
 * Idempotent: a packet already sent or answered is not sent again; a repeated send of the same packet is
 * answered by the hub with the same correlation id.
 */
export interface Destinazione {
  url: string;
  expectedServerCN: string;
}

export interface InvioDeps {
  pool: Pool;
  soap: SoapClient;
  clock: Clock;
  /** Where packets for a recipient go: the Ministero's hub, or the recipient itself (direct routing). */
  destinazione(destinatario: PacchettoDaInviare['destinatario']): Destinazione;
  /** INPS esiti endpoint, sent as X-ReplyTo. */
  replyTo: string;
}

export function invioPacchetto(deps: InvioDeps): WorkHandler<InvioPacchettoMsg> {
  return async (msg, log) => {
    const { rows } = await deps.pool.query<{ stato: StatoPacchetto; contenuto: PacchettoDaInviare; operatore_id: string; operatore_ufficio: string }>(
      `SELECT p.stato, p.contenuto, d.operatore_id, d.operatore_ufficio
         FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
        WHERE p.id = $1`,
      [msg.payload.idPacchetto],
    );
    const row = rows[0];
    if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
    const plog = log.child({ idPacchetto: msg.payload.idPacchetto, idIstruttoria: row.contenuto.idIstruttoria, destinatario: row.contenuto.destinatario });
    if (row.stato !== 'DA_INVIARE') {
      plog.info({ stato: row.stato }, 'packet already sent; nothing to do');
      return;
    }
    const dest = deps.destinazione(row.contenuto.destinatario);
    const operatore: Operatore = { id: row.operatore_id, ufficio: row.operatore_ufficio };
    const now = deps.clock.now();
    let correlationId: string;
    try {
      const result = await deps.soap.call({
        url: dest.url,
        soapAction: OPERATIONS.VerificaPacchetto.soapAction,
        expectedServerCN: dest.expectedServerCN,
        headers: [operatoreHeader(operatore), replyToHeader(deps.replyTo)],
        body: writeVerificaPacchetto({ ...row.contenuto, dataInvio: now }),
      });
      const corr = result.headers.optional('X-Correlation-ID')?.value();
      if (!corr) throw new ApeError('RISPOSTA_NON_VALIDA', `l'ack di ${dest.url} non contiene X-Correlation-ID`, { retryable: false });
      correlationId = corr;
    } catch (thrown) {
      const err = toError(thrown);
      await registraTentativoFallito(deps.pool, msg.payload.idPacchetto, row.contenuto.idIstruttoria, err, deps.clock.now());
      throw err;
    }
    await withTransaction(deps.pool, async (tx) => {
      // An esito may already have arrived (callbacks can overtake the ack): never move back from RISPOSTO.
      await tx.query(
        `UPDATE pacchetto
            SET stato = CASE WHEN stato = 'DA_INVIARE' THEN 'INVIATO' ELSE stato END,
                correlation_id = COALESCE(correlation_id, $2),
                inviato_il = COALESCE(inviato_il, $3),
                tentativi_invio = tentativi_invio + 1,
                ultimo_errore = NULL
          WHERE id = $1`,
        [msg.payload.idPacchetto, correlationId, now],
      );
      await registraEventi(tx, [
        { istruttoriaId: row.contenuto.idIstruttoria, pacchettoId: msg.payload.idPacchetto, tipo: 'PACCHETTO_INVIATO', at: now, dettagli: { correlationId, via: dest.url } },
      ]);
    });
    plog.info({ correlationId }, 'packet accepted by counterpart');
  };
}

async function registraTentativoFallito(pool: Pool, idPacchetto: string, idIstruttoria: string, err: Error, now: Date): Promise<void> {
  const refused = err instanceof RemoteFaultError && !err.retryable;
  await withTransaction(pool, async (tx) => {
    await tx.query(
      `UPDATE pacchetto SET tentativi_invio = tentativi_invio + 1, ultimo_errore = $2,
              stato = CASE WHEN $3 AND stato = 'DA_INVIARE' THEN 'RIFIUTATO' ELSE stato END
        WHERE id = $1`,
      [idPacchetto, err.message.slice(0, 500), refused],
    );
    if (refused) {
      await registraEventi(tx, [{ istruttoriaId: idIstruttoria, pacchettoId: idPacchetto, tipo: 'PACCHETTO_RIFIUTATO', at: now, dettagli: { errore: err.message.slice(0, 500) } }]);
    }
  }).catch(() => undefined);
}
