import { ManualClock } from '../../shared/clock';
import { ApeError } from '../../shared/errors';
import { creaInstradamento } from '../../services/inps/console/instradamento';
import { Risposta } from '../../services/inps/console/risposta';
import { AREE, rotteConsole, type DipendenzeRotte } from '../../services/inps/console/rotte';
import { risorseStatiche } from '../../services/inps/console/statici';
import { TabellaRotte, type Chiamata, type ChiamataOperatore } from '../../services/inps/console/tabella-rotte';
import type { OpzioniTraccia, Traccia } from '../../services/inps/console/traccia';
import { RUOLI, RUOLI_SUPERVISIONE, type Sessione } from '../../services/inps/console/utenti';
import { modulo, richiesta, sessioneDi } from '../support/richiesta-console';

/**
 * The console's request stages with everything around them in memory: sessions by cookie, suspensions, the access
 * records written, and handlers that only note they were called.
 */
const now = new Date('2026-03-02T08:00:00Z');
const SESSIONI: Record<string, Sessione> = { officer: sessioneDi('officer'), supervisor: sessioneDi('supervisor'), admin: sessioneDi('admin') };

function banco(tabella?: TabellaRotte) {
  const chiamate: Array<{ nome: string; c: Chiamata | ChiamataOperatore }> = [];
  const tracce: Array<{ operazione: string; esito: string; operatore: string | undefined } & OpzioniTraccia> = [];
  const sospesi = new Set<string>();
  const gestore = (nome: string) => async (c: Chiamata) => {
    chiamate.push({ nome, c });
    return new Risposta(200, nome);
  };
  const traccia: Traccia = async (_r, s, operazione, esito, o = {}) => {
    tracce.push({ operazione, esito, operatore: s?.operatore.id, ...o });
  };
  const instrada = creaInstradamento({
    tabella:
      tabella ??
      new TabellaRotte(
        [
          { metodo: 'GET', percorso: '/login', pubblica: true, gestore: gestore('login') },
          { metodo: 'POST', percorso: '/login', pubblica: true, gestore: gestore('entra') },
          { metodo: 'POST', percorso: '/logout', ruoli: RUOLI, gestore: gestore('esci') },
          { metodo: 'GET', percorso: '/istruttorie', ruoli: RUOLI, gestore: gestore('elenco') },
          { metodo: 'GET', percorso: '/istruttorie/:id', ruoli: RUOLI, gestore: gestore('dettaglio') },
          { metodo: 'GET', percorso: '/eventi', ruoli: RUOLI, flusso: true, gestore: gestore('eventi') },
          { metodo: 'GET', percorso: '/supervisione/allerte', ruoli: RUOLI_SUPERVISIONE, gestore: gestore('allerte') },
          { metodo: 'POST', percorso: '/supervisione/solo-admin', ruoli: ['admin'], gestore: gestore('solo-admin') },
        ],
        AREE,
      ),
    statici: risorseStatiche(),
    sessioni: { valida: async (id) => SESSIONI[id] ?? null },
    sospensioni: {
      verifica: (_canale, operatoreId) => {
        if (operatoreId && sospesi.has(operatoreId)) throw new ApeError('OPERATORE_SOSPESO', `l'operatore ${operatoreId} è sospeso`);
      },
    },
    traccia,
    clock: new ManualClock(now),
  });
  const chiedi = (metodo: string, percorso: string, o: { come?: string; headers?: Record<string, string>; corpo?: string } = {}) => {
    const { r, res } = richiesta(metodo, percorso, { headers: { ...(o.come && { Cookie: `__Host-ape-console=${o.come}` }), ...o.headers }, ...(o.corpo !== undefined && { corpo: o.corpo }) });
    return instrada(r, res);
  };
  return { chiedi, chiamate, tracce, sospesi };
}

const testo = (r: Risposta | null) => String(r?.body ?? '');

describe('console request stages: before the session', () => {
  it('serve the static files and the favicon to anyone; other methods on them go on as page requests', async () => {
    const b = banco();
    expect(await b.chiedi('GET', '/static/console.css')).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' } });
    expect((await b.chiedi('POST', '/favicon.ico'))?.status).toBe(204);
    expect(await b.chiedi('POST', '/static/console.css')).toMatchObject({ status: 303, headers: { Location: '/login' } });
  });

  it('serve public routes without a session, with the form read; other methods on them: 405 with Allow', async () => {
    const b = banco();
    expect(testo(await b.chiedi('GET', '/login?scaduta=1'))).toBe('login');
    await b.chiedi('POST', '/login', modulo({ utente: 'x', _csrf: 't' }));
    expect(b.chiamate.map((c) => c.nome)).toEqual(['login', 'entra']);
    expect(b.chiamate[1]!.c.modulo.get('utente')).toBe('x');
    expect(await b.chiedi('DELETE', '/login')).toMatchObject({ status: 405, body: 'metodo non ammesso', headers: { Allow: 'GET, POST' } });
  });

  it('send a request without a session to the login page, and an event stream’s to 401', async () => {
    const b = banco();
    expect(await b.chiedi('GET', '/istruttorie')).toMatchObject({ status: 303, headers: { Location: '/login' } });
    expect(await b.chiedi('GET', '/supervisione/nessuna', { come: 'scaduta' })).toMatchObject({ status: 303, headers: { Location: '/login?scaduta=1' } });
    expect((await b.chiedi('GET', '/eventi'))?.status).toBe(401);
    expect((await b.chiedi('POST', '/eventi', { come: 'scaduta' }))?.status).toBe(401);
    expect(b.chiamate).toEqual([]);
    expect(b.tracce).toEqual([]);
  });
});

describe('console request stages: an operator', () => {
  it('suspended, is refused whatever is asked, and the refusal traced', async () => {
    const b = banco();
    b.sospesi.add('officer.prova');
    const r = await b.chiedi('GET', '/istruttorie/abc', { come: 'officer' });
    expect(r?.status).toBe(403);
    expect(testo(r)).toContain('Operatore sospeso');
    expect(b.tracce).toEqual([{ operazione: 'console:GET istruttorie', esito: 'RIFIUTATA', operatore: 'officer.prova', codiceErrore: 'OPERATORE_SOSPESO' }]);
    expect(b.chiamate).toEqual([]);
  });

  it('POSTing without the session’s token is refused and traced, and nothing runs', async () => {
    const b = banco();
    for (const corpo of [modulo({ x: '1' }), modulo({ _csrf: 'non-il-token' })]) {
      const r = await b.chiedi('POST', '/logout', { come: 'officer', ...corpo });
      expect(r?.status).toBe(403);
      expect(testo(r)).toContain('Richiesta rifiutata');
    }
    expect(b.tracce.map((t) => [t.operazione, t.codiceErrore])).toEqual([['console:POST /logout', 'CSRF'], ['console:POST /logout', 'CSRF']]);
    expect(b.chiamate).toEqual([]);
  });

  it('POSTing with it reaches the handler with the form', async () => {
    const b = banco();
    expect(testo(await b.chiedi('POST', '/logout', { come: 'officer', ...modulo({ _csrf: 'csrf-officer.prova', motivo: 'm' }) }))).toBe('esci');
    expect(b.chiamate[0]!.c.modulo.get('motivo')).toBe('m');
  });

  it('using a method the console does not serve gets 405', async () => {
    const b = banco();
    expect(await b.chiedi('PUT', '/istruttorie', { come: 'officer' })).toMatchObject({ status: 405, headers: { Allow: 'GET, POST' } });
  });

  it('gets the route’s parameters and a page context on the clock', async () => {
    const b = banco();
    await b.chiedi('GET', '/istruttorie/abc-1', { come: 'officer' });
    const c = b.chiamate[0]!.c as ChiamataOperatore;
    expect(c.parametri).toEqual({ id: 'abc-1' });
    expect(c.s.operatore.id).toBe('officer.prova');
    expect(c.contesto()).toEqual({ operatore: SESSIONI.officer!.operatore, csrf: 'csrf-officer.prova', now, percorso: '/istruttorie/abc-1' });
  });

  it('asking a page that does not exist, or a path with another method, gets 404', async () => {
    const b = banco();
    for (const [metodo, percorso] of [['GET', '/nessuna'], ['GET', '/logout']] as const) {
      const r = await b.chiedi(metodo, percorso, { come: 'officer' });
      expect(r?.status).toBe(404);
      expect(testo(r)).toContain('Pagina non trovata');
    }
    expect(b.tracce).toEqual([]);
  });
});

describe('console request stages: roles', () => {
  it('refuse an officer the supervisor’s pages, existing or not, and trace the attempt', async () => {
    const b = banco();
    for (const percorso of ['/supervisione/allerte', '/supervisione/nessuna']) {
      const r = await b.chiedi('GET', percorso, { come: 'officer' });
      expect(r?.status).toBe(403);
      expect(testo(r)).toContain('Questa pagina è riservata ai supervisori.');
    }
    expect(b.tracce).toEqual([
      { operazione: 'console:/supervisione/allerte', esito: 'RIFIUTATA', operatore: 'officer.prova', codiceErrore: 'RUOLO_NON_AUTORIZZATO' },
      { operazione: 'console:/supervisione/nessuna', esito: 'RIFIUTATA', operatore: 'officer.prova', codiceErrore: 'RUOLO_NON_AUTORIZZATO' },
    ]);
    expect(b.chiamate).toEqual([]);
  });

  it('let a supervisor in (a missing page is then just missing), and a route narrower than its area keeps its own roles', async () => {
    const b = banco();
    expect(testo(await b.chiedi('GET', '/supervisione/allerte', { come: 'supervisor' }))).toBe('allerte');
    expect((await b.chiedi('GET', '/supervisione/nessuna', { come: 'admin' }))?.status).toBe(404);
    expect((await b.chiedi('POST', '/supervisione/solo-admin', { come: 'supervisor', ...modulo({ _csrf: 'csrf-supervisor.prova' }) }))?.status).toBe(403);
    expect(testo(await b.chiedi('POST', '/supervisione/solo-admin', { come: 'admin', ...modulo({ _csrf: 'csrf-admin.prova' }) }))).toBe('solo-admin');
  });

  it('in the console’s own table, keep every supervisor page and action from an officer', async () => {
    // The handlers are built but never reached: a refusal happens before them.
    const b = banco(rotteConsole({} as DipendenzeRotte));
    const pagine = ['/supervisione/accessi', '/supervisione/accessi.csv', '/supervisione/allerte', '/supervisione/operatori', '/supervisione/sospendi', '/supervisione/scarti'];
    const azioni = ['/supervisione/allerte/1/presa-in-carico', '/supervisione/allerte/1/chiudi', '/supervisione/sospendi', '/supervisione/riattiva', '/supervisione/account', '/supervisione/account/ruolo', '/supervisione/account/disattiva', '/supervisione/account/password', '/supervisione/scarti/riprova'];
    for (const p of pagine) expect((await b.chiedi('GET', p, { come: 'officer' }))?.status).toBe(403);
    for (const p of azioni) expect((await b.chiedi('POST', p, { come: 'officer', ...modulo({ _csrf: 'csrf-officer.prova', operatore: 'supervisor.prova' }) }))?.status).toBe(403);
    expect(b.tracce.map((t) => t.codiceErrore)).toEqual(Array(pagine.length + azioni.length).fill('RUOLO_NON_AUTORIZZATO'));
  });
});
