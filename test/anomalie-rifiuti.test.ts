import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import pino from 'pino';
import { allertaRifiutiSenzaIdentita, rilevaRifiutiRipetuti } from '../shared/audit/anomalie';
import { verificaRegistro } from '../shared/audit/catena';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { Registri, type AccessEvent } from '../shared/audit/registri';
import { RifiutiSenzaIdentita } from '../shared/audit/rifiuti-senza-identita';
import { ManualClock } from '../shared/clock';
import type { SecurityConfig } from '../shared/config/schema';
import { controlliAccessi } from '../shared/runtime/periodic';
import type { ServiceRuntime } from '../shared/runtime/service';
import { TestDatabase } from './support/database';

/**
 * RIFIUTI_RIPETUTI over an access log where the refusals of callers without an identity are aggregated: an aggregated
 * record counts for every call it holds, and a flood is reported within a minute of its start whether it is fast (the
 * intake raises it as the count crosses the threshold) or slow (the rule runs when each minute's record is written,
 * and every 30 s). Time is driven by the injected clock.
 */
let db: TestDatabase;
let pool: Pool;
let registri: Registri;
const SICUREZZA = { sogliaRifiuti: 20, finestraRifiutiMinuti: 5 } as SecurityConfig;

beforeAll(async () => {
  db = await TestDatabase.create('anomalie_rifiuti', 'hub', ['messaging', 'hub', 'audit']);
  pool = db.pool('hub', 3);
  registri = new Registri(pool, new Pseudonimizzatore(randomBytes(32)));
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM allerta');
});

function rifiuto(at: Date, over: Partial<AccessEvent> = {}): AccessEvent {
  return {
    requestId: randomUUID(), at, service: '/ape/verifica', operation: null, identity: null, certificateSubject: null, operatore: null,
    remoteAddress: '192.0.2.7', outcome: 'RIFIUTATA', faultCode: 'CERTIFICATO_ASSENTE', durationMs: 1, ...over,
  };
}

async function allerte(): Promise<Array<{ soggetto_tipo: string; soggetto: string; descrizione: string; rilevata_il: Date; dettagli: Record<string, unknown> }>> {
  return (await pool.query("SELECT soggetto_tipo, soggetto, descrizione, rilevata_il, dettagli FROM allerta WHERE regola = 'RIFIUTI_RIPETUTI' ORDER BY id")).rows;
}

function aggregatore(clock: ManualClock): RifiutiSenzaIdentita {
  return new RifiutiSenzaIdentita({
    registri,
    clock,
    log: pino({ level: 'silent' }),
    soglia: SICUREZZA.sogliaRifiuti,
    allerta: (sorgente, conteggio, at) => allertaRifiutiSenzaIdentita(pool, SICUREZZA, sorgente, conteggio, at),
    dopoScrittura: (at) => rilevaRifiutiRipetuti(pool, at, SICUREZZA),
  });
}

test('an aggregated record counts for every call it holds; a party\'s refusals still count one each', async () => {
  const at = new Date('2026-03-10T09:00:00Z');
  await registri.registraAccesso({
    ...rifiuto(at, { remoteAddress: '198.51.100.9' }),
    riferimenti: { rifiutiAggregati: { rifiuti: 1500, codici: { TROPPE_RICHIESTE: 1480, CERTIFICATO_ASSENTE: 20 }, dal: at.toISOString(), al: at.toISOString(), servizi: [], certificati: [], identitaDichiarate: [] } },
    faultCode: 'TROPPE_RICHIESTE',
  });
  for (let i = 0; i < 3; i++) await registri.registraAccesso(rifiuto(at, { identity: 'ANPAL', faultCode: 'PARTE_NON_AUTORIZZATA' }));
  expect(await rilevaRifiutiRipetuti(pool, new Date(at.getTime() + 30_000), SICUREZZA)).toBe(1);
  expect(await allerte()).toEqual([
    expect.objectContaining({
      soggetto_tipo: 'INDIRIZZO', soggetto: '198.51.100.9', descrizione: expect.stringContaining('1500 chiamate rifiutate in 5 minuti (soglia 20): CERTIFICATO_ASSENTE, TROPPE_RICHIESTE'),
      dettagli: { rifiuti: 1500, codici: { TROPPE_RICHIESTE: 1480, CERTIFICATO_ASSENTE: 20 } },
    }),
  ]);
});

test('a fast flood is reported as it crosses the threshold, and once: the rule on the written record finds it already raised', async () => {
  const clock = new ManualClock('2026-03-10T10:00:10Z');
  const rifiuti = aggregatore(clock);
  const inizio = clock.now();
  for (let i = 0; i < 1500; i++) {
    if (i % 100 === 0) clock.advance(200);
    rifiuti.conta(rifiuto(clock.now(), { remoteAddress: '203.0.113.5' }), '203.0.113.5');
  }
  // Raised without any record written yet: no minute is over.
  await rifiuti.allerteInCorso();
  expect(await pool.query('SELECT 1 FROM registro_accessi WHERE indirizzo_ip = $1', ['203.0.113.5'])).toMatchObject({ rowCount: 0 });
  const [allerta] = await allerte();
  expect(allerta).toMatchObject({ soggetto_tipo: 'INDIRIZZO', soggetto: '203.0.113.5', descrizione: expect.stringContaining('senza identità') });
  expect(allerta!.rilevata_il.getTime() - inizio.getTime()).toBeLessThan(1000);
  clock.advance(60_000);
  expect(await rifiuti.scarica()).toBe(1);
  await rifiuti.chiudi();
  expect(await allerte()).toHaveLength(1);
  expect(await verificaRegistro(pool, 'registro_accessi')).toMatchObject({ integro: true });
});

test('a slow flood is reported within a minute of crossing the threshold, when its minute is written', async () => {
  const clock = new ManualClock('2026-03-10T11:00:05Z');
  const rifiuti = aggregatore(clock);
  // 8 refusals a minute from one address: never over the threshold within a minute, over it (20) in the window of 5.
  let superata: Date | null = null;
  let n = 0;
  for (let minuto = 0; minuto < 4 && (await allerte()).length === 0; minuto++) {
    for (let i = 0; i < 8; i++) {
      clock.advance(5_000);
      rifiuti.conta(rifiuto(clock.now(), { remoteAddress: '203.0.113.9' }), '203.0.113.9');
      if (++n === 21) superata = clock.now();
    }
    // The intake's ticker, once the clock has passed the end of the minute.
    clock.set(new Date(Math.ceil(clock.now().getTime() / 60_000) * 60_000 + 1000));
    await rifiuti.scarica();
  }
  await rifiuti.chiudi();
  const [allerta] = await allerte();
  expect(allerta).toMatchObject({ soggetto_tipo: 'INDIRIZZO', soggetto: '203.0.113.9' });
  expect(superata).not.toBeNull();
  expect(allerta!.rilevata_il.getTime() - superata!.getTime()).toBeLessThanOrEqual(60_000);
});

test('the periodic task runs RIFIUTI_RIPETUTI every 30 seconds, apart from the slower rules', async () => {
  const clock = new ManualClock('2026-03-10T12:00:00Z');
  for (let i = 0; i < 21; i++) await registri.registraAccesso(rifiuto(clock.now(), { identity: 'INAIL', faultCode: 'FIRMA_ASSENTE' }));
  const rt = { clock, config: { systemOperators: {}, security: { ...SICUREZZA } } } as unknown as ServiceRuntime;
  const compiti = controlliAccessi(rt, pool, { istruttorie: false });
  const rifiuti = compiti.find((c) => c.nome.includes('rifiuti'))!;
  expect(rifiuti.ogniMs).toBeLessThanOrEqual(30_000);
  expect(await rifiuti.esegui()).toEqual({ nuove: 1 });
  expect(await allerte()).toEqual([expect.objectContaining({ soggetto_tipo: 'PARTE', soggetto: 'INAIL' })]);
});
