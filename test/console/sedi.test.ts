import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { rilevaAnomalie } from '../../shared/audit/anomalie';
import { Registri } from '../../shared/audit/registri';
import { elencoAllerte } from '../../shared/audit/supervisione';
import { loadConfig } from '../../shared/config/load';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';
import { registraDomanda } from '../../services/inps/core/domande';
import { statistichePerParte, volumiPerGiorno } from '../../services/inps/console/dati';
import { violazioniGravi } from '../support/axe';
import { avviaBrowser, compilaLogin, contieneTesto, haNumero, haTesto, nuovoContesto } from '../support/browser';
import { avviaBancoConsole, type BancoConsole } from '../support/console-banco';
import { OPERATORE_SEDE, REGOLE } from '../support/console-dati';
import { domanda } from '../support/inps-lifecycle';

/**
 * Office scoping: an officer sees the istruttorie of domande submitted from their office (sede), supervisors see all;
 * and the anomaly rules measure what is anomalous for that model: istruttorie outside one's office, and volumes far
 * above one's own baseline, never an officer's ordinary day.
 */
const [FUNZIONARIO, SUPERVISORE] = ACCOUNT_DEMO;
const NOW = new Date('2026-07-01T10:00:00Z');
const MILANO = { id: 'INPS-OP-MILANO', ufficio: 'INPS - Sede di Milano' };
let banco: BancoConsole;
let browser: Browser;
let roma: string[] = [];
let milano = '';

beforeAll(async () => {
  banco = await avviaBancoConsole('console_sedi', NOW);
  for (let i = 0; i < 30; i++) {
    const t = new Date(NOW.getTime() - (i + 10) * 60_000);
    roma.push((await registraDomanda(banco.pool, domanda({ protocollo: `INPS.ROMA.${i}`, presentazione: t }), OPERATORE_SEDE, t, REGOLE)).idIstruttoria);
  }
  const t = new Date(NOW.getTime() - 5 * 60_000);
  milano = (await registraDomanda(banco.pool, domanda({ protocollo: 'INPS.MILANO.1', presentazione: t }), MILANO, t, REGOLE)).idIstruttoria;
  browser = await avviaBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await banco?.chiudi();
});

async function accedi(utente: { id: string; password: string }): Promise<Page> {
  const p = await (await nuovoContesto(browser)).newPage();
  await compilaLogin(p, banco.base, utente.id, utente.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
  return p;
}

test("an officer sees and opens only their office's istruttorie; a supervisor sees all", async () => {
  const f = await accedi(FUNZIONARIO);
  await haTesto(f.locator('#titolo-risultati'), 'Risultati: 30 istruttorie');
  expect(await f.locator('main').innerText()).not.toContain('INPS.MILANO.1');
  await f.goto(`${banco.base}/istruttorie?cerca=INPS.MILANO.1`);
  await haNumero(f.locator('table.elenco tbody tr'), 0);
  await f.goto(`${banco.base}/istruttorie/${milano}`);
  await haTesto(f.getByRole('heading', { level: 1 }), 'Istruttoria di un’altra sede');
  expect(await violazioniGravi(f)).toEqual([]);
  const rifiuto = await banco.pool.query(`SELECT operatore_id FROM registro_accessi WHERE codice_errore = 'FUORI_SEDE' AND riferimenti->>'idIstruttoria' = $1`, [milano]);
  expect(rifiuto.rows).toEqual([{ operatore_id: FUNZIONARIO.id }]);
  await f.goto(`${banco.base}/istruttorie/${roma[0]}`);
  await haTesto(f.getByRole('heading', { level: 1 }), 'Istruttoria INPS.ROMA.0');
  await f.context().close();

  const s = await accedi(SUPERVISORE);
  await haTesto(s.locator('#titolo-risultati'), 'Risultati: 31 istruttorie');
  await s.goto(`${banco.base}/istruttorie/${milano}`);
  await haTesto(s.getByRole('heading', { level: 1 }), 'Istruttoria INPS.MILANO.1');
  await s.context().close();
});

test("anomaly rules: an officer's ordinary hour raises nothing; another office's istruttorie and a volume far above one's own baseline do", async () => {
  const registri = new Registri(banco.pool, banco.pseudonimi);
  const accesso = (operatore: { id: string; ufficio: string }, id: string, at: Date) =>
    registri.registraAccesso(
      { requestId: randomUUID(), at, service: 'inps-console', operation: 'console:istruttoria', identity: null, certificateSubject: null, operatore, remoteAddress: '127.0.0.1', outcome: 'ACCETTATA', faultCode: null, durationMs: 5, riferimenti: { idIstruttoria: id } },
      'CONSOLE',
    );
  const ora = (minuti: number) => new Date(NOW.getTime() - minuti * 60_000);
  // The officer opens 24 of their office's istruttorie in the last hour (the ordinary day).
  for (let i = 0; i < 24; i++) await accesso({ id: FUNZIONARIO.id, ufficio: FUNZIONARIO.ufficio }, roma[i]!, ora(50 - i));
  // Milan's operator reads 3 of Rome's.
  for (let i = 0; i < 3; i++) await accesso(MILANO, roma[i]!, ora(30 - i));
  // A Rome officer whose usual hour is 2 istruttorie reads 30 now; another, whose usual hour is 20, reads 30.
  const solito = { id: 'rossi.solito', ufficio: FUNZIONARIO.ufficio };
  const intenso = { id: 'bianchi.intenso', ufficio: FUNZIONARIO.ufficio };
  for (let g = 1; g <= 3; g++) {
    for (let i = 0; i < 2; i++) await accesso(solito, roma[i]!, ora(g * 24 * 60 + i));
    for (let i = 0; i < 20; i++) await accesso(intenso, roma[i]!, ora(g * 24 * 60 + i));
  }
  for (let i = 0; i < 30; i++) {
    await accesso(solito, roma[i]!, ora(40 - i));
    await accesso(intenso, roma[i]!, ora(40 - i));
  }
  const security = { ...loadConfig().security, sogliaIstruttorieAltrui: 2, finestraIstruttorieAltruiMinuti: 60, fattoreVolume: 5, sogliaVolumeMinima: 25, orarioLavoro: { da: '00:00', a: '24:00', giorni: [1, 2, 3, 4, 5, 6, 7] } };
  await rilevaAnomalie(banco.pool, NOW, security, { operatoriDiSistema: [], istruttorie: true });
  const allerte = (await elencoAllerte(banco.pool)).map((a) => `${a.regola} ${a.soggetto}`).sort();
  expect(allerte).toEqual(['ISTRUTTORIE_ALTRUI INPS-OP-MILANO', 'VOLUME_ANOMALO rossi.solito']);

  // The supervisor reads them in Italian.
  const s = await accedi(SUPERVISORE);
  await s.goto(`${banco.base}/supervisione/allerte`);
  await contieneTesto(s.locator('main'), "Istruttorie fuori dalla sede dell'operatore");
  await contieneTesto(s.locator('main'), "Volume di accessi molto superiore all'abituale");
  await contieneTesto(s.locator('main'), '3 istruttorie di altre sedi consultate o tentate in 60 minuti');
  expect(await violazioniGravi(s)).toEqual([]);
  await s.goto(`${banco.base}/istruttorie/00000000-0000-4000-8000-000000000000`);
  await haTesto(s.getByRole('heading', { level: 1 }), 'Istruttoria non trovata');
  expect(await violazioniGravi(s)).toEqual([]);
  await s.context().close();
});

test("a page refreshing itself is not a new access, but the refresh header alone never hides one", async () => {
  const f = await accedi(FUNZIONARIO);
  const t = new Date(NOW.getTime() - 60_000);
  const id = (await registraDomanda(banco.pool, domanda({ protocollo: 'INPS.ROMA.AGGIORNA', presentazione: t }), OPERATORE_SEDE, t, REGOLE)).idIstruttoria;
  const tracce = async () =>
    Number((await banco.pool.query(`SELECT count(*)::int AS n FROM registro_accessi WHERE operazione = 'console:istruttoria' AND esito = 'ACCETTATA' AND riferimenti->>'idIstruttoria' = $1`, [id])).rows[0].n);
  const aggiorna = () => f.context().request.get(`${banco.base}/istruttorie/${id}`, { headers: { 'X-Richiesta': 'aggiornamento' } });
  expect(await tracce()).toBe(0);
  // Claimed as a refresh, of a page this session never opened: traced all the same.
  expect((await aggiorna()).status()).toBe(200);
  expect(await tracce()).toBe(1);
  // Refreshes of what was just traced: nothing more.
  for (let i = 0; i < 3; i++) expect((await aggiorna()).status()).toBe(200);
  expect(await tracce()).toBe(1);
  // The officer opening it again: traced.
  await f.goto(`${banco.base}/istruttorie/${id}`);
  expect(await tracce()).toBe(2);
});

test("an officer's dashboard counts their office's istruttorie and packets, as the lists it links to", async () => {
  const somma = (v: Array<{ domande: number }>) => v.reduce((n, g) => n + g.domande, 0);
  const tutte = somma(await volumiPerGiorno(banco.pool, NOW));
  expect(somma(await volumiPerGiorno(banco.pool, NOW, 14, MILANO.ufficio))).toBe(1);
  expect(somma(await volumiPerGiorno(banco.pool, NOW, 14, OPERATORE_SEDE.ufficio))).toBe(tutte - 1);
  const attesa = (s: Awaited<ReturnType<typeof statistichePerParte>>) => s.reduce((n, p) => n + p.inAttesa, 0);
  expect(attesa(await statistichePerParte(banco.pool, NOW, MILANO.ufficio))).toBe(3);
  expect(attesa(await statistichePerParte(banco.pool, NOW))).toBe(attesa(await statistichePerParte(banco.pool, NOW, OPERATORE_SEDE.ufficio)) + 3);
  // The page answers an officer with these figures (the console's clock moved on: its login budget refills with it).
  banco.clock.set(new Date(NOW.getTime() + 10_000));
  const f = await accedi(FUNZIONARIO);
  expect((await f.goto(`${banco.base}/cruscotto`))!.status()).toBe(200);
});

test('an officer probing other offices\' istruttorie, each refused (FUORI_SEDE), raises ISTRUTTORIE_ALTRUI all the same', async () => {
  const registri = new Registri(banco.pool, banco.pseudonimi);
  const curioso = { id: 'verdi.milano', ufficio: MILANO.ufficio };
  for (let i = 0; i < 3; i++) {
    await registri.registraAccesso(
      { requestId: randomUUID(), at: new Date(NOW.getTime() - (20 - i) * 60_000), service: 'inps-console', operation: 'console:istruttoria', identity: null, certificateSubject: null, operatore: curioso, remoteAddress: '127.0.0.1', outcome: 'RIFIUTATA', faultCode: 'FUORI_SEDE', durationMs: 5, riferimenti: { idIstruttoria: roma[10 + i]! } },
      'CONSOLE',
    );
  }
  const security = { ...loadConfig().security, sogliaIstruttorieAltrui: 2, finestraIstruttorieAltruiMinuti: 60, orarioLavoro: { da: '00:00', a: '24:00', giorni: [1, 2, 3, 4, 5, 6, 7] } };
  await rilevaAnomalie(banco.pool, NOW, security, { operatoriDiSistema: [], istruttorie: true });
  expect((await elencoAllerte(banco.pool)).filter((a) => a.soggetto === 'verdi.milano').map((a) => a.regola)).toEqual(['ISTRUTTORIE_ALTRUI']);
});
