import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { queryKeepingConnection, withTransaction, type Tx } from '../db/pool';
import type { PrimaIstruzione } from '../db/prima-istruzione';
import { segnaposti, type Segnaposto } from '../db/segnaposti';

/** A message caused by a state change, committed in the same transaction as the change. */
export interface OutboxMessage {
  routingKey: string;
  payload: unknown;
  messageId?: string;
  headers?: Record<string, unknown>;
}

export async function enqueue(tx: Tx, msg: OutboxMessage): Promise<string> {
  const id = msg.messageId ?? randomUUID();
  await tx.query('INSERT INTO outbox (message_id, routing_key, payload, headers) VALUES ($1, $2, $3, $4)', [
    id,
    msg.routingKey,
    JSON.stringify(msg.payload),
    JSON.stringify(msg.headers ?? {}),
  ]);
  return id;
}

/**
 * A state change and the messages it causes, in one statement: one round trip where a row and its message were two
 * (or 2n for n rows and their messages). `cambio` is one data-modifying statement (INSERT, UPDATE or DELETE) without
 * RETURNING, written with `p`, which takes a value and gives its placeholder. With `seCambia` the messages are
 * stored only if the change touched a row: an INSERT ... ON CONFLICT DO NOTHING finding its row already there
 * (a copy of a request) causes nothing. Resolves to the number of rows the change touched.
 */
export async function conOutbox(tx: Tx, cambio: (p: Segnaposto) => string, messaggi: readonly OutboxMessage[], o: { seCambia?: boolean } = {}): Promise<number> {
  const { params, p } = segnaposti();
  const r = await tx.query<{ n: number }>(`WITH ${partiConOutbox(p, cambio, messaggi, o)} SELECT count(*)::int AS n FROM cambio`, params);
  return r.rows[0]!.n;
}

/**
 * conOutbox for a call's handler whose whole change is that statement: the call's replay record (prima-istruzione.ts,
 * the intake's) joins it as a part, so the call costs its receiver one round trip and one commit, where BEGIN, the
 * record, the change and COMMIT were four round trips. A copy of the call (its record there already, or committed
 * meanwhile by another instance) has the whole statement refused (messaggio_non_ripetuto, migration audit/005):
 * nothing of it is kept, and the call is refused as the record's own statement would refuse it (MESSAGGIO_RIPETUTO).
 * Without a record to take (none, another pool's, taken already), conOutbox in a transaction of its own, with the
 * record as its first statement when there is one.
 */
export async function conOutboxNellaChiamata(
  pool: Pool,
  prima: PrimaIstruzione | undefined,
  cambio: (p: Segnaposto) => string,
  messaggi: readonly OutboxMessage[],
  o: { seCambia?: boolean } = {},
): Promise<number> {
  const parte = prima?.prendiComeParte(pool);
  if (!parte) return withTransaction(pool, (tx) => conOutbox(tx, cambio, messaggi, o), { primaIstruzione: prima });
  const { params, p } = segnaposti();
  const record = parte.testo(p);
  let n: number;
  try {
    const r = await queryKeepingConnection<{ n: number }>(
      pool,
      `WITH visto AS (${record}), ${partiConOutbox(p, cambio, messaggi, o)} SELECT messaggio_non_ripetuto((SELECT count(*) FROM visto) = 1), (SELECT count(*)::int FROM cambio) AS n`,
      params,
    );
    n = r.rows[0]!.n;
  } catch (err) {
    prima!.esito(false);
    throw (err as { code?: unknown }).code === 'AP002' ? parte.rifiuto() : err;
  }
  prima!.esito(true);
  parte.fatto();
  return n;
}

/** The change (as `cambio`) and the outbox rows it causes, as the parts of a data-modifying WITH. */
function partiConOutbox(p: Segnaposto, cambio: (p: Segnaposto) => string, messaggi: readonly OutboxMessage[], o: { seCambia?: boolean }): string {
  const sql = cambio(p);
  // A data-modifying WITH runs whether or not the final SELECT reads it.
  const coda = messaggi.length === 0 ? '' : `, coda AS (${testoOutbox(p, messaggi, o.seCambia ? 'EXISTS (SELECT 1 FROM cambio)' : undefined)})`;
  return `cambio AS (${sql} RETURNING 1)${coda}`;
}

/**
 * The INSERT of these messages' outbox rows, written with `p`, for a statement that does more (a state change and
 * the messages it causes: shared/db/insieme.ts); with `se`, a condition on the statement's other parts, only when
 * it holds. At least one message.
 */
export function testoOutbox(p: Segnaposto, messaggi: readonly OutboxMessage[], se?: string): string {
  const righe = messaggi.map((m) => `(${p(m.messageId ?? randomUUID())}::uuid, ${p(m.routingKey)}, ${p(JSON.stringify(m.payload))}::jsonb, ${p(JSON.stringify(m.headers ?? {}))}::jsonb)`);
  return `INSERT INTO outbox (message_id, routing_key, payload, headers) SELECT * FROM (VALUES ${righe.join(', ')}) m${se ? ` WHERE ${se}` : ''}`;
}

/**
 * Claims a message for a consumer: true the first time, false if this consumer already applied it
 * (redelivery, duplicate publish). Call inside the transaction that applies the message.
 */
export async function claimInbox(tx: Tx, consumer: string, messageId: string): Promise<boolean> {
  const r = await tx.query('INSERT INTO inbox (consumatore, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]);
  return r.rowCount === 1;
}
