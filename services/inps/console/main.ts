import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { DateTime } from 'luxon';
import { identityOf } from '../../../shared/config/load';
import { ApeError, toError } from '../../../shared/errors';
import { PROJECT_ROOT } from '../../../shared/paths';
import { openDatabase } from '../../../shared/runtime/database';
import { runService } from '../../../shared/runtime/service';
import { closeServer, listen } from '../../../shared/soap/listen';
import { caricaVista } from '../core/vista';
import { riattiva, sospendi } from '../../../shared/audit/sospensioni';
import { cercaAccessi, elencoAllerte, prendiInCarico, sospensioniAttive } from '../../../shared/audit/supervisione';
import { inizioGiornoRoma } from '../../../shared/domain/scadenze';
import type { Riferimenti } from '../../../shared/audit/registri';
import { FiltroNonValido, leggiFiltro, type FiltroIstruttorie } from './filtri';
import { contenutiPacchetti, elencoIstruttorie, operatoriConSospensione, statistichePerParte, volumiPerGiorno } from './dati';
import { paginaCruscotto } from './pagine/cruscotto';
import { paginaElenco, paginaIstruttoria } from './pagine/istruttorie';
import { paginaErrore, type Contesto } from './pagine/layout';
import { paginaLogin } from './pagine/login';
import { paginaAccessi, paginaAllerte, paginaOperatori } from './pagine/supervisione';
import { leggiModulo, nuovaRichiesta, type Richiesta } from './richiesta';
import { Risposta, scriviErrore, scriviRisposta } from './risposta';
import { avviaAggiornamenti } from './aggiornamenti';
import { creaTraccia } from './traccia';
import { archivioSessioni, cookieLogin, cookieSessione, COOKIE_LOGIN_RIMOSSO, csrfLoginValido, csrfSessioneValido, sessioneDi, tokenLogin } from './sessione';
import { autentica, sessioneAperta, type Sessione } from './utenti';

/**
 * INPS case officers' web console over HTTPS: server-rendered pages on the INPS schema, local accounts with
 * server-side sessions, CSRF tokens on every POST, every view of citizen data traced in the access log with the
 * officer's id, supervisor pages, and live updates (server-sent events fed by PostgreSQL LISTEN/NOTIFY).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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

  // --- Pages.
  const elenco = async (r: Richiesta, s: Sessione): Promise<Risposta> => {
    let f: FiltroIstruttorie = {};
    let errore: string | null = null;
    try {
      f = leggiFiltro(r.url.searchParams);
    } catch (err) {
      if (!(err instanceof FiltroNonValido)) throw err;
      errore = err.message;
    }
    const { righe, altre } = errore ? { righe: [], altre: false } : await elencoIstruttorie(pool, f, rt.clock.now());
    // The citizen searched for goes to the log as a pseudonym; other searched text only when it is an identifier
    // (it has digits and no spaces), never free text that might be a name.
    const cf = f.cerca && /^[A-Z0-9]{16}$/i.test(f.cerca) ? f.cerca.toUpperCase() : undefined;
    const identificativo = f.cerca && !cf && /\d/.test(f.cerca) && /^[\w.\-/]{1,100}$/.test(f.cerca) ? f.cerca : undefined;
    await traccia(r, s, 'console:elenco', 'ACCETTATA', { riferimenti: { ...(identificativo && { protocollo: identificativo }) }, ...(cf && { codiceFiscale: cf }) });
    return Risposta.pagina(paginaElenco(contesto(r, s), f, righe, altre, errore), errore ? 400 : 200);
  };

  const istruttoria = async (r: Richiesta, s: Sessione, id: string): Promise<Risposta> => {
    if (!UUID.test(id)) return Risposta.pagina(paginaErrore(contesto(r, s), 'Istruttoria non trovata', 'Identificativo non valido.'), 404);
    let vista;
    try {
      vista = await caricaVista(pool, { idIstruttoria: id });
    } catch (err) {
      if (err instanceof ApeError && err.code === 'ISTRUTTORIA_NON_TROVATA') {
        await traccia(r, s, 'console:istruttoria', 'RIFIUTATA', { riferimenti: { idIstruttoria: id }, codiceErrore: err.code });
        return Risposta.pagina(paginaErrore(contesto(r, s), 'Istruttoria non trovata', `Nessuna istruttoria ${id}.`), 404);
      }
      throw err;
    }
    const contenuti = await contenutiPacchetti(pool, id);
    await traccia(r, s, 'console:istruttoria', 'ACCETTATA', { riferimenti: { idIstruttoria: id, protocollo: vista.protocolloDomanda }, codiceFiscale: vista.codiceFiscaleRichiedente });
    return Risposta.pagina(paginaIstruttoria(contesto(r, s), vista, contenuti));
  };

  const cruscotto = async (r: Richiesta, s: Sessione): Promise<Risposta> => {
    const now = rt.clock.now();
    const [parti, volumi] = await Promise.all([statistichePerParte(pool, now), volumiPerGiorno(pool, now)]);
    return Risposta.pagina(paginaCruscotto(contesto(r, s), parti, volumi));
  };

  const accessi = async (r: Richiesta, s: Sessione): Promise<Risposta> => {
    const p = r.url.searchParams;
    const q = { operatore: (p.get('operatore') ?? '').trim(), cf: (p.get('cf') ?? '').trim().toUpperCase(), parte: (p.get('parte') ?? '').trim().toUpperCase(), dal: p.get('dal') ?? '', al: p.get('al') ?? '' };
    if (!q.operatore && !q.cf && !q.parte && !q.dal) return Risposta.pagina(paginaAccessi(contesto(r, s), q, null, null));
    const giorno = (v: string) => {
      if (v === '') return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !DateTime.fromISO(v).isValid) throw new FiltroNonValido(`data non valida: ${v}`);
      return inizioGiornoRoma(v);
    };
    try {
      const dal = giorno(q.dal);
      const al = giorno(q.al);
      const risultato = await cercaAccessi(pool, {
        ...(q.operatore && { operatore: q.operatore }),
        ...(q.cf && { interessato: registri.pseudonimo(q.cf) }),
        ...(q.parte && { identita: q.parte }),
        ...(dal && { dal }),
        ...(al && { al: new Date(al.getTime() + 86_400_000) }),
        limite: 200,
      });
      await traccia(r, s, 'console:supervisione-accessi', 'ACCETTATA', { riferimenti: { ...(q.operatore && { operatore: q.operatore }), ...(q.parte && { parte: q.parte }) } as Riferimenti, ...(q.cf && { codiceFiscale: q.cf }) });
      return Risposta.pagina(paginaAccessi(contesto(r, s), q, risultato, null));
    } catch (err) {
      if (err instanceof FiltroNonValido || (err instanceof ApeError && err.code === 'DATI_INCOERENTI')) return Risposta.pagina(paginaAccessi(contesto(r, s), q, null, err.message), 400);
      throw err;
    }
  };

  const allerte = async (r: Richiesta, s: Sessione, messaggio: string | null = null): Promise<Risposta> => {
    const lista = await elencoAllerte(pool, r.url.searchParams.get('tutte') === '1');
    await traccia(r, s, 'console:supervisione-allerte', 'ACCETTATA');
    return Risposta.pagina(paginaAllerte(contesto(r, s), lista, messaggio));
  };

  const operatori = async (r: Richiesta, s: Sessione, messaggio: string | null = null, errore: string | null = null): Promise<Risposta> => {
    const [account, attive] = await Promise.all([operatoriConSospensione(pool), sospensioniAttive(pool)]);
    const altre = attive.filter((x) => x.tipo === 'OPERATORE' && !account.some((o) => o.id === x.soggetto));
    return Risposta.pagina(paginaOperatori(contesto(r, s), account, altre, messaggio, errore), errore ? 400 : 200);
  };

  /** A supervisor's action: done, audited, and the page shown again with the outcome. */
  const azione = async (r: Richiesta, s: Sessione, operazione: string, riferimenti: Record<string, string>, fn: () => Promise<void>, dopo: (msg: string | null, err: string | null) => Promise<Risposta>, fatto: string): Promise<Risposta> => {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof ApeError && err.code === 'DATI_INCOERENTI')) throw err;
      await traccia(r, s, operazione, 'RIFIUTATA', { riferimenti: riferimenti as Riferimenti, codiceErrore: err.code });
      return dopo(null, err.message);
    }
    await traccia(r, s, operazione, 'ACCETTATA', { riferimenti: riferimenti as Riferimenti });
    rt.log.info({ operazione, supervisore: s.operatore.id, ...riferimenti, requestId: r.requestId }, 'supervisor action');
    return dopo(fatto, null);
  };

  // --- Login and session.
  const mostraLogin = (r: Richiesta, errore: string | null, id = '', status = 200): Risposta => {
    const token = tokenLogin(r.req);
    return new Risposta(status, paginaLogin(errore, id, token), { 'Set-Cookie': cookieLogin(token) });
  };

  const login = async (r: Richiesta, modulo: URLSearchParams): Promise<Risposta> => {
    if (!csrfLoginValido(r.req, modulo)) return mostraLogin(r, 'Sessione del modulo scaduta: riprovare.', '', 403);
    const id = (modulo.get('utente') ?? '').trim();
    const password = modulo.get('password') ?? '';
    if (id === '' || password === '' || id.length > 64 || password.length > 256) return mostraLogin(r, 'Indicare identificativo e password.', id.slice(0, 64), 400);
    const now = rt.clock.now();
    const esito = await autentica(pool, id, password, now);
    if (esito.ok) {
      try {
        sospensioni.verifica('CONSOLE', esito.operatore.id);
      } catch (err) {
        await traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: id, codiceErrore: (err as ApeError).code });
        return mostraLogin(r, 'Accesso sospeso dal supervisore.', id, 403);
      }
      const idSessione = await sessioni.apri(esito.operatore.id, r.ip, now);
      await traccia(r, null, 'console:login', 'ACCETTATA', { operatoreId: esito.operatore.id });
      rt.log.info({ operatore: esito.operatore.id, requestId: r.requestId }, 'console login');
      return Risposta.redirect('/istruttorie', { 'Set-Cookie': [cookieSessione(idSessione), COOKIE_LOGIN_RIMOSSO] });
    }
    await traccia(r, null, 'console:login', 'RIFIUTATA', { operatoreId: id, codiceErrore: `LOGIN_${esito.motivo}` });
    rt.log.info({ motivo: esito.motivo, requestId: r.requestId }, 'console login refused');
    const msg = esito.motivo === 'BLOCCATO' ? 'Troppi tentativi falliti: account temporaneamente bloccato. Riprovare più tardi.' : 'Identificativo o password non validi.';
    return mostraLogin(r, msg, id, 401);
  };

  const gestisci = async (r: Richiesta, res: ServerResponse): Promise<Risposta | null> => {
    const { req, url } = r;
    const metodo = req.method ?? 'GET';
    const statico = statici.get(url.pathname);
    if (url.pathname === '/favicon.ico') return new Risposta(204, '');
    if (statico && metodo === 'GET') return new Risposta(200, statico.corpo.toString('utf8'), { 'Content-Type': statico.tipo, 'Cache-Control': 'no-cache' });
    if (url.pathname === '/login') {
      if (metodo === 'GET') return mostraLogin(r, url.searchParams.get('scaduta') ? 'Sessione scaduta: accedere di nuovo.' : null);
      if (metodo === 'POST') return login(r, await leggiModulo(req));
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
    const p = url.pathname;
    if (metodo === 'GET') {
      if (p === '/' ) return Risposta.redirect('/istruttorie');
      if (p === '/istruttorie') return elenco(r, s);
      const m = /^\/istruttorie\/([^/]+)$/.exec(p);
      if (m) return istruttoria(r, s, m[1]!);
      if (p === '/cruscotto') return cruscotto(r, s);
      if (p === '/eventi') {
        aggiornamenti.apri(req, res, s);
        return null;
      }
    }
    if (metodo === 'POST' && p === '/logout') {
      await sessioni.chiudi(s, rt.clock.now());
      await traccia(r, s, 'console:logout', 'ACCETTATA');
      return Risposta.redirect('/login', { 'Set-Cookie': cookieSessione('', 0) });
    }
    if (p.startsWith('/supervisione/')) {
      if (s.operatore.ruolo !== 'supervisor' && s.operatore.ruolo !== 'admin') {
        await traccia(r, s, `console:${p}`, 'RIFIUTATA', { codiceErrore: 'RUOLO_NON_AUTORIZZATO' });
        return Risposta.pagina(paginaErrore(contesto(r, s), 'Accesso negato', 'Questa pagina è riservata ai supervisori.'), 403);
      }
      if (metodo === 'GET' && p === '/supervisione/accessi') return accessi(r, s);
      if (metodo === 'GET' && p === '/supervisione/allerte') return allerte(r, s);
      if (metodo === 'GET' && p === '/supervisione/operatori') return operatori(r, s);
      const a = /^\/supervisione\/allerte\/(\d{1,15})\/presa-in-carico$/.exec(p);
      if (metodo === 'POST' && a) {
        const id = a[1]!;
        return azione(r, s, 'console:presa-in-carico', { allerta: id }, () => prendiInCarico(pool, Number(id), s.operatore.id, rt.clock.now()), (msg, err) => allerte(r, s, msg ?? err), `Allerta ${id} presa in carico.`);
      }
      if (metodo === 'POST' && (p === '/supervisione/sospendi' || p === '/supervisione/riattiva')) {
        const op = (modulo!.get('operatore') ?? '').trim();
        if (op === '' || op === s.operatore.id || op.length > 64) return operatori(r, s, null, 'Indicare un altro operatore.');
        const sospensione = p === '/supervisione/sospendi';
        return azione(
          r, s, sospensione ? 'console:sospendi' : 'console:riattiva', { operatore: op },
          async () => {
            if (sospensione) await sospendi(pool, { tipo: 'OPERATORE', soggetto: op, motivo: modulo!.get('motivo') ?? '', autore: s.operatore.id }, rt.clock.now());
            else await riattiva(pool, { tipo: 'OPERATORE', soggetto: op, autore: s.operatore.id }, rt.clock.now());
            // Effective at once in this process (the NOTIFY reaches the other services).
            await sospensioni.refresh();
          },
          (msg, err) => operatori(r, s, msg, err),
          sospensione ? `Operatore ${op} sospeso.` : `Operatore ${op} riattivato.`,
        );
      }
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
