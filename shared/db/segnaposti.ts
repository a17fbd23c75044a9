/** Writes a value into a statement: keeps it among the statement's parameters and gives its placeholder (`$n`). */
export type Segnaposto = (valore: unknown) => string;

/** The parameters of one statement being written, and the function that adds one (absent values as NULL). */
export function segnaposti(): { params: unknown[]; p: Segnaposto } {
  const params: unknown[] = [];
  return {
    params,
    p: (valore) => {
      params.push(valore ?? null);
      return `$${params.length}`;
    },
  };
}
