import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/**
 * The statements a service runs over and over (the same text with other parameters: a packet stored, an outbox row,
 * an esito applied) are prepared once per connection instead of parsed and planned by PostgreSQL at every call:
 * parse and bind were 40% of the server's time per statement in a statement log of the federation (issue 17). The
 * SQL stays where it is written; the pool's clients name a text once it has come back a few times.
 *
 * Bounded: at most MASSIMO_PREPARATE texts per process are prepared (so per connection), and texts built with a
 * variable number of rows (a batch's multi-row INSERT) seldom repeat and mostly stay unprepared. A text with `*` in
 * its select list or RETURNING is never prepared: a column added by a migration while the service runs would change
 * the prepared statement's result type, which PostgreSQL refuses ("cached plan must not change result type").
 * Names are a digest of the text, so every connection of the process agrees on them and none is reused for another
 * text. A connection pooler in front of PostgreSQL must then keep a client on one server connection or support
 * protocol-level prepared statements (PgBouncer 1.21+: max_prepared_statements).
 */
const VOLTE_PRIMA_DI_PREPARARE = 3;
const MASSIMO_PREPARATE = 256;
/** Texts counted while not yet prepared; beyond this the count starts over (a flood of one-off texts costs nothing). */
const MASSIMO_CONTATE = 2000;
const LUNGHEZZA_MASSIMA = 8000;
const SELEZIONE_APERTA = /(?:SELECT|RETURNING)\s+(?:[a-z_][a-z0-9_]*\.)?\*/i;

export class StatementiPreparati {
  private readonly nomi = new Map<string, string>();
  private contate = new Map<string, number>();

  /** The name to prepare this text under, or null to run it unnamed (not yet seen often enough, or not preparable). */
  nome(text: string): string | null {
    const noto = this.nomi.get(text);
    if (noto) return noto;
    if (this.nomi.size >= MASSIMO_PREPARATE || text.length > LUNGHEZZA_MASSIMA || SELEZIONE_APERTA.test(text)) return null;
    const volte = (this.contate.get(text) ?? 0) + 1;
    if (volte < VOLTE_PRIMA_DI_PREPARARE) {
      if (this.contate.size >= MASSIMO_CONTATE) this.contate = new Map();
      this.contate.set(text, volte);
      return null;
    }
    this.contate.delete(text);
    const nome = `ape_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    this.nomi.set(text, nome);
    return nome;
  }

  /** How many texts are prepared (for tests and the operations endpoint). */
  get preparate(): number {
    return this.nomi.size;
  }

  /**
   * Makes `client.query(text, values, ...)` with parameters run as a named prepared statement once its text is
   * known; every other form (no parameters, a QueryConfig, a cursor) is passed on unchanged.
   */
  applica(client: PoolClient): void {
    const originale = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [text, values, ...resto] = args;
      if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
        const name = this.nome(text);
        if (name) return originale({ name, text, values }, ...resto);
      }
      return originale(...args);
    };
  }
}
