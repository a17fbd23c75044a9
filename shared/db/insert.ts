import type { Tx } from './pool';
import { segnaposti, type Segnaposto } from './segnaposti';

/** One multi-row INSERT for rows of the same shape (fewer round trips than one INSERT per row). */
export async function insertRows(tx: Tx, table: string, columns: readonly string[], rows: readonly unknown[][], suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  const { params, p } = segnaposti();
  await tx.query(testoInsert(p, table, columns, rows, suffix), params);
}

/**
 * The text of that INSERT, its values written with `p` (segnaposti.ts): for a statement that does more, such as a
 * change written with the messages it causes (shared/outbox/outbox.ts conOutbox).
 */
export function testoInsert(p: Segnaposto, table: string, columns: readonly string[], rows: readonly unknown[][], suffix = ''): string {
  const tuples = rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`insertRows(${table}): row has ${row.length} values for ${columns.length} columns`);
    return `(${row.map((v) => p(v)).join(', ')})`;
  });
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`;
}
