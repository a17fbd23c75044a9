import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { AccessEvent } from '../../shared/audit/registri';
import { RifiutiSenzaIdentita, type RifiutiSenzaIdentitaDeps } from '../../shared/audit/rifiuti-senza-identita';
import { ManualClock } from '../../shared/clock';

/**
 * Refusals of callers without an identity, counted per source address and minute and written as one access record
 * each once the minute is over (or at shutdown); RIFIUTI_RIPETUTI raised as soon as an address goes over the
 * threshold within a minute. Time is the injected clock's.
 */

const T0 = new Date('2026-03-10T09:00:05.000Z');

function setup(o: Partial<RifiutiSenzaIdentitaDeps> & { fallisce?: boolean } = {}) {
  const clock = new ManualClock(T0);
  const scritti: AccessEvent[] = [];
  const allerte: Array<{ sorgente: string; rifiuti: number; codici: Record<string, number>; at: Date }> = [];
  const valutazioni: Date[] = [];
  const lines: string[] = [];
  const rifiuti = new RifiutiSenzaIdentita({
    registri: {
      registraAccesso: async (e) => {
        if (o.fallisce) throw new Error('connection terminated');
        scritti.push(e);
      },
    },
    clock,
    log: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
    soglia: 20,
    allerta: async (sorgente, c, at) => void allerte.push({ sorgente, ...c, at }),
    dopoScrittura: async (at) => void valutazioni.push(at),
    ...o,
  });
  const rifiuta = (ip: string, over: Partial<AccessEvent> = {}) =>
    rifiuti.conta(
      {
        requestId: randomUUID(), at: clock.now(), service: '/ape/istruttoria', operation: null, identity: null, certificateSubject: null,
        operatore: null, remoteAddress: ip, outcome: 'RIFIUTATA', faultCode: 'CERTIFICATO_ASSENTE', durationMs: 1, ...over,
      },
      ip,
    );
  return { clock, rifiuti, rifiuta, scritti, allerte, valutazioni, lines };
}

test('one record per address for a minute of refusals, written once the minute is over, with the count and the codes', async () => {
  const { clock, rifiuti, rifiuta, scritti, valutazioni } = setup();
  for (let i = 0; i < 1500; i++) rifiuta('192.0.2.7', i % 3 === 0 ? { faultCode: 'TROPPE_RICHIESTE' } : {});
  rifiuta('192.0.2.7', { faultCode: 'PARTE_NON_RICONOSCIUTA', certificateSubject: 'CN=sconosciuto (AB:CD)', service: '/ape/esiti' });
  rifiuta('198.51.100.1', { faultCode: 'PARTE_NON_AUTORIZZATA', identity: 'ANPAL' });
  expect(await rifiuti.scarica()).toBe(0);
  clock.advance(54_999);
  expect(await rifiuti.scarica()).toBe(0);
  expect(scritti).toEqual([]);

  clock.advance(1);
  expect(await rifiuti.scarica()).toBe(2);
  const [a, b] = scritti;
  expect(a).toMatchObject({
    at: new Date('2026-03-10T09:01:00.000Z'), identity: null, operatore: null, remoteAddress: '192.0.2.7', outcome: 'RIFIUTATA', faultCode: 'CERTIFICATO_ASSENTE', service: '*',
    riferimenti: {
      rifiutiAggregati: {
        rifiuti: 1501, codici: { CERTIFICATO_ASSENTE: 1000, TROPPE_RICHIESTE: 500, PARTE_NON_RICONOSCIUTA: 1 }, dal: T0.toISOString(), al: T0.toISOString(),
        servizi: ['/ape/istruttoria', '/ape/esiti'], certificati: ['CN=sconosciuto (AB:CD)'], identitaDichiarate: [],
      },
    },
  });
  expect(b).toMatchObject({ remoteAddress: '198.51.100.1', service: '/ape/istruttoria', riferimenti: { rifiutiAggregati: { rifiuti: 1, identitaDichiarate: ['ANPAL'] } } });
  // The rule is evaluated on the log right after.
  expect(valutazioni).toEqual([new Date('2026-03-10T09:01:00.000Z')]);
  expect(await rifiuti.scarica()).toBe(0);
});

test('calls of the next minute go into a record of their own; at shutdown the current minute is written too', async () => {
  const { clock, rifiuti, rifiuta, scritti } = setup();
  rifiuta('192.0.2.7');
  clock.advance(60_000);
  rifiuta('192.0.2.7');
  rifiuta('192.0.2.7');
  expect(await rifiuti.scarica()).toBe(1);
  await rifiuti.chiudi();
  expect(scritti.map((r) => r.riferimenti?.rifiutiAggregati?.rifiuti)).toEqual([1, 2]);
});

test('RIFIUTI_RIPETUTI is raised as an address goes over the threshold within a minute, once, not when the minute ends', async () => {
  const { clock, rifiuti, rifiuta, allerte } = setup();
  for (let i = 0; i < 20; i++) rifiuta('192.0.2.7');
  expect(allerte).toEqual([]);
  clock.advance(1500);
  rifiuta('192.0.2.7', { faultCode: 'PARTE_NON_RICONOSCIUTA' });
  for (let i = 0; i < 500; i++) rifiuta('192.0.2.7');
  await rifiuti.chiudi();
  expect(allerte).toEqual([{ sorgente: '192.0.2.7', rifiuti: 21, codici: { CERTIFICATO_ASSENTE: 20, PARTE_NON_RICONOSCIUTA: 1 }, at: new Date(T0.getTime() + 1500) }]);
});

test('a flood from many addresses adds at most the configured number of records a minute, the rest under "*"', async () => {
  const { clock, rifiuti, rifiuta, scritti } = setup({ maxIndirizziAlMinuto: 3 });
  for (let i = 0; i < 100; i++) rifiuta(`203.0.113.${i}`);
  clock.advance(60_000);
  await rifiuti.scarica();
  expect(scritti.map((r) => [r.remoteAddress, r.riferimenti?.rifiutiAggregati?.rifiuti])).toEqual([
    ['203.0.113.0', 1], ['203.0.113.1', 1], ['203.0.113.2', 1], ['*', 97],
  ]);
});

test("what a flood chooses to send is kept short: a few values per list, each cut", async () => {
  const { clock, rifiuti, rifiuta, scritti } = setup();
  for (let i = 0; i < 50; i++) rifiuta('192.0.2.7', { service: `/${i}${'x'.repeat(1000)}`, certificateSubject: `CN=c${i}` });
  clock.advance(60_000);
  await rifiuti.scarica();
  const r = scritti[0]!.riferimenti!.rifiutiAggregati!;
  expect(r.servizi).toHaveLength(5);
  expect(r.certificati).toHaveLength(5);
  expect(Math.max(...r.servizi.map((s) => s.length))).toBe(200);
});

test('a record the database refuses is logged with its counts, as an access record that cannot be written is', async () => {
  const { clock, rifiuti, rifiuta, lines, valutazioni } = setup({ fallisce: true });
  for (let i = 0; i < 7; i++) rifiuta('192.0.2.7');
  clock.advance(60_000);
  expect(await rifiuti.scarica()).toBe(0);
  const line = JSON.parse(lines.find((l) => l.includes('not written'))!);
  expect(line).toMatchObject({ level: 50, sorgente: '192.0.2.7', rifiuti: 7, codici: { CERTIFICATO_ASSENTE: 7 }, err: 'connection terminated' });
  expect(valutazioni).toEqual([]);
});

test('writes run one at a time: a tick during a slow write finds nothing left to write', async () => {
  let rilascia!: () => void;
  const lento = new Promise<void>((r) => (rilascia = r));
  const scritti: AccessEvent[] = [];
  const { clock, rifiuti, rifiuta } = setup({ registri: { registraAccesso: async (e) => { await lento; scritti.push(e); } } });
  rifiuta('192.0.2.7');
  clock.advance(60_000);
  const primo = rifiuti.scarica();
  const secondo = rifiuti.scarica();
  rilascia();
  expect([await primo, await secondo]).toEqual([1, 0]);
  expect(scritti).toHaveLength(1);
});
