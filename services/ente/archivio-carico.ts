import type { Pool } from 'pg';
import { withTransaction, type Tx } from '../../shared/db/pool';
import { insertRows } from '../../shared/db/insert';
import { ApeError } from '../../shared/errors';
import { Problemi, type FileArchivioLetto } from './archivio-csv';
import { FORMATI } from './archivio-formato';

/**
 * Loads a checked archive file into the party's schema as one named source (fonte). A party's archive is the
 * union of its sources, so a second export (another office, another system) is added beside the first:
 *
 *  - without `sostituisci` the source must be new, and its rows are added;
 *  - with `sostituisci` the source's rows are replaced by the file's (an empty file empties it);
 *  - either way a row whose key (archivio-formato.ts) is already held by another source is refused, so two sources
 *    never give the verification two versions of the same relation or tariff voice.
 *
 * All in one transaction, under a per-schema lock so that two imports do not interleave: the verification sees
 * the archive before or after, never half of it. Needs SELECT, INSERT and DELETE on the archive tables only.
 */

/** Names a source in messages and the fonte column: letters, digits, '.', '_', '-'. */
export const FORMATO_FONTE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface EsitoCaricamento {
  tabella: string;
  fonte: string;
  /** Rows loaded from the file. */
  righe: number;
  sostituita: boolean;
  /** The source's rows before the import (0 for a new source). */
  righeFontePrima: number;
  /** The whole table, all sources. */
  totalePrima: number;
  totaleDopo: number;
  /** Every source in the table after the import, by name. */
  fonti: Array<{ fonte: string; righe: number }>;
}

const BATCH = 500;

async function contaPerFonte(tx: Tx, tabella: string): Promise<Array<{ fonte: string; righe: number }>> {
  const r = await tx.query<{ fonte: string; righe: string }>(`SELECT fonte, count(*) AS righe FROM ${tabella} GROUP BY fonte ORDER BY fonte`);
  return r.rows.map((x) => ({ fonte: x.fonte, righe: Number(x.righe) }));
}

/** The file's rows whose key another source already holds, reported at their line. */
async function controllaDoppioni(tx: Tx, letto: FileArchivioLetto, fonte: string): Promise<void> {
  const { formato } = letto;
  const chiave = formato.chiave;
  // Keys travel as text; a date column (a rapporto's start) is read back as the file writes it.
  const colonne = chiave.map((k) => (formato.colonne.find((c) => c.nome === k)?.data ? `to_char(a.${k}, 'YYYY-MM-DD')` : `a.${k}`));
  const arrays = chiave.map((_k, i) => letto.righe.map((r) => r.chiave[i]!));
  const { rows } = await tx.query<{ chiave: string[]; fonte: string }>(
    `SELECT ARRAY[${colonne.join(', ')}] AS chiave, a.fonte
       FROM ${formato.tabella} a
       JOIN unnest(${chiave.map((_k, i) => `$${i + 2}::text[]`).join(', ')}) AS n(${chiave.map((_k, i) => `k${i}`).join(', ')})
         ON ${colonne.map((c, i) => `${c} = n.k${i}`).join(' AND ')}
      WHERE a.fonte <> $1`,
    [fonte, ...arrays],
  );
  if (rows.length === 0) return;
  const problemi = new Problemi(letto.file);
  const dellaChiave = new Map(rows.map((r) => [r.chiave.join('\u0000'), r.fonte]));
  const colonna = 1 + Math.max(0, formato.colonne.findIndex((c) => c.nome === chiave[0]));
  for (const r of letto.righe) {
    const altra = dellaChiave.get(r.chiave.join('\u0000'));
    if (altra !== undefined) problemi.add(r.riga, colonna, `${chiave.join(', ')} già in archivio dalla fonte "${altra}": una riga per chiave in tutto l'archivio`);
  }
  problemi.throwIfAny();
}

export async function caricaFonte(pool: Pool, schema: string, letto: FileArchivioLetto, fonte: string, opts: { sostituisci: boolean }): Promise<EsitoCaricamento> {
  if (!FORMATO_FONTE.test(fonte)) throw new ApeError('DATI_INCOERENTI', `fonte "${fonte}": usare lettere, cifre, '.', '_' o '-' (al più 64 caratteri)`);
  const { formato } = letto;
  const tabella = formato.tabella;
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`archivio-import:${schema}`]);
    const prima = await contaPerFonte(tx, tabella);
    const righeFontePrima = prima.find((f) => f.fonte === fonte)?.righe ?? 0;
    if (righeFontePrima > 0 && !opts.sostituisci) {
      throw new ApeError(
        'DATI_INCOERENTI',
        `la fonte "${fonte}" ha già ${righeFontePrima} righe in ${tabella}: per sostituirle ripetere con --sostituisci; per aggiungere righe di un'altra fonte usare un altro --fonte. Nessuna riga caricata`,
      );
    }
    if (righeFontePrima > 0) await tx.query(`DELETE FROM ${tabella} WHERE fonte = $1`, [fonte]);
    await controllaDoppioni(tx, letto, fonte);
    const colonne = [...formato.colonne.map((c) => c.nome), 'fonte'];
    for (let i = 0; i < letto.righe.length; i += BATCH) {
      await insertRows(tx, tabella, colonne, letto.righe.slice(i, i + BATCH).map((r) => [...r.valori, fonte]));
    }
    const fonti = await contaPerFonte(tx, tabella);
    const totale = (xs: Array<{ righe: number }>) => xs.reduce((s, f) => s + f.righe, 0);
    return { tabella, fonte, righe: letto.righe.length, sostituita: opts.sostituisci, righeFontePrima, totalePrima: totale(prima), totaleDopo: totale(fonti), fonti };
  });
}

/** The archive tables must exist: the importer never creates them (the node's migrations do). */
export async function controllaSchemaArchivio(pool: Pool, schema: string): Promise<void> {
  const tabelle = Object.values(FORMATI).map((f) => f.tabella);
  const { rows } = await pool.query<{ tabella: string; esiste: boolean }>(
    'SELECT t AS tabella, to_regclass(format($2, $1::text, t)) IS NOT NULL AS esiste FROM unnest($3::text[]) AS t',
    [schema, '%I.%I', tabelle],
  );
  const mancanti = rows.filter((r) => !r.esiste).map((r) => r.tabella);
  if (mancanti.length > 0) {
    throw new ApeError(
      'CONFIGURAZIONE_NON_VALIDA',
      `lo schema ${schema} non ha le tabelle dell'archivio (${mancanti.join(', ')}): l'importazione non crea né migra lo schema. ` +
        'Preparare prima il database con "npm run setup" (o avviare il nodo dell\'ente, che applica le migrazioni), poi ripetere l\'importazione',
    );
  }
}
