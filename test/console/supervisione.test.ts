import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Registri } from '../../shared/audit/registri';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';
import { eccedenzaOrizzontale, violazioniGravi } from '../support/axe';
import { avviaBrowser, compilaLogin, contieneTesto, haNumero, haTesto, nuovoContesto, screenshot } from '../support/browser';
import { avviaBancoConsole, type BancoConsole } from '../support/console-banco';
import { seminaIstruttorie, type IstruttorieSeminate } from '../support/console-dati';

/**
 * A supervisor acts from the console: suspensions of existing operators only, confirmed, within the role hierarchy;
 * post/redirect/get; the access log in pages, with istruttoria links and a CSV export that is itself traced;
 * alerts linked to their accesses and closed with a note; admins manage accounts.
 */
const [FUNZIONARIO, SUPERVISORE, ADMIN] = ACCOUNT_DEMO;
const NOW = new Date('2026-07-01T10:00:00Z');
let banco: BancoConsole;
let browser: Browser;
let sup: Page;
let ist: IstruttorieSeminate;

async function accedi(utente: { id: string; password: string }, larghezza = 1366): Promise<Page> {
  const ctx = larghezza === 1366 ? await nuovoContesto(browser) : await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: larghezza, height: 844 }, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  const p = await ctx.newPage();
  await compilaLogin(p, banco.base, utente.id, utente.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
  return p;
}

beforeAll(async () => {
  banco = await avviaBancoConsole('console_supervisione', NOW);
  ist = await seminaIstruttorie(banco.pool, new Date('2026-07-01T06:00:00Z'));
  // 120 SOAP accesses of a case systems' operator in time order, the latest on an istruttoria.
  const registri = new Registri(banco.pool, banco.pseudonimi);
  for (let i = 119; i >= 0; i--) {
    await registri.registraAccesso({
      requestId: randomUUID(), at: new Date(NOW.getTime() - (i + 1) * 60_000), service: 'inps-gateway', operation: 'StatoIstruttoria', identity: 'INPS_ISTRUTTORIA', certificateSubject: null,
      operatore: { id: 'INPS-OP-SOAP-1', ufficio: 'Sede di Roma' }, remoteAddress: '10.0.0.1', outcome: 'ACCETTATA', faultCode: null, durationMs: 3,
      riferimenti: i === 0 ? { idIstruttoria: ist.nonConforme.id, protocollo: ist.nonConforme.protocollo } : {},
    });
  }
  await banco.pool.query(
    `INSERT INTO allerta (regola, soggetto_tipo, soggetto, chiave, descrizione, rilevata_il) VALUES ('ISTRUTTORIE_ALTRUI', 'OPERATORE', 'INPS-OP-SOAP-1', 'prova', '3 istruttorie di altre sedi consultate in 60 minuti (soglia 2)', $1)`,
    [NOW],
  );
  browser = await avviaBrowser();
  sup = await accedi(SUPERVISORE);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await banco?.chiudi();
});

test('a suspension names an existing operator, is confirmed first, and a reload after it does nothing more', async () => {
  await sup.getByRole('link', { name: 'Operatori' }).click();
  await sup.getByLabel('Identificativo operatore').fill('NESSUNO-TALE');
  await sup.locator('#s-motivo').fill('prova di sospensione');
  await sup.getByRole('button', { name: 'Sospendi', exact: true }).click();
  await contieneTesto(sup.getByRole('alert'), 'Nessun operatore NESSUNO-TALE');
  // The form keeps what was typed, to be corrected.
  expect(await sup.getByLabel('Identificativo operatore').inputValue()).toBe('NESSUNO-TALE');
  expect(await sup.locator('#s-motivo').inputValue()).toBe('prova di sospensione');
  expect((await banco.pool.query('SELECT count(*)::int AS n FROM sospensione')).rows[0].n).toBe(0);

  await sup.goto(`${banco.base}/supervisione/operatori`);
  await sup.getByLabel('Identificativo operatore').fill('INPS-OP-SOAP-1');
  await sup.locator('#s-motivo').fill('accessi a istruttorie di altre sedi');
  await sup.getByRole('button', { name: 'Sospendi', exact: true }).click();
  await haTesto(sup.getByRole('heading', { level: 1 }), 'Conferma la sospensione');
  await contieneTesto(sup.locator('main'), 'INPS-OP-SOAP-1 (operatore dei sistemi istruttori, Sede di Roma)');
  expect((await banco.pool.query('SELECT count(*)::int AS n FROM sospensione')).rows[0].n).toBe(0);
  expect(await violazioniGravi(sup)).toEqual([]);
  await sup.getByRole('button', { name: 'Conferma la sospensione' }).click();
  await sup.waitForURL(/\/supervisione\/operatori\?fatto=sospeso/);
  await haTesto(sup.getByRole('status').filter({ hasText: 'sospeso' }), 'Operatore INPS-OP-SOAP-1 sospeso.');
  await sup.reload();
  await sup.reload();
  const righe = await banco.pool.query(`SELECT count(*)::int AS n FROM registro_accessi WHERE operazione = 'console:sospendi' AND esito = 'ACCETTATA'`);
  expect(righe.rows[0].n).toBe(1);
  await screenshot(sup, 'i16-sup-01-sospeso');

  // Reinstated: the same way back.
  await sup.getByRole('table', { name: 'Altre sospensioni attive' }).getByRole('button', { name: /Riattiva/ }).click();
  await sup.waitForURL(/fatto=riattivato/);
});

test('a supervisor cannot suspend supervisors or admins; an admin can, and manages accounts from the page', async () => {
  await sup.goto(`${banco.base}/supervisione/operatori`);
  await haNumero(sup.locator(`tr[data-operatore="${ADMIN.id}"] button`), 0);
  await haNumero(sup.locator(`tr[data-operatore="${FUNZIONARIO.id}"]`).getByRole('button', { name: /Sospendi/ }), 1);
  const csrf = await sup.locator('input[name="_csrf"]').first().inputValue();
  const forzata = await sup.request.post(`${banco.base}/supervisione/sospendi`, { form: { _csrf: csrf, operatore: ADMIN.id, motivo: 'tentativo non consentito', conferma: '1' }, maxRedirects: 0 });
  expect(forzata.status()).toBe(403);
  expect((await banco.pool.query('SELECT count(*)::int AS n FROM sospensione WHERE revocata_il IS NULL')).rows[0].n).toBe(0);
  const creazione = await sup.request.post(`${banco.base}/supervisione/account`, { form: { _csrf: csrf, id: 'intruso.1', nome: 'X', ufficio: 'Y', ruolo: 'admin', password: 'Una-password-lunga-1' }, maxRedirects: 0 });
  expect(creazione.status()).toBe(403);

  const adm = await accedi(ADMIN);
  await adm.goto(`${banco.base}/supervisione/operatori`);
  await adm.locator('#n-id').fill('verdi.anna');
  await adm.locator('#n-nome').fill('Anna Verdi');
  await adm.locator('#n-ufficio').fill('INPS - Sede di Milano');
  await adm.locator('#n-ruolo').selectOption('officer');
  await adm.locator('#n-password').fill('Password-Iniziale-2026');
  await adm.getByRole('button', { name: "Crea l'account" }).click();
  await haTesto(adm.getByRole('status').filter({ hasText: 'creato' }), 'Account verdi.anna creato.');
  const riga = adm.locator('tr[data-operatore="verdi.anna"]');
  await riga.getByLabel(/Ruolo/).selectOption('supervisor');
  await riga.getByRole('button', { name: /Cambia ruolo/ }).click();
  await haTesto(adm.getByRole('status').filter({ hasText: 'Ruolo' }), 'Ruolo di verdi.anna aggiornato.');
  await contieneTesto(adm.locator('tr[data-operatore="verdi.anna"]'), 'Supervisore');
  // An admin may suspend a supervisor (with confirmation).
  await adm.locator(`tr[data-operatore="${SUPERVISORE.id}"]`).getByLabel('Motivo').fill('verifica del ruolo');
  await adm.locator(`tr[data-operatore="${SUPERVISORE.id}"]`).getByRole('button', { name: /Sospendi/ }).click();
  await adm.getByRole('button', { name: 'Conferma la sospensione' }).click();
  await haTesto(adm.getByRole('status').filter({ hasText: 'sospeso' }), `Operatore ${SUPERVISORE.id} sospeso.`);
  await adm.locator(`tr[data-operatore="${SUPERVISORE.id}"]`).getByRole('button', { name: /Riattiva/ }).click();
  await adm.waitForURL(/fatto=riattivato/);
  await adm.locator('tr[data-operatore="verdi.anna"]').getByLabel(/Nuova password/).fill('Altra-Password-2026');
  await adm.locator('tr[data-operatore="verdi.anna"]').getByRole('button', { name: /Imposta/ }).click();
  await haTesto(adm.getByRole('status').filter({ hasText: 'password' }), 'Nuova password impostata per verdi.anna; le sue sessioni aperte sono chiuse.');
  await adm.locator('tr[data-operatore="verdi.anna"]').getByRole('button', { name: /Disattiva/ }).click();
  await contieneTesto(adm.locator('tr[data-operatore="verdi.anna"]'), 'Disattivato');
  expect(await violazioniGravi(adm)).toEqual([]);
  await screenshot(adm, 'i16-sup-02-account');
  const tracce = await banco.pool.query<{ operazione: string }>(`SELECT operazione FROM registro_accessi WHERE operatore_id = $1 AND operazione LIKE 'console:%-account' ORDER BY seq`, [ADMIN.id]);
  expect(tracce.rows.map((r) => r.operazione)).toEqual(['console:crea-account', 'console:ruolo-account', 'console:password-account', 'console:disattiva-account']);
  await adm.context().close();
});

test('the access log pages, links its istruttorie, and exports CSV (the export traced); alerts link to their accesses and close with a note', async () => {
  await sup.goto(`${banco.base}/supervisione/allerte`);
  const allerta = sup.locator('tr[data-allerta]').first();
  await contieneTesto(allerta, "Istruttorie fuori dalla sede dell'operatore");
  await allerta.getByRole('link', { name: /Accessi collegati/ }).click();
  await sup.waitForURL(/\/supervisione\/accessi\?operatore=INPS-OP-SOAP-1/);
  await haTesto(sup.locator('#t-accessi'), /^120 accessi — pagina 1 di 3$/);
  await haNumero(sup.locator('table tbody tr'), 50);
  await contieneTesto(sup.locator('table tbody tr').first(), 'StatoIstruttoria');
  await sup.getByRole('link', { name: 'Pagina successiva' }).click();
  await haTesto(sup.locator('#t-accessi'), '120 accessi — pagina 2 di 3');
  await sup.getByRole('link', { name: 'Pagina successiva' }).click();
  await haNumero(sup.locator('table tbody tr'), 20);
  // The newest access, on page 1, links its istruttoria.
  await sup.getByRole('link', { name: 'Pagina precedente' }).click();
  await sup.getByRole('link', { name: 'Pagina precedente' }).click();
  await sup.getByRole('link', { name: new RegExp(ist.nonConforme.protocollo) }).click();
  await haTesto(sup.getByRole('heading', { level: 1 }), `Istruttoria ${ist.nonConforme.protocollo}`);

  await sup.goBack();
  const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByRole('link', { name: /Esporta in CSV/ }).click()]);
  const testo = (await (await download.createReadStream())!.toArray()).map((b: Buffer) => b.toString('utf8')).join('');
  const righe = testo.replace(/^\ufeff/, '').trim().split('\r\n');
  expect(righe[0]).toBe('registrato_il,canale,servizio,operazione,identita,operatore_id,operatore_ufficio,indirizzo_ip,esito,codice_errore,id_istruttoria,protocollo');
  expect(righe).toHaveLength(121);
  const esportazione = await banco.pool.query(`SELECT operatore_id, riferimenti->>'operatore' AS soggetto FROM registro_accessi WHERE operazione = 'console:esporta-accessi'`);
  expect(esportazione.rows).toEqual([{ operatore_id: SUPERVISORE.id, soggetto: 'INPS-OP-SOAP-1' }]);

  await sup.goto(`${banco.base}/supervisione/allerte`);
  await sup.locator('tr[data-allerta]').first().getByLabel(/Nota di chiusura/).fill('operatore autorizzato a supporto della sede di Milano');
  await sup.locator('tr[data-allerta]').first().getByRole('button', { name: /Chiudi/ }).click();
  await sup.waitForURL(/fatto=chiusa/);
  await haTesto(sup.getByRole('status').filter({ hasText: 'chiusa' }), /^Allerta \d+ chiusa\.$/);
  await contieneTesto(sup.locator('main'), 'Nessuna allerta da gestire.');
  await sup.getByRole('link', { name: 'Mostra anche le allerte chiuse' }).click();
  await contieneTesto(sup.locator('tr[data-allerta]').first(), `Chiusa da ${SUPERVISORE.id}`);
  await contieneTesto(sup.locator('tr[data-allerta]').first(), 'operatore autorizzato a supporto della sede di Milano');
});

test("a packet's delivery history from the istruttoria page; a supervisor resends an unanswered packet, traced and on the timeline", async () => {
  const f = await accedi(FUNZIONARIO);
  await f.goto(`${banco.base}/istruttorie/${ist.inVerifica.id}`);
  await haNumero(f.getByRole('button', { name: /Reinvia/ }), 0);
  await f.locator('tr[data-pacchetto="INAIL"]').getByRole('link', { name: /Storia della consegna/ }).click();
  await haTesto(f.getByRole('heading', { level: 1 }), "Pacchetto per l'INAIL");
  await contieneTesto(f.getByRole('table', { name: /Storia della consegna/ }), 'Coda di invio');
  expect(await violazioniGravi(f)).toEqual([]);
  await f.context().close();

  await sup.goto(`${banco.base}/istruttorie/${ist.inVerifica.id}`);
  await haNumero(sup.locator('tr[data-pacchetto="MINLAVORO"]').getByRole('button', { name: /Reinvia/ }), 0);
  await sup.locator('tr[data-pacchetto="INAIL"]').getByRole('button', { name: /Reinvia/ }).click();
  await sup.waitForURL(/fatto=reinviato/);
  await haTesto(sup.getByRole('status').filter({ hasText: 'Reinvio' }), "Reinvio del pacchetto per l'INAIL chiesto.");
  await contieneTesto(sup.locator('#cronologia'), `nuovo invio del pacchetto per l'INAIL chiesto dall'operatore ${SUPERVISORE.id}`);
  const outbox = await banco.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'reinvio' = 'true'`);
  expect(outbox.rows[0].n).toBe(1);
  const traccia = await banco.pool.query(`SELECT operatore_id, esito FROM registro_accessi WHERE operazione = 'console:reinvia-pacchetto'`);
  expect(traccia.rows).toEqual([{ operatore_id: SUPERVISORE.id, esito: 'ACCETTATA' }]);
  // A reminder to INAIL: the same message the deadline would send, on the timeline, traced.
  await sup.locator('tr[data-pacchetto="INAIL"]').getByRole('button', { name: /Sollecita/ }).click();
  await sup.waitForURL(/fatto=sollecitato/);
  await haTesto(sup.getByRole('status').filter({ hasText: 'Sollecito' }), "Sollecito all'INAIL chiesto.");
  await contieneTesto(sup.locator('#cronologia'), `sollecito all'INAIL chiesto dall'operatore ${SUPERVISORE.id}`);
  const solleciti = await banco.pool.query(`SELECT destinatario FROM messaggio_uscita WHERE tipo = 'SOLLECITO' AND istruttoria_id = $1`, [ist.inVerifica.id]);
  expect(solleciti.rows).toEqual([{ destinatario: 'INAIL' }]);
  // A packet already answered is not resent, even forced.
  const csrf = await sup.locator('input[name="_csrf"]').first().inputValue();
  const minlavoro = (await banco.pool.query(`SELECT id FROM pacchetto WHERE istruttoria_id = $1 AND destinatario = 'MINLAVORO'`, [ist.inVerifica.id])).rows[0].id;
  const forzato = await sup.request.post(`${banco.base}/istruttorie/${ist.inVerifica.id}/pacchetti/${minlavoro}/reinvia`, { form: { _csrf: csrf }, maxRedirects: 0 });
  expect(forzato.status()).toBe(409);
});

test('supervisor pages: no serious or critical accessibility violation, nothing sideways at 390 px', async () => {
  const tel = await accedi(SUPERVISORE, 390);
  for (const url of ['/supervisione/operatori', '/supervisione/allerte?tutte=1', '/supervisione/accessi?operatore=INPS-OP-SOAP-1', '/supervisione/accessi']) {
    await sup.goto(`${banco.base}${url}`);
    expect({ url, violazioni: await violazioniGravi(sup) }).toEqual({ url, violazioni: [] });
    await tel.goto(`${banco.base}${url}`);
    expect({ url, eccedenza: await eccedenzaOrizzontale(tel) }).toEqual({ url, eccedenza: 0 });
  }
  await screenshot(tel, 'i16-sup-390-accessi');
  await tel.context().close();
});
