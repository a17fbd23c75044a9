import type { Tx } from '../../../shared/db/pool';
import { scadenzaEsito } from '../../../shared/domain/scadenze';
import { cambiInsieme } from '../../../shared/db/insieme';
import { testoCancelTimers, testoScheduleTimers } from '../../../shared/scheduler/timers';
import { TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from './aggiorna';
import { inserisciEventi } from './eventi';
import { presaInCarico } from './sql/pacchetto';

/**
 * Records that a party received a packet (the counterpart's ACCEPTED with its X-Correlation-ID): the 5 calendar
 * days of art. 5 run from this receipt, and a durable timer falls due at their end. An esito may already have
 * arrived (callbacks can overtake the ack): the packet never moves back from RISPOSTO, and no timer is set then.
 */
export async function registraPresaInCarico(
  tx: Tx,
  a: { idPacchetto: string; idIstruttoria: string; correlationId: string; ricevutoIl: Date; via: string; esitoGiorni: number },
): Promise<void> {
  const ricezione = await presaInCarico(tx, a.idPacchetto, { correlationId: a.correlationId, ricevutoIl: a.ricevutoIl, scadenzaEsito: scadenzaEsito(a.ricevutoIl, a.esitoGiorni) });
  // A repeated ack (a redelivered send) changes nothing: the 5 days run from the first receipt.
  if (!ricezione || !ricezione.prima) return;
  // The timers and the timeline in one statement.
  await cambiInsieme(tx, (p) => ({
    conta: inserisciEventi(p, [
      { istruttoriaId: a.idIstruttoria, pacchettoId: a.idPacchetto, tipo: 'PACCHETTO_INVIATO', at: a.ricevutoIl, dettagli: { correlationId: a.correlationId, via: a.via, scadenza: ricezione.scadenzaEsito.toISOString() } },
    ]),
    altri: [
      testoCancelTimers(p, [{ tipo: TIMER_SCADENZA_INVIO, chiave: a.idPacchetto }]),
      ...(ricezione.stato === 'INVIATO' ? [testoScheduleTimers(p, [{ tipo: TIMER_SCADENZA_ESITO, chiave: a.idPacchetto, scadeIl: ricezione.scadenzaEsito }])] : []),
    ],
  }));
}
