import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/pool';

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
 * Claims a message for a consumer: true the first time, false if this consumer already applied it
 * (redelivery, duplicate publish). Call inside the transaction that applies the message.
 */
export async function claimInbox(tx: Tx, consumer: string, messageId: string): Promise<boolean> {
  const r = await tx.query('INSERT INTO inbox (consumatore, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]);
  return r.rowCount === 1;
}
