import { DateTime, Duration } from 'luxon';

/** Dates and time left as officers read them: Europe/Rome, Italian, dd/mm/yyyy HH:mm:ss everywhere. */
const ZONA = 'Europe/Rome';

/** An instant, to the second, in Rome time (seconds matter: an esito and its packet's sending may share a minute). */
export function dataOra(d: Date | null | undefined): string {
  if (!d) return '';
  return DateTime.fromJSDate(d, { zone: ZONA }).toFormat('dd/LL/yyyy HH:mm:ss');
}

/**
 * A deadline. Deadlines that end a day are stored as the next midnight in Rome (exclusive): shown as the last
 * second of the day they end, so "graduatoria del 31/12/2026" never reads "01/01/2027 00:00:00".
 */
export function dataScadenza(d: Date | null | undefined): string {
  if (!d) return '';
  const t = DateTime.fromJSDate(d, { zone: ZONA });
  const mezzanotte = t.hour === 0 && t.minute === 0 && t.second === 0 && t.millisecond === 0;
  return (mezzanotte ? t.minus({ seconds: 1 }) : t).toFormat('dd/LL/yyyy HH:mm:ss');
}

/** A calendar date (YYYY-MM-DD, already a Rome date) as dd/mm/yyyy. */
export function giornoIt(iso: string | null | undefined): string {
  if (!iso) return '';
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** "tra 3 giorni e 4 ore" / "superata da 2 ore" / "tra 12 minuti", from the injected clock's now. */
export function tempoResiduo(scadenza: Date, now: Date): { testo: string; superata: boolean } {
  const ms = scadenza.getTime() - now.getTime();
  const superata = ms < 0;
  const d = Duration.fromMillis(Math.abs(ms)).shiftTo('days', 'hours', 'minutes');
  const parti: string[] = [];
  const giorni = Math.floor(d.days);
  const ore = Math.floor(d.hours);
  const minuti = Math.floor(d.minutes);
  if (giorni > 0) parti.push(`${giorni} ${giorni === 1 ? 'giorno' : 'giorni'}`);
  if (ore > 0) parti.push(`${ore} ${ore === 1 ? 'ora' : 'ore'}`);
  if (giorni === 0 && (minuti > 0 || parti.length === 0)) parti.push(`${minuti} ${minuti === 1 ? 'minuto' : 'minuti'}`);
  const durata = parti.join(' e ');
  return { testo: superata ? `superata da ${durata}` : `tra ${durata}`, superata };
}
