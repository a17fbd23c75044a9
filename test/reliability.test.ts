import type { Pool } from 'pg';
import { scenario } from '../infra/demo/dataset';
import type { SistemaIstruttorio } from '../infra/clients/sistema-istruttorio';
import { eventually } from './support/eventually';
import { TestFederation } from './support/federation';

/**
 * Counterparts that are down, across the whole federation: the circuit breaker keeps one dead party from slowing
 * the others; a packet that cannot be delivered for 5 days gets the deadline rules and is still delivered, and
 * answered late, when the way opens again; a process stopped with SIGTERM finishes what it holds.
 */
const DAY = 86_400_000;
let fed: TestFederation;
let client: SistemaIstruttorio;
let inps: Pool;

beforeAll(async () => {
  // INL decides by hand here, so a case sent to it stays open while late esiti arrive.
  fed = await TestFederation.start({ name: 'reliability', fileClock: true, schedulerPollMs: 200, retryDelaysMs: [100, 200, 400, 800], inlApertura: 'manuale' });
  client = await fed.caseSystem();
  inps = fed.pool('inps');
});

afterAll(async () => {
  await fed?.stop();
});

async function pacchetti(protocollo: string): Promise<Record<string, { stato: string; inviato_il: Date | null; tentativi_invio: number; ultimo_errore: string | null }>> {
  const r = await inps.query<{ destinatario: string; stato: string; inviato_il: Date | null; tentativi_invio: number; ultimo_errore: string | null }>(
    `SELECT p.destinatario, p.stato, p.inviato_il, p.tentativi_invio, p.ultimo_errore FROM pacchetto p
       JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id WHERE d.protocollo = $1`,
    [protocollo],
  );
  return Object.fromEntries(r.rows.map(({ destinatario, ...rest }) => [destinatario, rest]));
}

test("with ANPAL down, the hub's circuit to it opens and every other party's packets flow on", async () => {
  await fed.stopProcess('agency-anpal');
  const protocolli = Array.from({ length: 8 }, (_, i) => `INPS.REL.CIRC.${i}`);
  await Promise.all(protocolli.map((p) => client.presentaDomanda(scenario('conforme').domanda(p, fed.now()))));
  // MINLAVORO and INAIL answer all of theirs while ANPAL's wait at the hub.
  await eventually(async () => {
    for (const p of protocolli) {
      const s = await pacchetti(p);
      if (s.MINLAVORO?.stato !== 'RISPOSTO' || s.INAIL?.stato !== 'RISPOSTO' || s.ANPAL?.stato !== 'INVIATO') return undefined;
    }
    return true;
  }, { timeoutMs: 60_000, what: 'the other parties to answer while ANPAL is down' });
  const hub = fed.logs.get('minlavoro-hub')!.join('\n');
  expect(hub).toContain('circuit opened');
  expect(hub).toContain('CIRCUITO_APERTO');

  await fed.startProcess('agency-anpal');
  await eventually(async () => {
    for (const p of protocolli) if ((await pacchetti(p)).ANPAL?.stato !== 'RISPOSTO') return undefined;
    return true;
  }, { timeoutMs: 60_000, what: "ANPAL's esiti once it is back" });
  expect(fed.logs.get('minlavoro-hub')!.join('\n')).toContain('circuit closed');
});

test('a packet INPS cannot deliver for 5 days counts as not verifiable, goes on being sent, and its late esito is applied', async () => {
  await fed.stopProcess('minlavoro-hub');
  const protocollo = 'INPS.REL.NONCONS.1';
  const r = await client.presentaDomanda(scenario('conforme').domanda(protocollo, fed.now()));
  await eventually(async () => {
    const s = await pacchetti(protocollo);
    return Object.values(s).every((p) => p.tentativi_invio >= 2) ? s : undefined;
  }, { what: 'failed attempts to reach the hub' });

  fed.advanceClock(6 * DAY);
  await eventually(async () => {
    const s = await pacchetti(protocollo);
    return Object.values(s).every((p) => p.stato === 'SCADUTO' && p.inviato_il === null) ? s : undefined;
  }, { what: 'the delivery deadline to pass' });
  const i = await inps.query<{ stato: string }>('SELECT stato FROM istruttoria WHERE id = $1', [r.idIstruttoria]);
  expect(i.rows[0]!.stato).toBe('VALUTAZIONE_INL');
  const tipi = (await inps.query<{ tipo: string }>('SELECT tipo FROM evento WHERE istruttoria_id = $1 ORDER BY id', [r.idIstruttoria])).rows.map((x) => x.tipo);
  expect(tipi.filter((t) => t === 'PACCHETTO_NON_CONSEGNATO')).toHaveLength(3);
  expect(tipi).not.toContain('PACCHETTO_SCADUTO');

  // The hub comes back: the packets are delivered and answered, late, before the istruttoria closes.
  await fed.startProcess('minlavoro-hub');
  const finale = await eventually(async () => {
    const s = await pacchetti(protocollo);
    return Object.values(s).every((p) => p.inviato_il !== null) ? s : undefined;
  }, { timeoutMs: 60_000, what: 'delivery once the hub is back' });
  expect(Object.keys(finale).sort()).toEqual(['ANPAL', 'INAIL', 'MINLAVORO']);
  const esiti = await eventually(async () => {
    const e = await inps.query<{ in_ritardo: boolean; applicato: boolean }>(
      'SELECT e.in_ritardo, e.applicato FROM esito_ricevuto e JOIN pacchetto p ON p.id = e.pacchetto_id WHERE p.istruttoria_id = $1',
      [r.idIstruttoria],
    );
    return e.rows.length === 3 ? e.rows : undefined;
  }, { timeoutMs: 60_000, what: 'the late esiti' });
  expect(esiti).toEqual([{ in_ritardo: true, applicato: true }, { in_ritardo: true, applicato: true }, { in_ritardo: true, applicato: true }]);
  expect((await inps.query<{ stato: string }>('SELECT stato FROM istruttoria WHERE id = $1', [r.idIstruttoria])).rows[0]!.stato).toBe('VALUTAZIONE_INL');
});

test('SIGTERM lets a process finish the calls and messages it holds: nothing is lost', async () => {
  const protocolli = Array.from({ length: 12 }, (_, i) => `INPS.REL.TERM.${i}`);
  const inviate = Promise.all(protocolli.map((p) => client.presentaDomanda(scenario('non-conforme').domanda(p, fed.now()))));
  // Stop the dispatcher and the hub politely while the domande arrive, then bring them back.
  await new Promise((r) => setTimeout(r, 150));
  expect(await fed.stopProcess('inps-dispatcher')).toBe(0);
  expect(await fed.stopProcess('minlavoro-hub')).toBe(0);
  await inviate;
  await fed.startProcess('minlavoro-hub');
  await fed.startProcess('inps-dispatcher');
  await eventually(async () => {
    const r = await inps.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id WHERE d.protocollo = ANY($1::text[]) AND i.stato = 'CHIUSA' AND i.esito_verifica = 'NON_CONFORME'`,
      [protocolli],
    );
    return r.rows[0]!.n === protocolli.length ? true : undefined;
  }, { timeoutMs: 60_000, what: 'every domanda closed NON_CONFORME' });
  const applicati = await inps.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM esito_ricevuto e JOIN pacchetto p ON p.id = e.pacchetto_id JOIN istruttoria i ON i.id = p.istruttoria_id
       JOIN domanda d ON d.id = i.domanda_id WHERE d.protocollo = ANY($1::text[]) AND e.applicato`,
    [protocolli],
  );
  expect(applicati.rows[0]!.n).toBe(protocolli.length * 3);
});
