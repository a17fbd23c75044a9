import { leggiCookie } from '../../services/inps/console/richiesta';
import {
  cookieLogin,
  cookieSessione,
  COOKIE_LOGIN_RIMOSSO,
  csrfLoginValido,
  csrfSessioneValido,
  sessioneDi,
  tokenLogin,
} from '../../services/inps/console/sessione';
import { nuovoToken } from '../../services/inps/console/sicurezza';
import type { Sessione } from '../../services/inps/console/utenti';
import { richiesta, sessioneDi as sessioneProva } from '../support/richiesta-console';

const now = new Date('2026-03-02T08:00:00Z');

/** Session rows in memory: one valid session id, and the calls made. */
function archivio(valide: Record<string, Sessione> = {}) {
  const chiamate: Array<{ id: string; now: Date; attivita: boolean }> = [];
  return {
    chiamate,
    valida: async (id: string, n: Date, attivita: boolean) => {
      chiamate.push({ id, now: n, attivita });
      return valide[id] ?? null;
    },
  };
}

describe('console session cookies', () => {
  it('are HttpOnly, Secure, SameSite=Strict and site-wide; an empty one with Max-Age 0 removes them', () => {
    expect(cookieSessione('abc')).toBe('__Host-ape-console=abc; Path=/; HttpOnly; Secure; SameSite=Strict');
    expect(cookieSessione('', 0)).toBe('__Host-ape-console=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0');
    expect(cookieLogin('tok')).toBe('__Host-ape-login=tok; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600');
    expect(COOKIE_LOGIN_RIMOSSO).toBe('__Host-ape-login=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0');
  });

  it('are read by name from the Cookie header', () => {
    const { r } = richiesta('GET', '/', { headers: { Cookie: 'a=1; __Host-ape-console=xyz ;b=c=d; vuoto' } });
    const c = leggiCookie(r.req);
    expect(c.get('__Host-ape-console')).toBe('xyz');
    expect(c.get('b')).toBe('c=d');
    expect(c.has('vuoto')).toBe(false);
  });
});

describe('the login form token (double submit)', () => {
  it('keeps the browser’s well-formed token, so two login tabs do not invalidate each other, and replaces a malformed one', () => {
    const proprio = nuovoToken();
    expect(tokenLogin(richiesta('GET', '/login', { headers: { Cookie: `__Host-ape-login=${proprio}` } }).r.req)).toBe(proprio);
    const nuovo = tokenLogin(richiesta('GET', '/login', { headers: { Cookie: '__Host-ape-login=corto' } }).r.req);
    expect(nuovo).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nuovo).not.toBe('corto');
    expect(tokenLogin(richiesta('GET', '/login').r.req)).not.toBe(nuovo);
  });

  it('is valid only when the form carries the same token as the pre-session cookie', () => {
    const t = nuovoToken();
    const conCookie = richiesta('POST', '/login', { headers: { Cookie: `__Host-ape-login=${t}` } }).r.req;
    expect(csrfLoginValido(conCookie, new URLSearchParams({ _csrf: t }))).toBe(true);
    expect(csrfLoginValido(conCookie, new URLSearchParams({ _csrf: nuovoToken() }))).toBe(false);
    expect(csrfLoginValido(conCookie, new URLSearchParams())).toBe(false);
    // Without the cookie even an empty token is refused: another site cannot log a browser in.
    expect(csrfLoginValido(richiesta('POST', '/login').r.req, new URLSearchParams({ _csrf: '' }))).toBe(false);
    expect(csrfLoginValido(richiesta('POST', '/login').r.req, new URLSearchParams({ _csrf: t }))).toBe(false);
  });
});

describe('the session token on POSTs (synchronizer token)', () => {
  it('must equal the session’s', () => {
    const s = sessioneProva('officer');
    expect(csrfSessioneValido(s, new URLSearchParams({ _csrf: s.csrf }))).toBe(true);
    expect(csrfSessioneValido(s, new URLSearchParams({ _csrf: `${s.csrf}x` }))).toBe(false);
    expect(csrfSessioneValido(s, new URLSearchParams({ operatore: 'x' }))).toBe(false);
  });
});

describe('the session of a request', () => {
  const s = sessioneProva('officer');

  it('is the cookie’s, and using it is activity', async () => {
    const a = archivio({ 'id-valido': s });
    const esito = await sessioneDi(richiesta('GET', '/istruttorie', { headers: { Cookie: '__Host-ape-console=id-valido' } }).r.req, a, now, { flusso: false });
    expect(esito).toEqual({ sessione: s });
    expect(a.chiamate).toEqual([{ id: 'id-valido', now, attivita: true }]);
  });

  it('is not made active by a page refreshing itself or by an event stream', async () => {
    const a = archivio({ 'id-valido': s });
    await sessioneDi(richiesta('GET', '/istruttorie', { headers: { Cookie: '__Host-ape-console=id-valido', 'X-Richiesta': 'aggiornamento' } }).r.req, a, now, { flusso: false });
    await sessioneDi(richiesta('GET', '/eventi', { headers: { Cookie: '__Host-ape-console=id-valido' } }).r.req, a, now, { flusso: true });
    expect(a.chiamate.map((c) => c.attivita)).toEqual([false, false]);
  });

  it('without a cookie: the login page, nothing looked up', async () => {
    const a = archivio();
    const esito = await sessioneDi(richiesta('GET', '/istruttorie').r.req, a, now, { flusso: false });
    expect(esito.risposta).toMatchObject({ status: 303, headers: { Location: '/login' } });
    expect(esito.risposta?.headers['Set-Cookie']).toBeUndefined();
    expect(a.chiamate).toEqual([]);
  });

  it('with a cookie no longer valid: the login page saying so, and the cookie removed', async () => {
    const esito = await sessioneDi(richiesta('GET', '/istruttorie', { headers: { Cookie: '__Host-ape-console=scaduto' } }).r.req, archivio(), now, { flusso: false });
    expect(esito.risposta).toMatchObject({ status: 303, headers: { Location: '/login?scaduta=1', 'Set-Cookie': cookieSessione('', 0) } });
  });

  it('for an event stream: 401, which EventSource can act on (it cannot follow a redirect to a form)', async () => {
    for (const headers of [{}, { Cookie: '__Host-ape-console=scaduto' }] as Array<Record<string, string>>) {
      const esito = await sessioneDi(richiesta('GET', '/eventi', { headers }).r.req, archivio(), now, { flusso: true });
      expect(esito.risposta).toMatchObject({ status: 401, body: 'sessione non valida' });
    }
  });
});
