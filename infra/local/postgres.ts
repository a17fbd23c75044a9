import { Client } from 'pg';

/**
 * Local PostgreSQL helpers for the start script and the tests: databases are created on demand
 * (the federation's own, or one per test file) and dropped by tests when they finish.
 */
function adminUrl(url: string): { admin: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`database name "${database}" must be lower-case letters, digits and _`);
  u.pathname = '/postgres';
  return { admin: u.toString(), database };
}

export async function ensureDatabase(url: string): Promise<boolean> {
  const { admin, database } = adminUrl(url);
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount) return false;
    await c.query(`CREATE DATABASE ${database}`);
    return true;
  } finally {
    await c.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { admin, database } = adminUrl(url);
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}
