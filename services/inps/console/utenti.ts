import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { digestSessione, hashPassword, nuovoToken, problemaPassword, sessioneScaduta, verifyPassword, type LimitiSessione } from './sicurezza';

/** The console's accounts and sessions (tables of migration inps/004). Shared by the console and its CLI. */
export const RUOLI = ['officer', 'supervisor', 'admin'] as const;
export type Ruolo = (typeof RUOLI)[number];
/** The roles that see the supervisor's pages (the access log, alerts, suspensions). */
export const RUOLI_SUPERVISIONE: readonly Ruolo[] = ['supervisor', 'admin'];

/** Which istruttorie officers see (services.inpsConsole.ambitoFunzionari): their office's only, or all. */
export type AmbitoFunzionari = 'SEDE' | 'TUTTE';

/** The office whose istruttorie this operator may see, or undefined for all (supervisors, admins, or no scoping). */
export function sedeVisibile(o: Pick<OperatoreConsole, 'ruolo' | 'ufficio'>, ambito: AmbitoFunzionari): string | undefined {
  return ambito === 'SEDE' && o.ruolo === 'officer' ? o.ufficio : undefined;
}

export interface OperatoreConsole {
  id: string;
  nome: string;
  ufficio: string;
  ruolo: Ruolo;
  attivo: boolean;
}

const ID = /^[A-Za-z0-9._-]{3,64}$/;

function ruoloValido(ruolo: string): Ruolo {
  if (!(RUOLI as readonly string[]).includes(ruolo)) throw new ApeError('DATI_INCOERENTI', `ruolo non ammesso: ${ruolo} (officer, supervisor, admin)`);
  return ruolo as Ruolo;
}

function passwordValida(password: string): void {
  const problema = problemaPassword(password);
  if (problema) throw new ApeError('DATI_INCOERENTI', problema);
}

export async function creaOperatore(pool: Pool, o: { id: string; nome: string; ufficio: string; ruolo: string; password: string }, now: Date): Promise<void> {
  if (!ID.test(o.id)) throw new ApeError('DATI_INCOERENTI', 'identificativo non valido: 3-64 caratteri tra lettere, cifre, punto, trattino e trattino basso');
  if (o.nome.trim() === '' || o.ufficio.trim() === '') throw new ApeError('DATI_INCOERENTI', 'indicare nome e ufficio');
  const ruolo = ruoloValido(o.ruolo);
  passwordValida(o.password);
  const hash = await hashPassword(o.password);
  const r = await pool.query(
    `INSERT INTO operatore_console (id, nome, ufficio, ruolo, password_hash, creato_il, aggiornato_il) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
    [o.id, o.nome.trim(), o.ufficio.trim(), ruolo, hash, now],
  );
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `l'operatore ${o.id} esiste già`);
}

async function aggiorna(pool: Pool, id: string, set: string, values: unknown[], now: Date): Promise<void> {
  const r = await pool.query(`UPDATE operatore_console SET ${set}, aggiornato_il = $2 WHERE id = $1`, [id, now, ...values]);
  if (r.rowCount === 0) throw new ApeError('DATI_INCOERENTI', `nessun operatore ${id}`);
}

export async function cambiaRuolo(pool: Pool, id: string, ruolo: string, now: Date): Promise<void> {
  await aggiorna(pool, id, 'ruolo = $3', [ruoloValido(ruolo)], now);
}

/**
 * A new password also unlocks the account, ends its open sessions and forgets its known devices: whoever held the
 * old password may have logged in from a browser of their own, which must not keep the owner's lane.
 */
export async function cambiaPassword(pool: Pool, id: string, password: string, now: Date): Promise<void> {
  passwordValida(password);
  await aggiorna(pool, id, 'password_hash = $3, tentativi_falliti = 0, bloccato_fino = NULL', [await hashPassword(password)], now);
  await chiudiSessioni(pool, id, now);
  await dimenticaDispositivi(pool, id);
}

export async function disattiva(pool: Pool, id: string, now: Date): Promise<void> {
  await aggiorna(pool, id, 'attivo = false', [], now);
  await chiudiSessioni(pool, id, now);
  await dimenticaDispositivi(pool, id);
}

async function dimenticaDispositivi(pool: Pool, operatoreId: string): Promise<void> {
  await pool.query('DELETE FROM dispositivo_console WHERE operatore_id = $1', [operatoreId]);
}

export async function chiudiSessioni(pool: Pool, operatoreId: string, now: Date): Promise<void> {
  await pool.query('UPDATE sessione_console SET chiusa_il = $2 WHERE operatore_id = $1 AND chiusa_il IS NULL', [operatoreId, now]);
}

export async function elencoOperatori(pool: Pool): Promise<OperatoreConsole[]> {
  const { rows } = await pool.query('SELECT id, nome, ufficio, ruolo, attivo FROM operatore_console ORDER BY id');
  return rows as OperatoreConsole[];
}

/** Verified against when the account does not exist, so an unknown name takes as long as a wrong password. */
let hashFittizio: Promise<string> | null = null;

export type EsitoLogin = { ok: true; operatore: OperatoreConsole } | { ok: false; motivo: 'CREDENZIALI' | 'DISATTIVATO' };

/**
 * Checks a login's credentials; the answer does not say whether the name exists (an unknown name costs a hash like
 * a wrong password). Throttling is decided before, in memory (limiti-login.ts): the account itself is never
 * locked, so nobody can lock someone else out by failing on purpose.
 */
export async function autentica(pool: Pool, id: string, password: string, now: Date): Promise<EsitoLogin> {
  const { rows } = await pool.query<{ id: string; nome: string; ufficio: string; ruolo: Ruolo; attivo: boolean; password_hash: string }>(
    'SELECT id, nome, ufficio, ruolo, attivo, password_hash FROM operatore_console WHERE id = $1',
    [id],
  );
  const o = rows[0];
  if (!o) {
    hashFittizio ??= hashPassword(nuovoToken());
    await verifyPassword(password, await hashFittizio);
    return { ok: false, motivo: 'CREDENZIALI' };
  }
  if (!(await verifyPassword(password, o.password_hash))) return { ok: false, motivo: 'CREDENZIALI' };
  if (!o.attivo) return { ok: false, motivo: 'DISATTIVATO' };
  await pool.query('UPDATE operatore_console SET tentativi_falliti = 0, bloccato_fino = NULL, ultimo_accesso_il = $2 WHERE id = $1', [o.id, now]);
  return { ok: true, operatore: { id: o.id, nome: o.nome, ufficio: o.ufficio, ruolo: o.ruolo, attivo: o.attivo } };
}

export interface Sessione {
  idHash: string;
  operatore: OperatoreConsole;
  csrf: string;
  creataIl: Date;
}

/** Opens a session: the random id goes to the browser (cookie), only its digest to the database. */
export async function apriSessione(pool: Pool, operatoreId: string, indirizzoIp: string, now: Date): Promise<{ id: string; csrf: string }> {
  const id = nuovoToken();
  const csrf = nuovoToken();
  await pool.query('INSERT INTO sessione_console (id_hash, operatore_id, csrf, creata_il, ultimo_uso_il, indirizzo_ip) VALUES ($1, $2, $3, $4, $4, $5)', [digestSessione(id), operatoreId, csrf, now, indirizzoIp]);
  return { id, csrf };
}

/**
 * The session of a cookie, still valid at `now` and of an active account. Using it counts as activity, except for
 * a page refreshing itself (live updates): an unattended screen must still reach the idle limit.
 */
export async function sessioneValida(pool: Pool, id: string, now: Date, limiti: LimitiSessione, attivita = true): Promise<Sessione | null> {
  const idHash = digestSessione(id);
  const { rows } = await pool.query<{ csrf: string; creata_il: Date; ultimo_uso_il: Date; chiusa_il: Date | null; id: string; nome: string; ufficio: string; ruolo: Ruolo; attivo: boolean }>(
    `SELECT s.csrf, s.creata_il, s.ultimo_uso_il, s.chiusa_il, o.id, o.nome, o.ufficio, o.ruolo, o.attivo
       FROM sessione_console s JOIN operatore_console o ON o.id = s.operatore_id WHERE s.id_hash = $1`,
    [idHash],
  );
  const r = rows[0];
  if (!r || !r.attivo) return null;
  const scaduta = sessioneScaduta({ creataIl: r.creata_il, ultimoUsoIl: r.ultimo_uso_il, chiusaIl: r.chiusa_il }, now, limiti);
  if (scaduta !== null) {
    if (scaduta !== 'CHIUSA') await pool.query('UPDATE sessione_console SET chiusa_il = $2 WHERE id_hash = $1 AND chiusa_il IS NULL', [idHash, now]);
    return null;
  }
  if (attivita) await pool.query('UPDATE sessione_console SET ultimo_uso_il = $2 WHERE id_hash = $1 AND ultimo_uso_il < $2', [idHash, now]);
  return { idHash, csrf: r.csrf, creataIl: r.creata_il, operatore: { id: r.id, nome: r.nome, ufficio: r.ufficio, ruolo: r.ruolo, attivo: r.attivo } };
}

/** Whether a session (by its digest) is still open; a live-updates stream of a closed one ends. */
export async function sessioneAperta(pool: Pool, idHash: string): Promise<boolean> {
  const q = await pool.query<{ ok: boolean }>('SELECT chiusa_il IS NULL AS ok FROM sessione_console WHERE id_hash = $1', [idHash]);
  return q.rows[0]?.ok ?? false;
}

export async function chiudiSessione(pool: Pool, idHash: string, now: Date): Promise<void> {
  await pool.query('UPDATE sessione_console SET chiusa_il = $2 WHERE id_hash = $1 AND chiusa_il IS NULL', [idHash, now]);
}

/** Demo accounts (npm start, tests): created once, never in production. */
export const ACCOUNT_DEMO = [
  { id: 'funzionario.demo', nome: 'Funzionaria dimostrativa', ufficio: 'INPS - Direzione provinciale di Roma', ruolo: 'officer', password: 'Istruttoria-Demo-2026' },
  { id: 'supervisore.demo', nome: 'Supervisore dimostrativo', ufficio: 'INPS - Supervisore della convenzione', ruolo: 'supervisor', password: 'Supervisione-Demo-2026' },
  { id: 'admin.demo', nome: 'Amministratore dimostrativo', ufficio: 'INPS - Direzione centrale tecnologia', ruolo: 'admin', password: 'Amministrazione-Demo-2026' },
] as const;

export async function assicuraAccountDemo(pool: Pool, now: Date): Promise<string[]> {
  const creati: string[] = [];
  for (const a of ACCOUNT_DEMO) {
    const { rowCount } = await pool.query('SELECT 1 FROM operatore_console WHERE id = $1', [a.id]);
    if (rowCount) continue;
    await creaOperatore(pool, a, now).catch((err: unknown) => {
      // Two setups racing: the other one created it.
      if (!(err instanceof ApeError && /esiste già/.test(err.message))) throw err;
    });
    creati.push(a.id);
  }
  return creati;
}
