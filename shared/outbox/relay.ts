import type { Pool } from 'pg';
import { toError } from '../errors';
import { withTransaction } from '../db/pool';
import type { Logger } from '../log';
import type { AmqpClient } from '../amqp/client';
import { WORK_EXCHANGE } from '../amqp/topology';

/**
 * Relays a schema's outbox to RabbitMQ. Rows are claimed with FOR UPDATE SKIP LOCKED (several relays may
 * run), published with confirms, and marked published in the same transaction only after every confirm
 * arrived. A crash between confirm and commit republishes: consumers are idempotent by message id.
 * Woken by NOTIFY on insert; polls as a safety net.
 */
export interface OutboxRelayOptions {
  pool: Pool;
  schema: string;
  amqp: AmqpClient;
  log: Logger;
  /** Rows per transaction (default 200). */
  batchSize?: number;
  /** Poll interval when no NOTIFY arrives, in ms (default 1000). */
  pollMs?: number;
}

interface OutboxRow {
  id: string;
  message_id: string;
  routing_key: string;
  payload: unknown;
  headers: Record<string, unknown>;
}

export class OutboxRelay {
  private running = false;
  private wake: (() => void) | null = null;
  private stopListening: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private listenLoop: Promise<void> | null = null;
  private pending = false;

  constructor(private readonly opts: OutboxRelayOptions) {}

  start(): void {
    this.running = true;
    this.listenLoop = this.listen();
    this.loop = this.run();
  }

  private async listen(): Promise<void> {
    while (this.running) {
      try {
        const client = await this.opts.pool.connect();
        const lost = new Promise<void>((resolve) => {
          this.stopListening = resolve;
          client.on('error', () => resolve());
          client.on('end', () => resolve());
        });
        client.on('notification', () => this.poke());
        await client.query(`LISTEN ape_outbox_${this.opts.schema}`);
        await lost;
        client.release(true);
      } catch (err) {
        this.opts.log.debug({ err: toError(err).message }, 'outbox LISTEN unavailable; polling');
      }
      if (this.running) await sleep(1000);
    }
  }

  private poke(): void {
    this.pending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 1000;
    while (this.running) {
      let published = 0;
      try {
        this.pending = false;
        published = await this.drainOnce();
      } catch (err) {
        this.opts.log.warn({ err: toError(err).message }, 'outbox relay pass failed; will retry');
        await sleep(500);
      }
      // A pass short of a full batch took every row committed before it began; rows committed since woke it
      // (pending). Passing again at once would only read an empty outbox: one transaction per batch wasted.
      if (published < (this.opts.batchSize ?? 200) && !this.pending && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** Publishes one batch; returns how many rows it published. */
  async drainOnce(): Promise<number> {
    if (!this.opts.amqp.isConnected) return 0;
    return withTransaction(this.opts.pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id, message_id, routing_key, payload, headers FROM outbox
          WHERE pubblicato_il IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize ?? 200],
      );
      if (rows.length === 0) return 0;
      await Promise.all(
        rows.map((r) => this.opts.amqp.publish(WORK_EXCHANGE, r.routing_key, r.payload, { messageId: r.message_id, headers: r.headers })),
      );
      await tx.query('UPDATE outbox SET pubblicato_il = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      this.opts.log.debug({ count: rows.length }, 'outbox rows published');
      return rows.length;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stopListening?.();
    await Promise.all([this.loop, this.listenLoop]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
