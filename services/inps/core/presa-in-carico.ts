import type { Tx } from '../../../shared/db/pool';
import { scadenzaEsito } from '../../../shared/domain/scadenze';
import { cancelTimer, scheduleTimer } from '../../../shared/scheduler/timers';
import { TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from './aggiorna';
import { registraEventi } from './eventi';
import type { StatoPacchetto } from '../../../shared/domain/stati';

/**
 * Records that a party received a packet (the counterpart's ACCEPTED with its X-Correlation-ID): the 5 calendar
 * days of art. 5 run from this receipt, and a durable timer falls due at their end. An esito may already have
 * arrived (callbacks can overtake the ack): the packet never moves back from RISPOSTO, and no timer is set then.
 */
export async function registraPresaInCarico(
  tx: Tx,
  a: { idPacchetto: string; idIstruttoria: string; correlationId: string; ricevutoIl: Date; via: string; esitoGiorni: number },
): Promise<void> {
  // The lock first, in a statement of its own: after waiting for a concurrent ack's transaction it reads the row as
  // that one committed it. (Read in the UPDATE's RETURNING, a CTE is evaluated with the statement's snapshot, from
  // before the other ack: both saw no receipt and both recorded one - found by the fault suite.)
  const prima = await tx.query<{ inviato_il: Date | null }>('SELECT inviato_il FROM pacchetto WHERE id = $1 FOR UPDATE', [a.idPacchetto]);
  const r = await tx.query<{ stato: StatoPacchetto; scadenza_esito: Date }>(
    `UPDATE pacchetto
        SET stato = CASE WHEN stato = 'DA_INVIARE' THEN 'INVIATO' ELSE stato END,
            correlation_id = COALESCE(correlation_id, $2),
            inviato_il = COALESCE(inviato_il, $3),
            scadenza_esito = COALESCE(scadenza_esito, $4),
            tentativi_invio = tentativi_invio + 1,
            ultimo_errore = NULL
      WHERE id = $1
      RETURNING stato, scadenza_esito`,
    [a.idPacchetto, a.correlationId, a.ricevutoIl, scadenzaEsito(a.ricevutoIl, a.esitoGiorni)],
  );
  const row = r.rows[0];
  // A repeated ack (a redelivered send) changes nothing: the 5 days run from the first receipt.
  if (!row || !prima.rows[0] || prima.rows[0].inviato_il !== null) return;
  await cancelTimer(tx, TIMER_SCADENZA_INVIO, a.idPacchetto);
  if (row.stato === 'INVIATO') await scheduleTimer(tx, { tipo: TIMER_SCADENZA_ESITO, chiave: a.idPacchetto, scadeIl: row.scadenza_esito });
  await registraEventi(tx, [
    { istruttoriaId: a.idIstruttoria, pacchettoId: a.idPacchetto, tipo: 'PACCHETTO_INVIATO', at: a.ricevutoIl, dettagli: { correlationId: a.correlationId, via: a.via, scadenza: row.scadenza_esito.toISOString() } },
  ]);
}
