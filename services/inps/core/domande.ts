import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { withTransaction, type Tx } from '../../../shared/db/pool';
import type { PrimaIstruzione } from '../../../shared/db/prima-istruzione';
import { testoInsert } from '../../../shared/db/insert';
import { cambiInsieme } from '../../../shared/db/insieme';
import { rapportiPerEnte } from '../../../shared/domain/competenza';
import { impronta } from '../../../shared/domain/impronta';
import type { Domanda, Operatore } from '../../../shared/domain/types';
import type { RicevutaDomanda } from '../../../shared/messages/istruttoria';
import { QUEUES } from '../../../shared/amqp/topology';
import { inserisciEventi, type Evento } from './eventi';
import { controlliInps } from '../../../shared/domain/requisiti';
import { testoScheduleTimers } from '../../../shared/scheduler/timers';
import { TIMER_LIMITE_ISTRUTTORIA, TIMER_SCADENZA_INVIO } from './aggiorna';
import { scadenzaEsito } from '../../../shared/domain/scadenze';
import { segnalaStessoDatore } from './indici';
import { finestraDellaDomanda, giorniEsito, limitePer, type RegoleInps } from './regole';
import { STATO_APERTURA, testoApriIstruttoria } from './sql/istruttoria';
import { partiPacchetti, type PacchettoDaInviare } from './sql/pacchetto';
import type { StatoIstruttoria } from '../../../shared/domain/stati';

/** Payload of the work message that asks the dispatcher to send a packet. */
export interface InvioPacchettoMsg {
  idPacchetto: string;
  /** An operator's resend (npm run ops -- reinvia): send again a packet not answered while its istruttoria is open. */
  reinvio?: boolean;
}

/**
 * Stores a domanda, opens its istruttoria and creates one minimised packet per competent party, with the
 * outbox messages that will send them, in one transaction. The same protocol submitted again with the
 * same content returns the first receipt; with different content it is refused.
 */
export async function registraDomanda(
  pool: Pool,
  d: Domanda,
  operatore: Operatore,
  now: Date,
  regole: RegoleInps,
  /** The call's replay record, committed with the domanda (shared/db/prima-istruzione.ts). */
  primaIstruzione?: PrimaIstruzione,
): Promise<RicevutaDomanda> {
  const hash = impronta(d);
  return withTransaction(pool, async (tx) => {
    // The same domanda again (a sender's retry) gets its first receipt, whenever it arrives.
    const existing = await ricevutaEsistente(tx, d.protocollo, hash);
    if (existing) return existing;
    const finestra = finestraDellaDomanda(regole, d.dataPresentazione, now);

    const domandaId = randomUUID();
    const inserted = await tx.query(
      `INSERT INTO domanda (id, protocollo, tipo, codice_fiscale, cognome, nome, data_nascita, data_presentazione,
                            data_decorrenza, ricevuta_il, impronta, operatore_id, operatore_ufficio)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (protocollo) DO NOTHING`,
      [domandaId, d.protocollo, d.tipo, d.richiedente.codiceFiscale, d.richiedente.cognome, d.richiedente.nome, d.richiedente.dataNascita,
        d.dataPresentazione, d.dataDecorrenza, now, hash, operatore.id, operatore.ufficio],
    );
    if (inserted.rowCount === 0) {
      // A concurrent submission of the same protocol committed first.
      const again = await ricevutaEsistente(tx, d.protocollo, hash);
      if (again) return again;
      throw new ApeError('SERVIZIO_NON_DISPONIBILE', 'domanda in registrazione concorrente: riprovare');
    }

    const istruttoriaId = randomUUID();
    const limite = limitePer(regole, d.dataPresentazione, finestra);
    const controlli = controlliInps(d);
    const eventi: Evento[] = [
      { istruttoriaId, tipo: 'DOMANDA_RICEVUTA', at: now, dettagli: { protocollo: d.protocollo, operatore: operatore.id } },
      { istruttoriaId, tipo: 'CONTROLLI_INPS', at: now, dettagli: { sintesi: controlli.map((c) => `${c.requisito} ${c.esito}`).join(', ') } },
    ];
    const packets: PacchettoDaInviare[] = [...rapportiPerEnte(d.attestazioni)].map(([destinatario, rapporti]) => ({
      idPacchetto: randomUUID(),
      idIstruttoria: istruttoriaId,
      protocolloDomanda: d.protocollo,
      tipoDomanda: d.tipo,
      destinatario,
      lavoratore: { codiceFiscale: d.richiedente.codiceFiscale },
      rapporti,
    }));
    for (const p of packets) {
      eventi.push({ istruttoriaId, pacchettoId: p.idPacchetto, tipo: 'PACCHETTO_CREATO', at: now, dettagli: { destinatario: p.destinatario, rapporti: p.rapporti.length } });
    }
    // The attestazioni, the istruttoria, INPS's own checks, the packets with the messages that send them, the timers
    // and the timeline: one statement (foreign keys are checked at its end, when every row is there).
    await cambiInsieme(tx, (p) => ({
      conta: testoApriIstruttoria(p, {
        id: istruttoriaId,
        domandaId,
        apertaIl: now,
        limite: limite.limite,
        limiteMotivo: limite.motivo === 'GRADUATORIA' ? `scadenza graduatoria del ${limite.scadenzaGraduatoria}` : `${regole.deadlines.istruttoriaGiorni} giorni dalla presentazione`,
        finestra,
      }),
      altri: [
        testoInsert(
          p,
          'attestazione',
          ['domanda_id', 'riferimento', 'tipo', 'datore_codice_fiscale', 'datore_denominazione', 'matricola_inps', 'pat_inail', 'dal', 'al',
            'ccnl', 'livello', 'categoria', 'professione_istat', 'voci_tariffa_inail', 'lavoro_a_turni', 'attivita_educativa', 'codice_rapporto_domestico',
            'data_presentazione'],
          d.attestazioni.map((a) => [domandaId, a.riferimento, a.tipo, a.datore.codiceFiscale, a.datore.denominazione, a.datore.matricolaInps ?? null,
            a.datore.patInail ?? null, a.periodo.dal, a.periodo.al ?? null, a.ccnl ?? null, a.livello ?? null, a.categoria, a.professioneIstat,
            a.vociTariffaInail, a.lavoroATurni ?? null, a.attivitaEducativa ?? null, a.codiceRapportoDomestico ?? null, d.dataPresentazione]),
        ),
        ...(controlli.length > 0 ? [testoInsert(p, 'controllo_inps', ['istruttoria_id', 'requisito', 'esito', 'dettaglio'], controlli.map((c) => [istruttoriaId, c.requisito, c.esito, c.dettaglio]))] : []),
        ...partiPacchetti(
          p,
          istruttoriaId,
          packets,
          now,
          packets.map((x) => {
            const msg: InvioPacchettoMsg = { idPacchetto: x.idPacchetto };
            return { routingKey: QUEUES.inpsInvioPacchetto, payload: msg, headers: { idIstruttoria: istruttoriaId } };
          }),
        ),
        // The istruttoria's limit, and for each packet, until its party receives it, the same days as for its esito,
        // counted from its creation: when they pass undelivered, its data count as not verifiable (the sends go on,
        // for an answer before closure).
        testoScheduleTimers(p, [
          { tipo: TIMER_LIMITE_ISTRUTTORIA, chiave: istruttoriaId, scadeIl: limite.limite },
          ...packets.map((x) => ({ tipo: TIMER_SCADENZA_INVIO, chiave: x.idPacchetto, scadeIl: scadenzaEsito(now, giorniEsito(regole, x.destinatario)) })),
        ]),
        inserisciEventi(p, eventi),
      ],
    }));
    await segnalaStessoDatore(
      tx,
      { istruttoriaId, richiedente: d.richiedente.codiceFiscale, presentazione: d.dataPresentazione, decorrenza: d.dataDecorrenza, attestazioni: d.attestazioni },
      regole,
      now,
    );
    return { idIstruttoria: istruttoriaId, protocolloDomanda: d.protocollo, dataRicezione: now, stato: STATO_APERTURA };
  }, { primaIstruzione });
}

async function ricevutaEsistente(tx: Tx, protocollo: string, hash: string): Promise<RicevutaDomanda | null> {
  const { rows } = await tx.query<{ impronta: string; id: string; ricevuta_il: Date; stato: StatoIstruttoria }>(
    `SELECT d.impronta, i.id, d.ricevuta_il, i.stato FROM domanda d JOIN istruttoria i ON i.domanda_id = d.id WHERE d.protocollo = $1`,
    [protocollo],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.impronta !== hash) {
    throw new ApeError('DOMANDA_DUPLICATA', `la domanda ${protocollo} è già stata presentata con un contenuto diverso (istruttoria ${row.id})`);
  }
  return { idIstruttoria: row.id, protocolloDomanda: protocollo, dataRicezione: row.ricevuta_il, stato: row.stato };
}
