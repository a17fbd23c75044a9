import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { migrate, type MigrationSet } from '../db/migrate';
import { Registri } from '../audit/registri';
import { Pseudonimizzatore } from '../audit/pseudonimi';
import { CacheSospensioni } from '../audit/sospensioni';
import { MessaggiVistiPostgres } from '../audit/messaggi-visti';
import type { ServiceRuntime } from './service';
import { inpsReadings } from '../metrics/readings';

/**
 * A service's database: its schema migrated with the owner's connection (then closed), the working pool as the
 * application role, its chained logs, the suspensions cache and the replay guard. Everything closes on shutdown.
 */
export interface ServiceDatabase {
  pool: Pool;
  registri: Registri;
  sospensioni: CacheSospensioni;
  /** MessageIDs of signed calls received (replay guard). */
  visti: MessaggiVistiPostgres;
}

export async function openDatabase(rt: ServiceRuntime, schema: string, sets: readonly MigrationSet[]): Promise<ServiceDatabase> {
  const admin = createPool(rt.config.postgres.adminUrl, schema, { max: 1, log: rt.log, applicationName: `${rt.name}-migrate` });
  try {
    await migrate(admin, schema, [...sets, 'audit']);
  } finally {
    await admin.end();
  }
  const pool = createPool(rt.config.postgres.url, schema, { max: rt.config.postgres.poolSize, log: rt.log, applicationName: rt.name });
  rt.onShutdown(() => pool.end());
  rt.observability.readiness('postgres', async () => {
    await pool.query('SELECT 1');
  });
  // Every INPS process publishes the state of the INPS schema (they share it): dashboards take the max across them.
  if (sets.includes('inps')) inpsReadings(rt.observability, pool, rt.clock);
  const registri = new Registri(pool, Pseudonimizzatore.daFile(rt.config.security.pepperFile));
  const sospensioni = new CacheSospensioni(pool, schema, rt.log);
  await sospensioni.start();
  rt.onShutdown(() => sospensioni.stop());
  return { pool, registri, sospensioni, visti: new MessaggiVistiPostgres(pool) };
}
