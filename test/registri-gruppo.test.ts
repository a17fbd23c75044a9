import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { Registri } from '../shared/audit/registri';
import { eseguiAccompagnamento, verificaRegistro } from '../shared/audit/catena';
import { MessaggiVistiPostgres } from '../shared/audit/messaggi-visti';
import type { AccessEvent } from '../shared/audit/registri';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../shared/pki/certificates';
import { SoapClient, VoceMessaggio } from '../shared/soap/client';
import { TestDatabase } from './support/database';
import { eventually } from './support/eventually';

/**
 * The chained logs of one database share a writer: a call's access record and its message record commit in one
 * transaction, concurrent appends from two instances on the same schema keep every chain intact, and a record
 * the database refuses fails alone. A record can carry a state change (a delivery's), committed with it and made
 * once, which fails alone too.
 */
let db: TestDatabase;
let pool: Pool;
const pseudonimi = new Pseudonimizzatore(randomBytes(32));
const T0 = new Date('2026-03-29T00:30:00Z');

beforeAll(async () => {
  db = await TestDatabase.create('registri_gruppo', 'hub', ['messaging', 'hub', 'audit']);
  pool = db.pool('hub');
});

afterAll(async () => {
  await db?.drop();
});

function accesso(i: number): AccessEvent {
  return {
    requestId: randomUUID(), at: new Date(T0.getTime() + i), service: '/ape/pacchetti', operation: 'InviaPacchetto', identity: 'INPS',
    certificateSubject: 'CN=inps', operatore: null, remoteAddress: '127.0.0.1', outcome: 'ACCETTATA', faultCode: null, durationMs: 2,
  };
}

function messaggio(i: number) {
  return { direzione: 'RICEVUTO' as const, operazione: 'InviaPacchetto', controparte: 'INPS', messageId: `urn:uuid:${randomUUID()}`, improntaCorpo: 'ab'.repeat(32), dimensione: 1000 + i, esito: 'ACCETTATO' };
}

test("a call's access record and its message record commit in one transaction", async () => {
  const registri = new Registri(pool, pseudonimi);
  const a = accesso(1);
  const m = messaggio(1);
  await Promise.all([registri.registraAccesso(a), registri.registraMessaggio(m, a.at)]);
  const acc = await pool.query<{ xmin: string }>('SELECT xmin::text FROM registro_accessi WHERE richiesta_id = $1', [a.requestId]);
  const msg = await pool.query<{ xmin: string }>('SELECT xmin::text FROM registro_messaggi WHERE message_id = $1', [m.messageId]);
  expect(acc.rows).toHaveLength(1);
  expect(msg.rows).toHaveLength(1);
  expect(msg.rows[0]!.xmin).toBe(acc.rows[0]!.xmin);
});

test('two instances appending at once on the same schema keep every chain whole and fail no append', async () => {
  const uno = new Registri(db.pool('hub'), pseudonimi);
  const due = new Registri(db.pool('hub'), pseudonimi);
  const prima = await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM registro_accessi)::int + (SELECT count(*) FROM registro_messaggi)::int AS n');
  const scritture: Promise<void>[] = [];
  for (let i = 0; i < 200; i += 1) {
    const r = i % 2 === 0 ? uno : due;
    const a = accesso(100 + i);
    scritture.push(...(i % 2 === 0 ? [r.registraAccesso(a), r.registraMessaggio(messaggio(i), a.at)] : [r.registraMessaggio(messaggio(i), a.at), r.registraAccesso(a)]));
  }
  await Promise.all(scritture);
  const dopo = await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM registro_accessi)::int + (SELECT count(*) FROM registro_messaggi)::int AS n');
  expect(dopo.rows[0]!.n - prima.rows[0]!.n).toBe(400);
  for (const registro of ['registro_accessi', 'registro_messaggi'] as const) {
    expect(await verificaRegistro(pool, registro)).toMatchObject({ integro: true });
  }
  // Grouped: far fewer transactions than records.
  const tx = await pool.query<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM registro_accessi WHERE registrato_il >= $1', [new Date(T0.getTime() + 100)]);
  expect(tx.rows[0]!.n).toBeLessThan(200);
});

test('a write whose outcome is lost reaches every append of the batch as an error; nothing is appended twice', async () => {
  // A pool of its own whose first write of records is carried out and then reported as a lost connection.
  const reale = db.pool('hub');
  let perso = false;
  const avvolti = new WeakSet<object>();
  const instabile = <T extends { query: unknown }>(q: T): T => {
    if (avvolti.has(q)) return q;
    avvolti.add(q);
    const originale = (q.query as (...x: unknown[]) => Promise<unknown>).bind(q);
    q.query = async (...a: unknown[]) => {
      const r = await originale(...a);
      if (!perso && typeof a[0] === 'string' && /INSERT INTO registro_accessi/.test(a[0])) {
        perso = true;
        throw new Error('Connection terminated unexpectedly');
      }
      return r;
    };
    return q;
  };
  // The pool's statements and those of the clients it lends, both.
  const malfermo = { query: (...a: unknown[]) => (instabile(reale).query as (...x: unknown[]) => Promise<unknown>)(...a), connect: async () => instabile(await reale.connect()) } as unknown as Pool;
  const registri = new Registri(malfermo, pseudonimi);
  const a = accesso(2000);
  const b = accesso(2001);
  const esiti = await Promise.allSettled([registri.registraAccesso(a), registri.registraAccesso(b)]);
  expect(esiti.map((e) => e.status)).toEqual(['rejected', 'rejected']);
  const righe = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM registro_accessi WHERE richiesta_id = ANY($1)', [[a.requestId, b.requestId]]);
  expect(righe.rows[0]!.n).toBe(2);
  expect(await verificaRegistro(pool, 'registro_accessi')).toMatchObject({ integro: true });
  // The writer does not trust the head it had: the next append goes after the records whose outcome it never learnt.
  const c = accesso(2002);
  await registri.registraAccesso(c);
  expect(await verificaRegistro(pool, 'registro_accessi')).toMatchObject({ integro: true });
  expect((await pool.query('SELECT 1 FROM registro_accessi WHERE richiesta_id = $1', [c.requestId])).rowCount).toBe(1);
});

test('a record the database refuses fails alone; the records grouped with it are committed', async () => {
  const registri = new Registri(pool, pseudonimi);
  const buono = accesso(1000);
  const cattivo = { ...accesso(1001), durationMs: Number.NaN } as AccessEvent; // NaN is not an integer: refused
  const m = messaggio(1000);
  const esiti = await Promise.allSettled([registri.registraAccesso(buono), registri.registraAccesso(cattivo), registri.registraMessaggio(m, buono.at)]);
  expect(esiti.map((e) => e.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((await pool.query('SELECT 1 FROM registro_accessi WHERE richiesta_id = $1', [buono.requestId])).rowCount).toBe(1);
  expect((await pool.query('SELECT 1 FROM registro_accessi WHERE richiesta_id = $1', [cattivo.requestId])).rowCount).toBe(0);
  expect((await pool.query('SELECT 1 FROM registro_messaggi WHERE message_id = $1', [m.messageId])).rowCount).toBe(1);
  for (const registro of ['registro_accessi', 'registro_messaggi'] as const) {
    expect(await verificaRegistro(pool, registro)).toMatchObject({ integro: true });
  }
});

describe('a state change committed with its record (SoapClient.registraConsegna)', () => {
  beforeAll(async () => {
    await pool.query('CREATE TABLE prova_consegna (id int PRIMARY KEY, tentativi int NOT NULL DEFAULT 0, stato text NOT NULL)');
    await pool.query(`INSERT INTO prova_consegna (id, stato) SELECT g, 'DA_INVIARE' FROM generate_series(1, 12) g`);
  });

  const consegnato = (id: number) => (v: (valore: unknown) => string): string => `UPDATE prova_consegna SET stato = 'INVIATO', tentativi = tentativi + 1 WHERE id = ${v(id)}`;
  const stato = async (id: number) => (await pool.query<{ stato: string; tentativi: number; xmin: string }>('SELECT stato, tentativi, xmin::text FROM prova_consegna WHERE id = $1', [id])).rows[0]!;
  const xminMessaggio = async (messageId: string) => (await pool.query<{ xmin: string }>('SELECT xmin::text FROM registro_messaggi WHERE message_id = $1', [messageId])).rows.map((r) => r.xmin);

  test('the change commits in the transaction of its record, grouped with other callers\' records', async () => {
    const registri = new Registri(pool, pseudonimi);
    const a = accesso(3000);
    const m1 = messaggio(3001);
    const m2 = messaggio(3002);
    await Promise.all([registri.registraAccesso(a), registri.registraMessaggio(m1, a.at, consegnato(1)), registri.registraMessaggio(m2, a.at, (v) => [consegnato(2)(v), `UPDATE prova_consegna SET tentativi = 7 WHERE id = ${v(3)}`])]);
    const [uno, due, tre] = [await stato(1), await stato(2), await stato(3)];
    expect([uno.stato, uno.tentativi, due.stato, due.tentativi, tre.tentativi]).toEqual(['INVIATO', 1, 'INVIATO', 1, 7]);
    expect(await xminMessaggio(m1.messageId)).toEqual([uno.xmin]);
    expect(await xminMessaggio(m2.messageId)).toEqual([uno.xmin]);
    expect(due.xmin).toBe(uno.xmin);
    expect(await verificaRegistro(pool, 'registro_messaggi')).toMatchObject({ integro: true });
  });

  test('written again after another instance moved the head, the change is made once', async () => {
    const uno = new Registri(pool, pseudonimi);
    const due = new Registri(pool, pseudonimi);
    await uno.registraMessaggio(messaggio(3100), T0);
    await due.registraMessaggio(messaggio(3101), T0);
    // `uno` still holds the head before `due`'s record: its first statement collides and is written again.
    const m = messaggio(3102);
    await uno.registraMessaggio(m, T0, consegnato(4));
    expect(await stato(4)).toMatchObject({ stato: 'INVIATO', tentativi: 1 });
    expect(await xminMessaggio(m.messageId)).toEqual([(await stato(4)).xmin]);
    expect(await verificaRegistro(pool, 'registro_messaggi')).toMatchObject({ integro: true });
  });

  test('a change the database refuses fails its caller alone, record included; the records grouped with it are committed', async () => {
    const registri = new Registri(pool, pseudonimi);
    const buono = messaggio(3200);
    const cattivo = messaggio(3201);
    const esiti = await Promise.allSettled([
      registri.registraMessaggio(buono, T0, consegnato(5)),
      registri.registraMessaggio(cattivo, T0, (v) => `UPDATE prova_consegna SET stato = ${v(null)} WHERE id = ${v(6)}`),
    ]);
    expect(esiti.map((e) => e.status)).toEqual(['fulfilled', 'rejected']);
    expect(await stato(5)).toMatchObject({ stato: 'INVIATO', tentativi: 1 });
    expect(await stato(6)).toMatchObject({ stato: 'DA_INVIARE', tentativi: 0 });
    expect(await xminMessaggio(buono.messageId)).toHaveLength(1);
    expect(await xminMessaggio(cattivo.messageId)).toEqual([]);
    expect(await verificaRegistro(pool, 'registro_messaggi')).toMatchObject({ integro: true });
  });

  /**
   * A delivery of row `id` whose state change waits for the row, locked by another transaction: `mentre` runs while it
   * waits, then that transaction commits and the delivery completes.
   */
  async function consegnaInAttesa(id: number, mentre: (registri: Registri) => Promise<void>): Promise<void> {
    const registri = new Registri(pool, pseudonimi);
    const detentore = await pool.connect();
    try {
      await detentore.query('BEGIN');
      await detentore.query('SELECT 1 FROM prova_consegna WHERE id = $1 FOR UPDATE', [id]);
      const m = messaggio(3300 + id);
      const consegna = registri.registraMessaggio(m, T0, consegnato(id));
      await eventually(
        async () => (await pool.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH %UPDATE prova_consegna%'")).rowCount === 1,
        { what: 'the delivery waiting for the row' },
      );
      await mentre(registri);
      await detentore.query('COMMIT');
      await consegna;
      expect(await stato(id)).toMatchObject({ stato: 'INVIATO', tentativi: 1 });
      expect(await xminMessaggio(m.messageId)).toEqual([(await stato(id)).xmin]);
    } finally {
      detentore.release();
    }
  }

  test("a change waiting for a row another transaction holds does not hold the chain's head meanwhile", async () => {
    await consegnaInAttesa(9, async () => {
      // Another writer of the chain is not kept waiting: the head's row is free.
      const altro = await pool.connect();
      try {
        await altro.query('BEGIN');
        const testa = await altro.query("SELECT seq FROM catena_testa WHERE registro = 'registro_messaggi' FOR UPDATE NOWAIT");
        expect(testa.rowCount).toBe(1);
      } finally {
        await altro.query('ROLLBACK');
        altro.release();
      }
    });
  });

  test('the retention job appends while its transaction holds a row a delivery is waiting for', async () => {
    // As conservazioneParte: the rows locked, then a record appended for each before the commit.
    await consegnaInAttesa(10, (registri) =>
      registri.registraConservazione({ oggetto: 'prova_consegna', chiave: '10', azione: 'PSEUDONIMIZZATO', improntaRimossa: 'ab'.repeat(32) }, T0),
    );
    expect(await verificaRegistro(pool, 'registro_conservazione')).toMatchObject({ integro: true });
  });

  test("a state PostgreSQL refuses fails the delivery, and the call's entry is written alone", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'consegna-'));
    const ca = createCertificateAuthority({ commonName: 'CA di prova' }, validityFrom(new Date(), 30));
    const io = issueCertificate(ca, { commonName: 'pdd.prova.local' }, validityFrom(new Date(), 30));
    const file = (nome: string, testo: string) => {
      writeFileSync(path.join(dir, nome), testo, { mode: 0o600 });
      return path.join(dir, nome);
    };
    const soap = new SoapClient({ keyFile: file('k.pem', io.keyPem), certFile: file('c.pem', io.certPem), caFile: file('ca.pem', ca.certPem), timeoutMs: 1000, registri: new Registri(pool, pseudonimi) });
    try {
      const m = { ...messaggio(3500), direzione: 'INVIATO' as const };
      const voce = new VoceMessaggio();
      voce.trattenuta = { messaggio: m, at: T0 };
      await expect(soap.registraConsegna(voce, pool, (v) => `UPDATE prova_consegna SET stato = ${v(null)} WHERE id = ${v(11)}`)).rejects.toMatchObject({ code: '23502' });
      expect(await stato(11)).toMatchObject({ stato: 'DA_INVIARE', tentativi: 0 });
      expect(await xminMessaggio(m.messageId)).toHaveLength(1);
      expect(await verificaRegistro(pool, 'registro_messaggi')).toMatchObject({ integro: true });
    } finally {
      soap.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with no record to go with it, the change is one statement of its own', async () => {
    await eseguiAccompagnamento(pool, (v) => [consegnato(7)(v), `UPDATE prova_consegna SET tentativi = 9 WHERE id = ${v(8)}`]);
    expect(await stato(7)).toMatchObject({ stato: 'INVIATO', tentativi: 1 });
    expect((await stato(8)).tentativi).toBe(9);
    expect((await stato(8)).xmin).toBe((await stato(7)).xmin);
  });
});

describe('replay guard', () => {
  test('concurrent calls share one insert; of copies of one MessageID exactly one is new, in the batch or after it', async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const now = new Date();
    const scade = new Date(now.getTime() + 300_000);
    const ids = Array.from({ length: 40 }, () => `urn:uuid:${randomUUID()}`);
    const copia = ids[7]!;
    const esiti = await Promise.all([...ids, copia, copia].map((id) => visti.registra(id, 'INPS', scade, now)));
    expect(esiti.filter(Boolean)).toHaveLength(40);
    expect(esiti.slice(40)).toEqual([false, false]);
    expect(await visti.registra(copia, 'INPS', scade, now)).toBe(false);
    const tx = await pool.query<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM messaggio_visto WHERE message_id = ANY($1)', [ids]);
    expect(tx.rows[0]!.n).toBe(1);
  });

  test('an insert whose outcome is lost reaches every call as an error (retryable upstream), none is answered "already seen"', async () => {
    let perso = false;
    const instabile = {
      query: async (...a: unknown[]) => {
        const r = await (pool.query as (...x: unknown[]) => Promise<unknown>)(...a);
        if (!perso) {
          perso = true;
          throw new Error('Connection terminated unexpectedly');
        }
        return r;
      },
    } as unknown as Pool;
    const visti = new MessaggiVistiPostgres(instabile);
    const now = new Date();
    const esiti = await Promise.allSettled([1, 2, 3].map(() => visti.registra(`urn:uuid:${randomUUID()}`, 'INPS', new Date(now.getTime() + 300_000), now)));
    expect(esiti.map((e) => e.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  test('a MessageID the database refuses fails alone', async () => {
    const visti = new MessaggiVistiPostgres(pool);
    const now = new Date();
    const buono = `urn:uuid:${randomUUID()}`;
    const esiti = await Promise.allSettled([
      visti.registra(buono, 'INPS', new Date(now.getTime() + 300_000), now),
      visti.registra(`urn:uuid:${randomUUID()}\u0000`, 'INPS', new Date(now.getTime() + 300_000), now), // NUL is not text for PostgreSQL: refused
    ]);
    expect(esiti.map((e) => e.status)).toEqual(['fulfilled', 'rejected']);
    expect((esiti[0] as PromiseFulfilledResult<boolean>).value).toBe(true);
  });
});

test("a head another instance moved costs the writer a retry, not its connection", async () => {
  // Two processes on one schema (INPS's gateway and dispatcher) collide about once per domanda: a new PostgreSQL
  // backend for each collision was ~1,000 connections per 300-domande benchmark (issue 17, eighth round).
  const propria = db.pool('hub', 1);
  let connessioni = 0;
  propria.on('connect', () => {
    connessioni += 1;
  });
  const scrittore = new Registri(propria, pseudonimi);
  const altro = new Registri(db.pool('hub'), pseudonimi);
  await scrittore.registraAccesso(accesso(2000));
  const backend = (await propria.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  for (let i = 1; i <= 5; i += 1) {
    await altro.registraAccesso(accesso(2000 + 2 * i));
    // Written from the head it last saw: refused (the seq is taken), then written after the head as it is.
    const a = accesso(2001 + 2 * i);
    await scrittore.registraAccesso(a);
    const r = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM registro_accessi WHERE richiesta_id = $1', [a.requestId]);
    expect(r.rows[0]!.n).toBe(1);
  }
  expect(connessioni).toBe(1);
  expect((await propria.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).toBe(backend);
  expect(await verificaRegistro(pool, 'registro_accessi')).toMatchObject({ integro: true });
});

// Last: it leaves the access chain broken on purpose (a head moved with no records behind it).
test('a head moved behind the writer\'s back: the write from the head it had is refused whole, the record goes after the head as it is', async () => {
  const registri = new Registri(pool, pseudonimi);
  await registri.registraAccesso(accesso(3000));
  // Another writer's move the first cannot see: the head ahead of the records (no seq collides).
  const { rows } = await pool.query<{ seq: string; hash: string }>("UPDATE catena_testa SET seq = seq + 5, hash = $1 WHERE registro = 'registro_accessi' RETURNING seq, hash", ['f'.repeat(64)]);
  const a = accesso(3001);
  await registri.registraAccesso(a);
  const r = await pool.query<{ seq: string; hash_precedente: string }>('SELECT seq, hash_precedente FROM registro_accessi WHERE richiesta_id = $1', [a.requestId]);
  expect(r.rows).toEqual([{ seq: String(Number(rows[0]!.seq) + 1), hash_precedente: rows[0]!.hash }]);
});
