import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../shared/paths';
import type { Pool } from 'pg';
import { scenario } from '../infra/demo/dataset';
import { FEDERATION_PROCESSES } from '../infra/local/processes';
import { MESSAGGIO_FALLIMENTO } from '../services/inps/console/login';
import { ACCOUNT_DEMO } from '../services/inps/console/utenti';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { avviaBrowser, compilaLogin, contieneTesto, haNumero, haTesto, nuovoContesto, screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { TestFederation } from './support/federation';

/**
 * The officers' web console in real headless Chromium, against a whole federation: login, search by codice
 * fiscale, the istruttoria page updating live when an esito arrives, a supervisor suspending an officer, CSRF,
 * wrong passwords and lockout, session expiry on the federation's clock, and the access log of it all.
 */
const [FUNZIONARIO, SUPERVISORE, ADMIN] = ACCOUNT_DEMO;
let fed: TestFederation;
let browser: Browser;
let inps: Pool;
let base: string;
let ufficio: BrowserContext;
let pagina: Page;
let idIstruttoria: string;
const domanda = scenario('conforme').domanda('INPS.CONSOLE.0001', new Date());
const cf = domanda.richiedente.codiceFiscale;

beforeAll(async () => {
  // INAIL stays down until the page is open, so that its esito arrives while the officer looks.
  fed = await TestFederation.start({
    name: 'console',
    fileClock: true,
    retryDelaysMs: [100, 200, 400, 800],
    processes: FEDERATION_PROCESSES.map((p) => p.name).filter((n) => n !== 'agency-inail'),
  });
  inps = fed.pool('inps');
  base = fed.config.services.inpsConsole!.publicUrl;
  browser = await avviaBrowser();
  ufficio = await nuovoContesto(browser);
  pagina = await ufficio.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fed?.stop();
});

async function accedi(page: Page, utente: string, password: string): Promise<void> {
  await compilaLogin(page, base, utente, password);
}

test('an officer logs in (a wrong password is refused), finds the domanda by codice fiscale and opens it', async () => {
  const r = await (await fed.caseSystem()).presentaDomanda(domanda);
  idIstruttoria = r.idIstruttoria;
  await eventually(async () => {
    const q = await inps.query<{ destinatario: string; stato: string }>('SELECT destinatario, stato FROM pacchetto WHERE istruttoria_id = $1', [idIstruttoria]);
    const s = Object.fromEntries(q.rows.map((x) => [x.destinatario, x.stato]));
    return s.MINLAVORO === 'RISPOSTO' && s.ANPAL === 'RISPOSTO' && s.INAIL !== 'RISPOSTO' ? s : undefined;
  }, { timeoutMs: 60_000, what: 'MINLAVORO and ANPAL to answer while INAIL is down' });

  await accedi(pagina, FUNZIONARIO.id, 'password-sbagliata-1');
  await haTesto(pagina.getByRole('alert'), MESSAGGIO_FALLIMENTO);
  expect(pagina.url()).toBe(`${base}/login`);
  await screenshot(pagina, '01-password-errata');

  await accedi(pagina, FUNZIONARIO.id, FUNZIONARIO.password);
  await pagina.waitForURL(`${base}/istruttorie`);
  const cookie = (await ufficio.cookies()).find((c) => c.name === '__Host-ape-console')!;
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
  await screenshot(pagina, '02-elenco');

  await pagina.locator('#f-cerca').fill(cf.toLowerCase());
  await pagina.getByRole('button', { name: 'Cerca', exact: true }).click();
  const righe = pagina.locator('table.elenco tbody tr');
  await haNumero(righe, 1);
  await contieneTesto(righe.first(), 'INPS.CONSOLE.0001');
  await contieneTesto(righe.first(), 'INAIL');
  await screenshot(pagina, '03-ricerca-codice-fiscale');

  const risposta = pagina.waitForResponse((res) => res.url() === `${base}/istruttorie/${idIstruttoria}`);
  await pagina.getByRole('link', { name: 'INPS.CONSOLE.0001' }).click();
  const headers = (await risposta).headers();
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  await haTesto(pagina.getByRole('heading', { level: 1 }), 'Istruttoria INPS.CONSOLE.0001');
  await contieneTesto(pagina.locator('#cronologia'), 'esito «Conforme» ricevuto dal Ministero del Lavoro');
  expect(await pagina.locator('#cronologia').textContent()).not.toContain("ricevuto dall'INAIL");
  // The deadline of INAIL's esito, with the time left; and what each party received.
  await contieneTesto(pagina.getByRole('region', { name: 'Scadenze' }), /Esito dell'INAIL \(5 giorni solari dalla ricezione\).{0,40}tra [456] giorni/);
  await haNumero(pagina.getByRole('region', { name: 'Dati trasmessi a ciascuna amministrazione' }).locator('summary'), 3);

  // The view is an access in the log, with the officer's id and the citizen's pseudonym only.
  const pseudonimo = Pseudonimizzatore.daFile(fed.config.security.pepperFile).codiceFiscale(cf);
  const acc = await inps.query(
    `SELECT canale, operatore_id, interessato, esito FROM registro_accessi WHERE operazione = 'console:istruttoria' AND riferimenti->>'idIstruttoria' = $1`,
    [idIstruttoria],
  );
  expect(acc.rows).toEqual([{ canale: 'CONSOLE', operatore_id: FUNZIONARIO.id, interessato: pseudonimo, esito: 'ACCETTATA' }]);
  const conCf = await inps.query("SELECT count(*)::int AS n FROM registro_accessi WHERE riferimenti::text LIKE '%' || $1 || '%'", [cf]);
  expect(conCf.rows[0].n).toBe(0);
});

test('the istruttoria page updates without reload when INAIL answers', async () => {
  // The list too, in a second tab: its row changes state in place.
  const elenco = await ufficio.newPage();
  await elenco.goto(`${base}/istruttorie?cerca=${cf}`);
  await contieneTesto(elenco.locator('table.elenco tbody tr'), 'In verifica');
  for (const p of [pagina, elenco]) {
    await p.evaluate(() => {
      (window as unknown as { marcatore: number }).marcatore = 42;
    });
  }
  await fed.startProcess('agency-inail');
  await contieneTesto(pagina.locator('#cronologia'), "esito «Conforme» ricevuto dall'INAIL", 60_000);
  await haTesto(pagina.locator('#stato-istruttoria'), 'Chiusa', 30_000);
  // Same document: the page was updated in place, not reloaded.
  expect(await pagina.evaluate(() => (window as unknown as { marcatore?: number }).marcatore)).toBe(42);
  expect(Number(await pagina.locator('body').getAttribute('data-aggiornamenti'))).toBeGreaterThan(0);
  await screenshot(pagina, '04-istruttoria-aggiornata');
  await contieneTesto(elenco.locator('table.elenco tbody tr'), 'Chiusa', 30_000);
  expect(await elenco.evaluate(() => (window as unknown as { marcatore?: number }).marcatore)).toBe(42);
  await elenco.close();

  await pagina.getByRole('link', { name: 'Cruscotto' }).click();
  await haTesto(pagina.locator('svg.grafico title').first(), 'Domande ricevute ed esiti per giorno');
  await contieneTesto(pagina.getByRole('table', { name: /Volumi per giorno/ }), '1');
  await haNumero(pagina.getByRole('table', { name: /Tempi di risposta/ }).locator('tbody tr'), 4);
  await screenshot(pagina, '05-cruscotto');
});

test('a POST without the session CSRF token is refused and changes nothing; supervisor pages need the role', async () => {
  const senza = await pagina.request.post(`${base}/logout`, { form: { x: '1' }, maxRedirects: 0 });
  expect(senza.status()).toBe(403);
  const sbagliato = await pagina.request.post(`${base}/logout`, { form: { _csrf: 'non-il-token' }, maxRedirects: 0 });
  expect(sbagliato.status()).toBe(403);
  const sospensione = await pagina.request.post(`${base}/supervisione/sospendi`, { form: { operatore: SUPERVISORE.id, motivo: 'prova senza token' }, maxRedirects: 0 });
  expect(sospensione.status()).toBe(403);
  // Still logged in.
  expect((await pagina.request.get(`${base}/istruttorie`, { maxRedirects: 0 })).status()).toBe(200);
  expect((await inps.query("SELECT count(*)::int AS n FROM sospensione")).rows[0].n).toBe(0);
  const refused = await inps.query("SELECT count(*)::int AS n FROM registro_accessi WHERE codice_errore = 'CSRF' AND operatore_id = $1", [FUNZIONARIO.id]);
  expect(refused.rows[0].n).toBe(3);

  await pagina.goto(`${base}/supervisione/operatori`);
  await haTesto(pagina.getByRole('alert'), 'Questa pagina è riservata ai supervisori.');
});

test('a supervisor suspends the officer, who then cannot act, acknowledges an alert, searches the access log, and reinstates', async () => {
  await inps.query(
    `INSERT INTO allerta (regola, soggetto_tipo, soggetto, chiave, descrizione, rilevata_il) VALUES ('FUORI_ORARIO', 'OPERATORE', $1, 'prova', 'accessi fuori orario (prova)', now())`,
    [FUNZIONARIO.id],
  );
  const supervisione = await nuovoContesto(browser);
  const sup = await supervisione.newPage();
  await accedi(sup, SUPERVISORE.id, SUPERVISORE.password);
  await sup.waitForURL(`${base}/istruttorie`);

  await sup.getByRole('link', { name: 'Operatori' }).click();
  const riga = sup.locator(`tr[data-operatore="${FUNZIONARIO.id}"]`);
  await riga.getByLabel('Motivo').fill('verifica di accessi anomali');
  await riga.getByRole('button', { name: /Sospendi/ }).click();
  await sup.getByRole('button', { name: 'Conferma la sospensione' }).click();
  await haTesto(sup.getByRole('status').filter({ hasText: 'sospeso' }), `Operatore ${FUNZIONARIO.id} sospeso.`);
  await contieneTesto(sup.locator(`tr[data-operatore="${FUNZIONARIO.id}"]`), 'Sospeso');
  await screenshot(sup, '06-supervisore-sospende');

  // The officer's next request is refused, and so is a new login.
  await pagina.goto(`${base}/istruttorie/${idIstruttoria}`);
  await haTesto(pagina.getByRole('heading', { level: 1 }), 'Operatore sospeso');
  await screenshot(pagina, '07-operatore-sospeso');
  const altra = await nuovoContesto(browser);
  const p2 = await altra.newPage();
  await accedi(p2, FUNZIONARIO.id, FUNZIONARIO.password);
  await haTesto(p2.getByRole('alert'), 'Accesso sospeso dal supervisore.');
  await altra.close();

  await sup.getByRole('link', { name: 'Allerte' }).click();
  await sup.getByRole('button', { name: /Prendi in carico/ }).click();
  await contieneTesto(sup.getByRole('status').filter({ hasText: 'presa in carico' }), 'presa in carico');
  const allerta = await inps.query('SELECT stato, gestita_da FROM allerta');
  expect(allerta.rows).toEqual([{ stato: 'PRESA_IN_CARICO', gestita_da: SUPERVISORE.id }]);

  // An operator of the case systems (SOAP), suspended from the console: the gateway refuses their calls.
  await sup.getByRole('link', { name: 'Operatori' }).click();
  await sup.getByLabel('Identificativo operatore').fill('INPS-OP-TEST-0001');
  await sup.locator('#s-motivo').fill('uso improprio del servizio');
  await sup.getByRole('button', { name: 'Sospendi', exact: true }).click();
  await sup.getByRole('button', { name: 'Conferma la sospensione' }).click();
  await contieneTesto(sup.getByRole('table', { name: 'Altre sospensioni attive' }), 'INPS-OP-TEST-0001');
  const sistema = await fed.caseSystem();
  await eventually(async () => {
    const esito = await sistema.statoIstruttoria({ IdIstruttoria: idIstruttoria }).then(() => 'accettata', (err: Error) => err.message);
    return /OPERATORE_SOSPESO|sospeso/.test(esito) ? esito : undefined;
  }, { what: 'the gateway to refuse the suspended operator' });
  await sup.getByRole('table', { name: 'Altre sospensioni attive' }).getByRole('button', { name: /Riattiva/ }).click();
  await haTesto(sup.getByRole('status').filter({ hasText: 'riattivato' }), 'Operatore INPS-OP-TEST-0001 riattivato.');
  await eventually(() => sistema.statoIstruttoria({ IdIstruttoria: idIstruttoria }).then(() => true, () => false), { what: 'the gateway to accept the reinstated operator' });

  // Access log: by citizen (codice fiscale, matched through its pseudonym) and by operator.
  await sup.getByRole('link', { name: 'Registro accessi' }).click();
  await sup.getByLabel('Codice fiscale del cittadino').fill(cf);
  await sup.getByRole('button', { name: 'Cerca' }).click();
  const tabella = sup.locator('table');
  await contieneTesto(tabella, "Scheda dell'istruttoria");
  await contieneTesto(tabella, 'PresentaDomanda');
  await sup.getByLabel('Codice fiscale del cittadino').fill('');
  await sup.getByLabel('Operatore').fill(FUNZIONARIO.id);
  await sup.getByRole('button', { name: 'Cerca' }).click();
  await contieneTesto(tabella, 'operatore sospeso');
  await screenshot(sup, '08-registro-accessi');

  await sup.getByRole('link', { name: 'Operatori' }).click();
  await sup.locator(`tr[data-operatore="${FUNZIONARIO.id}"]`).getByRole('button', { name: /Riattiva/ }).click();
  await haTesto(sup.getByRole('status').filter({ hasText: 'riattivato' }), `Operatore ${FUNZIONARIO.id} riattivato.`);
  await pagina.goto(`${base}/istruttorie/${idIstruttoria}`);
  await haTesto(pagina.getByRole('heading', { level: 1 }), 'Istruttoria INPS.CONSOLE.0001');

  // Each supervisor action is in the log, with the supervisor's id.
  const azioni = await inps.query<{ operazione: string }>(
    `SELECT operazione FROM registro_accessi WHERE operatore_id = $1 AND canale = 'CONSOLE' AND operazione IN ('console:sospendi', 'console:riattiva', 'console:presa-in-carico', 'console:supervisione-accessi') ORDER BY seq`,
    [SUPERVISORE.id],
  );
  expect(azioni.rows.map((r) => r.operazione)).toEqual(['console:sospendi', 'console:presa-in-carico', 'console:sospendi', 'console:riattiva', 'console:supervisione-accessi', 'console:supervisione-accessi', 'console:riattiva']);
  await supervisione.close();
});

test('repeated wrong passwords get the one message for every failure (throttling: test/console/login.test.ts)', async () => {
  const ctx = await nuovoContesto(browser);
  const p = await ctx.newPage();
  for (let i = 0; i < 3; i++) {
    await accedi(p, ADMIN.id, `tentativo-errato-${i}`);
    await haTesto(p.getByRole('alert'), MESSAGGIO_FALLIMENTO);
  }
  expect(p.url()).toBe(`${base}/login`);
  await ctx.close();
});

test('sessions survive a console killed with SIGKILL and restarted; one ends after 30 minutes without activity (federation clock)', async () => {
  await fed.stopProcess('inps-console', 'SIGKILL');
  await fed.startProcess('inps-console');
  await pagina.goto(`${base}/istruttorie`);
  await haTesto(pagina.getByRole('heading', { level: 1 }), 'Istruttorie');
  fed.advanceClock(29 * 60_000);
  await pagina.goto(`${base}/cruscotto`);
  await haTesto(pagina.getByRole('heading', { level: 1 }), 'Cruscotto');
  // A page refreshing itself (live updates) is not activity: an unattended screen still reaches the idle limit.
  fed.advanceClock(20 * 60_000);
  const automatica = await pagina.request.get(`${base}/istruttorie`, { headers: { 'X-Richiesta': 'aggiornamento' }, maxRedirects: 0 });
  expect(automatica.status()).toBe(200);
  fed.advanceClock(11 * 60_000);
  await pagina.goto(`${base}/istruttorie`);
  await pagina.waitForURL(`${base}/login?scaduta=1`);
  await haTesto(pagina.getByRole('alert'), 'Sessione scaduta: accedere di nuovo.');
  await screenshot(pagina, '09-sessione-scaduta');
});

test('an account made with the CLI logs in with its role; disabled, it cannot', async () => {
  const cli = (args: string[], input?: string) => {
    const run = promisify(execFile)('node', [path.join(PROJECT_ROOT, 'dist/services/inps/console/utenti-cli.js'), ...args], { env: { ...process.env, APE_CONFIG: fed.configFile } });
    if (input !== undefined) {
      run.child.stdin!.end(`${input}\n`);
    }
    return run;
  };
  const out = await cli(['crea', '--id', 'mario.rossi', '--nome', 'Mario Rossi', '--ufficio', 'INPS - Sede di prova', '--ruolo', 'supervisor', '--password-stdin', '--autore', 'admin.prova'], 'Una-password-di-prova-1');
  expect(out.stdout).toContain('operatore mario.rossi creato');
  await expect(cli(['crea', '--id', 'mario.rossi', '--nome', 'X', '--ufficio', 'Y', '--ruolo', 'capo', '--password-stdin'], 'Una-password-di-prova-1')).rejects.toMatchObject({ stderr: expect.stringContaining('ruolo non ammesso') });
  await expect(cli(['password', '--id', 'mario.rossi', '--password-stdin'], 'corta')).rejects.toMatchObject({ stderr: expect.stringContaining('almeno 12 caratteri') });

  const ctx = await nuovoContesto(browser);
  const p = await ctx.newPage();
  await accedi(p, 'mario.rossi', 'Una-password-di-prova-1');
  await p.waitForURL(`${base}/istruttorie`);
  await haNumero(p.getByRole('link', { name: 'Registro accessi' }), 1);

  await cli(['disattiva', '--id', 'mario.rossi', '--autore', 'admin.prova']);
  await p.goto(`${base}/istruttorie`);
  await p.waitForURL(/\/login/);
  await accedi(p, 'mario.rossi', 'Una-password-di-prova-1');
  await haTesto(p.getByRole('alert'), MESSAGGIO_FALLIMENTO);
  await ctx.close();
  const tracce = await inps.query<{ operazione: string }>("SELECT operazione FROM registro_accessi WHERE canale = 'CLI' AND operatore_id = 'admin.prova' ORDER BY seq");
  expect(tracce.rows.map((r) => r.operazione)).toEqual(['console-utenti:crea', 'console-utenti:disattiva']);
});
