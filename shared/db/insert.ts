import type { Tx } from './pool';

/** One multi-row INSERT for rows of the same shape (fewer round trips than one INSERT per row). */
export async function insertRows(tx: Tx, table: string, columns: readonly string[], rows: readonly unknown[][], suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`insertRows(${table}): row has ${row.length} values for ${columns.length} columns`);
    const ph = row.map((v) => {
      params.push(v);
      return `$${params.length}`;
    });
    return `(${ph.join(', ')})`;
  });
  await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`, params);
}
