import { DateTime, Duration } from 'luxon';

/** Dates and time left as officers read them: Europe/Rome, Italian. */
const ZONA = 'Europe/Rome';

export function dataOra(d: Date | null | undefined): string {
  if (!d) return '';
  return DateTime.fromJSDate(d, { zone: ZONA }).setLocale('it').toFormat('dd/LL/yyyy HH:mm');
}

/** "tra 3 giorni e 4 ore" / "scaduta da 2 ore" / "tra 12 minuti", from the injected clock's now. */
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
