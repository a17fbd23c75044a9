import type { IncomingMessage } from 'node:http';
import type { Pool } from 'pg';
import { leggiCookie } from './richiesta';
import { Risposta } from './risposta';
import { csrfValido, nuovoToken, type LimitiSessione } from './sicurezza';
import { apriSessione, chiudiSessione, sessioneValida, type Sessione } from './utenti';

/**
 * Sessions and CSRF as the browser sees them: the session cookie, the login form's pre-session token (double
 * submit), the session's synchronizer token on every other POST, and what a request without a valid session gets.
 * The rules behind them (token generation, expiry, constant-time comparison) are in sicurezza.ts; the rows in utenti.ts.
 */
export const COOKIE_SESSIONE = '__Host-ape-console';
export const COOKIE_LOGIN = '__Host-ape-login';

/** The session cookie: HttpOnly, Secure, SameSite=Strict, whole site; `maxAgeS` 0 with an empty value removes it. */
export function cookieSessione(valore: string, maxAgeS?: number): string {
  return `${COOKIE_SESSIONE}=${valore}; Path=/; HttpOnly; Secure; SameSite=Strict${maxAgeS !== undefined ? `; Max-Age=${maxAgeS}` : ''}`;
}

/** The login form's pre-session cookie, kept an hour (the time to fill in the form). */
export function cookieLogin(token: string): string {
  return `${COOKIE_LOGIN}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600`;
}

/** Removes the pre-session cookie once the login succeeded. */
export const COOKIE_LOGIN_RIMOSSO = `${COOKIE_LOGIN}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

/**
 * The login form's token: the browser's own while it is well formed (one token per browser, kept while it lasts:
 * two login tabs, or a stray request, must not invalidate each other), a new one otherwise.
 */
export function tokenLogin(req: IncomingMessage): string {
  const attuale = leggiCookie(req).get(COOKIE_LOGIN);
  return attuale && /^[A-Za-z0-9_-]{43}$/.test(attuale) ? attuale : nuovoToken();
}

/**
 * Login CSRF: the form's token must match the pre-session cookie (double submit), so another site cannot log a
 * browser into an account of its choosing.
 */
export function csrfLoginValido(req: IncomingMessage, modulo: URLSearchParams): boolean {
  return csrfValido(leggiCookie(req).get(COOKIE_LOGIN) ?? '', modulo.get('_csrf'));
}

/** Every POST after login carries the session's token (synchronizer token pattern). */
export function csrfSessioneValido(s: Pick<Sessione, 'csrf'>, modulo: URLSearchParams): boolean {
  return csrfValido(s.csrf, modulo.get('_csrf'));
}

/** The sessions' rows, behind an interface so the request stages can be tested without a database. */
export interface ArchivioSessioni {
  /** The session of a cookie's id, valid at `now`; `attivita` false when the request does not count as activity. */
  valida(id: string, now: Date, attivita: boolean): Promise<Sessione | null>;
  /** A new session: its id, for the cookie. */
  apri(operatoreId: string, indirizzoIp: string, now: Date): Promise<string>;
  chiudi(s: Sessione, now: Date): Promise<void>;
}

export function archivioSessioni(pool: Pool, limiti: LimitiSessione): ArchivioSessioni {
  return {
    valida: (id, now, attivita) => sessioneValida(pool, id, now, limiti, attivita),
    apri: async (operatoreId, indirizzoIp, now) => (await apriSessione(pool, operatoreId, indirizzoIp, now)).id,
    chiudi: (s, now) => chiudiSessione(pool, s.idHash, now),
  };
}

export type EsitoSessione = { sessione: Sessione; risposta?: undefined } | { sessione?: undefined; risposta: Risposta };

/**
 * The session of a request, or the answer when it has none. A page refreshing itself (header X-Richiesta:
 * aggiornamento) or an event stream (`flusso`) does not count as activity: an unattended screen must still reach
 * the idle limit. Without a valid session a page goes to the login (saying the session expired when a cookie was
 * there, and removing it); an event stream gets 401, since EventSource cannot follow a redirect to a form.
 */
export async function sessioneDi(req: IncomingMessage, archivio: Pick<ArchivioSessioni, 'valida'>, now: Date, o: { flusso: boolean }): Promise<EsitoSessione> {
  const cookie = leggiCookie(req).get(COOKIE_SESSIONE);
  const automatica = req.headers['x-richiesta'] === 'aggiornamento' || o.flusso;
  const s = cookie ? await archivio.valida(cookie, now, !automatica) : null;
  if (s) return { sessione: s };
  if (o.flusso) return { risposta: new Risposta(401, 'sessione non valida') };
  return { risposta: Risposta.redirect(cookie ? '/login?scaduta=1' : '/login', cookie ? { 'Set-Cookie': cookieSessione('', 0) } : {}) };
}
