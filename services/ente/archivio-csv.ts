import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import { ApeError } from '../../shared/errors';
import { withTransaction } from '../../shared/db/pool';
import { insertRows } from '../../shared/db/insert';
import { problemaCodiceFiscaleDatore, problemaCodiceFiscalePersona } from '../../shared/domain/codice-fiscale';

/**
 * Loads a party's reference archive from CSV (UTF-8, comma separated, header row). Two files:
 *
 *   rapporti  cf_lavoratore,cf_datore,dal,al,ccnl,livello,professione_istat,qualifica,lavoro_a_turni,attivita_educativa
 *             dates YYYY-MM-DD (al empty while ongoing); booleans true/false or empty when unknown.
 *   posizioni pat,cf_datore,voce,grande_gruppo,tasso_per_mille   (INAIL)
 *
 * A file is loaded whole or not at all; every row is checked and all problems are reported with their line.
 * Rows keep the file name as their source, and loading a file again replaces what it loaded before.
 */

export const COLONNE_RAPPORTI = ['cf_lavoratore', 'cf_datore', 'dal', 'al', 'ccnl', 'livello', 'professione_istat', 'qualifica', 'lavoro_a_turni', 'attivita_educativa'] as const;
export const COLONNE_POSIZIONI = ['pat', 'cf_datore', 'voce', 'grande_gruppo', 'tasso_per_mille'] as const;

type Row = Record<string, string>;

function readCsv(text: string, columns: readonly string[], file: string): Row[] {
  let rows: Row[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[];
  } catch (err) {
    throw new ApeError('DATI_INCOERENTI', `${file}: CSV non leggibile: ${(err as Error).message}`, { cause: err });
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = columns.filter((c) => !header.includes(c));
  if (rows.length > 0 && missing.length > 0) throw new ApeError('DATI_INCOERENTI', `${file}: colonne mancanti: ${missing.join(', ')}`);
  return rows;
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid;
/** true, false, or null when unknown (empty); anything else is invalid. */
function bool(s: string): boolean | null | 'invalid' {
  if (s === '') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  return 'invalid';
}

export function controllaRapporti(rows: Row[], file: string): unknown[][] {
  const problems: string[] = [];
  const out = rows.map((r, i) => {
    const line = i + 2;
    const p = (msg: string) => problems.push(`${file}:${line}: ${msg}`);
    const cfL = problemaCodiceFiscalePersona(r.cf_lavoratore ?? '');
    if (cfL) p(`cf_lavoratore ${cfL}`);
    const cfD = problemaCodiceFiscaleDatore(r.cf_datore ?? '');
    if (cfD) p(`cf_datore ${cfD}`);
    if (!isDate(r.dal ?? '')) p('dal non è una data YYYY-MM-DD');
    if (r.al && !isDate(r.al)) p('al non è una data YYYY-MM-DD');
    if (r.al && r.dal && r.al < r.dal) p('al precede dal');
    if (r.professione_istat && !/^[1-9](\.[0-9]{1,2}){0,4}$/.test(r.professione_istat)) p('professione_istat non è un codice ISTAT');
    for (const k of ['lavoro_a_turni', 'attivita_educativa']) if (bool(r[k] ?? '') === 'invalid') p(`${k} deve essere true, false o vuoto`);
    const opt = (s: string | undefined) => (s ? s : null);
    return [r.cf_lavoratore, r.cf_datore, r.dal, opt(r.al), opt(r.ccnl), opt(r.livello), opt(r.professione_istat), opt(r.qualifica), bool(r.lavoro_a_turni ?? ''), bool(r.attivita_educativa ?? '')];
  });
  if (problems.length > 0) throw new ApeError('DATI_INCOERENTI', problems.slice(0, 50).join('\n'));
  return out;
}

export function controllaPosizioni(rows: Row[], file: string): unknown[][] {
  const problems: string[] = [];
  const out = rows.map((r, i) => {
    const p = (msg: string) => problems.push(`${file}:${i + 2}: ${msg}`);
    if (!/^[0-9]{8,10}$/.test(r.pat ?? '')) p('pat deve avere 8-10 cifre');
    const cfD = problemaCodiceFiscaleDatore(r.cf_datore ?? '');
    if (cfD) p(`cf_datore ${cfD}`);
    if (!/^[0-9]{4}$/.test(r.voce ?? '')) p('voce deve avere 4 cifre');
    if (!/^[0-9]$/.test(r.grande_gruppo ?? '')) p('grande_gruppo deve essere una cifra 0-9');
    const rate = Number(r.tasso_per_mille);
    if (!(r.tasso_per_mille ?? '').match(/^\d+(\.\d{1,2})?$/) || !Number.isFinite(rate)) p('tasso_per_mille deve essere un numero con al più 2 decimali');
    return [r.pat, r.cf_datore, r.voce, Number(r.grande_gruppo), r.tasso_per_mille];
  });
  if (problems.length > 0) throw new ApeError('DATI_INCOERENTI', problems.slice(0, 50).join('\n'));
  return out;
}

export interface ImportReport {
  fonte: string;
  tabella: string;
  righe: number;
  sostituite: number;
}

const BATCH = 500;

export async function importaRapporti(pool: Pool, text: string, fonte: string): Promise<ImportReport> {
  const rows = controllaRapporti(readCsv(text, COLONNE_RAPPORTI, fonte), fonte);
  return withTransaction(pool, async (tx) => {
    const del = await tx.query('DELETE FROM archivio_rapporto WHERE fonte = $1', [fonte]);
    for (let i = 0; i < rows.length; i += BATCH) {
      await insertRows(tx, 'archivio_rapporto', [...COLONNE_RAPPORTI, 'fonte'], rows.slice(i, i + BATCH).map((r) => [...r, fonte]));
    }
    return { fonte, tabella: 'archivio_rapporto', righe: rows.length, sostituite: del.rowCount ?? 0 };
  });
}

export async function importaPosizioni(pool: Pool, text: string, fonte: string): Promise<ImportReport> {
  const rows = controllaPosizioni(readCsv(text, COLONNE_POSIZIONI, fonte), fonte);
  return withTransaction(pool, async (tx) => {
    const del = await tx.query('DELETE FROM archivio_posizione_inail WHERE fonte = $1', [fonte]);
    for (let i = 0; i < rows.length; i += BATCH) {
      await insertRows(tx, 'archivio_posizione_inail', [...COLONNE_POSIZIONI, 'fonte'], rows.slice(i, i + BATCH).map((r) => [...r, fonte]), 'ON CONFLICT (pat, voce) DO UPDATE SET cf_datore = EXCLUDED.cf_datore, grande_gruppo = EXCLUDED.grande_gruppo, tasso_per_mille = EXCLUDED.tasso_per_mille, fonte = EXCLUDED.fonte');
    }
    return { fonte, tabella: 'archivio_posizione_inail', righe: rows.length, sostituite: del.rowCount ?? 0 };
  });
}
