import type { Tx } from '../../../shared/db/pool';
import type { TimerHandler } from '../../../shared/scheduler/timers';
import { aggiornaIstruttoria, TIMER_LIMITE_ISTRUTTORIA, TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from './aggiorna';
import { registraEventi } from './eventi';
import { creaMessaggio } from './messaggi';
import type { RegoleInps } from './regole';
import { bloccaIstruttoriaDelPacchetto } from './sql/istruttoria';
import { scadeEsito, scadeInvio } from './sql/pacchetto';

/**
 * What INPS does when a deadline passes.
 * SCADENZA_ESITO (key: packet id): the party did not answer within 5 calendar days of receipt: the packet is
 *   overdue, a reminder (sollecito) goes to the party, and the istruttoria proceeds as for data not verifiable.
 * SCADENZA_INVIO (key: packet id): the packet could not be delivered within the same 5 days from its creation:
 *   it is overdue as if the party had been silent (no reminder: the party never had it), and the istruttoria
 *   proceeds as for data not verifiable. The dispatcher keeps trying, for an answer before closure.
 * LIMITE_ISTRUTTORIA (key: istruttoria id): the wait for an inspection outcome is over: close on the
 *   self-declarations.
 */
export function gestoriTimerInps(regole: RegoleInps): Record<string, TimerHandler> {
  return {
    [TIMER_SCADENZA_ESITO]: async (tx, t, now) => {
      const istruttoria = await bloccaIstruttoriaDelPacchetto(tx, t.chiave);
      if (!istruttoria || istruttoria.stato === 'CHIUSA') return;
      await scadePacchetto(tx, t.chiave, istruttoria.id, now);
      await aggiornaIstruttoria(tx, istruttoria, now, regole);
    },
    [TIMER_SCADENZA_INVIO]: async (tx, t, now) => {
      const istruttoria = await bloccaIstruttoriaDelPacchetto(tx, t.chiave);
      if (!istruttoria || istruttoria.stato === 'CHIUSA') return;
      const istruttoriaId = istruttoria.id;
      const p = await scadeInvio(tx, t.chiave, { il: now });
      if (!p) return;
      await registraEventi(tx, [
        {
          istruttoriaId,
          pacchettoId: t.chiave,
          tipo: 'PACCHETTO_NON_CONSEGNATO',
          at: now,
          dettagli: { destinatario: p.destinatario, scadenza: t.scadeIl.toISOString(), tentativi: p.tentativiInvio, errore: p.ultimoErrore ?? '' },
        },
      ]);
      await aggiornaIstruttoria(tx, istruttoria, now, regole);
    },
    [TIMER_LIMITE_ISTRUTTORIA]: async (tx, t, now) => {
      await aggiornaIstruttoria(tx, t.chiave, now, regole);
    },
  };
}

async function scadePacchetto(tx: Tx, pacchettoId: string, istruttoriaId: string, now: Date): Promise<void> {
  const p = await scadeEsito(tx, pacchettoId, { il: now });
  if (!p) return;
  await creaMessaggio(tx, {
    istruttoriaId,
    destinatario: p.destinatario,
    now,
    ...(p.correlationId !== null && { correlationId: p.correlationId }),
    corpo: {
      tipo: 'SOLLECITO',
      sollecito: { idSollecito: '', idPacchetto: pacchettoId, destinatario: p.destinatario, scadenza: p.scadenzaEsito.toISOString(), dataSollecito: now.toISOString() },
    },
  });
  await registraEventi(tx, [
    { istruttoriaId, pacchettoId, tipo: 'PACCHETTO_SCADUTO', at: now, dettagli: { destinatario: p.destinatario, scadenza: p.scadenzaEsito.toISOString() } },
  ]);
}
