import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';

/**
 * routing "direct": INPS sends each packet straight to its recipient instead of through the Ministero's hub
 * (an option for a counterpart agreement; the protocol's default is the hub). The hub does not run at all.
 */
let fed: TestFederation;

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'routing-direct',
    routing: 'direct',
    processes: ['inps-gateway', 'inps-dispatcher', 'agency-minlavoro', 'agency-anpal', 'agency-inail', 'agency-inl'],
  });
});

afterAll(async () => {
  await fed?.stop();
});

test('a domanda closes with packets delivered by INPS to each party directly', async () => {
  const client = await fed.caseSystem();
  const r = await client.presentaDomanda(scenario('turni-inl').domanda('INPS.DIRECT.0001', new Date()));
  const s = await eventually(async () => {
    const st = await client.statoIstruttoria({ IdIstruttoria: r.idIstruttoria });
    return st.Stato === 'CHIUSA' ? st : undefined;
  }, { timeoutMs: 60_000, what: 'closure' });
  expect(s.EsitoVerifica).toBe('CONFORME');
  for (const ente of ['minlavoro', 'anpal', 'inl']) {
    const rows = await fed.pool(ente).query<{ mittente: string }>("SELECT mittente FROM pacchetto_ricevuto WHERE contenuto->>'protocolloDomanda' = 'INPS.DIRECT.0001'");
    expect(rows.rows).toEqual([{ mittente: 'INPS' }]);
  }
});
