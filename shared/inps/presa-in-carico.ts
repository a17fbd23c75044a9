import type { Tx } from '../db/pool';
import { scadenzaEsito } from '../domain/scadenze';
import type { StatoPacchetto } from '../messages/istruttoria';
import { programmaTimer } from '../scheduler/timers';
import { TIMER_SCADENZA_ESITO } from './aggiorna';
import { registraEventi } from './eventi';

/**
 * Records that a party received a packet (the counterpart's ACCEPTED with its X-Correlation-ID): the 5 calendar
 * days of art. 5 run from this receipt, and a durable timer falls due at their end. An esito may already have
 * arrived (callbacks can overtake the ack): the packet never moves back from RISPOSTO, and no timer is set then.
 */
export async function registraPresaInCarico(
  tx: Tx,
  a: { idPacchetto: string; idIstruttoria: string; correlationId: string; ricevutoIl: Date; via: string; esitoGiorni: number },
): Promise<void> {
  const scadenza = scadenzaEsito(a.ricevutoIl, a.esitoGiorni);
  const r = await tx.query<{ stato: StatoPacchetto }>(
    `UPDATE pacchetto
        SET stato = CASE WHEN stato = 'DA_INVIARE' THEN 'INVIATO' ELSE stato END,
            correlation_id = COALESCE(correlation_id, $2),
            inviato_il = COALESCE(inviato_il, $3),
            scadenza_esito = COALESCE(scadenza_esito, $4),
            tentativi_invio = tentativi_invio + 1,
            ultimo_errore = NULL
      WHERE id = $1
      RETURNING stato`,
    [a.idPacchetto, a.correlationId, a.ricevutoIl, scadenza],
  );
  if (r.rows[0]?.stato === 'INVIATO') await programmaTimer(tx, { tipo: TIMER_SCADENZA_ESITO, chiave: a.idPacchetto, scadeIl: scadenza });
  await registraEventi(tx, [
    { istruttoriaId: a.idIstruttoria, pacchettoId: a.idPacchetto, tipo: 'PACCHETTO_INVIATO', at: a.ricevutoIl, dettagli: { correlationId: a.correlationId, via: a.via, scadenza: scadenza.toISOString() } },
  ]);
}
