import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { HEADER_ATTEMPT, HEADER_ERROR_CODE, HEADER_ERROR_MESSAGE, HEADER_QUEUE } from '../../shared/amqp/consumer';
import { DEAD_LETTER_EXCHANGE, deadLetterQueue, declareTopology, QUEUES } from '../../shared/amqp/topology';
import { deleteVhost, ensureVhost } from '../../infra/local/rabbitmq';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';
import { violazioniGravi } from '../support/axe';
import { avviaBrowser, compilaLogin, contieneTesto, haTesto, nuovoContesto } from '../support/browser';
import { avviaBancoConsole, type BancoConsole } from '../support/console-banco';
import { eventually } from '../support/eventually';

/** INPS's dead letters seen and replayed from the console by a supervisor, on a RabbitMQ vhost of its own. */
const [, SUPERVISORE] = ACCOUNT_DEMO;
const URL_RABBIT = `amqp://guest:guest@127.0.0.1:5672/t_console_scarti_${randomBytes(4).toString('hex')}`;
let banco: BancoConsole;
let browser: Browser;
let rabbit: ChannelModel;
let p: Page;
const idMessaggio = randomUUID();

beforeAll(async () => {
  await ensureVhost(URL_RABBIT);
  rabbit = await connect(URL_RABBIT);
  const ch = await rabbit.createConfirmChannel();
  await declareTopology(ch, { retryDelaysMs: [1000], deliveryLimit: 5 });
  // What the dispatcher's consumer leaves behind when it gives up on a packet.
  ch.publish(DEAD_LETTER_EXCHANGE, QUEUES.inpsInvioPacchetto, Buffer.from(JSON.stringify({ idPacchetto: randomUUID() })), {
    messageId: idMessaggio, contentType: 'application/json', persistent: true,
    headers: { [HEADER_ERROR_CODE]: 'SERVIZIO_NON_DISPONIBILE', [HEADER_ERROR_MESSAGE]: 'hub non raggiungibile', [HEADER_QUEUE]: QUEUES.inpsInvioPacchetto, [HEADER_ATTEMPT]: 8 },
  });
  await ch.waitForConfirms();
  await ch.close();
  banco = await avviaBancoConsole('console_scarti', new Date('2026-07-01T10:00:00Z'), URL_RABBIT);
  browser = await avviaBrowser();
  p = await (await nuovoContesto(browser)).newPage();
  await compilaLogin(p, banco.base, SUPERVISORE.id, SUPERVISORE.password);
  await p.waitForURL(`${banco.base}/istruttorie`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await banco?.chiudi();
  await rabbit?.close();
  await deleteVhost(URL_RABBIT);
});

test('a supervisor sees a dead letter of INPS and puts it back to work; both traced', async () => {
  await p.getByRole('link', { name: 'Scarti' }).click();
  const riga = p.locator(`tr[data-scarto="${idMessaggio}"]`);
  await contieneTesto(riga, 'SERVIZIO_NON_DISPONIBILE');
  await contieneTesto(riga, 'hub non raggiungibile');
  expect(await violazioniGravi(p)).toEqual([]);
  await riga.getByRole('button', { name: 'Rimetti in lavoro' }).click();
  await p.waitForURL(/fatto=riprovati/);
  await haTesto(p.getByRole('status').filter({ hasText: 'rimesso' }), '1 messaggio rimesso in lavoro.');
  await contieneTesto(p.getByRole('region', { name: 'Invio dei pacchetti di verifica' }), 'Nessun messaggio scartato.');
  const ch = await rabbit.createChannel();
  await eventually(async () => (await ch.checkQueue(QUEUES.inpsInvioPacchetto)).messageCount === 1, { what: 'the message back in its work queue' });
  expect((await ch.checkQueue(deadLetterQueue(QUEUES.inpsInvioPacchetto))).messageCount).toBe(0);
  await ch.close();
  const tracce = await banco.pool.query<{ operazione: string }>(`SELECT operazione FROM registro_accessi WHERE operatore_id = $1 AND operazione IN ('console:scarti', 'console:riprova-scarti') ORDER BY seq`, [SUPERVISORE.id]);
  expect(tracce.rows.map((r) => r.operazione)).toEqual(['console:scarti', 'console:riprova-scarti', 'console:scarti']);
});
