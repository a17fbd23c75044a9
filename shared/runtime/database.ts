import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { migrate, type MigrationSet } from '../db/migrate';
import { Registri } from '../audit/registri';
import { Pseudonimizzatore } from '../audit/pseudonimi';
import { CacheSospensioni } from '../audit/sospensioni';
import { MessaggiVistiPostgres } from '../audit/messaggi-visti';
import { RifiutiSenzaIdentita } from '../audit/rifiuti-senza-identita';
import { allertaRifiutiSenzaIdentita, rilevaRifiutiRipetuti } from '../audit/anomalie';
import type { ServiceRuntime } from './service';
import { inpsReadings } from '../metrics/readings';

/**
 * A service's database: its schema migrated with the owner's connection (then closed), the working pool as the
 * application role, its chained logs, the suspensions cache and the replay guard. Everything closes on shutdown.
 */
export interface ServiceDatabase {
  pool: Pool;
  registri: Registri;
  /** Refusals of callers without an identity, written as one access record per source address and minute. */
  rifiutiSenzaIdentita: RifiutiSenzaIdentita;
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
  const sicurezza = rt.config.security;
  const rifiutiSenzaIdentita = new RifiutiSenzaIdentita({
    registri,
    clock: rt.clock,
    log: rt.log,
    soglia: sicurezza.sogliaRifiuti,
    allerta: (sorgente, conteggio, at) => allertaRifiutiSenzaIdentita(pool, sicurezza, sorgente, conteggio, at),
    dopoScrittura: (at) => rilevaRifiutiRipetuti(pool, at, sicurezza),
  });
  rifiutiSenzaIdentita.avvia();
  // Registered after the pool's closer, so it runs before it: the last minute's counts are written at shutdown, after
  // the SOAP server (registered later still) has stopped taking calls.
  rt.onShutdown(() => rifiutiSenzaIdentita.chiudi());
  return { pool, registri, rifiutiSenzaIdentita, sospensioni, visti: new MessaggiVistiPostgres(pool) };
}
