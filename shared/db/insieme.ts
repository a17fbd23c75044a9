import type { Pool } from 'pg';
import { segnaposti, type Segnaposto } from './segnaposti';

/**
 * Data-modifying statements (INSERT, UPDATE or DELETE, without RETURNING or a WITH of their own) run as one: the
 * parts of a data-modifying WITH. One round trip where there were one per change, in the caller's transaction (or
 * as a transaction of its own, on a pool).
 * They run on one snapshot and none sees another's changes, so none may depend on another's rows. `conta` is the
 * change whose happening the caller checks: the statement resolves to the number of rows it touched.
 */
export async function cambiInsieme(db: Pick<Pool, 'query'>, scrivi: (p: Segnaposto) => { conta: string; altri: readonly string[] }): Promise<number> {
  const { params, p } = segnaposti();
  const { conta, altri } = scrivi(p);
  const r = await db.query<{ n: number }>(`WITH conta AS (${conta} RETURNING 1)${altri.map((sql, i) => `, c${i} AS (${sql})`).join('')} SELECT count(*)::int AS n FROM conta`, params);
  return r.rows[0]!.n;
}
