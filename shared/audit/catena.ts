import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { queryKeepingConnection, withSnapshot, withTransaction } from '../db/pool';
import { GroupCommit } from '../db/group-commit';
import { cambiInsieme } from '../db/insieme';
import { segnaposti, type Segnaposto } from '../db/segnaposti';

/**
 * Append-only logs whose records are chained: each record's hash is SHA-256 over the previous record's hash and
 * the record's own fields in canonical form, so changing, removing or inserting a record anywhere breaks every
 * hash after it. Appends are serialised by a lock on the log's head row and grouped: concurrent callers, on any of a
 * database's logs, share one transaction, and each resolves only once its record is committed.
 */
export type Registro = 'registro_accessi' | 'registro_messaggi' | 'registro_conservazione';

export const GENESI = '0'.repeat(64);

/** Canonical text of a value: object keys sorted, Dates as ISO strings, undefined dropped. */
export function canonico(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonico).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as Record<string, unknown>).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonico((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function hashRecord(precedente: string, seq: number, campi: Record<string, unknown>): string {
  return createHash('sha256').update(`${precedente}|${seq}|${canonico(campi)}`).digest('hex');
}

/**
 * A state change committed with a record, in the same statement (one commit for both): data-modifying statements
 * (UPDATE, INSERT or DELETE, without a final semicolon, a RETURNING or a WITH of their own) written with `p`, which
 * takes a value and gives its placeholder. They run as parts of one statement, so none sees another's changes (two
 * changes of the same row in one batch, from two deliveries of one item at once, make one of them only). They
 * must not fail for data the caller checked: they share the statement with other callers' records (a batch
 * PostgreSQL refuses for its data is written again one record at a time, shared/db/group-commit.ts).
 */
export type Accompagnamento = (p: Segnaposto) => string | readonly string[];

/** An accompanying state change on its own, where there is no record to commit it with: one statement. */
export async function eseguiAccompagnamento(pool: Pick<Pool, 'query'>, insieme: Accompagnamento): Promise<void> {
  await cambiInsieme(pool, (p) => {
    const [prima, ...altre] = [insieme(p)].flat();
    if (prima === undefined) throw new Error('an accompanying state change with no statement');
    return { conta: prima, altri: altre };
  });
}

interface Pending {
  registro: Registro;
  campi: Record<string, unknown>;
  insieme?: Accompagnamento;
}

/**
 * Writes the records of every chained log of one database, grouped (shared/db/group-commit.ts): the records
 * appended while a batch is being written (and those appended in the same turn of the event loop, such as a call's
 * access record and its message record) are written together, in one statement: every chain's new records and its
 * head's move, from the head this writer last saw. That statement is its own transaction, one round trip instead of
 * five (BEGIN, lock the heads, one INSERT per chain, COMMIT). When another writer (another process on the same
 * schema) moved a head meanwhile, the statement fails whole (a record's seq is taken, or testa_catena_allineata
 * refuses it: migration audit/004) and is written again from the heads read anew; after a few such collisions the
 * batch is written under a lock on the heads, taken in name order so writers never deadlock. A record may carry the
 * state change it goes with (`Accompagnamento`), made by the same statement, before any head is locked.
 */
export class ScrittoreCatene {
  private readonly records = new GroupCommit<Pending, void>(async (batch) => {
    await this.scrivi(batch);
    return batch.map(() => undefined);
  });
  /** Each chain's head as this writer last wrote or read it; dropped on any failure (the outcome may be unknown). */
  private readonly teste = new Map<Registro, Testa>();

  constructor(private readonly pool: Pool) {}

  /**
   * Appends one record (its columns, without seq and hashes) to a chain, with the state change it goes with if
   * any (`insieme`, in the same statement); resolves when committed.
   */
  append(registro: Registro, campi: Record<string, unknown>, insieme?: Accompagnamento): Promise<void> {
    // What is hashed is what the database gives back: absent values are NULL.
    const normalizzati = Object.fromEntries(Object.entries(campi).map(([k, v]) => [k, v ?? null]));
    return this.records.aggiungi({ registro, campi: normalizzati, ...(insieme && { insieme }) });
  }

  private async scrivi(batch: readonly Pending[]): Promise<void> {
    const perRegistro = new Map<Registro, Pending[]>();
    for (const p of batch) {
      const records = perRegistro.get(p.registro);
      if (records) records.push(p);
      else perRegistro.set(p.registro, [p]);
    }
    const registri = [...perRegistro.keys()].sort();
    for (let tentativo = 0; tentativo < TENTATIVI_SENZA_BLOCCO; tentativo += 1) {
      const mancanti = registri.filter((r) => !this.teste.has(r));
      if (mancanti.length > 0) await this.leggiTeste(mancanti);
      // A head another writer was creating at that instant is not seen yet: read again.
      if (registri.some((r) => !this.teste.has(r))) continue;
      const scrittura = accodamenti(registri.map((r) => [r, this.teste.get(r)!, perRegistro.get(r)!]));
      try {
        // Refused when another writer moved a head: the connection is kept for the next attempt.
        await queryKeepingConnection(this.pool, scrittura.sql, scrittura.params);
        for (const [r, testa] of scrittura.nuoveTeste) this.teste.set(r, testa);
        return;
      } catch (err) {
        for (const r of registri) this.teste.delete(r);
        if (!testaSpostata(err)) throw err;
      }
    }
    const scritta = await withTransaction(this.pool, async (tx) => {
      // The state changes first, as in the statement without the lock: their rows before any head.
      const insieme = batch.flatMap((p) => (p.insieme ? [p.insieme] : []));
      if (insieme.length > 0) await eseguiAccompagnamento(tx, (v) => insieme.flatMap((f) => [f(v)].flat()));
      // Every head in one statement, locked in name order (rows are locked as the sorted rows come out).
      const teste = await tx.query<{ registro: Registro; seq: string; hash: string }>(
        'SELECT registro, seq, hash FROM catena_testa WHERE registro = ANY($1::text[]) ORDER BY registro FOR UPDATE',
        [registri],
      );
      if (teste.rows.length !== registri.length) throw new Error(`catena_testa: head rows missing for ${registri.join(', ')}`);
      const scrittura = accodamenti(teste.rows.map((t) => [t.registro, { seq: Number(t.seq), hash: t.hash }, perRegistro.get(t.registro)!]), { senzaAccompagnamenti: true });
      await tx.query(scrittura.sql, scrittura.params);
      return scrittura;
    });
    // Committed: the next batch starts from these heads without reading them again.
    for (const [r, testa] of scritta.nuoveTeste) this.teste.set(r, testa);
  }

  /** Reads the heads of these chains, creating those never written (a chain starts at the genesis hash). */
  private async leggiTeste(registri: readonly Registro[]): Promise<void> {
    const { rows } = await this.pool.query<{ registro: Registro; seq: string; hash: string }>(
      `WITH nuove AS (INSERT INTO catena_testa (registro, seq, hash) SELECT unnest($1::text[]), 0, $2 ON CONFLICT DO NOTHING RETURNING registro, seq, hash)
       SELECT registro, seq, hash FROM nuove UNION ALL SELECT registro, seq, hash FROM catena_testa WHERE registro = ANY($1::text[])`,
      [registri, GENESI],
    );
    for (const r of rows) this.teste.set(r.registro, { seq: Number(r.seq), hash: r.hash });
  }
}

interface Testa {
  seq: number;
  hash: string;
}

/** Collisions with other writers before a batch is written under a lock instead. */
const TENTATIVI_SENZA_BLOCCO = 3;

const CHIAVI_PRIMARIE = new Set(['registro_accessi_pkey', 'registro_messaggi_pkey', 'registro_conservazione_pkey']);

/** The statement failed because a head was not where this writer saw it: a seq already taken, or the check refused it. */
function testaSpostata(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === 'AP001' || (e?.code === '23505' && typeof e.constraint === 'string' && CHIAVI_PRIMARIE.has(e.constraint));
}

/**
 * One statement appending each chain's records after the given head and moving the head, if it is still there,
 * and making the records' accompanying state changes: a data-modifying WITH runs every part to completion, and the
 * final check fails the whole statement otherwise.
 */
function accodamenti(
  parti: ReadonlyArray<readonly [Registro, Testa, readonly Pending[]]>,
  opzioni: { senzaAccompagnamenti?: boolean } = {},
): { sql: string; params: unknown[]; nuoveTeste: Array<[Registro, Testa]> } {
  const { params, p } = segnaposti();
  // The state changes the records go with, first: written, and committed, by the same statement. Each head's move
  // waits for all of them (its condition reads them: an InitPlan, run before the head's row is locked), so a change
  // that waits for a row another transaction holds does so without holding any chain's head; a head held meanwhile
  // would stall every writer of that chain, and deadlock one whose transaction holds that row while it appends
  // (the retention job, shared/audit/conservazione.ts).
  const ctes: string[] = [];
  const cambi: string[] = [];
  parti.flatMap(([, , records]) => records).forEach((r, k) => {
    if (!r.insieme || opzioni.senzaAccompagnamenti) return;
    [r.insieme(p)].flat().forEach((sql, j) => {
      cambi.push(`c${k}_${j}`);
      ctes.push(`c${k}_${j} AS (${sql} RETURNING 1)`);
    });
  });
  const dopoAccompagnamenti = cambi.length === 0 ? '' : ` AND (SELECT count(*) FROM (${cambi.map((c) => `SELECT 1 FROM ${c}`).join(' UNION ALL ')}) c) >= 0`;
  const nuoveTeste: Array<[Registro, Testa]> = [];
  parti.forEach(([registro, testa, records], i) => {
    let seq = testa.seq;
    let prev = testa.hash;
    const cols = Object.keys(records[0]!.campi);
    const tuples: string[] = [];
    for (const r of records) {
      seq += 1;
      const hash = hashRecord(prev, seq, r.campi);
      const values = [seq, ...cols.map((c) => (r.campi[c] !== null && typeof r.campi[c] === 'object' && !(r.campi[c] instanceof Date) ? JSON.stringify(r.campi[c]) : r.campi[c])), prev, hash];
      tuples.push(`(${values.map(p).join(', ')})`);
      prev = hash;
    }
    // The table name comes from this module's own list, not from the caller's data.
    ctes.push(`r${i} AS (INSERT INTO ${registro} (seq, ${cols.join(', ')}, hash_precedente, hash) VALUES ${tuples.join(', ')} RETURNING 1)`);
    ctes.push(
      `t${i} AS (UPDATE catena_testa SET seq = ${p(seq)}, hash = ${p(prev)} WHERE registro = ${p(registro)} AND seq = ${p(testa.seq)} AND hash = ${p(testa.hash)}${dopoAccompagnamenti} RETURNING 1)`,
    );
    nuoveTeste.push([registro, { seq, hash: prev }]);
  });
  const spostate = parti.map((_, i) => `(SELECT count(*) FROM t${i})`).join(' + ');
  return { sql: `WITH ${ctes.join(', ')} SELECT testa_catena_allineata(${spostate} = ${parti.length})`, params, nuoveTeste };
}

/** One chained log, written through its database's shared writer. */
export class RegistroCatenato {
  constructor(
    private readonly scrittore: ScrittoreCatene,
    readonly registro: Registro,
  ) {}

  /** Appends one record (its columns, without seq and hashes), with the state change it goes with; resolves when committed. */
  append(campi: Record<string, unknown>, insieme?: Accompagnamento): Promise<void> {
    return this.scrittore.append(this.registro, campi, insieme);
  }
}

export interface EsitoVerifica {
  registro: Registro;
  record: number;
  integro: boolean;
  /** The first record whose hash does not match what precedes it, or whose sequence number is missing. */
  primoGuasto?: { seq: number; motivo: string };
}

/**
 * Recomputes a log's chain from its first record; reports the first broken one. The records and the chain's head
 * are read in one snapshot (a REPEATABLE READ, read-only transaction): the services append while the check runs,
 * and a record committed after the first page was read must not look like a head pointing past the records.
 */
export function verificaRegistro(pool: Pool, registro: Registro): Promise<EsitoVerifica> {
  return withSnapshot(pool, (tx) => verificaInIstantanea(tx, registro));
}

async function verificaInIstantanea(client: PoolClient, registro: Registro): Promise<EsitoVerifica> {
  const cols = (
    await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name NOT IN ('seq', 'hash', 'hash_precedente') ORDER BY ordinal_position`,
      [registro],
    )
  ).rows.map((r) => r.column_name);
  let prev = GENESI;
  let expected = 1;
  let count = 0;
  const pageSize = 5000;
  for (;;) {
    const { rows } = await client.query<Record<string, unknown> & { seq: string; hash: string; hash_precedente: string }>(
      `SELECT * FROM ${registro} WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expected, pageSize],
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) return { registro, record: count, integro: false, primoGuasto: { seq: expected, motivo: `manca il record ${expected} (il successivo presente è ${seq})` } };
      if (r.hash_precedente !== prev) return { registro, record: count, integro: false, primoGuasto: { seq, motivo: 'hash_precedente non coincide con il record precedente' } };
      const campi = Object.fromEntries(cols.map((c) => [c, r[c]]));
      const hash = hashRecord(prev, seq, campi);
      if (hash !== r.hash) return { registro, record: count, integro: false, primoGuasto: { seq, motivo: 'il contenuto del record non corrisponde al suo hash' } };
      prev = hash;
      expected += 1;
      count += 1;
    }
    if (rows.length < pageSize) break;
  }
  const head = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM catena_testa WHERE registro = $1', [registro])).rows[0];
  // The head is written in the same transaction as the records: records without it, or disagreeing with it, were touched.
  if (!head && count > 0) return { registro, record: count, integro: false, primoGuasto: { seq: count, motivo: `la testa della catena manca, ma i record sono ${count}` } };
  if (head && (Number(head.seq) !== count || head.hash !== prev)) {
    return { registro, record: count, integro: false, primoGuasto: { seq: count + 1, motivo: `la testa della catena indica ${head.seq} record, ne sono presenti ${count}` } };
  }
  return { registro, record: count, integro: true };
}
