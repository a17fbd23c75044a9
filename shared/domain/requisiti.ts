import { DateTime } from 'luxon';
import type { Domanda, Periodo } from './types';

/**
 * INPS-side pre-checks of the eligibility requirements, on the work periods declared in the attestations.
 * They do not decide the domanda: INPS's own archives (estratto contributivo) may show periods the
 * attestations do not; they give the case officer the figures.
 *
 * Counting rules shared by every check
 *   - Calendar dates (YYYY-MM-DD) are civil dates: no zone, no hours. A period covers every day from `dal` to
 *     `al`, both included. A day covered by several periods counts once.
 *   - "N years / 12 months before or after a date" is calendar arithmetic: same day of the month, N years or
 *     months away; when that day does not exist (29 February in a common year) it is the last day of the month
 *     (28 February), as c.c. art. 2963 c. 4 does for terms in months.
 *   - A month-based quantity compared with days is converted to the days it actually spans (12 months = 365
 *     or 366 days depending on whether a 29 February falls inside).
 */

const DATA_ISO = /^\d{4}-\d{2}-\d{2}$/;
const MS_GIORNO = 86_400_000;

function data(s: string, nome: string): DateTime {
  const dt = DATA_ISO.test(s) ? DateTime.fromISO(s, { zone: 'utc' }) : null;
  if (!dt || !dt.isValid) throw new RangeError(`${nome}: "${s}" non è una data AAAA-MM-GG valida`);
  return dt;
}

/** Day number (days since 1970-01-01) of a civil date. */
function giorno(dt: DateTime): number {
  return Math.round(dt.toMillis() / MS_GIORNO);
}

function iso(dt: DateTime): string {
  return dt.toISODate()!;
}

/** Closed interval of day numbers. */
interface Intervallo {
  dal: number;
  al: number;
}

/**
 * The declared periods as sorted, disjoint day intervals. An open period ends on `fineAperti`; a period that
 * ends before it starts is rejected (domanda validation refuses it earlier, so reaching here is a bug).
 */
function unione(periodi: readonly Periodo[], fineAperti: number): Intervallo[] {
  const intervalli: Intervallo[] = [];
  for (const p of periodi) {
    const dal = giorno(data(p.dal, 'Periodo.dal'));
    if (p.al === undefined) {
      // An open relation that starts on or after the day it is cut at contributes nothing.
      if (dal <= fineAperti) intervalli.push({ dal, al: fineAperti });
      continue;
    }
    const al = giorno(data(p.al, 'Periodo.al'));
    if (al < dal) throw new RangeError(`Periodo: al ${p.al} precede dal ${p.dal}`);
    intervalli.push({ dal, al });
  }
  intervalli.sort((a, b) => a.dal - b.dal);
  const fuse: Intervallo[] = [];
  for (const i of intervalli) {
    const ultimo = fuse[fuse.length - 1];
    // Adjacent periods (one ends the day before the next starts) merge too; it changes nothing in the counts.
    if (ultimo && i.dal <= ultimo.al + 1) ultimo.al = Math.max(ultimo.al, i.al);
    else fuse.push({ ...i });
  }
  return fuse;
}

/** Days of [dal, al] covered by the (disjoint) intervals. */
function copertura(intervalli: readonly Intervallo[], dal: number, al: number): number {
  let n = 0;
  for (const i of intervalli) n += Math.max(0, Math.min(i.al, al) - Math.max(i.dal, dal) + 1);
  return n;
}

export interface EsitoContinuita {
  esito: 'SODDISFATTA' | 'NON_SODDISFATTA';
  /** The six years before the decorrenza: [decorrenza - 6 years, decorrenza - 1 day]. */
  seiAnni: { dal: string; al: string };
  /** The seventh year before: [decorrenza - 7 years, decorrenza - 6 years - 1 day]. */
  settimoAnno: { dal: string; al: string };
  /** Days of the six years not covered by any declared period. */
  interruzioniGiorni: number;
  /** 12 months counted from the start of the six-year window (365 or 366 days). */
  limiteInterruzioniGiorni: number;
  /** Days of the seventh year covered by declared periods. */
  settimoAnnoGiorni: number;
}

/**
 * DL 50/2017 art. 53: the activity is continuous when, in the six years before the decorrenza, interruptions
 * total no more than 12 months, and the activity was performed in the seventh year before for a period at
 * least equal to the total interruption. Periods may overlap (count a day once); an open period (no `al`)
 * lasts until the day before the decorrenza.
 *
 * Both conditions compare days: interruzioniGiorni <= limiteInterruzioniGiorni and
 * settimoAnnoGiorni >= interruzioniGiorni (with no interruption, nothing is required of the seventh year).
 * Periods are clipped to the windows; days on or after the decorrenza and before the seventh year are ignored.
 */
export function continuita(periodi: readonly Periodo[], dataDecorrenza: string): EsitoContinuita {
  const decorrenza = data(dataDecorrenza, 'dataDecorrenza');
  const inizioSei = decorrenza.minus({ years: 6 });
  const inizioSettimo = decorrenza.minus({ years: 7 });
  const fineSei = decorrenza.minus({ days: 1 });
  const fineSettimo = inizioSei.minus({ days: 1 });

  const intervalli = unione(periodi, giorno(fineSei));
  const giorniSei = giorno(fineSei) - giorno(inizioSei) + 1;
  const interruzioniGiorni = giorniSei - copertura(intervalli, giorno(inizioSei), giorno(fineSei));
  const settimoAnnoGiorni = copertura(intervalli, giorno(inizioSettimo), giorno(fineSettimo));
  const limiteInterruzioniGiorni = giorno(inizioSei.plus({ months: 12 })) - giorno(inizioSei);

  const soddisfatta = interruzioniGiorni <= limiteInterruzioniGiorni && settimoAnnoGiorni >= interruzioniGiorni;
  return {
    esito: soddisfatta ? 'SODDISFATTA' : 'NON_SODDISFATTA',
    seiAnni: { dal: iso(inizioSei), al: iso(fineSei) },
    settimoAnno: { dal: iso(inizioSettimo), al: iso(fineSettimo) },
    interruzioniGiorni,
    limiteInterruzioniGiorni,
    settimoAnnoGiorni,
  };
}

export interface EsitoPrecoci {
  esito: 'SODDISFATTO' | 'NON_DIMOSTRATO';
  giorniPrima19Anni: number;
  richiestiGiorni: number;
}

/**
 * Precoci: at least 12 months of effective work, even not continuous, before the 19th birthday, as far as the
 * declared periods show (INPS's contribution archive may show more, hence NON_DIMOSTRATO rather than a
 * refusal). 12 months are exactly 12 calendar months counted back from the 19th birthday: 365 days, or 366
 * when a 29 February falls in the year before it. Every declared day from birth to the day before the 19th
 * birthday counts, wherever it falls; an open period counts up to the day before the 19th birthday.
 * Born on 29 February: the 19th birthday in a common year is 28 February.
 */
export function lavoroPrima19Anni(periodi: readonly Periodo[], dataNascita: string): EsitoPrecoci {
  const nascita = data(dataNascita, 'dataNascita');
  const compleanno19 = nascita.plus({ years: 19 });
  const ultimoGiorno = giorno(compleanno19) - 1;
  const giorniPrima19Anni = copertura(unione(periodi, ultimoGiorno), giorno(nascita), ultimoGiorno);
  const richiestiGiorni = giorno(compleanno19) - giorno(compleanno19.minus({ months: 12 }));
  return { esito: giorniPrima19Anni >= richiestiGiorni ? 'SODDISFATTO' : 'NON_DIMOSTRATO', giorniPrima19Anni, richiestiGiorni };
}

export interface EsitoEta {
  esito: 'SODDISFATTO' | 'NON_SODDISFATTO';
  etaAnni: number;
}

export const ETA_APE_SOCIALE = 63;

/** Completed years of age on a date: the birthday counts as reached that day (29 February: on 28 February). */
function etaAl(nascita: DateTime, al: DateTime): number {
  let anni = al.year - nascita.year;
  if (nascita.plus({ years: anni }) > al) anni -= 1;
  return anni;
}

/** APE sociale: at least 63 years of age at the decorrenza (calendar years, birthday counts as reached that day). */
export function etaApeSociale(dataNascita: string, dataDecorrenza: string): EsitoEta {
  const etaAnni = etaAl(data(dataNascita, 'dataNascita'), data(dataDecorrenza, 'dataDecorrenza'));
  return { esito: etaAnni >= ETA_APE_SOCIALE ? 'SODDISFATTO' : 'NON_SODDISFATTO', etaAnni };
}

export type Requisito = 'CONTINUITA_ATTIVITA' | 'ETA_APE_SOCIALE' | 'LAVORO_PRIMA_19_ANNI';

export interface ControlloInps {
  requisito: Requisito;
  esito: string;
  dettaglio: string;
}

/**
 * The checks that apply to a domanda: continuity always; age for APE_SOCIALE; work before 19 for PRECOCI, in
 * this order. Every declared attestation's period counts. The dettaglio is an Italian sentence with the
 * figures, in these exact forms:
 *
 *   CONTINUITA_ATTIVITA   "interruzioni {n} giorni su {limite} ammessi nei sei anni dal {dal} al {al};
 *                          7° anno (dal {dal} al {al}) {m} giorni, richiesti almeno {n}"
 *                          (one line, "; " between the two parts)
 *   ETA_APE_SOCIALE       "età alla decorrenza {decorrenza}: {anni} anni, richiesti almeno 63"
 *   LAVORO_PRIMA_19_ANNI  "lavoro dichiarato prima dei 19 anni (compiuti il {data}): {g} giorni su {r} richiesti"
 *                          followed, when NON_DIMOSTRATO, by "; da verificare sull'estratto contributivo"
 */
export function controlliInps(d: Domanda): ControlloInps[] {
  const periodi = d.attestazioni.map((a) => a.periodo);

  const c = continuita(periodi, d.dataDecorrenza);
  const controlli: ControlloInps[] = [
    {
      requisito: 'CONTINUITA_ATTIVITA',
      esito: c.esito,
      dettaglio:
        `interruzioni ${c.interruzioniGiorni} giorni su ${c.limiteInterruzioniGiorni} ammessi nei sei anni dal ${c.seiAnni.dal} al ${c.seiAnni.al}; ` +
        `7° anno (dal ${c.settimoAnno.dal} al ${c.settimoAnno.al}) ${c.settimoAnnoGiorni} giorni, richiesti almeno ${c.interruzioniGiorni}`,
    },
  ];

  if (d.tipo === 'APE_SOCIALE') {
    const e = etaApeSociale(d.richiedente.dataNascita, d.dataDecorrenza);
    controlli.push({
      requisito: 'ETA_APE_SOCIALE',
      esito: e.esito,
      dettaglio: `età alla decorrenza ${d.dataDecorrenza}: ${e.etaAnni} anni, richiesti almeno ${ETA_APE_SOCIALE}`,
    });
  } else {
    const p = lavoroPrima19Anni(periodi, d.richiedente.dataNascita);
    const compleanno19 = iso(data(d.richiedente.dataNascita, 'dataNascita').plus({ years: 19 }));
    controlli.push({
      requisito: 'LAVORO_PRIMA_19_ANNI',
      esito: p.esito,
      dettaglio:
        `lavoro dichiarato prima dei 19 anni (compiuti il ${compleanno19}): ${p.giorniPrima19Anni} giorni su ${p.richiestiGiorni} richiesti` +
        (p.esito === 'NON_DIMOSTRATO' ? "; da verificare sull'estratto contributivo" : ''),
    });
  }
  return controlli;
}
