import type { Tx } from '../../../shared/db/pool';
import { scadenzaEsito } from '../../../shared/domain/scadenze';
import { cancelTimers, scheduleTimer } from '../../../shared/scheduler/timers';
import { TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from './aggiorna';
import { registraEventi } from './eventi';
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
  await cancelTimers(tx, [{ tipo: TIMER_SCADENZA_INVIO, chiave: a.idPacchetto }]);
  if (ricezione.stato === 'INVIATO') await scheduleTimer(tx, { tipo: TIMER_SCADENZA_ESITO, chiave: a.idPacchetto, scadeIl: ricezione.scadenzaEsito });
  await registraEventi(tx, [
    { istruttoriaId: a.idIstruttoria, pacchettoId: a.idPacchetto, tipo: 'PACCHETTO_INVIATO', at: a.ricevutoIl, dettagli: { correlationId: a.correlationId, via: a.via, scadenza: ricezione.scadenzaEsito.toISOString() } },
  ]);
}
