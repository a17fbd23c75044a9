import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheSospensioni } from '../../../shared/audit/sospensioni';
import type { Clock } from '../../../shared/clock';
import type { Logger } from '../../../shared/log';
import { paginaErrore, type Contesto } from './pagine/layout';
import { leggiModulo, nuovaRichiesta, type Richiesta } from './richiesta';
import { Risposta, scriviErrore, scriviRisposta } from './risposta';
import { csrfSessioneValido, sessioneDi, type ArchivioSessioni } from './sessione';
import type { Metodo, TabellaRotte } from './tabella-rotte';
import { codiceDi, type Traccia } from './traccia';

/** The only methods the console serves; any other is refused (405) once the operator is known. */
const METODI: readonly Metodo[] = ['GET', 'POST'];

export interface DipendenzeInstradamento {
  tabella: TabellaRotte;
  statici: (r: Richiesta) => Risposta | null;
  sessioni: Pick<ArchivioSessioni, 'valida'>;
  sospensioni: Pick<CacheSospensioni, 'verifica'>;
  traccia: Traccia;
  clock: Clock;
}

export type Instrada = (r: Richiesta, res: ServerResponse) => Promise<Risposta | null>;

/**
 * A request's way through the console, stage by stage:
 * static files → public routes (login) → session → suspension → method and CSRF token → role → the route's handler,
 * or "page not found". Each refusal after the session is traced with the operator's id.
 */
export function creaInstradamento(d: DipendenzeInstradamento): Instrada {
  return async (r, res) => {
    const { req, url } = r;
    const metodo = req.method ?? 'GET';
    const statico = d.statici(r);
    if (statico) return statico;

    const t = d.tabella.trova(metodo, url.pathname);
    if (t.rotta?.pubblica) {
      const modulo = metodo === 'POST' ? await leggiModulo(req) : new URLSearchParams();
      return t.rotta.gestore({ r, res, parametri: t.parametri, modulo });
    }
    if (t.pubblico) return new Risposta(405, 'metodo non ammesso', { Allow: t.ammessi.join(', ') });

    const sessione = await sessioneDi(req, d.sessioni, d.clock.now(), { flusso: t.alPercorso.some((x) => !x.pubblica && x.flusso === true) });
    if (sessione.risposta) return sessione.risposta;
    const s = sessione.sessione;
    const contesto = (): Contesto => ({ operatore: s.operatore, csrf: s.csrf, now: d.clock.now(), percorso: url.pathname });

    try {
      d.sospensioni.verifica('CONSOLE', s.operatore.id);
    } catch (err) {
      await d.traccia(r, s, `console:${metodo} ${url.pathname.split('/')[1] ?? ''}`, 'RIFIUTATA', { codiceErrore: codiceDi(err) });
      return Risposta.pagina(paginaErrore(null, 'Operatore sospeso', "Il suo accesso è sospeso dal supervisore. Rivolgersi al Supervisore della convenzione."), 403);
    }

    let modulo = new URLSearchParams();
    if (metodo === 'POST') {
      modulo = await leggiModulo(req);
      if (!csrfSessioneValido(s, modulo)) {
        await d.traccia(r, s, `console:POST ${url.pathname}`, 'RIFIUTATA', { codiceErrore: 'CSRF' });
        return Risposta.pagina(paginaErrore(contesto(), 'Richiesta rifiutata', 'Il modulo non porta un token di sicurezza valido: ricaricare la pagina e riprovare.'), 403);
      }
    } else if (!(METODI as readonly string[]).includes(metodo)) {
      return new Risposta(405, 'metodo non ammesso', { Allow: METODI.join(', ') });
    }

    if (t.ruoli && !t.ruoli.includes(s.operatore.ruolo)) {
      await d.traccia(r, s, `console:${url.pathname}`, 'RIFIUTATA', { codiceErrore: 'RUOLO_NON_AUTORIZZATO' });
      return Risposta.pagina(paginaErrore(contesto(), 'Accesso negato', t.area?.rifiuto ?? 'Questa pagina non è prevista per il suo ruolo.'), 403);
    }

    // A path known only for another method is, for that method, a page that does not exist.
    if (t.rotta) return t.rotta.gestore({ r, res, s, parametri: t.parametri, modulo, contesto });
    return Risposta.pagina(paginaErrore(contesto(), 'Pagina non trovata', 'La pagina richiesta non esiste.'), 404);
  };
}

/** The HTTPS server's request listener: each request through the stages, then its answer or its error written. */
export function serviRichieste(instrada: Instrada, o: { publicUrl: string; log: Logger }): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const r = nuovaRichiesta(req, o.publicUrl);
    instrada(r, res)
      .then((out) => {
        if (out !== null) scriviRisposta(res, out);
      })
      .catch((err: unknown) => scriviErrore(res, err, r, o.log));
  };
}
