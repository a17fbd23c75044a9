import type { Browser } from 'playwright-core';
import { REGOLE_LIMITI } from '../../services/inps/console/limiti-login';
import { MESSAGGIO_FALLIMENTO } from '../../services/inps/console/login';
import { registraDispositivo } from '../../services/inps/console/dispositivi';
import { ACCOUNT_DEMO, cambiaPassword } from '../../services/inps/console/utenti';
import { violazioniGravi } from '../support/axe';
import { avviaBrowser, compilaLogin, haTesto, nuovoContesto, screenshot } from '../support/browser';
import { ClientConsole } from '../support/client-console';
import { avviaBancoConsole, type BancoConsole } from '../support/console-banco';

/**
 * Login under attack: throttling per source address and per account decided before any password hash, one
 * message for every failure, no way for a stranger to lock the owner out. (Real logins under a flood are timed in
 * test/faults/console-login-flood.test.ts, which runs alone.)
 */
const [FUNZIONARIO, SUPERVISORE] = ACCOUNT_DEMO;
let banco: BancoConsole;
let browser: Browser;

beforeAll(async () => {
  // The real clock: the flood and its throttling happen in real time. The first wait is a minute (not the default
  // second, test/unit/console-limiti-login.test.ts), so that a throttled account is still waiting when the test looks.
  banco = await avviaBancoConsole('console_login', new Date(), null, { ...REGOLE_LIMITI, attesaMs: 60_000 });
  setInterval(() => banco.clock.set(new Date()), 50).unref();
  browser = await avviaBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await banco?.chiudi();
});

const accedi = (p: import('playwright-core').Page, utente: string, password: string) => compilaLogin(p, banco.base, utente, password);

test("one message for every failure; a stranger's failures never lock the owner's browser out", async () => {
  const proprio = await nuovoContesto(browser);
  const p = await proprio.newPage();
  await accedi(p, FUNZIONARIO.id, FUNZIONARIO.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
  expect((await proprio.cookies()).find((c) => c.name === '__Host-ape-dispositivo')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
  await p.getByRole('button', { name: 'Esci' }).click();
  await p.waitForURL(`${banco.base}/login`);

  // A stranger fails 20 times on the officer's account and on one that does not exist, from 10 addresses.
  const risposte = [];
  for (let i = 0; i < 20; i++) {
    const estraneo = new ClientConsole(banco.base, `127.0.0.${70 + (i % 10)}`);
    risposte.push(await estraneo.login(i % 2 ? FUNZIONARIO.id : 'nessuno.tale', `tentativo-${i}`));
    estraneo.chiudi();
    await new Promise((r) => setTimeout(r, 260));
  }
  expect(new Set(risposte.map((r) => r.status))).toEqual(new Set([401]));
  const messaggi = new Set(risposte.map((r) => /<p class="errore" role="alert">([^<]*)</.exec(r.corpo)?.[1]));
  expect(messaggi).toEqual(new Set([MESSAGGIO_FALLIMENTO.replace(/'/g, '&#39;')]));

  // The owner's browser gets in at once...
  await accedi(p, FUNZIONARIO.id, FUNZIONARIO.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
  // ...a browser that never logged in is throttled (same message, even with the right password)...
  const nuovo = await nuovoContesto(browser);
  const q = await nuovo.newPage();
  await accedi(q, FUNZIONARIO.id, FUNZIONARIO.password);
  await haTesto(q.getByRole('alert'), MESSAGGIO_FALLIMENTO);
  await screenshot(q, 'i16-login-limitato');
  expect(await violazioniGravi(q)).toEqual([]);
  // ...and other accounts are not affected at all.
  await accedi(q, SUPERVISORE.id, SUPERVISORE.password);
  await q.waitForURL(`${banco.base}/istruttorie`);
  await nuovo.close();
  await proprio.close();

  // Refused attempts are in the access log, the throttled ones once a minute per address.
  const r = await banco.pool.query<{ codice_errore: string; n: number }>(
    `SELECT codice_errore, count(*)::int AS n FROM registro_accessi WHERE operazione = 'console:login' AND esito = 'RIFIUTATA' GROUP BY codice_errore ORDER BY codice_errore`,
  );
  const per = Object.fromEntries(r.rows.map((x) => [x.codice_errore, x.n]));
  expect(per.LOGIN_CREDENZIALI).toBeGreaterThanOrEqual(5);
  expect(per.LOGIN_CREDENZIALI).toBeLessThan(20);
  expect((per.LOGIN_LIMITATO_INDIRIZZO ?? 0) + (per.LOGIN_LIMITATO_ACCOUNT ?? 0)).toBeGreaterThanOrEqual(1);
});

test("a new password, or a disabled account, forgets the account's known devices: they no longer get the owner's lane", async () => {
  const conta = async () => Number((await banco.pool.query('SELECT count(*)::int AS n FROM dispositivo_console WHERE operatore_id = $1', [FUNZIONARIO.id])).rows[0].n);
  await registraDispositivo(banco.pool, FUNZIONARIO.id, null, new Date());
  expect(await conta()).toBeGreaterThanOrEqual(1);
  await cambiaPassword(banco.pool, FUNZIONARIO.id, FUNZIONARIO.password, new Date());
  expect(await conta()).toBe(0);
});
