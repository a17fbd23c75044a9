import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { MIGRATIONS_DIR } from '../paths';

/**
 * Numbered, append-only SQL migrations (infra/migrations/<set>/NNN_name.sql), applied in order inside one
 * transaction under an advisory lock and recorded with their checksum in <schema>.migrazioni.
 * A schema receives the "messaging" set (outbox, inbox) and its service's own set.
 * A shipped migration that was edited, or a database newer than this code, stops the service.
 */

export type MigrationSet = 'messaging' | 'inps' | 'hub' | 'agency' | 'audit';

interface Migration {
  set: MigrationSet;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

function loadMigrations(set: MigrationSet): Migration[] {
  const dir = path.join(MIGRATIONS_DIR, set);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(f);
    if (!m) throw new Error(`migration file name ${set}/${f} must look like 001_name.sql`);
    const version = Number(m[1]);
    if (version !== out.length + 1) throw new Error(`migrations of ${set} must be numbered from 001 without gaps: ${f}`);
    const sql = readFileSync(path.join(dir, f), 'utf8');
    out.push({ set, version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

export interface MigrationReport {
  schema: string;
  applied: string[];
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export async function migrate(pool: Pool, schema: string, sets: readonly MigrationSet[]): Promise<MigrationReport> {
  if (!SCHEMA_NAME.test(schema)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `invalid schema name "${schema}"`);
  const client = await pool.connect();
  const onError = () => undefined; // the failing query rejects; see withTransaction
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ape-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path = ${schema}, public`);
    await client.query(`CREATE TABLE IF NOT EXISTS migrazioni (
      insieme text NOT NULL,
      versione integer NOT NULL,
      nome text NOT NULL,
      checksum text NOT NULL,
      applicata_il timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (insieme, versione)
    )`);
    const { rows } = await client.query<{ insieme: string; versione: number; nome: string; checksum: string }>(
      'SELECT insieme, versione, nome, checksum FROM migrazioni ORDER BY insieme, versione',
    );
    const applied: string[] = [];
    for (const set of sets) {
      const migrations = loadMigrations(set);
      const done = rows.filter((r) => r.insieme === set);
      for (const row of done) {
        const known = migrations[row.versione - 1];
        if (!known) {
          throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `schema ${schema} is at ${set} migration ${row.versione}, newer than this code knows (${migrations.length}): upgrade the code`);
        }
        if (known.checksum !== row.checksum) {
          throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `migration ${set}/${String(row.versione).padStart(3, '0')}_${row.nome} was edited after being applied to ${schema}; migrations are append-only`);
        }
      }
      for (const m of migrations.slice(done.length)) {
        await client.query(m.sql);
        await client.query('INSERT INTO migrazioni (insieme, versione, nome, checksum) VALUES ($1, $2, $3, $4)', [set, m.version, m.name, m.checksum]);
        applied.push(`${set}/${m.version}`);
      }
    }
    await client.query('COMMIT');
    return { schema, applied };
  } catch (err) {
    // Swallowed: a failed ROLLBACK means the connection is gone, and the transaction with it; the migration's error is the one to report.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', onError);
    client.release();
  }
}
