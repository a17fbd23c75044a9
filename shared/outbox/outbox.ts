import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/pool';
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
  const sql = cambio(p);
  const righe = messaggi.map((m) => `(${p(m.messageId ?? randomUUID())}::uuid, ${p(m.routingKey)}, ${p(JSON.stringify(m.payload))}::jsonb, ${p(JSON.stringify(m.headers ?? {}))}::jsonb)`);
  // A data-modifying WITH runs whether or not the final SELECT reads it.
  const coda = righe.length === 0 ? '' : `, coda AS (INSERT INTO outbox (message_id, routing_key, payload, headers) SELECT * FROM (VALUES ${righe.join(', ')}) m${o.seCambia ? ' WHERE EXISTS (SELECT 1 FROM cambio)' : ''})`;
  const r = await tx.query<{ n: number }>(`WITH cambio AS (${sql} RETURNING 1)${coda} SELECT count(*)::int AS n FROM cambio`, params);
  return r.rows[0]!.n;
}

/**
 * Claims a message for a consumer: true the first time, false if this consumer already applied it
 * (redelivery, duplicate publish). Call inside the transaction that applies the message.
 */
export async function claimInbox(tx: Tx, consumer: string, messageId: string): Promise<boolean> {
  const r = await tx.query('INSERT INTO inbox (consumatore, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]);
  return r.rowCount === 1;
}
