import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../shared/db/pool';
import { datiDaVerificare } from '../../../shared/domain/competenza';
import type { EnteVerificatore, Esito, Rapporto } from '../../../shared/domain/types';
import type { DatoNonVerificato } from '../../../shared/messages/pacchetto';
import { testoCancelTimers } from '../../../shared/scheduler/timers';
import { cambiInsieme } from '../../../shared/db/insieme';
import { decidi, esitoComplessivo, type Decisione } from './ciclo';
import { inserisciEventi, registraEventi, type Evento } from './eventi';
import { caricaDomandaPerIndici, indiciRegistrati, registraIndici, valutaIndici } from './indici';
import { creaMessaggio } from './messaggi';
import type { RegoleInps } from './regole';
import { aggiornaEsitoVerifica, bloccaELeggiIstruttoria, segnalaInl, testoChiudiIstruttoria, type IstruttoriaBloccata } from './sql/istruttoria';
import type { PacchettoDaInviare } from './sql/pacchetto';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto, EsitoAccertamento, StatoAccertamento } from '../../../shared/domain/stati';

/**
 * The one place where an istruttoria moves along its lifecycle: after any change (an esito, a deadline, an
 * INL notice), the caller's transaction locks the istruttoria, reads its state, lets `decidi` choose, and
 * applies the decision with the messages it causes (the case for INL) and the timeline events.
 */

export const TIMER_SCADENZA_ESITO = 'SCADENZA_ESITO';
/** A packet not yet received by its party: the deadline rules apply when it passes (retries go on). */
export const TIMER_SCADENZA_INVIO = 'SCADENZA_INVIO';
export const TIMER_LIMITE_ISTRUTTORIA = 'LIMITE_ISTRUTTORIA';

interface Caricata {
  stato: StatoIstruttoria;
  limite: Date | null;
  limiteMotivo: string | null;
  esitoVerifica: Esito | null;
  pacchetti: Array<{ id: string; destinatario: EnteVerificatore; stato: StatoPacchetto; contenuto: PacchettoDaInviare; esitiDato: Array<{ riferimento: number; dato: string; esito: Esito }> }>;
  accertamento: { stato: StatoAccertamento | null; esito: EsitoAccertamento | null } | null;
}

/**
 * Reads the istruttoria, with its packets and INL's case, under its lock: taken first, in a statement of its own,
 * unless this transaction holds it already (`istruttoria` as its lock gave it). The read is a statement started
 * after the lock: it sees the packets and esiti the lock's previous holder wrote (in READ COMMITTED a statement's
 * subqueries read the snapshot it started with, so a lock taken by the reading statement itself would read them as
 * they were before its wait), and this transaction's own changes.
 */
async function carica(tx: Tx, istruttoria: string | IstruttoriaBloccata): Promise<Caricata> {
  const id = typeof istruttoria === 'string' ? istruttoria : istruttoria.id;
  if (typeof istruttoria === 'string' || istruttoria.tx !== tx) await bloccaELeggiIstruttoria(tx, id);
  type Pacchetto = { id: string; destinatario: EnteVerificatore; stato: StatoPacchetto; contenuto: PacchettoDaInviare; esiti: Caricata['pacchetti'][number]['esitiDato'] | null };
  const r = await tx.query<{
    stato: StatoIstruttoria;
    limite: Date | null;
    limite_motivo: string | null;
    esito_verifica: Esito | null;
    pacchetti: Pacchetto[] | null;
    accertamento: { stato: StatoAccertamento | null; esito: EsitoAccertamento | null } | null;
  }>(
    `SELECT i.stato, i.limite, i.limite_motivo, i.esito_verifica,
            (SELECT json_agg(json_build_object('id', p.id, 'destinatario', p.destinatario, 'stato', p.stato, 'contenuto', p.contenuto,
                    'esiti', (SELECT json_agg(json_build_object('riferimento', e.riferimento, 'dato', e.dato, 'esito', e.esito)) FROM esito_dato e WHERE e.pacchetto_id = p.id)))
               FROM pacchetto p WHERE p.istruttoria_id = i.id) AS pacchetti,
            (SELECT json_build_object('stato', s.stato_accertamento, 'esito', s.esito_accertamento) FROM segnalazione_inl s WHERE s.istruttoria_id = i.id) AS accertamento
       FROM istruttoria i WHERE i.id = $1`,
    [id],
  );
  const row = r.rows[0]!;
  return {
    stato: row.stato,
    limite: row.limite,
    limiteMotivo: row.limite_motivo,
    esitoVerifica: row.esito_verifica,
    pacchetti: (row.pacchetti ?? []).map((x) => ({ id: x.id, destinatario: x.destinatario, stato: x.stato, contenuto: x.contenuto, esitiDato: x.esiti ?? [] })),
    accertamento: row.accertamento,
  };
}

export interface Aggiornamento {
  stato: StatoIstruttoria;
  decisione: Decisione;
}

/**
 * `istruttoria`: its id, or its lock as this transaction took it (bloccaELeggiIstruttoria), which spares taking it
 * again.
 */
export async function aggiornaIstruttoria(tx: Tx, istruttoria: string | IstruttoriaBloccata, now: Date, regole: RegoleInps): Promise<Aggiornamento> {
  const istruttoriaId = typeof istruttoria === 'string' ? istruttoria : istruttoria.id;
  const c = await carica(tx, istruttoria);
  const decisione = decidi(c, now);
  switch (decisione.tipo) {
    case 'NESSUNA':
      if (c.stato === 'VALUTAZIONE_INL') {
        // A late esito while INL evaluates: keep the summary current.
        const esito = esitoComplessivo(c);
        if (esito !== c.esitoVerifica) await aggiornaEsitoVerifica(tx, istruttoriaId, esito, now);
      }
      return { stato: c.stato, decisione };
    case 'SEGNALA_INL': {
      await segnalaAInl(tx, istruttoriaId, c, decisione.esitoVerifica, now, regole);
      // The case reached INL: if the wait limit has already passed (the archives answered after it), the lifecycle
      // closes it now on the self-declarations; INL may still report, and a contradicting outcome asks a riesame.
      const poi = await aggiornaIstruttoria(tx, istruttoria, now, regole);
      return poi.decisione.tipo === 'CHIUDI' ? poi : { stato: 'VALUTAZIONE_INL', decisione };
    }
    case 'CHIUDI':
      await chiudi(tx, istruttoriaId, c, decisione.regola, decisione.esitoVerifica, now);
      return { stato: 'CHIUSA', decisione };
  }
}

/** The istruttoria closed, its timers cancelled and its timeline told why: one statement. */
async function chiudi(tx: Tx, istruttoriaId: string, c: Caricata, regola: RegolaChiusura, esito: Esito, now: Date): Promise<void> {
  const eventi: Evento[] = [];
  if (regola === 'AUTOCERTIFICAZIONI_TERMINE') eventi.push({ istruttoriaId, tipo: 'LIMITE_RAGGIUNTO', at: now, dettagli: { motivo: c.limiteMotivo ?? '' } });
  eventi.push({ istruttoriaId, tipo: 'VERIFICA_COMPLETATA', at: now, dettagli: { esitoVerifica: esito, regola } });
  await cambiInsieme(tx, (p) => ({
    conta: testoChiudiIstruttoria(p, istruttoriaId, { esito, regola, il: now }),
    altri: [
      testoCancelTimers(p, [
        { tipo: TIMER_LIMITE_ISTRUTTORIA, chiave: istruttoriaId },
        ...c.pacchetti.flatMap((x) => [{ tipo: TIMER_SCADENZA_ESITO, chiave: x.id }, { tipo: TIMER_SCADENZA_INVIO, chiave: x.id }]),
      ]),
      inserisciEventi(p, eventi),
    ],
  }));
}

/** The data that reach INL and why: non verificabile answers, and every datum of an overdue or refused packet. */
export function datiNonVerificati(pacchetti: Caricata['pacchetti']): DatoNonVerificato[] {
  const out: DatoNonVerificato[] = [];
  for (const p of pacchetti) {
    if (p.stato === 'SCADUTO' || p.stato === 'RIFIUTATO') {
      const motivo = p.stato === 'SCADUTO' ? 'ESITO_NON_PERVENUTO' : 'PACCHETTO_RIFIUTATO';
      for (const r of p.contenuto.rapporti) for (const dato of datiDaVerificare(p.destinatario, r)) out.push({ ente: p.destinatario, riferimento: r.riferimento, dato, motivo });
    } else {
      for (const e of p.esitiDato) {
        if (e.esito === 'NON_VERIFICABILE') out.push({ ente: p.destinatario, riferimento: e.riferimento, dato: e.dato as DatoNonVerificato['dato'], motivo: 'NON_VERIFICABILE' });
      }
    }
  }
  return out;
}

async function segnalaAInl(tx: Tx, istruttoriaId: string, c: Caricata, esito: Esito, now: Date, regole: RegoleInps): Promise<void> {
  await segnalaInl(tx, istruttoriaId, esito, now);
  const d = await caricaDomandaPerIndici(tx, istruttoriaId);
  await registraIndici(tx, istruttoriaId, await valutaIndici(tx, d, regole), now);
  const indici = await indiciRegistrati(tx, istruttoriaId);
  const segnalazioneId = randomUUID();
  await tx.query('INSERT INTO segnalazione_inl (id, istruttoria_id, creata_il) VALUES ($1, $2, $3)', [segnalazioneId, istruttoriaId, now]);
  const info = await tx.query<{ protocollo: string; tipo: 'APE_SOCIALE' | 'PRECOCI'; limite: Date | null }>(
    'SELECT d.protocollo, d.tipo, i.limite FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id WHERE i.id = $1',
    [istruttoriaId],
  );
  const { protocollo, tipo, limite } = info.rows[0]!;
  const rapporti: Rapporto[] = d.attestazioni.map((a) => ({ riferimento: a.riferimento, datore: { codiceFiscale: a.datore.codiceFiscale }, periodo: { ...a.periodo }, categoria: a.categoria }));
  await creaMessaggio(tx, {
    id: segnalazioneId,
    istruttoriaId,
    destinatario: 'INL',
    now,
    corpo: {
      tipo: 'SEGNALAZIONE',
      segnalazione: {
        idSegnalazione: segnalazioneId,
        idIstruttoria: istruttoriaId,
        protocolloDomanda: protocollo,
        tipoDomanda: tipo,
        destinatario: 'INL',
        limiteAttesa: (limite ?? now).toISOString(),
        lavoratore: { codiceFiscale: d.richiedente },
        rapporti,
        datiNonVerificati: datiNonVerificati(c.pacchetti),
        indici,
      },
    },
  });
  await registraEventi(tx, [{ istruttoriaId, tipo: 'VALUTAZIONE_INL_AVVIATA', at: now, dettagli: { indici: indici.length, limite: (limite ?? now).toISOString() } }]);
}
