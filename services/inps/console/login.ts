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

/** Login and logout: the login form, its check (CSRF, credentials, lockout, suspension), the session opened and closed. */
export function gestoriLogin(d: {
  pool: Pool;
  clock: Clock;
  sessioni: Pick<ArchivioSessioni, 'apri' | 'chiudi'>;
  sospensioni: Pick<CacheSospensioni, 'verifica'>;
  traccia: Traccia;
  log: Logger;
}) {
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
      const esito = await autentica(d.pool, id, password, now);
      if (esito.ok) {
        try {
          d.sospensioni.verifica('CONSOLE', esito.operatore.id);
        } catch (err) {
          await d.traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: id, codiceErrore: codiceDi(err) });
          return mostra(r, 'Accesso sospeso dal supervisore.', id, 403);
        }
        const idSessione = await d.sessioni.apri(esito.operatore.id, r.ip, now);
        await d.traccia(r, null, 'console:login', 'ACCETTATA', { operatoreId: esito.operatore.id });
        d.log.info({ operatore: esito.operatore.id, requestId: r.requestId }, 'console login');
        return Risposta.redirect('/istruttorie', { 'Set-Cookie': [cookieSessione(idSessione), COOKIE_LOGIN_RIMOSSO] });
      }
      await d.traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: id, codiceErrore: `LOGIN_${esito.motivo}` });
      d.log.info({ motivo: esito.motivo, requestId: r.requestId }, 'console login refused');
      const msg = esito.motivo === 'BLOCCATO' ? 'Troppi tentativi falliti: account temporaneamente bloccato. Riprovare più tardi.' : 'Identificativo o password non validi.';
      return mostra(r, msg, id, 401);
    },

    esci: async ({ r, s }: ChiamataOperatore): Promise<Risposta> => {
      await d.sessioni.chiudi(s, d.clock.now());
      await d.traccia(r, s, 'console:logout', 'ACCETTATA');
      return Risposta.redirect('/login', { 'Set-Cookie': cookieSessione('', 0) });
    },
  };
}
