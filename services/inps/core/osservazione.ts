import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { problemaCodiceFiscaleDatore, problemaCodiceFiscalePersona } from '../../../shared/domain/codice-fiscale';

/**
 * The watch list of elusive-behaviour indices (protocol art. 5 c: "indici di comportamento elusivo individuati
 * dall'Ispettorato o dall'INPS"), kept by INL and INPS supervisors. Entries are never deleted: removal records
 * who removed them and when, so the list's history stays auditable.
 */
export interface VoceLista {
  tipo: 'DATORE' | 'RICHIEDENTE';
  codiceFiscale: string;
  motivo: string;
  autore: string;
  ente: 'INPS' | 'INL';
}

export async function aggiungiOsservazione(pool: Pool, v: VoceLista, now: Date): Promise<number> {
  const problema = v.tipo === 'DATORE' ? problemaCodiceFiscaleDatore(v.codiceFiscale) : problemaCodiceFiscalePersona(v.codiceFiscale);
  if (problema) throw new ApeError('CODICE_FISCALE_NON_VALIDO', `codice fiscale ${v.codiceFiscale}: ${problema}`);
  if (v.motivo.trim().length < 5) throw new ApeError('DATI_INCOERENTI', 'il motivo deve descrivere il comportamento osservato');
  const r = await pool.query<{ id: number }>(
    'INSERT INTO lista_osservazione (tipo, codice_fiscale, motivo, autore, ente, inserito_il) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [v.tipo, v.codiceFiscale, v.motivo.trim(), v.autore, v.ente, now],
  );
  return r.rows[0]!.id;
}

export async function rimuoviOsservazione(pool: Pool, id: number, autore: string, now: Date): Promise<void> {
  const r = await pool.query('UPDATE lista_osservazione SET rimosso_il = $2, rimosso_da = $3 WHERE id = $1 AND rimosso_il IS NULL', [id, now, autore]);
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `nessuna voce attiva ${id} nella lista di osservazione`);
}
