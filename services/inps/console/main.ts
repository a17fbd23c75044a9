import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { identityOf } from '../../../shared/config/load';
import type { ApeError } from '../../../shared/errors';
import { PROJECT_ROOT } from '../../../shared/paths';
import { openDatabase } from '../../../shared/runtime/database';
import { runService } from '../../../shared/runtime/service';
import { closeServer, listen } from '../../../shared/soap/listen';
import { paginaErrore, type Contesto } from './pagine/layout';
import { leggiModulo, nuovaRichiesta, type Richiesta } from './richiesta';
import { Risposta, scriviErrore, scriviRisposta } from './risposta';
import { avviaAggiornamenti } from './aggiornamenti';
import { creaTraccia } from './traccia';
import { archivioSessioni, csrfSessioneValido, sessioneDi } from './sessione';
import { sessioneAperta, type Sessione } from './utenti';
import { gestoriLogin } from './login';
import { gestoriIstruttorie } from './istruttorie';
import { gestoreCruscotto } from './cruscotto';
import { gestoriSupervisione } from './supervisione';
import type { ChiamataOperatore } from './tabella-rotte';

/**
 * INPS case officers' web console over HTTPS: server-rendered pages on the INPS schema, local accounts with
 * server-side sessions, CSRF tokens on every POST, every view of citizen data traced in the access log with the
 * officer's id, supervisor pages, and live updates (server-sent events fed by PostgreSQL LISTEN/NOTIFY).
 */
const STATIC_DIR = path.join(PROJECT_ROOT, 'services', 'inps', 'console', 'static');

runService('inps-console', async (rt) => {
  const svc = rt.config.services.inpsConsole;
  if (!svc) throw new Error('services.inpsConsole is not configured: the federation runs without the web console');
  const identity = identityOf(rt.config, svc.identity);
  const { pool, registri, sospensioni } = await openDatabase(rt, svc.schema, ['messaging', 'inps']);
  const limiti = { inattivitaMinuti: svc.sessioneMinuti, massimaOre: svc.sessioneMassimaOre };
  const statici = new Map<string, { tipo: string; corpo: Buffer }>([
    ['/static/console.css', { tipo: 'text/css; charset=utf-8', corpo: readFileSync(path.join(STATIC_DIR, 'console.css')) }],
    ['/static/console.js', { tipo: 'text/javascript; charset=utf-8', corpo: readFileSync(path.join(STATIC_DIR, 'console.js')) }],
  ]);
  const sessioni = archivioSessioni(pool, limiti);

  const traccia = creaTraccia({ registri, clock: rt.clock, log: rt.log });

  const contesto = (r: Richiesta, s: Sessione): Contesto => ({ operatore: s.operatore, csrf: s.csrf, now: rt.clock.now(), percorso: r.url.pathname });

  const aggiornamenti = await avviaAggiornamenti({ pool, schema: svc.schema, log: rt.log, sessioneAperta: (idHash) => sessioneAperta(pool, idHash) });

  const login = gestoriLogin({ pool, clock: rt.clock, sessioni, sospensioni, traccia, log: rt.log });
  const istruttorie = gestoriIstruttorie({ pool, clock: rt.clock, traccia });
  const cruscotto = gestoreCruscotto({ pool, clock: rt.clock });
  const supervisione = gestoriSupervisione({ pool, clock: rt.clock, registri, sospensioni, traccia, log: rt.log });

  const gestisci = async (r: Richiesta, res: ServerResponse): Promise<Risposta | null> => {
    const { req, url } = r;
    const metodo = req.method ?? 'GET';
    const statico = statici.get(url.pathname);
    if (url.pathname === '/favicon.ico') return new Risposta(204, '');
    if (statico && metodo === 'GET') return new Risposta(200, statico.corpo.toString('utf8'), { 'Content-Type': statico.tipo, 'Cache-Control': 'no-cache' });
    if (url.pathname === '/login') {
      if (metodo === 'GET') return login.pagina({ r, res, parametri: {}, modulo: new URLSearchParams() });
      if (metodo === 'POST') return login.entra({ r, res, parametri: {}, modulo: await leggiModulo(req) });
      return new Risposta(405, 'metodo non ammesso', { Allow: 'GET, POST' });
    }
    const sessione = await sessioneDi(req, sessioni, rt.clock.now(), { flusso: url.pathname === '/eventi' });
    if (sessione.risposta) return sessione.risposta;
    const s = sessione.sessione;
    try {
      sospensioni.verifica('CONSOLE', s.operatore.id);
    } catch (err) {
      await traccia(r, s, `console:${metodo} ${url.pathname.split('/')[1] ?? ''}`, 'RIFIUTATA', { codiceErrore: (err as ApeError).code });
      return Risposta.pagina(paginaErrore(null, 'Operatore sospeso', "Il suo accesso è sospeso dal supervisore. Rivolgersi al Supervisore della convenzione."), 403);
    }
    let modulo: URLSearchParams | null = null;
    if (metodo === 'POST') {
      modulo = await leggiModulo(req);
      if (!csrfSessioneValido(s, modulo)) {
        await traccia(r, s, `console:POST ${url.pathname}`, 'RIFIUTATA', { codiceErrore: 'CSRF' });
        return Risposta.pagina(paginaErrore(contesto(r, s), 'Richiesta rifiutata', 'Il modulo non porta un token di sicurezza valido: ricaricare la pagina e riprovare.'), 403);
      }
    } else if (metodo !== 'GET') {
      return new Risposta(405, 'metodo non ammesso', { Allow: 'GET, POST' });
    }
    const c: ChiamataOperatore = { r, res, s, parametri: {}, modulo: modulo ?? new URLSearchParams(), contesto: () => contesto(r, s) };
    const p = url.pathname;
    if (metodo === 'GET') {
      if (p === '/' ) return Risposta.redirect('/istruttorie');
      if (p === '/istruttorie') return istruttorie.elenco(c);
      const m = /^\/istruttorie\/([^/]+)$/.exec(p);
      if (m) return istruttorie.dettaglio({ ...c, parametri: { id: m[1]! } });
      if (p === '/cruscotto') return cruscotto(c);
      if (p === '/eventi') {
        aggiornamenti.apri(req, res, s);
        return null;
      }
    }
    if (metodo === 'POST' && p === '/logout') return login.esci(c);
    if (p.startsWith('/supervisione/')) {
      if (s.operatore.ruolo !== 'supervisor' && s.operatore.ruolo !== 'admin') {
        await traccia(r, s, `console:${p}`, 'RIFIUTATA', { codiceErrore: 'RUOLO_NON_AUTORIZZATO' });
        return Risposta.pagina(paginaErrore(contesto(r, s), 'Accesso negato', 'Questa pagina è riservata ai supervisori.'), 403);
      }
      if (metodo === 'GET' && p === '/supervisione/accessi') return supervisione.accessi(c);
      if (metodo === 'GET' && p === '/supervisione/allerte') return supervisione.allerte(c);
      if (metodo === 'GET' && p === '/supervisione/operatori') return supervisione.operatori(c);
      const a = /^\/supervisione\/allerte\/(\d{1,15})\/presa-in-carico$/.exec(p);
      if (metodo === 'POST' && a) return supervisione.presaInCarico({ ...c, parametri: { allerta: a[1]! } });
      if (metodo === 'POST' && p === '/supervisione/sospendi') return supervisione.sospendi(c);
      if (metodo === 'POST' && p === '/supervisione/riattiva') return supervisione.riattiva(c);
    }
    return Risposta.pagina(paginaErrore(contesto(r, s), 'Pagina non trovata', 'La pagina richiesta non esiste.'), 404);
  };

  const server = https.createServer({ key: readFileSync(identity.keyFile), cert: readFileSync(identity.certFile) }, (req, res) => {
    const r = nuovaRichiesta(req, svc.publicUrl);
    gestisci(r, res)
      .then((out) => {
        if (out !== null) scriviRisposta(res, out);
      })
      .catch((err: unknown) => scriviErrore(res, err, r, rt.log));
  });
  await listen(server, svc.listen);
  rt.onShutdown(async () => {
    aggiornamenti.chiudi();
    await closeServer(server);
  });
  rt.observability.readiness('https', () => server.listening || Promise.reject(new Error(`console ${svc.publicUrl} non in ascolto`)));
  // Without its LISTEN connection the console still serves pages, but they no longer update by themselves.
  rt.observability.readiness('aggiornamenti', () => aggiornamenti.inAscolto() || Promise.reject(new Error('connessione LISTEN per gli aggiornamenti in tempo reale assente')));
  rt.ready({ url: svc.publicUrl });
});
