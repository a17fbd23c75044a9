import type { Pool } from 'pg';
import { ApeError, RemoteFaultError, toError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { WorkHandler } from '../../../shared/amqp/consumer';
import { withTransaction } from '../../../shared/db/pool';
import type { Operatore } from '../../../shared/domain/types';
import type { InvioPacchettoMsg } from '../core/domande';
import { registraEventi } from '../core/eventi';
import { registraPresaInCarico } from '../core/presa-in-carico';
import { aggiornaIstruttoria } from '../core/aggiorna';
import { bloccaIstruttoria } from '../core/sql/istruttoria';
import type { RegoleInps } from '../core/regole';
import { registraInvioFallito, riammetti, type PacchettoDaInviare } from '../core/sql/pacchetto';
import { OPERATIONS } from '../../../shared/messages/contracts';
import { operatoreHeader, replyToHeader } from '../../../shared/messages/envelope';
import { writeVerificaPacchetto } from '../../../shared/messages/pacchetto';
import type { SoapClient } from '../../../shared/soap/client';
import type { StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

/**
 * Sends one packet (ModI NONBLOCK_PUSH_SOAP step 1) and records the counterpart's ack and correlation id.
 * Idempotent: a packet already sent or answered is not sent again (unless an operator asks to resend one not
 * answered yet, `reinvio`); a repeated send of the same packet is answered by the hub with the same correlation id.
 * Sending is retried (backoff with jitter, no attempt limit) until the packet is delivered or its istruttoria
 * closes; the SCADENZA_INVIO timer applies the deadline rules meanwhile.
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
  /** Calendar days a party has to answer (protocol art. 5). */
  esitoGiorni: number;
  regole: RegoleInps;
}

const REINVIABILI: readonly StatoPacchetto[] = ['INVIATO', 'SCADUTO', 'RIFIUTATO'];

export function invioPacchetto(deps: InvioDeps): WorkHandler<InvioPacchettoMsg> {
  return async (msg, log) => {
    const { rows } = await deps.pool.query<{ stato: StatoPacchetto; contenuto: PacchettoDaInviare; operatore_id: string; operatore_ufficio: string; stato_istruttoria: StatoIstruttoria; inviato_il: Date | null }>(
      `SELECT p.stato, p.contenuto, d.operatore_id, d.operatore_ufficio, i.stato AS stato_istruttoria, p.inviato_il
         FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
        WHERE p.id = $1`,
      [msg.payload.idPacchetto],
    );
    const row = rows[0];
    if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
    const plog = log.child({ idPacchetto: msg.payload.idPacchetto, idIstruttoria: row.contenuto.idIstruttoria, destinatario: row.contenuto.destinatario });
    // An operator's resend (npm run ops -- reinvia) sends again a packet not answered while its istruttoria is open.
    const reinvio = msg.payload.reinvio === true && REINVIABILI.includes(row.stato) && row.stato_istruttoria !== 'CHIUSA';
    // Past its delivery deadline a packet never received is SCADUTO (its data count as not verifiable), but it is
    // still delivered while the istruttoria is open: a late answer before closure is applied.
    const maiConsegnato = row.stato === 'SCADUTO' && row.inviato_il === null && row.stato_istruttoria !== 'CHIUSA';
    if (row.stato !== 'DA_INVIARE' && !reinvio && !maiConsegnato) {
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
        riferimenti: { idPacchetto: msg.payload.idPacchetto, idIstruttoria: row.contenuto.idIstruttoria },
      });
      const corr = result.headers.optional('X-Correlation-ID')?.value();
      if (!corr) throw new ApeError('RISPOSTA_NON_VALIDA', `l'ack di ${dest.url} non contiene X-Correlation-ID`, { retryable: false });
      correlationId = corr;
    } catch (thrown) {
      const err = toError(thrown);
      await registraTentativoFallito(deps.pool, msg.payload.idPacchetto, row.contenuto.idIstruttoria, err, deps.clock.now(), deps.regole);
      throw err;
    }
    const ricevutoIl = deps.clock.now();
    await withTransaction(deps.pool, async (tx) => {
      // A refused packet now accepted is with its party: it waits for its esito as after a first send.
      if (reinvio) await riammetti(tx, msg.payload.idPacchetto);
      await registraPresaInCarico(tx, { idPacchetto: msg.payload.idPacchetto, idIstruttoria: row.contenuto.idIstruttoria, correlationId, ricevutoIl, via: dest.url, esitoGiorni: deps.esitoGiorni });
    });
    plog.info({ correlationId }, 'packet accepted by counterpart');
  };
}

/**
 * A failed send: recorded on the packet. A counterpart that refused the packet for good (a non-retryable
 * Fault) leaves its data unverified: the packet is RIFIUTATO and the lifecycle moves on (art. 5 c).
 */
async function registraTentativoFallito(pool: Pool, idPacchetto: string, idIstruttoria: string, err: Error, now: Date, regole: RegoleInps): Promise<void> {
  const refused = err instanceof RemoteFaultError && !err.retryable;
  await withTransaction(pool, async (tx) => {
    if (refused) await bloccaIstruttoria(tx, idIstruttoria);
    const stato = await registraInvioFallito(tx, idPacchetto, { errore: err.message.slice(0, 500), rifiuto: refused });
    if (refused && stato === 'RIFIUTATO') {
      await registraEventi(tx, [{ istruttoriaId: idIstruttoria, pacchettoId: idPacchetto, tipo: 'PACCHETTO_RIFIUTATO', at: now, dettagli: { errore: err.message.slice(0, 500) } }]);
      await aggiornaIstruttoria(tx, idIstruttoria, now, regole);
    }
  }).catch(() => undefined);
}
