import type { Pool } from 'pg';
import { ManualClock } from '../shared/clock';
import { withTransaction } from '../shared/db/pool';
import { createLogger } from '../shared/log';
import { scheduleTimer, Scheduler, type TimerHandler } from '../shared/scheduler/timers';
import { TestDatabase } from './support/database';

/**
 * Durable timers in PostgreSQL: fired once each, whatever the number of scheduler instances, and never lost
 * when an instance dies in the middle of its work. Time is a ManualClock; nothing waits.
 */
const log = createLogger('test-scheduler');
log.level = 'silent';
let db: TestDatabase;
let pool: Pool;
const T0 = new Date('2026-03-29T00:30:00Z');

beforeAll(async () => {
  db = await TestDatabase.create('scheduler', 'inps', ['messaging', 'inps']);
  pool = db.pool('inps', 10);
  await pool.query('CREATE TABLE sparo (tipo text, chiave text, da text, il timestamptz)');
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await pool.query('TRUNCATE timer, sparo');
});

/** A handler that records each firing in the same transaction as the timer's state change. */
function registra(da: string, extra?: (chiave: string) => Promise<void>): TimerHandler {
  return async (tx, t, now) => {
    await extra?.(t.chiave);
    await tx.query('INSERT INTO sparo (tipo, chiave, da, il) VALUES ($1, $2, $3, $4)', [t.tipo, t.chiave, da, now]);
  };
}

async function programma(n: number, scadeIl: (i: number) => Date, tipo = 'PROVA'): Promise<void> {
  await withTransaction(pool, async (tx) => {
    for (let i = 0; i < n; i++) await scheduleTimer(tx, { tipo, chiave: `k${String(i).padStart(4, '0')}`, scadeIl: scadeIl(i) });
  });
}

test('a timer fires at its instant, not a millisecond before, and only once', async () => {
  await programma(1, () => new Date(T0.getTime() + 60_000));
  const clock = new ManualClock(new Date(T0.getTime() + 59_999));
  const s = new Scheduler({ pool, clock, handlers: { PROVA: registra('a') }, log });
  expect(await s.runDue()).toBe(0);
  clock.advance(1);
  expect(await s.runDue()).toBe(1);
  expect(await s.runDue()).toBe(0);
  const r = await pool.query("SELECT stato, eseguito_il FROM timer WHERE chiave = 'k0000'");
  expect(r.rows).toEqual([{ stato: 'ESEGUITO', eseguito_il: new Date(T0.getTime() + 60_000) }]);
  expect((await pool.query('SELECT count(*)::int AS n FROM sparo')).rows[0].n).toBe(1);
});

test('programming a timer again moves it; a fired timer is not programmed again', async () => {
  await programma(1, () => new Date(T0.getTime() + 1000));
  await programma(1, () => new Date(T0.getTime() + 5000));
  const clock = new ManualClock(new Date(T0.getTime() + 2000));
  const s = new Scheduler({ pool, clock, handlers: { PROVA: registra('a') }, log });
  expect(await s.runDue()).toBe(0);
  clock.advance(3000);
  expect(await s.runDue()).toBe(1);
  await programma(1, () => new Date(T0.getTime() + 9000));
  clock.advance(10_000);
  expect(await s.runDue()).toBe(0);
});

test('two scheduler instances at once fire each of 300 timers exactly once', async () => {
  await programma(300, (i) => new Date(T0.getTime() + i * 10));
  const clock = new ManualClock(new Date(T0.getTime() + 10_000));
  const a = new Scheduler({ pool, clock, handlers: { PROVA: registra('a') }, log, batchSize: 7 });
  const b = new Scheduler({ pool, clock, handlers: { PROVA: registra('b') }, log, batchSize: 7 });
  const [na, nb] = await Promise.all([a.runDue(), b.runDue()]);
  expect(na + nb).toBe(300);
  const fired = await pool.query<{ chiave: string; n: number }>('SELECT chiave, count(*)::int AS n FROM sparo GROUP BY chiave');
  expect(fired.rows).toHaveLength(300);
  expect(fired.rows.every((r) => r.n === 1)).toBe(true);
  const byInstance = await pool.query<{ da: string; n: number }>('SELECT da, count(*)::int AS n FROM sparo GROUP BY da ORDER BY da');
  // Both did work: SKIP LOCKED shares the due timers instead of serialising on them.
  expect(byInstance.rows.map((r) => r.da)).toEqual(['a', 'b']);
  expect((await pool.query("SELECT count(*)::int AS n FROM timer WHERE stato = 'ESEGUITO'")).rows[0].n).toBe(300);
});

test('an instance killed in the middle of its batch loses no timer: another fires all of them once', async () => {
  await programma(40, (i) => new Date(T0.getTime() + i));
  const clock = new ManualClock(new Date(T0.getTime() + 1000));
  // Instance A takes a batch and dies while handling its fifth timer: its connection is terminated, as a
  // crashed process's would be, so its whole transaction is rolled back by PostgreSQL.
  let handled = 0;
  const killer: TimerHandler = async (tx, t, now) => {
    handled++;
    if (handled === 5) {
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    }
    await tx.query('INSERT INTO sparo (tipo, chiave, da, il) VALUES ($1, $2, $3, $4)', [t.tipo, t.chiave, 'a', now]);
  };
  const a = new Scheduler({ pool, clock, handlers: { PROVA: killer }, log, batchSize: 10 });
  await expect(a.runDue()).rejects.toThrow();
  expect((await pool.query('SELECT count(*)::int AS n FROM sparo')).rows[0].n).toBe(0);
  expect((await pool.query("SELECT count(*)::int AS n FROM timer WHERE stato = 'ATTESA'")).rows[0].n).toBe(40);

  const b = new Scheduler({ pool, clock, handlers: { PROVA: registra('b') }, log, batchSize: 10 });
  expect(await b.runDue()).toBe(40);
  const fired = await pool.query<{ n: number; distinti: number }>('SELECT count(*)::int AS n, count(DISTINCT chiave)::int AS distinti FROM sparo');
  expect(fired.rows[0]).toEqual({ n: 40, distinti: 40 });
});

test('a failing handler is retried later with a growing delay and does not hold up the others', async () => {
  await programma(3, () => T0);
  const clock = new ManualClock(T0);
  let attempts = 0;
  const flaky = registra('a', async (chiave) => {
    if (chiave === 'k0001' && ++attempts <= 2) throw new Error('archivio momentaneamente non disponibile');
  });
  const s = new Scheduler({ pool, clock, handlers: { PROVA: flaky }, log });
  expect(await s.runDue()).toBe(2);
  const after1 = (await pool.query<{ stato: string; scade_il: Date; tentativi: number; ultimo_errore: string }>("SELECT stato, scade_il, tentativi, ultimo_errore FROM timer WHERE chiave = 'k0001'")).rows[0]!;
  expect(after1).toMatchObject({ stato: 'ATTESA', tentativi: 1, ultimo_errore: 'archivio momentaneamente non disponibile' });
  expect(after1.scade_il.getTime() - T0.getTime()).toBe(10_000);
  clock.advance(10_000);
  expect(await s.runDue()).toBe(0);
  const after2 = (await pool.query<{ scade_il: Date; tentativi: number }>("SELECT scade_il, tentativi FROM timer WHERE chiave = 'k0001'")).rows[0]!;
  expect(after2.tentativi).toBe(2);
  expect(after2.scade_il.getTime() - clock.now().getTime()).toBe(20_000);
  clock.advance(20_000);
  expect(await s.runDue()).toBe(1);
  expect((await pool.query("SELECT count(*)::int AS n FROM sparo WHERE chiave = 'k0001'")).rows[0].n).toBe(1);
});

test('a timer of a type nobody handles is kept, with the reason, instead of being lost', async () => {
  await programma(1, () => T0, 'SCONOSCIUTO');
  const s = new Scheduler({ pool, clock: new ManualClock(T0), handlers: {}, log });
  expect(await s.runDue()).toBe(0);
  const r = (await pool.query<{ stato: string; ultimo_errore: string }>('SELECT stato, ultimo_errore FROM timer')).rows[0]!;
  expect(r.stato).toBe('ATTESA');
  expect(r.ultimo_errore).toContain('no handler for timer type SCONOSCIUTO');
});
