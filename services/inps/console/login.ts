import { createHash } from 'node:crypto';
import { ID_OPERATORE } from '../../../shared/domain/types';
import type { Clock } from '../../../shared/clock';
import type { CacheSospensioni } from '../../../shared/audit/sospensioni';
import type { Logger } from '../../../shared/log';
import type { Pool } from 'pg';
import { paginaLogin } from './pagine/login';
import type { Richiesta } from './richiesta';
import { Risposta } from './risposta';
import { cookieLogin, cookieSessione, COOKIE_LOGIN_RIMOSSO, csrfLoginValido, tokenLogin, type ArchivioSessioni } from './sessione';
import type { Chiamata, ChiamataOperatore } from './tabella-rotte';
import { codiceDi, type Traccia } from './traccia';
import { autentica } from './utenti';
import { cookieDispositivo, dispositivoNoto, registraDispositivo } from './dispositivi';
import { LimitiLogin, type RegoleLimiti } from './limiti-login';

/**
 * The one answer to every failed login (wrong password, unknown or disabled account, too many attempts): it tells
 * nobody which accounts exist or which are being throttled.
 */
export const MESSAGGIO_FALLIMENTO = 'Accesso non riuscito: identificativo o password non validi. Dopo ripetuti tentativi falliti occorre attendere prima di riprovare.';

/** Login and logout: the login form, its check (CSRF, credentials, lockout, suspension), the session opened and closed. */
export function gestoriLogin(d: {
  pool: Pool;
  clock: Clock;
  sessioni: Pick<ArchivioSessioni, 'apri' | 'chiudi'>;
  sospensioni: Pick<CacheSospensioni, 'verifica'>;
  traccia: Traccia;
  log: Logger;
  regoleLogin?: RegoleLimiti | undefined;
}) {
  const limiti = new LimitiLogin(d.clock, d.regoleLogin);
  const mostra = (r: Richiesta, errore: string | null, id = '', status = 200): Risposta => {
    const token = tokenLogin(r.req);
    return new Risposta(status, paginaLogin(errore, id, token), { 'Set-Cookie': cookieLogin(token) });
  };

  return {
    pagina: async ({ r }: Chiamata): Promise<Risposta> => mostra(r, r.url.searchParams.get('scaduta') ? 'Sessione scaduta: accedere di nuovo.' : null),

    entra: async ({ r, modulo }: Chiamata): Promise<Risposta> => {
      if (!csrfLoginValido(r.req, modulo)) return mostra(r, 'Sessione del modulo scaduta: riprovare.', '', 403);
      const id = (modulo.get('utente') ?? '').trim();
      const password = modulo.get('password') ?? '';
      if (id === '' || password === '' || id.length > 64 || password.length > 256) return mostra(r, 'Indicare identificativo e password.', id.slice(0, 64), 400);
      const now = d.clock.now();
      const tentativo = { ip: r.ip, account: id, dispositivo: await dispositivoNoto(d.pool, r.req, id, now) };
      // Throttled before any hashing, and answered at once: a flood costs a map lookup, not a password check.
      const ammesso = limiti.ammetti(tentativo);
      if (!ammesso.ammesso) {
        if (limiti.daTracciare(r.ip)) await d.traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: idTracciabile(id), codiceErrore: `LOGIN_LIMITATO_${ammesso.motivo}` });
        return mostra(r, MESSAGGIO_FALLIMENTO, id, 401);
      }
      let esito;
      try {
        esito = await autentica(d.pool, id, password, now);
      } finally {
        ammesso.libera();
      }
      if (esito.ok) {
        limiti.riuscito(tentativo);
        try {
          d.sospensioni.verifica('CONSOLE', esito.operatore.id);
        } catch (err) {
          await d.traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: idTracciabile(id), codiceErrore: codiceDi(err) });
          return mostra(r, 'Accesso sospeso dal supervisore.', id, 403);
        }
        const [idSessione, dispositivo] = await Promise.all([
          d.sessioni.apri(esito.operatore.id, r.ip, now),
          registraDispositivo(d.pool, esito.operatore.id, tentativo.dispositivo, now),
          d.traccia(r, null, 'console:login', 'ACCETTATA', { operatoreId: esito.operatore.id }),
        ]);
        d.log.info({ operatore: esito.operatore.id, requestId: r.requestId }, 'console login');
        return Risposta.redirect('/istruttorie', { 'Set-Cookie': [cookieSessione(idSessione), COOKIE_LOGIN_RIMOSSO, ...(dispositivo ? [cookieDispositivo(dispositivo)] : [])] });
      }
      limiti.fallito(tentativo);
      await d.traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: idTracciabile(id), codiceErrore: `LOGIN_${esito.motivo}` });
      d.log.info({ motivo: esito.motivo, requestId: r.requestId }, 'console login refused');
      return mostra(r, MESSAGGIO_FALLIMENTO, id, 401);
    },

    esci: async ({ r, s }: ChiamataOperatore): Promise<Risposta> => {
      await d.sessioni.chiudi(s, d.clock.now());
      await d.traccia(r, s, 'console:logout', 'ACCETTATA');
      return Risposta.redirect('/login', { 'Set-Cookie': cookieSessione('', 0) });
    },
  };
}

const FORMATO_ID_OPERATORE = new RegExp(ID_OPERATORE);

/**
 * What the access log keeps of an identifier typed at login: as typed when it is one (the contract's IdOperatore
 * pattern), else a digest: the field is free text, and what lands there may be a password typed in the wrong box, or
 * a formula aimed at whoever exports the log.
 */
export function idTracciabile(id: string): string {
  return FORMATO_ID_OPERATORE.test(id) ? id : `non-valido:${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
