import { DateTime } from 'luxon';

/**
 * Legal deadlines (scadenze) of the procedure, computed on the Italian legal calendar: every calendar day is
 * a day of Europe/Rome, whatever the server's zone. Pure functions: the instants they reason about are passed
 * in, never read from a clock.
 *
 * When a deadline falls
 *
 *   Esito of a party (protocol art. 5, "entro 5 giorni solari" from receipt):
 *     - D is the Europe/Rome calendar date of the instant the packet was received (an instant after 00:00 Rome
 *       belongs to the new day even if it is still the previous day in UTC).
 *     - The day of receipt is not counted (dies a quo non computatur, c.c. art. 2963): the 5 days are D+1..D+5.
 *     - The party may answer until the very end of day D+5 in Rome; the function returns the EXCLUSIVE bound,
 *       the first instant of day D+6 in Rome (00:00:00.000 Europe/Rome, as a UTC Date).
 *       Example: received 2026-01-15 at any time of the Rome day -> answer by 2026-01-20 23:59:59.999 Rome ->
 *       bound 2026-01-21T00:00 Rome = 2026-01-20T23:00:00Z (CET, UTC+1); in summer the bound is 22:00Z (CEST).
 *     - "Giorni solari" are calendar days: weekends and public holidays are not skipped, and a deadline that
 *       ends on a holiday is not moved to the next working day.
 *     - A daylight-saving change makes the last day 23 hours (last Sunday of March) or 25 hours (last Sunday
 *       of October) long; the deadline still ends at the start of the following Rome day, so no hour is lost
 *       or gained in the middle of the day.
 *     - An answer is in time when it arrives strictly before the bound (`entroScadenza`).
 *
 *   Istruttoria waiting for an inspection (protocol art. 5, case c: "attendendo l'esito delle eventuali verifiche
 *   ispettive per un termine massimo di 30 giorni dalla data di presentazione della domanda, riducibile in base al
 *   termine di scadenza per la predisposizione delle graduatorie"):
 *     - P is the Europe/Rome calendar date of the domanda's presentation; the 30 days are P+1..P+30 and INPS waits
 *       until the end of Rome day P+30 (exclusive bound: the first instant of P+31 in Rome).
 *     - The graduatoria that bounds it is the one of the window the domanda belongs to (graduatorie.ts: presented
 *       by 31 March → 30 June...), never a cut-off of another window. When that cut-off is strictly earlier than
 *       P+30, INPS waits until the end of the cut-off day instead (GRADUATORIA); a cut-off equal to P+30 gives the
 *       same instant and is reported as TRENTA_GIORNI.
 *     - The limit bounds the wait for INL only. The parties' answers (cases a and b) are owed within their own 5
 *       days from receipt and are always waited for, even when the limit has passed: see ciclo.ts.
 */

export const ZONA_LEGALE = 'Europe/Rome';

const DATA_ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a YYYY-MM-DD date as a calendar date (UTC, so that day arithmetic never meets a DST change). */
function giornoCivile(data: string, nome: string): DateTime {
  const dt = DATA_ISO.test(data) ? DateTime.fromISO(data, { zone: 'utc' }) : null;
  if (!dt || !dt.isValid) throw new RangeError(`${nome}: "${data}" non è una data AAAA-MM-GG valida`);
  return dt;
}

function istanteValido(instant: Date, nome: string): Date {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError(`${nome}: istante non valido`);
  return instant;
}

function giorniValidi(giorni: number, nome: string): number {
  if (!Number.isInteger(giorni) || giorni < 0) throw new RangeError(`${nome}: ${giorni} non è un numero intero di giorni >= 0`);
  return giorni;
}

/** Calendar date (YYYY-MM-DD) of an instant in Europe/Rome. */
export function dataRoma(instant: Date): string {
  return DateTime.fromJSDate(istanteValido(instant, 'dataRoma'), { zone: ZONA_LEGALE }).toISODate()!;
}

/** The first instant (a UTC Date) of a Europe/Rome calendar date (handles DST: e.g. the day of a change). */
export function inizioGiornoRoma(data: string): Date {
  const giorno = giornoCivile(data, 'inizioGiornoRoma');
  // Rome changes clocks at 02:00/03:00, so local midnight always exists and is unambiguous.
  return DateTime.fromObject({ year: giorno.year, month: giorno.month, day: giorno.day }, { zone: ZONA_LEGALE }).toJSDate();
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function aggiungiGiorni(data: string, giorni: number): string {
  if (!Number.isInteger(giorni)) throw new RangeError(`aggiungiGiorni: ${giorni} non è un numero intero di giorni`);
  return giornoCivile(data, 'aggiungiGiorni').plus({ days: giorni }).toISODate()!;
}

/** Exclusive bound of "until the end of Rome day `data`": the first instant of the following Rome day. */
function fineGiornoRoma(data: string): Date {
  return inizioGiornoRoma(aggiungiGiorni(data, 1));
}

/**
 * Deadline of a party's esito (protocol art. 5: "entro 5 giorni solari"): a packet received on Rome calendar
 * day D must be answered by the end of day D+giorni (Europe/Rome). Returned as the exclusive bound: the first
 * instant of day D+giorni+1 in Rome. Default giorni = 5.
 */
export function scadenzaEsito(ricevutoIl: Date, giorni = 5): Date {
  giorniValidi(giorni, 'scadenzaEsito');
  return fineGiornoRoma(aggiungiGiorni(dataRoma(ricevutoIl), giorni));
}

/** True when `at` is before the exclusive deadline. */
export function entroScadenza(at: Date, scadenza: Date): boolean {
  return istanteValido(at, 'entroScadenza').getTime() < istanteValido(scadenza, 'entroScadenza').getTime();
}

export interface LimiteIstruttoria {
  /** Exclusive bound (UTC instant). */
  limite: Date;
  motivo: 'TRENTA_GIORNI' | 'GRADUATORIA';
  /** The graduatoria cut-off date that applied, when motivo is GRADUATORIA. */
  scadenzaGraduatoria?: string;
}

/**
 * How long INPS waits for an inspection outcome (art. 5, case c): at most `giorni` (default 30) calendar days from
 * the domanda's presentation date, i.e. until the end of Rome day (presentation date + giorni); shortened to the end
 * of the graduatoria cut-off day of the domanda's window when that comes earlier. Without a window (none configured
 * for that date) the 30 days alone apply.
 */
export function limiteIstruttoria(dataPresentazione: Date, opts: { giorni?: number; finestra: { readonly graduatoria: string } | null }): LimiteIstruttoria {
  const giorni = giorniValidi(opts.giorni ?? 30, 'limiteIstruttoria');
  const ultimoGiorno = aggiungiGiorni(dataRoma(dataPresentazione), giorni);
  const graduatoria = opts.finestra?.graduatoria;
  if (graduatoria !== undefined) giornoCivile(graduatoria, 'limiteIstruttoria: scadenza graduatoria');
  // YYYY-MM-DD strings order like the dates they name.
  if (graduatoria !== undefined && graduatoria < ultimoGiorno) {
    return { limite: fineGiornoRoma(graduatoria), motivo: 'GRADUATORIA', scadenzaGraduatoria: graduatoria };
  }
  return { limite: fineGiornoRoma(ultimoGiorno), motivo: 'TRENTA_GIORNI' };
}
