/**
 * Whether an error says the database cannot be reached right now (stopped, restarting, the connection refused or
 * cut), as opposed to a query that is wrong: the first is the caller's to retry later, and an endpoint answers it
 * with 503 and Retry-After. By code (node's socket errors, PostgreSQL's SQLSTATE), through the error's causes.
 */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is every connection exception. */
const SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300']);

export function databaseNonDisponibile(err: unknown): boolean {
  for (let e = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET.has(code) || SQLSTATE.has(code) || code.startsWith('08'))) return true;
  }
  return false;
}
