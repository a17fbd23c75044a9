import type { Tx } from './pool';
import { segnaposti } from './segnaposti';

/** One multi-row INSERT for rows of the same shape (fewer round trips than one INSERT per row). */
export async function insertRows(tx: Tx, table: string, columns: readonly string[], rows: readonly unknown[][], suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  const { params, p } = segnaposti();
  const tuples = rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`insertRows(${table}): row has ${row.length} values for ${columns.length} columns`);
    return `(${row.map((v) => p(v)).join(', ')})`;
  });
  await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`, params);
}
