import type { Pool } from 'pg';
import { ApeError, RemoteFaultError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { WorkHandler } from '../../../shared/amqp/consumer';
import { deliveryWorker } from '../../../shared/amqp/delivery';
import { withTransaction } from '../../../shared/db/pool';
import type { Operatore } from '../../../shared/domain/types';
import type { InvioPacchettoMsg } from '../core/domande';
import { registraEventi } from '../core/eventi';
import { registraPresaInCarico } from '../core/presa-in-carico';
import { aggiornaIstruttoria } from '../core/aggiorna';
import { bloccaELeggiIstruttoria } from '../core/sql/istruttoria';
import { giorniEsito, type RegoleInps } from '../core/regole';
import { registraInvioFallito, riammetti, type PacchettoDaInviare } from '../core/sql/pacchetto';
import { OPERATIONS } from '../../../shared/messages/contracts';
import { operatoreHeader, replyToHeader } from '../../../shared/messages/envelope';
import { writeVerificaPacchetto } from '../../../shared/messages/pacchetto';
import type { SoapCall, SoapClient } from '../../../shared/soap/client';
import { firmaOrigine, type FirmatarioOrigine } from '../../../shared/verifica-pacchetto/origine';
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
  /** INPS's key and certificate: every packet carries INPS's origin signature, which the hub forwards unchanged. */
  firmatario: FirmatarioOrigine;
  /** The configured deadlines (the days each party has to answer: regole.ts giorniEsito) and INL triggers. */
  regole: RegoleInps;
}

const REINVIABILI: readonly StatoPacchetto[] = ['INVIATO', 'SCADUTO', 'RIFIUTATO'];

interface Pacchetto {
  id: string;
  stato: StatoPacchetto;
  contenuto: PacchettoDaInviare;
  operatore: Operatore;
  /** An operator's resend (npm run ops -- reinvia) of a packet not answered while its istruttoria is open. */
  reinvio: boolean;
  /**
   * Past its delivery deadline a packet never received is SCADUTO (its data count as not verifiable), but it is
   * still delivered while the istruttoria is open: a late answer before closure is applied.
   */
  maiConsegnato: boolean;
}

export function invioPacchetto(deps: InvioDeps): WorkHandler<InvioPacchettoMsg> {
  return deliveryWorker<InvioPacchettoMsg, Pacchetto, SoapCall, { correlationId: string; via: string }>({
    async load(msg) {
      const { rows } = await deps.pool.query<{ stato: StatoPacchetto; contenuto: PacchettoDaInviare; operatore_id: string; operatore_ufficio: string; stato_istruttoria: StatoIstruttoria; inviato_il: Date | null }>(
        `SELECT p.stato, p.contenuto, d.operatore_id, d.operatore_ufficio, i.stato AS stato_istruttoria, p.inviato_il
           FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
          WHERE p.id = $1`,
        [msg.payload.idPacchetto],
      );
      const row = rows[0];
      if (!row) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.idPacchetto} assente`);
      return {
        id: msg.payload.idPacchetto,
        stato: row.stato,
        contenuto: row.contenuto,
        operatore: { id: row.operatore_id, ufficio: row.operatore_ufficio },
        reinvio: msg.payload.reinvio === true && REINVIABILI.includes(row.stato) && row.stato_istruttoria !== 'CHIUSA',
        maiConsegnato: row.stato === 'SCADUTO' && row.inviato_il === null && row.stato_istruttoria !== 'CHIUSA',
      };
    },
    describe: (p) => ({ idPacchetto: p.id, idIstruttoria: p.contenuto.idIstruttoria, destinatario: p.contenuto.destinatario, stato: p.stato }),
    isDone: (p) => p.stato !== 'DA_INVIARE' && !p.reinvio && !p.maiConsegnato,
    prepare(p) {
      const dest = deps.destinazione(p.contenuto.destinatario);
      return {
        url: dest.url,
        soapAction: OPERATIONS.VerificaPacchetto.soapAction,
        expectedServerCN: dest.expectedServerCN,
        headers: [operatoreHeader(p.operatore), replyToHeader(deps.replyTo)],
        // Signed at each send (a resend too: new DataInvio, new signature); recipients compare content without it.
        body: firmaOrigine(writeVerificaPacchetto({ ...p.contenuto, dataInvio: deps.clock.now() }), deps.firmatario),
        riferimenti: { idPacchetto: p.id, idIstruttoria: p.contenuto.idIstruttoria },
      };
    },
    async call(_p, request) {
      const result = await deps.soap.call(request);
      const corr = result.headers.optional('X-Correlation-ID')?.value();
      if (!corr) throw new ApeError('RISPOSTA_NON_VALIDA', `l'ack di ${request.url} non contiene X-Correlation-ID`, { retryable: false });
      return { correlationId: corr, via: request.url };
    },
    async recordSuccess(p, { correlationId, via }) {
      const ricevutoIl = deps.clock.now();
      await withTransaction(deps.pool, async (tx) => {
        // A refused packet now accepted is with its party: it waits for its esito as after a first send.
        if (p.reinvio) await riammetti(tx, p.id);
        await registraPresaInCarico(tx, { idPacchetto: p.id, idIstruttoria: p.contenuto.idIstruttoria, correlationId, ricevutoIl, via, esitoGiorni: giorniEsito(deps.regole, p.contenuto.destinatario) });
      });
      return { correlationId };
    },
    recordFailure: (p, err) => registraTentativoFallito(deps.pool, p.id, p.contenuto.idIstruttoria, err, deps.clock.now(), deps.regole),
    text: { done: 'packet already sent; nothing to do', delivered: 'packet accepted by counterpart', refused: 'counterpart refused the packet' },
  });
}

/**
 * A failed send: recorded on the packet. A counterpart that refused the packet for good (a non-retryable
 * Fault) leaves its data unverified: the packet is RIFIUTATO and the lifecycle moves on (art. 5 c). When this
 * fails the message is retried (shared/amqp/delivery.ts): the packet, still DA_INVIARE, is sent again and its
 * refusal recorded then; once it is recorded, a redelivered send finds the packet refused and sends nothing.
 */
async function registraTentativoFallito(pool: Pool, idPacchetto: string, idIstruttoria: string, err: Error, now: Date, regole: RegoleInps): Promise<void> {
  const refused = err instanceof RemoteFaultError && !err.retryable;
  await withTransaction(pool, async (tx) => {
    const istruttoria = refused ? await bloccaELeggiIstruttoria(tx, idIstruttoria) : null;
    const stato = await registraInvioFallito(tx, idPacchetto, { errore: err.message.slice(0, 500), rifiuto: refused });
    if (istruttoria && stato === 'RIFIUTATO') {
      await registraEventi(tx, [{ istruttoriaId: idIstruttoria, pacchettoId: idPacchetto, tipo: 'PACCHETTO_RIFIUTATO', at: now, dettagli: { errore: err.message.slice(0, 500) } }]);
      await aggiornaIstruttoria(tx, istruttoria, now, regole);
    }
  });
}
