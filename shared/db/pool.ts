import { DatabaseError, Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import type { Logger } from '../log';
import { metrics } from '../metrics/metrics';
import type { PrimaIstruzione } from './prima-istruzione';
import { StatementiPreparati } from './prepared';

/**
 * One pool per service, bound to the service's schema through search_path, so SQL names tables plainly.
 * Timestamps travel as timestamptz and come back as JS Dates (UTC instants).
 *
 * JIT compilation is off for the services' sessions: their statements read a few rows by index, and PostgreSQL
 * compiles a statement whose estimated cost passes jit_above_cost, which with statistics missing or older than the
 * data (a table grown since its last ANALYZE, a database restored or migrated) a lookup of three packets does: the
 * 20,000-domande benchmark of issue 17's seventh round found INPS's load of an istruttoria (aggiorna.ts) taking
 * 150-430 ms to compile against 0.3-2.7 ms to run, on every esito, and the federation's rate falling to a third.
 */
export function createPool(url: string, schema: string, opts: { max?: number; log?: Logger; applicationName?: string } = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: `-c search_path=${schema},public -c timezone=UTC -c jit=off`,
    application_name: opts.applicationName ?? `ape-${schema}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process; the pool
  // discards it and the next query reconnects.
  pool.on('error', (err) => opts.log?.warn({ err }, 'idle PostgreSQL client lost its connection'));
  // The statements a service repeats are prepared once per connection (prepared.ts).
  const preparati = new StatementiPreparati();
  pool.on('connect', (client) => {
    metrics().connessioniDb.inc({ schema, evento: 'aperta' });
    preparati.applica(client);
  });
  pool.on('remove', () => metrics().connessioniDb.inc({ schema, evento: 'chiusa' }));
  return pool;
}

export type Tx = PoolClient;

/**
 * True when PostgreSQL refused the data itself (SQLSTATE class 22, data exception, or 23, integrity constraint):
 * the same statement would fail again, and a statement without the offending row would not. Connection losses,
 * deadlocks and an unknown commit outcome are not: their callers must see the error and retry.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * One statement, run as its own transaction like pool.query, on a connection that PostgreSQL refusing it does not
 * cost. pool.query destroys its client on any error, so a statement that is refused by design now and then (the
 * chained logs' optimistic append, shared/audit/catena.ts, when another process moved a head) would make
 * PostgreSQL start a new backend each time: about one per domanda in issue 17's eighth round. After an error
 * response the session is idle and whole; the client is destroyed only when the connection itself failed.
 */
export function queryKeepingConnection<R extends QueryResultRow = QueryResultRow>(pool: Pool, text: string, params: unknown[]): Promise<QueryResult<R>> {
  return conClient(pool, async (client, rotto) => {
    try {
      return await client.query<R>(text, params);
    } catch (err) {
      if (!(err instanceof DatabaseError)) rotto();
      throw err;
    }
  });
}

/**
 * A client of the pool lent to fn and given back whole, unless its connection failed. A checked-out client whose
 * connection dies (PostgreSQL restart, terminated backend) emits 'error': without a listener that would crash the
 * process; the failing query rejects anyway, and the client is then destroyed. fn calls `rotto` when it learns the
 * connection is gone otherwise (a failed ROLLBACK).
 */
async function conClient<T>(pool: Pool, fn: (client: PoolClient, rotto: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const rotto = () => {
    broken = true;
  };
  client.on('error', rotto);
  try {
    return await fn(client, rotto);
  } finally {
    client.off('error', rotto);
    client.release(broken);
  }
}

/**
 * A read-only transaction on one snapshot (REPEATABLE READ): every statement sees the database as of the first
 * one, so a view assembled from several queries never mixes states before and after another transaction's commit.
 */
export function withSnapshot<T>(pool: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTransaction(pool, fn, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' });
}

export interface OpzioniTransazione {
  /** The statement opening it, default BEGIN (read-write, READ COMMITTED). */
  begin?: string;
  /** A call's statement to commit first (prima-istruzione.ts: the intake's replay record); a READ ONLY one never takes it. */
  primaIstruzione?: PrimaIstruzione;
}

/** Runs fn in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export function withTransaction<T>(pool: Pool, fn: (tx: Tx) => Promise<T>, o: OpzioniTransazione = {}): Promise<T> {
  const begin = o.begin ?? 'BEGIN';
  const prima = /\bREAD\s+ONLY\b/i.test(begin) ? undefined : o.primaIstruzione;
  return conClient(pool, async (client, rotto) => {
    let presa = false;
    try {
      await client.query(begin);
      presa = (await prima?.prendi(pool, client)) ?? false;
      const result = await fn(client);
      await client.query('COMMIT');
      if (presa) prima!.esito(true);
      return result;
    } catch (err) {
      if (presa) prima!.esito(false);
      // A failed ROLLBACK means the connection itself is gone: destroy it rather than reuse it.
      await client.query('ROLLBACK').catch(rotto);
      throw err;
    }
  });
}
