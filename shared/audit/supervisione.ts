import type { Pool } from 'pg';
import { ApeError } from '../errors';

/**
 * What a party's Supervisore looks at (convenzione: "monitorare e controllare il corretto utilizzo dei servizi"):
 * the accesses of an operator, of a party, or to one citizen's data (found by the keyed pseudonym of the codice
 * fiscale), and the alerts of the automated rules. Shared by the CLI and the console.
 */
export interface FiltroAccessi {
  operatore?: string;
  /** Pseudonym of the citizen's codice fiscale (Registri.pseudonimo). */
  interessato?: string;
  identita?: string;
  /** Source address (an alert about an address without a certificate). */
  indirizzo?: string;
  dal?: Date;
  al?: Date;
  esito?: 'ACCETTATA' | 'RIFIUTATA';
  /** Only records before this one (keyset: the next page of a long export without OFFSET). */
  primaDi?: number;
  /** Skip counting the total (an export reading page after page needs no total): `totale` is then -1. */
  senzaTotale?: boolean;
  limite?: number;
  offset?: number;
}

export interface Accesso {
  seq: number;
  registratoIl: Date;
  canale: string;
  servizio: string;
  operazione: string | null;
  identita: string | null;
  operatoreId: string | null;
  operatoreUfficio: string | null;
  indirizzoIp: string;
  esito: string;
  codiceErrore: string | null;
  riferimenti: Record<string, string>;
}

export async function cercaAccessi(pool: Pool, f: FiltroAccessi): Promise<{ accessi: Accesso[]; totale: number }> {
  if (!f.operatore && !f.interessato && !f.identita && !f.indirizzo && !f.dal) throw new ApeError('DATI_INCOERENTI', 'indicare un operatore, un interessato, una parte, un indirizzo o un periodo');
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.operatore) add('operatore_id = ?', f.operatore);
  if (f.interessato) add('interessato = ?', f.interessato);
  if (f.identita) add('identita = ?', f.identita);
  if (f.indirizzo) add('indirizzo_ip = ?', f.indirizzo);
  if (f.dal) add('registrato_il >= ?', f.dal);
  if (f.al) add('registrato_il < ?', f.al);
  if (f.esito) add('esito = ?', f.esito);
  const cond = where.join(' AND ');
  const pagina = f.primaDi !== undefined ? `${cond} AND seq < ${Math.trunc(f.primaDi)}` : cond;
  const totale = f.senzaTotale ? -1 : (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registro_accessi WHERE ${cond}`, params)).rows[0]!.n;
  const { rows } = await pool.query(
    `SELECT seq, registrato_il, canale, servizio, operazione, identita, operatore_id, operatore_ufficio, indirizzo_ip, esito, codice_errore, riferimenti
       FROM registro_accessi WHERE ${pagina} ORDER BY seq DESC LIMIT ${Math.min(f.limite ?? 100, 1000)} OFFSET ${Math.max(f.offset ?? 0, 0)}`,
    params,
  );
  return {
    totale,
    accessi: rows.map((r) => ({
      seq: Number(r.seq),
      registratoIl: r.registrato_il,
      canale: r.canale,
      servizio: r.servizio,
      operazione: r.operazione,
      identita: r.identita,
      operatoreId: r.operatore_id,
      operatoreUfficio: r.operatore_ufficio,
      indirizzoIp: r.indirizzo_ip,
      esito: r.esito,
      codiceErrore: r.codice_errore,
      riferimenti: r.riferimenti,
    })),
  };
}

export interface Allerta {
  id: number;
  regola: string;
  soggettoTipo: string;
  soggetto: string;
  descrizione: string;
  rilevataIl: Date;
  stato: string;
  gestitaDa: string | null;
  gestitaIl: Date | null;
  /** When and how it ended: the supervisor's note (migration audit/002). */
  dettagli: Record<string, unknown>;
  nota: string | null;
  chiusaDa: string | null;
  chiusaIl: Date | null;
}

export async function elencoAllerte(pool: Pool, tutte = false): Promise<Allerta[]> {
  const { rows } = await pool.query(
    `SELECT id, regola, soggetto_tipo, soggetto, descrizione, dettagli, rilevata_il, stato, gestita_da, gestita_il, nota, chiusa_da, chiusa_il FROM allerta
      WHERE $1 OR stato <> 'CHIUSA' ORDER BY rilevata_il DESC LIMIT 500`,
    [tutte],
  );
  return rows.map((r) => ({
    id: Number(r.id), regola: r.regola, soggettoTipo: r.soggetto_tipo, soggetto: r.soggetto, descrizione: r.descrizione, rilevataIl: r.rilevata_il, stato: r.stato,
    gestitaDa: r.gestita_da, gestitaIl: r.gestita_il, dettagli: r.dettagli ?? {}, nota: r.nota, chiusaDa: r.chiusa_da, chiusaIl: r.chiusa_il,
  }));
}

export async function prendiInCarico(pool: Pool, id: number, supervisore: string, now: Date): Promise<void> {
  const r = await pool.query(`UPDATE allerta SET stato = 'PRESA_IN_CARICO', gestita_da = $2, gestita_il = $3 WHERE id = $1 AND stato = 'APERTA'`, [id, supervisore, now]);
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `nessuna allerta aperta ${id}`);
}

/** Closes an open or taken alert with the supervisor's note (what was found, what was done). */
export async function chiudiAllerta(pool: Pool, id: number, supervisore: string, nota: string, now: Date): Promise<void> {
  const testo = nota.trim();
  if (testo.length < 5 || testo.length > 2000) throw new ApeError('DATI_INCOERENTI', 'la nota di chiusura deve avere tra 5 e 2000 caratteri');
  const r = await pool.query(
    `UPDATE allerta SET stato = 'CHIUSA', nota = $4, chiusa_da = $2, chiusa_il = $3, gestita_da = COALESCE(gestita_da, $2), gestita_il = COALESCE(gestita_il, $3) WHERE id = $1 AND stato <> 'CHIUSA'`,
    [id, supervisore, now, testo],
  );
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `nessuna allerta da chiudere ${id}`);
}

export async function sospensioniAttive(pool: Pool): Promise<Array<{ tipo: string; soggetto: string; motivo: string; autore: string; sospesoIl: Date }>> {
  const { rows } = await pool.query('SELECT tipo, soggetto, motivo, autore, sospeso_il FROM sospensione WHERE revocata_il IS NULL ORDER BY sospeso_il');
  return rows.map((r) => ({ tipo: r.tipo, soggetto: r.soggetto, motivo: r.motivo, autore: r.autore, sospesoIl: r.sospeso_il }));
}
