import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { withTransaction, type Tx } from '../../../shared/db/pool';
import type { PrimaIstruzione } from '../../../shared/db/prima-istruzione';
import { testoInsert } from '../../../shared/db/insert';
import { cambiInsieme } from '../../../shared/db/insieme';
import type { Segnaposto } from '../../../shared/db/segnaposti';
import { controllaCompletezza, riepilogo } from '../../../shared/domain/esiti';
import { impronta } from '../../../shared/domain/impronta';
import { entroScadenza } from '../../../shared/domain/scadenze';
import type { Ente, EnteVerificatore, Esito, EsitoDato, Operatore } from '../../../shared/domain/types';
import type { NotificaEsito } from '../../../shared/messages/esiti';
import { testoCancelTimers } from '../../../shared/scheduler/timers';
import { aggiornaIstruttoria, TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from './aggiorna';
import { contraddiceChiusura } from './ciclo';
import { inserisciEventi, registraEventi, type Evento } from './eventi';
import { partiMessaggi, type NuovoMessaggio } from './messaggi';
import type { RegoleInps } from './regole';
import { bloccaIstruttoriaDelPacchetto, segnaRiesame } from './sql/istruttoria';
import { testoRispondi, type PacchettoDaInviare } from './sql/pacchetto';
import type { StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

export interface EsitoApplicato {
  applicato: boolean;
  inRitardo: boolean;
  statoIstruttoria: StatoIstruttoria;
}

/**
 * Applies a party's esito to its packet, once. Checks: the packet exists, the caller is its recipient, the
 * correlation id is the one acknowledged, and the esito answers exactly the data the packet asked.
 * - The same esito delivered again is recorded and changes nothing; a different one for an answered packet
 *   is refused.
 * - An esito after the 5-day deadline is applied while the istruttoria is open, and recorded as late.
 * - An esito after the istruttoria closed is recorded, not applied; if it contradicts the closing outcome the
 *   case is flagged for re-examination (riesame).
 * - An applied esito is notified to the other parties of the istruttoria (art. 4), and the lifecycle decides
 *   what follows (closing, or the case for INL).
 */
export async function applicaEsito(
  pool: Pool,
  n: NotificaEsito,
  ctx: { correlationId: string; enteChiamante: Ente; operatore: Operatore; now: Date; regole: RegoleInps; primaIstruzione?: PrimaIstruzione | undefined },
): Promise<EsitoApplicato> {
  return withTransaction(pool, async (tx) => {
    // Lock order: istruttoria, then packet (the dispatcher only ever locks a packet).
    const istruttoria = await bloccaIstruttoriaDelPacchetto(tx, n.idPacchetto);
    if (!istruttoria) throw new ApeError('PACCHETTO_NON_TROVATO', `nessun pacchetto ${n.idPacchetto}`);
    const { id: istruttoriaId, stato: statoIstruttoria } = istruttoria;
    // With the packet, the other parties of the istruttoria: those the esito is notified to (art. 4).
    const p = (
      await tx.query<{ destinatario: EnteVerificatore; stato: StatoPacchetto; correlation_id: string | null; contenuto: PacchettoDaInviare; scadenza_esito: Date | null; altre: EnteVerificatore[] }>(
        `SELECT destinatario, stato, correlation_id, contenuto, scadenza_esito,
                ARRAY(SELECT DISTINCT a.destinatario FROM pacchetto a WHERE a.istruttoria_id = pacchetto.istruttoria_id AND a.destinatario <> pacchetto.destinatario ORDER BY a.destinatario) AS altre
           FROM pacchetto WHERE id = $1 FOR UPDATE`,
        [n.idPacchetto],
      )
    ).rows[0]!;
    if (n.ente !== p.destinatario) throw new ApeError('DATI_INCOERENTI', `il pacchetto ${n.idPacchetto} è destinato a ${p.destinatario}, non a ${n.ente}`);
    if (ctx.enteChiamante !== p.destinatario) {
      throw new ApeError('MITTENTE_NON_DESTINATARIO', `${ctx.enteChiamante} non può notificare l'esito di un pacchetto destinato a ${p.destinatario}`);
    }
    if (p.correlation_id !== null && p.correlation_id !== ctx.correlationId) {
      throw new ApeError('CORRELAZIONE_NON_VALIDA', `X-Correlation-ID ${ctx.correlationId} non corrisponde a quello del pacchetto ${n.idPacchetto}`);
    }
    const esiti: EsitoDato[] = controllaCompletezza(p.destinatario, p.contenuto.rapporti, n.esitiDato);
    const sintesi = riepilogo(esiti)!;
    const hash = impronta({ idPacchetto: n.idPacchetto, ente: n.ente, esiti });
    const inRitardo = p.stato === 'SCADUTO' || (p.scadenza_esito !== null && !entroScadenza(ctx.now, p.scadenza_esito));
    const ricevuto = (q: Segnaposto, applicato: boolean) =>
      testoInsert(
        q,
        'esito_ricevuto',
        ['pacchetto_id', 'correlation_id', 'ente', 'ricevuto_il', 'impronta', 'applicato', 'operatore_id', 'in_ritardo', 'esito', 'esiti_dato'],
        [[n.idPacchetto, ctx.correlationId, n.ente, ctx.now, hash, applicato, ctx.operatore.id, inRitardo, sintesi, JSON.stringify(esiti)]],
      );
    // An esito not applied: its record and the event that says why, in one statement.
    const registraNonApplicato = (evento: Evento) => cambiInsieme(tx, (q) => ({ conta: ricevuto(q, false), altri: [inserisciEventi(q, [evento])] }));

    if (p.stato === 'RISPOSTO') {
      const prev = await tx.query<{ impronta: string }>('SELECT impronta FROM esito_ricevuto WHERE pacchetto_id = $1 AND applicato', [n.idPacchetto]);
      if (prev.rows[0]?.impronta !== hash) throw new ApeError('ESITO_GIA_REGISTRATO', `per il pacchetto ${n.idPacchetto} è già registrato un esito diverso`);
      await registraNonApplicato({ istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_DUPLICATO', at: ctx.now, dettagli: { ente: n.ente } });
      return { applicato: false, inRitardo, statoIstruttoria };
    }

    if (statoIstruttoria === 'CHIUSA') {
      await registraNonApplicato({ istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_DOPO_CHIUSURA', at: ctx.now, dettagli: { ente: n.ente, esito: sintesi } });
      await valutaRiesame(tx, istruttoriaId, sintesi, 'ESITO', `esito ${sintesi} di ${n.ente} pervenuto dopo la chiusura`, ctx.now);
      return { applicato: false, inRitardo, statoIstruttoria };
    }

    const evento: Evento = inRitardo
      ? { istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_IN_RITARDO', at: ctx.now, dettagli: { ente: n.ente, esito: sintesi, scadenza: p.scadenza_esito?.toISOString() } }
      : { istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_RICEVUTO', at: ctx.now, dettagli: { ente: n.ente, esito: sintesi, dataEsito: n.dataEsito.toISOString() } };
    const riscontri = p.altre.map((destinatario) => riscontro(istruttoriaId, destinatario, p.destinatario, p.contenuto.protocolloDomanda, sintesi, inRitardo, ctx.now));
    // The esito applied, the packet answered, its timers cancelled, the timeline and the notices: one statement.
    const mosso = await cambiInsieme(tx, (q) => ({
      conta: testoRispondi(q, n.idPacchetto, { esito: sintesi, rispostoIl: ctx.now, correlationId: ctx.correlationId, inRitardo }),
      altri: [
        testoInsert(q, 'esito_dato', ['pacchetto_id', 'riferimento', 'dato', 'esito', 'nota'], esiti.map((e) => [n.idPacchetto, e.riferimento, e.dato, e.esito, e.nota ?? null])),
        ricevuto(q, true),
        testoCancelTimers(q, [{ tipo: TIMER_SCADENZA_ESITO, chiave: n.idPacchetto }, { tipo: TIMER_SCADENZA_INVIO, chiave: n.idPacchetto }]),
        inserisciEventi(q, [evento]),
        ...partiMessaggi(q, riscontri).parti,
      ],
    }));
    // Every state but RISPOSTO (handled above, under the packet's lock) may take an esito: a refusal here is a bug.
    if (mosso !== 1) throw new ApeError('ERRORE_INTERNO', `il pacchetto ${n.idPacchetto} (${p.stato}) non può ricevere un esito`);
    const agg = await aggiornaIstruttoria(tx, istruttoria, ctx.now, ctx.regole);
    return { applicato: true, inRitardo, statoIstruttoria: agg.stato };
  }, { primaIstruzione: ctx.primaIstruzione });
}

/** Protocol art. 4: another party of the istruttoria learns of this esito (case and outcome only). */
function riscontro(istruttoriaId: string, destinatario: EnteVerificatore, ente: EnteVerificatore, protocollo: string, esito: Esito, inRitardo: boolean, now: Date): NuovoMessaggio {
  return {
    istruttoriaId,
    destinatario,
    now,
    corpo: {
      tipo: 'RISCONTRO',
      riscontro: { idRiscontro: '', idIstruttoria: istruttoriaId, protocolloDomanda: protocollo, destinatario, enteRispondente: ente, esito, dataEsito: now.toISOString(), inRitardo },
    },
  };
}

/** Flags a closed istruttoria for re-examination when late information contradicts how it was closed. */
export async function valutaRiesame(tx: Tx, istruttoriaId: string, nuovo: Esito, fonte: 'ACCERTAMENTO' | 'ESITO', motivo: string, now: Date): Promise<boolean> {
  const r = await tx.query<{ esito_verifica: Esito | null; riesame_il: Date | null }>('SELECT esito_verifica, riesame_il FROM istruttoria WHERE id = $1', [istruttoriaId]);
  const row = r.rows[0]!;
  if (row.riesame_il !== null || !contraddiceChiusura(row.esito_verifica, nuovo, fonte)) return false;
  const testo = `${motivo}; l'istruttoria era stata chiusa con esito ${row.esito_verifica ?? 'non determinato'}`;
  await segnaRiesame(tx, istruttoriaId, now, testo);
  await registraEventi(tx, [{ istruttoriaId, tipo: 'RIESAME_RICHIESTO', at: now, dettagli: { motivo: testo } }]);
  return true;
}
