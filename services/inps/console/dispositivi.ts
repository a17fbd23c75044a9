import type { IncomingMessage } from 'node:http';
import type { Pool } from 'pg';
import { leggiCookie } from './richiesta';
import { digestSessione, nuovoToken } from './sicurezza';

/**
 * Known devices (migration inps/006): the browser an account logged in from carries a random token, so that its
 * later attempts are throttled apart from a stranger's (limiti-login.ts). Only the token's SHA-256 is stored.
 */
export const COOKIE_DISPOSITIVO = '__Host-ape-dispositivo';
/** How long a device stays known without a login from it: 180 days. */
const DURATA_S = 180 * 86_400;

export function cookieDispositivo(token: string): string {
  return `${COOKIE_DISPOSITIVO}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${DURATA_S}`;
}

/** The digest of the request's device token when it is known for `account` (one indexed read; none without a cookie). */
export async function dispositivoNoto(pool: Pool, req: IncomingMessage, account: string, now: Date): Promise<string | null> {
  const token = leggiCookie(req).get(COOKIE_DISPOSITIVO);
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const hash = digestSessione(token);
  const r = await pool.query('SELECT 1 FROM dispositivo_console WHERE token_hash = $1 AND lower(operatore_id) = lower($2) AND ultimo_uso_il > $3', [hash, account, new Date(now.getTime() - DURATA_S * 1000)]);
  return r.rowCount ? hash : null;
}

/** After a successful login: the device token to set (the browser's own if it already had one for this account). */
export async function registraDispositivo(pool: Pool, operatoreId: string, gia: string | null, now: Date): Promise<string | null> {
  if (gia) {
    await pool.query('UPDATE dispositivo_console SET ultimo_uso_il = $2 WHERE token_hash = $1', [gia, now]);
    return null;
  }
  const token = nuovoToken();
  await pool.query('INSERT INTO dispositivo_console (token_hash, operatore_id, creato_il, ultimo_uso_il) VALUES ($1, $2, $3, $3)', [digestSessione(token), operatoreId, now]);
  return token;
}
