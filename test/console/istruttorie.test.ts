import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';
import { registraDomanda } from '../../services/inps/core/domande';
import { avviaBrowser, compilaLogin, contieneTesto, haNumero, haTesto, nuovoContesto, screenshot } from '../support/browser';
import { eccedenzaOrizzontale, violazioniGravi } from '../support/axe';
import { avviaBancoConsole, type BancoConsole } from '../support/console-banco';
import { OPERATORE_SEDE, REGOLE, seminaIstruttorie, type IstruttorieSeminate } from '../support/console-dati';
import { domanda } from '../support/inps-lifecycle';

/**
 * What officers ask of the list and of an istruttoria page, in Chromium at 1366 and 390 px: the graduatoria window
 * and cut-off of each domanda (issue 13), cases waiting on INL found as such, the next deadline and the next
 * step, why an outcome, one Italian vocabulary with Rome times, filters that keep their input, pages, and an
 * accessibility check (axe-core) on each page.
 */
const [FUNZIONARIO] = ACCOUNT_DEMO;
const T0 = new Date('2026-07-01T06:00:00Z');
let banco: BancoConsole;
let browser: Browser;
let ctx: BrowserContext;
let pagina: Page;
let ist: IstruttorieSeminate;

beforeAll(async () => {
  banco = await avviaBancoConsole('console_istruttorie', new Date('2026-07-01T10:00:00Z'));
  ist = await seminaIstruttorie(banco.pool, T0);
  // 24 more, older, closed or not: enough for a second page.
  for (let i = 0; i < 24; i++) {
    const t = new Date(T0.getTime() - (i + 1) * 60_000);
    await registraDomanda(banco.pool, domanda({ protocollo: `INPS.ALTRA.${String(i).padStart(2, '0')}`, presentazione: t }), OPERATORE_SEDE, t, REGOLE);
  }
  browser = await avviaBrowser();
  ctx = await nuovoContesto(browser);
  pagina = await ctx.newPage();
  await accedi(pagina);
}, 120_000);

async function accedi(p: Page): Promise<void> {
  await compilaLogin(p, banco.base, FUNZIONARIO.id, FUNZIONARIO.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
}

afterAll(async () => {
  await browser?.close();
  await banco?.chiudi();
});

const riga = (p: Page, protocollo: string) => p.locator('table.elenco tbody tr').filter({ hasText: protocollo });

test('each domanda shows its presentation window and graduatoria cut-off, in the list and on its page (issue 13)', async () => {
  await contieneTesto(riga(pagina, ist.nonConforme.protocollo), 'Finestra: entro il 15/07/2026 — graduatoria entro il 15/10/2026');
  await pagina.goto(`${banco.base}/istruttorie/${ist.nonConforme.id}`);
  await haTesto(pagina.locator('#finestra'), 'Finestra: entro il 15/07/2026 — graduatoria entro il 15/10/2026');
  await contieneTesto(pagina.getByRole('region', { name: 'Sintesi' }), '2ª finestra 2026: domande presentate dal 01/04/2026 al 15/07/2026');
  await screenshot(pagina, 'i16-01-finestra');
});

test('cases waiting on INL are found as such in the list, the filter and the dashboard; open cases are never shown as final', async () => {
  await pagina.goto(`${banco.base}/istruttorie?attesa=INL`);
  await haNumero(pagina.locator('table.elenco tbody tr'), 1);
  const inl = riga(pagina, ist.valutazioneInl.protocollo);
  await contieneTesto(inl.locator('td.attesa'), 'INL');
  expect(await inl.textContent()).not.toContain('Non verificabile');
  await contieneTesto(inl, "In corso: in attesa dell'INL");
  await haTesto(pagina.locator('#titolo-risultati'), 'Risultati: 1 istruttoria');

  await pagina.goto(`${banco.base}/cruscotto`);
  const cellaInl = pagina.locator('tr[data-parte="INL"] td').first();
  await haTesto(cellaInl, '1');
  await cellaInl.getByRole('link').click();
  await pagina.waitForURL(`${banco.base}/istruttorie?attesa=INL`);
  await haNumero(pagina.locator('table.elenco tbody tr'), 1);

  await pagina.goto(`${banco.base}/istruttorie/${ist.valutazioneInl.id}`);
  await contieneTesto(pagina.locator('#prossimo-passo'), /^accertamento INL in corso; se nessun esito entro il \d\d\/\d\d\/2026 \d\d:\d\d:\d\d, chiusura sulle autocertificazioni$/);
  await haTesto(pagina.locator('#esito-istruttoria'), "In corso: in attesa dell'INL");
});

test('the next deadline: sortable, in Rome time with the time left, marked once passed', async () => {
  await pagina.goto(`${banco.base}/istruttorie`);
  await pagina.getByRole('link', { name: 'Prossima scadenza', exact: true }).click();
  await pagina.waitForURL(/ordine=scadenza/);
  const righe = pagina.locator('table.elenco tbody tr');
  // Open istruttorie only, soonest first: INAIL's esito (5 days) is due before any wait limit (the 24 others' packets
  // were never taken in charge, so their only deadline is their istruttoria's limit).
  await contieneTesto(righe.first(), ist.inVerifica.protocollo);
  await contieneTesto(righe.first().locator('td.scadenza'), /^\d\d\/\d\d\/2026 \d\d:\d\d:\d\d ?tra \d giorn/);
  expect(await pagina.locator('th[aria-sort="ascending"]').count()).toBe(1);
  // Six days later (a new session: the first one would have expired meanwhile), INAIL's esito is overdue.
  banco.clock.advance(6 * 86_400_000);
  const dopo = await (await nuovoContesto(browser)).newPage();
  await accedi(dopo);
  await dopo.goto(`${banco.base}/istruttorie?ordine=scadenza`);
  await contieneTesto(dopo.locator('table.elenco tbody tr').first().locator('td.scadenza'), /Scaduta: superata da \d+ or/);
  await screenshot(dopo, 'i16-02-scadenze');
  await dopo.context().close();
  banco.clock.advance(-6 * 86_400_000);
  await pagina.goto(`${banco.base}/istruttorie/${ist.inVerifica.id}`);
  await contieneTesto(pagina.locator('#prossimo-passo'), /^in attesa degli esiti dell'INAIL \(entro il \d\d\/\d\d\/2026 \d\d:\d\d:\d\d\); poi chiusura sugli esiti degli archivi/);
});

test('"Perché questo esito": the failing datum with party, employer and period, declared beside archive value; conforming lines collapsed', async () => {
  await pagina.goto(`${banco.base}/istruttorie/${ist.nonConforme.id}`);
  const perche = pagina.getByRole('region', { name: 'Perché questo esito' });
  const difforme = perche.getByRole('table', { name: 'Dati non conformi o non verificabili' }).locator('tbody tr');
  await haNumero(difforme, 1);
  const t = (await difforme.first().innerText()).replace(/\s+/g, ' ');
  expect(t).toContain('Livello di inquadramento');
  expect(t).toContain('Ministero del Lavoro');
  expect(t).toContain(ist.nonConforme.datore);
  expect(t).toContain('dal 01/03/2010');
  expect(t).toContain('3S');
  expect(t).toContain('livello in archivio: 4');
  await haTesto(difforme.first().locator('.marcato'), 'Non conforme');
  // Conforming lines are there, collapsed.
  const conformi = perche.locator('details');
  await contieneTesto(conformi.locator('summary'), /\d+ dati conformi/);
  expect(await conformi.locator('tbody tr').first().isVisible()).toBe(false);
  // The outcome is final and its words are Italian.
  await haTesto(pagina.locator('#esito-istruttoria'), 'Non conforme');
  await screenshot(pagina, 'i16-03-perche');
});

test('one Italian vocabulary: no raw codes, dates to the second in Rome time, each timeline line naming its party, plurals right', async () => {
  await pagina.goto(`${banco.base}/istruttorie/${ist.nonConforme.id}`);
  const visibile = await pagina.locator('main').innerText();
  expect(visibile).not.toMatch(/\b[A-Z]{2,}_[A-Z_]{2,}\b/);
  expect(visibile).not.toMatch(/\d{4}-\d\d-\d\dT/);
  const righe = pagina.locator('#cronologia li');
  const testi = (await righe.allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
  expect(testi.length).toBeGreaterThan(5);
  for (const t of testi) expect(t).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d (INPS|Ministero del Lavoro|ANPAL|INAIL|INL): /);
  expect(testi.join('\n')).toContain('pacchetto preso in carico dal Ministero del Lavoro');
  expect(testi.join('\n')).toContain("pacchetto preso in carico dall'INAIL");
  expect(testi.join('\n')).toContain('(1 rapporto)');
  expect(testi.join('\n')).toMatch(/esito atteso entro il \d\d\/\d\d\/2026 \d\d:\d\d:\d\d/);
  // The esito after its packet's taking in charge, also to the second.
  await pagina.goto(`${banco.base}/istruttorie`);
  const categorie = await pagina.locator('#f-categoria option').allInnerTexts();
  expect(categorie).toContain('A – operai edili, dell’estrazione e della manutenzione degli edifici');
  expect(await pagina.locator('main').innerText()).not.toMatch(/\b[A-Z]{2,}_[A-Z_]{2,}\b/);
});

test('a filter error keeps what was typed; pages go forward and back with a numbered heading and the total', async () => {
  await pagina.goto(`${banco.base}/istruttorie`);
  await pagina.locator('#f-dal').fill('2026-07-10');
  await pagina.locator('#f-al').fill('2026-07-01');
  await pagina.locator('#f-cerca').fill('INPS.ALTRA');
  await pagina.getByRole('button', { name: 'Cerca', exact: true }).click();
  await contieneTesto(pagina.getByRole('alert'), 'la data finale precede quella iniziale');
  expect(await pagina.locator('#f-dal').inputValue()).toBe('2026-07-10');
  expect(await pagina.locator('#f-al').inputValue()).toBe('2026-07-01');
  expect(await pagina.locator('#f-cerca').inputValue()).toBe('INPS.ALTRA');
  expect(await pagina.locator('main').innerText()).not.toContain('Nessuna istruttoria corrisponde');

  await pagina.goto(`${banco.base}/istruttorie`);
  await haTesto(pagina.locator('#titolo-risultati'), 'Risultati: 27 istruttorie');
  await haNumero(pagina.locator('table.elenco tbody tr'), 25);
  await pagina.getByRole('link', { name: 'Pagina successiva' }).click();
  await haTesto(pagina.locator('#titolo-risultati'), 'Risultati: 27 istruttorie — pagina 2');
  await haNumero(pagina.locator('table.elenco tbody tr'), 2);
  await pagina.getByRole('link', { name: 'Pagina precedente' }).click();
  await haTesto(pagina.locator('#titolo-risultati'), 'Risultati: 27 istruttorie');
  await haNumero(pagina.locator('table.elenco tbody tr'), 25);
  await contieneTesto(pagina.locator('table.elenco tbody tr').first(), 'INPS.CONSOLE');
});

test('queue tools: a named saved filter per officer, and the CSV export of a filtered list, itself an access record', async () => {
  await pagina.goto(`${banco.base}/istruttorie?attesa=INL`);
  await pagina.getByLabel('Salva questo filtro come').fill('In attesa INL');
  await pagina.getByRole('button', { name: 'Salva il filtro' }).click();
  await pagina.goto(`${banco.base}/istruttorie`);
  await pagina.getByRole('link', { name: 'In attesa INL' }).click();
  await pagina.waitForURL(`${banco.base}/istruttorie?attesa=INL`);
  await haNumero(pagina.locator('table.elenco tbody tr'), 1);
  const salvati = await banco.pool.query('SELECT operatore_id, nome, query FROM filtro_salvato');
  expect(salvati.rows).toEqual([{ operatore_id: FUNZIONARIO.id, nome: 'In attesa INL', query: 'attesa=INL' }]);

  await pagina.goto(`${banco.base}/istruttorie?stato=CHIUSA`);
  const [download] = await Promise.all([pagina.waitForEvent('download'), pagina.getByRole('link', { name: /Esporta in CSV/ }).click()]);
  const testo = (await (await download.createReadStream())!.toArray()).map((b: Buffer) => b.toString('utf8')).join('');
  const righe = testo.replace(/^\ufeff/, '').trim().split('\r\n');
  expect(righe[0]).toBe('protocollo,codice_fiscale,tipo,aperta_il,stato,in_attesa_di,prossima_scadenza,esito,regola_chiusura,finestra_entro,graduatoria_entro,riesame_richiesto,id_istruttoria');
  expect(righe).toHaveLength(2);
  expect(righe[1]).toContain(`${ist.nonConforme.protocollo},`);
  expect(righe[1]).toContain(',NON_CONFORME,ESITI_ARCHIVI,2026-07-15,2026-10-15,');
  const traccia = await banco.pool.query(`SELECT operatore_id, riferimenti->>'filtro' AS filtro FROM registro_accessi WHERE operazione = 'console:esporta-elenco'`);
  expect(traccia.rows).toEqual([{ operatore_id: FUNZIONARIO.id, filtro: 'stato=CHIUSA' }]);
});

test('at 390 px nothing scrolls sideways; axe finds no serious or critical violation on any page', async () => {
  const telefono = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, locale: 'it-IT', timezoneId: 'Europe/Rome', storageState: await ctx.storageState() });
  const p = await telefono.newPage();
  for (const [nome, url] of [
    ['elenco', '/istruttorie'],
    ['istruttoria', `/istruttorie/${ist.nonConforme.id}`],
    ['istruttoria-inl', `/istruttorie/${ist.valutazioneInl.id}`],
    ['cruscotto', '/cruscotto'],
  ] as const) {
    await p.goto(`${banco.base}${url}`);
    expect({ nome, eccedenza: await eccedenzaOrizzontale(p) }).toEqual({ nome, eccedenza: 0 });
    await screenshot(p, `i16-390-${nome}`);
    expect({ nome, violazioni: await violazioniGravi(p) }).toEqual({ nome, violazioni: [] });
  }
  await telefono.close();
  for (const url of ['/istruttorie', `/istruttorie/${ist.nonConforme.id}`, '/cruscotto', '/istruttorie?dal=2026-07-10&al=2026-07-01']) {
    await pagina.goto(`${banco.base}${url}`);
    expect({ url, violazioni: await violazioniGravi(pagina) }).toEqual({ url, violazioni: [] });
  }
  const anonimo = await nuovoContesto(browser);
  const login = await anonimo.newPage();
  await login.goto(`${banco.base}/login`);
  expect(await violazioniGravi(login)).toEqual([]);
  await anonimo.close();
});
