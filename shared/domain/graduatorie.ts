import { DateTime } from 'luxon';
import { ApeError } from '../errors';
import { dataRoma, inizioGiornoRoma } from './scadenze';

/**
 * The graduatoria calendar (DPCM art. 11): domande are collected in windows, each closing on a date and ranked in
 * a graduatoria published by a cut-off date. Seen in practice: presented by 31 March → graduatoria by 30 June; by
 * 15 July → 15 October; by 30 November → 31 December; after 30 November → the first window of the next year.
 * Windows and cut-offs change by decree, so they come from configuration, year by year; these are pure functions
 * over that calendar (dates are Europe/Rome calendar dates, YYYY-MM-DD).
 *
 * A window is identified by its year (the year of its closing date) and its number in that year (1, 2, 3...).
 * It opens the day after the previous configured window closed, or on 1 January of its year for the first one
 * configured. A domanda belongs to the window whose span holds its presentation date.
 */

/** One window as configured: the last day a domanda may be presented in it, and its graduatoria's cut-off. */
export interface FinestraConfigurata {
  readonly chiusura: string;
  readonly graduatoria: string;
}

/** Windows by year ("2026": [...]), in the order of their closing dates. */
export type CalendarioGraduatorie = Readonly<Record<string, readonly FinestraConfigurata[]>>;

export interface Finestra {
  readonly anno: number;
  readonly numero: number;
  /** First day a domanda of this window may be presented. */
  readonly apertura: string;
  /** Last day a domanda of this window may be presented. */
  readonly chiusura: string;
  /** The day by which the window's graduatoria is drawn up: it bounds INPS's wait for INL (art. 5). */
  readonly graduatoria: string;
}

/**
 * The calendar seen in practice (DOMAIN.md, "Graduatoria") for the given years: presented by 31 March → graduatoria
 * by 30 June; by 15 July → 15 October; by 30 November → 31 December. The demo and the tests use it; a deployment
 * writes the decree's calendar in its configuration.
 */
export function calendarioPratica(...anni: number[]): CalendarioGraduatorie {
  return Object.fromEntries(
    anni.map((a) => [String(a), [{ chiusura: `${a}-03-31`, graduatoria: `${a}-06-30` }, { chiusura: `${a}-07-15`, graduatoria: `${a}-10-15` }, { chiusura: `${a}-11-30`, graduatoria: `${a}-12-31` }]]),
  );
}

const DATA = /^\d{4}-\d{2}-\d{2}$/;
const ANNO = /^\d{4}$/;

function dataValida(s: unknown): s is string {
  return typeof s === 'string' && DATA.test(s) && DateTime.fromISO(s, { zone: 'utc' }).isValid;
}

function giornoPrima(data: string, giorni: number): string {
  return DateTime.fromISO(data, { zone: 'utc' }).plus({ days: giorni }).toISODate()!;
}

/**
 * Problems of a calendar, each naming its place (`2026[1].graduatoria: ...`); empty when it is valid. A valid
 * calendar has years of four digits, windows closing in their own year, each graduatoria on or after its window's
 * closing date, closing dates and graduatorie strictly increasing across the whole calendar.
 */
export function problemiCalendario(c: CalendarioGraduatorie): string[] {
  const problemi: string[] = [];
  let precedente: { luogo: string; chiusura: string; graduatoria: string } | null = null;
  for (const anno of Object.keys(c).sort()) {
    if (!ANNO.test(anno)) {
      problemi.push(`${anno}: l'anno deve essere di quattro cifre`);
      continue;
    }
    const finestre = c[anno]!;
    if (finestre.length === 0) problemi.push(`${anno}: nessuna finestra`);
    finestre.forEach((f, i) => {
      const luogo = `${anno}[${i}]`;
      if (!dataValida(f.chiusura)) return void problemi.push(`${luogo}.chiusura: "${String(f.chiusura)}" non è una data AAAA-MM-GG valida`);
      if (!dataValida(f.graduatoria)) return void problemi.push(`${luogo}.graduatoria: "${String(f.graduatoria)}" non è una data AAAA-MM-GG valida`);
      if (!f.chiusura.startsWith(`${anno}-`)) problemi.push(`${luogo}.chiusura: ${f.chiusura} non è nell'anno ${anno}`);
      if (f.graduatoria < f.chiusura) problemi.push(`${luogo}.graduatoria: ${f.graduatoria} precede la chiusura della finestra ${f.chiusura}`);
      if (precedente && f.chiusura <= precedente.chiusura) problemi.push(`${luogo}.chiusura: ${f.chiusura} non segue la chiusura di ${precedente.luogo} (${precedente.chiusura})`);
      if (precedente && f.graduatoria <= precedente.graduatoria) problemi.push(`${luogo}.graduatoria: ${f.graduatoria} non segue la graduatoria di ${precedente.luogo} (${precedente.graduatoria})`);
      precedente = { luogo, chiusura: f.chiusura, graduatoria: f.graduatoria };
    });
  }
  return problemi;
}

/** Every configured window with its span, in calendar order. The calendar must be valid (problemiCalendario). */
export function finestre(c: CalendarioGraduatorie): Finestra[] {
  const out: Finestra[] = [];
  for (const anno of Object.keys(c).sort()) {
    c[anno]!.forEach((f, i) => {
      const prima = out[out.length - 1];
      out.push({
        anno: Number(anno),
        numero: i + 1,
        apertura: prima ? giornoPrima(prima.chiusura, 1) : `${anno}-01-01`,
        chiusura: f.chiusura,
        graduatoria: f.graduatoria,
      });
    });
  }
  return out;
}

/**
 * The window a domanda presented on `dataPresentazione` (a Rome calendar date) belongs to, or null when the
 * calendar has none for it (before the first configured window opens or after the last one closes).
 */
export function finestraDi(dataPresentazione: string, c: CalendarioGraduatorie): Finestra | null {
  if (!dataValida(dataPresentazione)) throw new RangeError(`finestraDi: "${dataPresentazione}" non è una data AAAA-MM-GG valida`);
  return finestre(c).find((f) => f.apertura <= dataPresentazione && dataPresentazione <= f.chiusura) ?? null;
}

/** "2ª finestra 2026 (01/04/2026–15/07/2026, graduatoria entro il 15/10/2026)", for people. */
export function descriviFinestra(f: Finestra): string {
  const it = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
  return `${f.numero}ª finestra ${f.anno} (${it(f.apertura)}–${it(f.chiusura)}, graduatoria entro il ${it(f.graduatoria)})`;
}

/**
 * Checks a domanda's presentation instant against the instant the broker received it, and finds its window:
 * - presented after it was received (beyond `tolleranzaMs` of clock skew between INPS's systems) → refused,
 *   DATA_PRESENTAZIONE_FUTURA: a date in the future would also push its limit into the future;
 * - received after the end of its window's graduatoria day → refused, DOMANDA_FUORI_FINESTRA: the graduatoria that
 *   domanda belongs to is already drawn up, no verification could count for it;
 * - no configured window for its date → accepted without one (the wait limit is then the 30 days alone); the
 *   caller reports it, since the calendar should cover every date domande are presented on.
 */
export function controllaPresentazione(
  dataPresentazione: Date,
  ricevutaIl: Date,
  opts: { calendario: CalendarioGraduatorie; tolleranzaMs: number },
): { finestra: Finestra | null } {
  if (dataPresentazione.getTime() > ricevutaIl.getTime() + opts.tolleranzaMs) {
    throw new ApeError(
      'DATA_PRESENTAZIONE_FUTURA',
      `DataPresentazione ${dataPresentazione.toISOString()} è successiva alla ricezione della domanda (${ricevutaIl.toISOString()}) oltre la tolleranza di ${opts.tolleranzaMs / 1000} s: indicare l'istante in cui la domanda è stata presentata all'INPS`,
    );
  }
  const finestra = finestraDi(dataRoma(dataPresentazione), opts.calendario);
  if (finestra && ricevutaIl.getTime() >= inizioGiornoRoma(giornoPrima(finestra.graduatoria, 1)).getTime()) {
    throw new ApeError(
      'DOMANDA_FUORI_FINESTRA',
      `la domanda presentata il ${dataRoma(dataPresentazione)} appartiene alla ${descriviFinestra(finestra)}, la cui graduatoria è già stata predisposta: ricevuta il ${dataRoma(ricevutaIl)}, troppo tardi per essere istruita in quella finestra`,
    );
  }
  return { finestra };
}
