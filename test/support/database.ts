import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool } from '../../shared/db/pool';
import { migrate, type MigrationSet } from '../../shared/db/migrate';
import { dropDatabase, ensureDatabase } from '../../infra/local/postgres';

/** A throwaway database for one test file, with one migrated schema. */
export class TestDatabase {
  private readonly pools: Pool[] = [];

  private constructor(readonly url: string) {}

  static async create(name: string, schema: string, sets: readonly MigrationSet[]): Promise<TestDatabase> {
    const url = `postgres://postgres@127.0.0.1:5432/t_${name.replace(/\W/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(url);
    const db = new TestDatabase(url);
    await migrate(db.pool(schema, 2), schema, sets);
    return db;
  }

  pool(schema: string, max = 5): Pool {
    const p = createPool(this.url, schema, { max });
    this.pools.push(p);
    return p;
  }

  async drop(): Promise<void> {
    // Swallowed: cleaning up; the database is dropped next anyway.
    await Promise.all(this.pools.map((p) => p.end().catch(() => undefined)));
    await dropDatabase(this.url);
  }
}
