import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { MessaggiVistiPostgres } from '../shared/audit/messaggi-visti';
import { withSnapshot, withTransaction } from '../shared/db/pool';
import { ApeError } from '../shared/errors';
import pino from 'pino';
import { guardedByReplay } from '../shared/soap/intake/replay';
import type { PrimaIstruzione } from '../shared/db/prima-istruzione';
import type { VerifiedSignature } from '../shared/soap/intake/signature';
import { TestDatabase } from './support/database';

/**
 * The replay guard's record goes into the handler's own transaction (shared/db/prima-istruzione.ts,
 * shared/soap/intake/replay.ts): one commit per call; a copy refused before the handler's first change; a
 * handler that only reads, or that failed, still leaves the MessageID recorded; never in another pool's transaction.
 */
let db: TestDatabase;
let pool: Pool;
let altro: Pool;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  db = await TestDatabase.create('replay_transazione', 'hub', ['messaging', 'hub', 'audit']);
  pool = db.pool('hub');
  // Another pool on the same database (another service's): the record never goes into its transactions.
  altro = db.pool('hub');
  await pool.query('CREATE TABLE prova_effetto (id text PRIMARY KEY)');
});

afterAll(async () => {
  await db?.drop();
});

const firma = (): VerifiedSignature => ({ messageId: `urn:uuid:${randomUUID()}`, certificate: 'CN=prova', expires: new Date(Date.now() + 300_000) });
/** A signed call of an operation that takes its replay record in its transaction. */
const chiamata = (signature: VerifiedSignature) => ({ signature, identity: 'INPS', now: new Date(), nellaTransazione: true });
const xminVisto = async (s: VerifiedSignature) => (await pool.query<{ xmin: string }>('SELECT xmin::text FROM messaggio_visto WHERE message_id = $1', [s.messageId])).rows[0]?.xmin;
const effetti = async (id: string) => (await pool.query('SELECT 1 FROM prova_effetto WHERE id = $1', [id])).rowCount ?? 0;

/** A handler that changes state in its transaction, with the call's record, and says which transaction it was. */
const cambia = (id: string) => (primaIstruzione?: PrimaIstruzione) =>
  withTransaction(
    pool,
    async (tx) => {
      await tx.query('INSERT INTO prova_effetto (id) VALUES ($1)', [id]);
      return (await tx.query<{ xid: string }>('SELECT pg_current_xact_id()::xid::text AS xid')).rows[0]!.xid;
    },
    { primaIstruzione },
  );

test("the MessageID commits in the handler's transaction, before its change, and a copy changes nothing", async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const xid = await guardedByReplay(visti, chiamata(s), log, cambia('primo'));
  expect(await xminVisto(s)).toBe(xid);
  const copia = guardedByReplay(visti, chiamata(s), log, cambia('copia'));
  await expect(copia).rejects.toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
  expect(await effetti('copia')).toBe(0);
});

test('two copies at once: one handler changes state, the other is refused', async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const esiti = await Promise.allSettled([guardedByReplay(visti, chiamata(s), log, cambia('a')), guardedByReplay(visti, chiamata(s), log, cambia('b'))]);
  expect(esiti.map((e) => e.status).sort()).toEqual(['fulfilled', 'rejected']);
  expect((esiti.find((e) => e.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
  expect((await effetti('a')) + (await effetti('b'))).toBe(1);
});

test('a handler whose transaction failed leaves the MessageID recorded: its copy is a replay, not a second try', async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const fallisce = (primaIstruzione?: PrimaIstruzione) =>
    withTransaction(
      pool,
      async (tx) => {
        await tx.query('INSERT INTO prova_effetto (id) VALUES ($1)', ['fallito']);
        throw new ApeError('DATI_INCOERENTI', 'rifiutato dal gestore');
      },
      { primaIstruzione },
    );
  await expect(guardedByReplay(visti, chiamata(s), log, fallisce)).rejects.toMatchObject({ code: 'DATI_INCOERENTI' });
  expect(await effetti('fallito')).toBe(0);
  expect(await xminVisto(s)).toBeDefined();
  await expect(guardedByReplay(visti, chiamata(s), log, cambia('dopo'))).rejects.toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
  expect(await effetti('dopo')).toBe(0);
});

test('a handler that only reads has the MessageID written after it, and its copy is refused', async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const legge = () => withSnapshot(pool, async (tx) => (await tx.query('SELECT 1')).rowCount);
  expect(await guardedByReplay(visti, chiamata(s), log, legge)).toBe(1);
  expect(await xminVisto(s)).toBeDefined();
  await expect(guardedByReplay(visti, chiamata(s), log, legge)).rejects.toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
});

test("another pool's transaction and a read-only one do not take the record; the call's own transaction does", async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const xid = await guardedByReplay(visti, chiamata(s), log, async (primaIstruzione) => {
    await withTransaction(altro, (tx) => tx.query('INSERT INTO prova_effetto (id) VALUES ($1)', ['altro-pool']), { primaIstruzione });
    await withTransaction(pool, (tx) => tx.query('SELECT 1'), { begin: 'BEGIN READ ONLY', primaIstruzione });
    expect(await xminVisto(s)).toBeUndefined();
    return cambia('proprio')(primaIstruzione);
  });
  expect(await xminVisto(s)).toBe(xid);
});

test('a second transaction of the same call does not write the record again', async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const [primo, secondo] = await guardedByReplay(visti, chiamata(s), log, async (p) => [await cambia('uno')(p), await cambia('due')(p)] as const);
  expect(await xminVisto(s)).toBe(primo);
  expect(secondo).not.toBe(primo);
  expect(await effetti('due')).toBe(1);
});

test('a read-write transaction opened at another isolation level takes the record too', async () => {
  const visti = new MessaggiVistiPostgres(pool);
  const s = firma();
  const xid = await guardedByReplay(visti, chiamata(s), log, (primaIstruzione) =>
    withTransaction(pool, async (tx) => (await tx.query<{ xid: string }>('SELECT pg_current_xact_id()::xid::text AS xid')).rows[0]!.xid, { begin: 'BEGIN ISOLATION LEVEL SERIALIZABLE', primaIstruzione }),
  );
  expect(await xminVisto(s)).toBe(xid);
});
