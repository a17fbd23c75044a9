import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { MessaggiVistiPostgres } from '../shared/audit/messaggi-visti';
import { withSnapshot, withTransaction } from '../shared/db/pool';
import { ApeError } from '../shared/errors';
import pino from 'pino';
import { guardedByReplay } from '../shared/soap/intake/replay';
import { conOutboxNellaChiamata } from '../shared/outbox/outbox';
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

describe('a handler whose whole change is one statement: the record joins it (conOutboxNellaChiamata)', () => {
  const instrumentati: Pool[] = [];
  /** A pool of its own whose statements are counted (each client.query is one round trip). */
  function poolContato(): { pool: Pool; istruzioni: string[] } {
    const p = db.pool('hub');
    instrumentati.push(p);
    const istruzioni: string[] = [];
    p.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        istruzioni.push(typeof a[0] === 'string' ? a[0] : String((a[0] as { text?: string }).text));
        return query(...a);
      };
    });
    return { pool: p, istruzioni };
  }
  afterAll(async () => {
    await Promise.all(instrumentati.map((p) => p.end()));
  });

  const inserisci = (id: string) => (v: (x: unknown) => string) => `INSERT INTO prova_effetto (id) VALUES (${v(id)}) ON CONFLICT DO NOTHING`;
  const messaggio = (id: string) => [{ routingKey: 'prova.effetto', payload: { id } }];
  const xmin = async (sql: string, id: string) => (await pool.query<{ xmin: string }>(sql, [id])).rows.map((r) => r.xmin);
  const xminEffetto = (id: string) => xmin('SELECT xmin::text FROM prova_effetto WHERE id = $1', id);
  const xminMessaggi = (id: string) => xmin(`SELECT xmin::text FROM outbox WHERE payload->>'id' = $1`, id);

  test('the record, the change and the message it causes: one statement, one commit', async () => {
    const { pool: contato, istruzioni } = poolContato();
    const visti = new MessaggiVistiPostgres(contato);
    const s = firma();
    await contato.query('SELECT 1');
    istruzioni.length = 0;
    const n = await guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(contato, prima, inserisci('unico'), messaggio('unico'), { seCambia: true }));
    expect(n).toBe(1);
    expect(istruzioni).toHaveLength(1);
    expect(istruzioni[0]).toMatch(/^WITH visto AS \(INSERT INTO messaggio_visto .* SELECT messaggio_non_ripetuto/s);
    const [x] = await xminEffetto('unico');
    expect(x).toBeDefined();
    expect(await xminVisto(s)).toBe(x);
    expect(await xminMessaggi('unico')).toEqual([x]);
  });

  test('a copy is refused whole: no change, no message, MESSAGGIO_RIPETUTO', async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const s = firma();
    await guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci('originale'), messaggio('originale'), { seCambia: true }));
    const copia = guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci('copia-unica'), messaggio('copia-unica'), { seCambia: true }));
    await expect(copia).rejects.toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
    expect(await effetti('copia-unica')).toBe(0);
    expect(await xminMessaggi('copia-unica')).toEqual([]);
  });

  test('two copies at once: one changes state and causes its message, the other is refused', async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const s = firma();
    const chiama = (id: string) => guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci(id), messaggio(id), { seCambia: true }));
    const esiti = await Promise.allSettled([chiama('gemello-a'), chiama('gemello-b')]);
    expect(esiti.map((e) => e.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((esiti.find((e) => e.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
    expect((await effetti('gemello-a')) + (await effetti('gemello-b'))).toBe(1);
    expect((await xminMessaggi('gemello-a')).length + (await xminMessaggi('gemello-b')).length).toBe(1);
  });

  test("a request stored already (a sender's retry under a new MessageID) changes nothing, causes no message, and its record stays", async () => {
    const visti = new MessaggiVistiPostgres(pool);
    await guardedByReplay(visti, chiamata(firma()), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci('ritentato'), messaggio('ritentato'), { seCambia: true }));
    const s = firma();
    const n = await guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci('ritentato'), messaggio('ritentato'), { seCambia: true }));
    expect(n).toBe(0);
    expect(await xminMessaggi('ritentato')).toHaveLength(1);
    expect(await xminVisto(s)).toBeDefined();
  });

  test('a statement PostgreSQL refuses keeps nothing; the MessageID is recorded alone, and its copy is a replay', async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const s = firma();
    const rifiutata = guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, (v) => `INSERT INTO prova_effetto (id) VALUES (${v('rifiutata')}::int::text)`, messaggio('rifiutata')));
    await expect(rifiutata).rejects.toMatchObject({ code: '22P02' });
    expect(await effetti('rifiutata')).toBe(0);
    expect(await xminMessaggi('rifiutata')).toEqual([]);
    expect(await xminVisto(s)).toBeDefined();
    await expect(guardedByReplay(visti, chiamata(s), log, (prima) => conOutboxNellaChiamata(pool, prima, inserisci('dopo-rifiuto'), []))).rejects.toMatchObject({ code: 'MESSAGGIO_RIPETUTO' });
  });

  test("on another pool the record is not taken: the change is a transaction of its own, the record written after it", async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const s = firma();
    await guardedByReplay(visti, chiamata(s), log, async (prima) => {
      await conOutboxNellaChiamata(altro, prima, inserisci('su-altro-pool'), messaggio('su-altro-pool'), { seCambia: true });
      expect(await xminVisto(s)).toBeUndefined();
    });
    const [x] = await xminEffetto('su-altro-pool');
    expect(await xminMessaggi('su-altro-pool')).toEqual([x]);
    expect(await xminVisto(s)).toBeDefined();
    expect(await xminVisto(s)).not.toBe(x);
  });
});
