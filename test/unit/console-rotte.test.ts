import { Risposta } from '../../services/inps/console/risposta';
import { compilaPercorso, TabellaRotte, type Area, type Rotta } from '../../services/inps/console/tabella-rotte';
import { RUOLI, RUOLI_SUPERVISIONE } from '../../services/inps/console/utenti';

const pagina = async () => new Risposta(200, 'ok');
const AREA: Area = { prefisso: '/supervisione/', ruoli: RUOLI_SUPERVISIONE, rifiuto: 'riservata' };
const ROTTE: Rotta[] = [
  { metodo: 'GET', percorso: '/login', pubblica: true, gestore: pagina },
  { metodo: 'POST', percorso: '/login', pubblica: true, gestore: pagina },
  { metodo: 'GET', percorso: '/', ruoli: RUOLI, gestore: pagina },
  { metodo: 'GET', percorso: '/istruttorie', ruoli: RUOLI, gestore: pagina },
  { metodo: 'GET', percorso: '/istruttorie/:id', ruoli: RUOLI, gestore: pagina },
  { metodo: 'GET', percorso: '/eventi', ruoli: RUOLI, flusso: true, gestore: pagina },
  { metodo: 'POST', percorso: '/logout', ruoli: RUOLI, gestore: pagina },
  { metodo: 'GET', percorso: '/supervisione/allerte', ruoli: RUOLI_SUPERVISIONE, gestore: pagina },
  { metodo: 'POST', percorso: '/supervisione/allerte/:allerta(\\d{1,15})/presa-in-carico', ruoli: RUOLI_SUPERVISIONE, gestore: pagina },
  { metodo: 'POST', percorso: '/supervisione/azione-admin', ruoli: ['admin'], gestore: pagina },
];
const tabella = new TabellaRotte(ROTTE, [AREA]);
const rotta = (metodo: string, percorso: string) => ROTTE.find((x) => x.metodo === metodo && x.percorso === percorso);

describe('console route table: matching', () => {
  it('finds a route by method and exact path, with no parameters', () => {
    const t = tabella.trova('GET', '/istruttorie');
    expect(t.rotta).toBe(rotta('GET', '/istruttorie'));
    expect(t.parametri).toEqual({});
    expect(tabella.trova('GET', '/').rotta).toBe(rotta('GET', '/'));
  });

  it('gives named parameters as they appear in the URL, one segment each', () => {
    expect(tabella.trova('GET', '/istruttorie/abc-123').parametri).toEqual({ id: 'abc-123' });
    expect(tabella.trova('GET', '/istruttorie/a%2Fb').parametri).toEqual({ id: 'a%2Fb' });
    expect(tabella.trova('GET', '/istruttorie/a/b').rotta).toBeNull();
    expect(tabella.trova('GET', '/istruttorie/').rotta).toBeNull();
  });

  it('matches a narrowed parameter only when it fits', () => {
    const ok = tabella.trova('POST', '/supervisione/allerte/42/presa-in-carico');
    expect(ok.rotta).toBe(rotta('POST', '/supervisione/allerte/:allerta(\\d{1,15})/presa-in-carico'));
    expect(ok.parametri).toEqual({ allerta: '42' });
    expect(tabella.trova('POST', '/supervisione/allerte/abc/presa-in-carico').rotta).toBeNull();
    expect(tabella.trova('POST', `/supervisione/allerte/${'9'.repeat(16)}/presa-in-carico`).rotta).toBeNull();
  });

  it('takes literal segments literally (a dot is not a wildcard) and nothing but the whole path', () => {
    const t = new TabellaRotte([{ metodo: 'GET', percorso: '/export.csv', ruoli: RUOLI, gestore: pagina }]);
    expect(t.trova('GET', '/export.csv').rotta).not.toBeNull();
    expect(t.trova('GET', '/exportxcsv').rotta).toBeNull();
    expect(t.trova('GET', '/export.csv/x').rotta).toBeNull();
    expect(t.trova('GET', '/x/export.csv').rotta).toBeNull();
  });
});

describe('console route table: method not allowed', () => {
  it('tells the methods a path answers when the one asked is not among them', () => {
    const t = tabella.trova('PUT', '/login');
    expect(t.rotta).toBeNull();
    expect(t.ammessi).toEqual(['GET', 'POST']);
    expect(t.pubblico).toBe(true);
    const logout = tabella.trova('GET', '/logout');
    expect(logout.rotta).toBeNull();
    expect(logout.ammessi).toEqual(['POST']);
    expect(logout.pubblico).toBe(false);
  });

  it('knows no method of a path no route has', () => {
    const t = tabella.trova('GET', '/nessuna');
    expect(t).toMatchObject({ rotta: null, ammessi: [], pubblico: false, alPercorso: [] });
  });

  it('keeps the path’s routes whatever the method, so their attributes apply (an event stream stays one)', () => {
    const t = tabella.trova('POST', '/eventi');
    expect(t.rotta).toBeNull();
    expect(t.alPercorso).toEqual([rotta('GET', '/eventi')]);
  });
});

describe('console route table: roles', () => {
  it('needs the route’s roles, none for a public route', () => {
    expect(tabella.trova('GET', '/supervisione/allerte').ruoli).toEqual(RUOLI_SUPERVISIONE);
    expect(tabella.trova('POST', '/supervisione/azione-admin').ruoli).toEqual(['admin']);
    expect(tabella.trova('GET', '/istruttorie').ruoli).toEqual(RUOLI);
    expect(tabella.trova('GET', '/login').ruoli).toBeNull();
  });

  it('reserves a whole area: a path in it without a route, or with another method, needs the area’s roles', () => {
    for (const [metodo, percorso] of [['GET', '/supervisione/nessuna'], ['GET', '/supervisione/azione-admin'], ['POST', '/supervisione/allerte/abc/presa-in-carico']] as const) {
      const t = tabella.trova(metodo, percorso);
      expect(t.rotta).toBeNull();
      expect(t.ruoli).toEqual(RUOLI_SUPERVISIONE);
      expect(t.area).toBe(AREA);
    }
    expect(tabella.trova('GET', '/supervisione').area).toBeNull();
    expect(tabella.trova('GET', '/nessuna').ruoli).toBeNull();
  });
});

describe('console route table: a table that contradicts itself is refused at start', () => {
  it('refuses the same route twice', () => {
    expect(() => new TabellaRotte([rotta('GET', '/')!, { ...rotta('GET', '/')! }])).toThrow('route GET / declared twice');
  });

  it('refuses a path both public and for operators', () => {
    expect(() => new TabellaRotte([rotta('GET', '/login')!, { metodo: 'POST', percorso: '/login', ruoli: RUOLI, gestore: pagina }])).toThrow(/both public and for operators/);
  });

  it('refuses a route open to roles its area excludes, or public inside it', () => {
    expect(() => new TabellaRotte([{ metodo: 'GET', percorso: '/supervisione/x', ruoli: RUOLI, gestore: pagina }], [AREA])).toThrow(/open to roles its area \/supervisione\/ excludes/);
    expect(() => new TabellaRotte([{ metodo: 'GET', percorso: '/supervisione/x', pubblica: true, gestore: pagina }], [AREA])).toThrow(/excludes/);
  });

  it('refuses malformed patterns', () => {
    expect(() => compilaPercorso('istruttorie')).toThrow(/must start with \//);
    expect(() => compilaPercorso('/a/:id/b/:id')).toThrow(/repeated/);
    expect(() => compilaPercorso('/a/:id((x|y))')).toThrow(/groups/);
    expect(compilaPercorso('/a/:id(\\d+)/b').nomi).toEqual(['id']);
  });
});
