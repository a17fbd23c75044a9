import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { isRetryable, toError, ApeError, RemoteFaultError } from '../errors';
import type { Logger } from '../log';
import type { AmqpClient } from './client';
import { DEAD_LETTER_EXCHANGE, delayExchange } from './topology';
import { nextRetry } from './retries';
import { knownCode, metrics } from '../metrics/metrics';

/**
 * Competing consumers with manual acks and bounded prefetch. A message is acked only after its handler
 * resolved (its transaction committed). A retryable failure is republished to a delay exchange
 * (exponential backoff with jitter, see retries.ts) and then acked; a non-retryable failure, or one that
 * keeps failing, is republished to the dead-letter exchange with the error's code and reason, and acked. A
 * handler that crashes the process is stopped by the queue's delivery limit.
 */

export const HEADER_ATTEMPT = 'x-ape-tentativo';
export const HEADER_ERROR_CODE = 'x-ape-errore-codice';
export const HEADER_ERROR_MESSAGE = 'x-ape-errore-messaggio';
export const HEADER_QUEUE = 'x-ape-coda';

export interface WorkMessage<T> {
  messageId: string;
  payload: T;
  /** 1 on first delivery, incremented by each retry through a delay queue. */
  attempt: number;
  headers: Record<string, unknown>;
  redelivered: boolean;
}

export type WorkHandler<T> = (msg: WorkMessage<T>, log: Logger) => Promise<void>;

export interface ConsumerOptions<T> {
  queue: string;
  prefetch: number;
  handler: WorkHandler<T>;
  log: Logger;
  /** The delay tiers of the topology, ascending: the first is the backoff's base, the last its cap. */
  retryDelaysMs: readonly number[];
  /**
   * Attempts after which a retryable failure is given up and dead-lettered; Infinity where the domain ends the
   * retries itself (a packet is sent until its istruttoria closes).
   */
  maxAttempts: number;
}

export interface ConsumerHandle {
  /** Stops taking new messages and waits for in-flight ones to finish. */
  drain(): Promise<void>;
}

export function startConsumer<T>(amqp: AmqpClient, opts: ConsumerOptions<T>): ConsumerHandle {
  let channel: Channel | null = null;
  let consumerTag: string | null = null;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const m = metrics();
  const conta = (esito: 'elaborato' | 'ritentato' | 'scartato', codice: string) => {
    m.messaggi.inc({ coda: opts.queue, esito, codice });
    if (esito !== 'elaborato') m.errore(codice, 'worker');
  };

  const onMessage = async (ch: Channel, raw: ConsumeMessage): Promise<void> => {
    const messageId = String(raw.properties.messageId ?? '');
    const headers = (raw.properties.headers ?? {}) as Record<string, unknown>;
    const attempt = Number(headers[HEADER_ATTEMPT] ?? 1);
    const correlationId = raw.properties.correlationId as string | undefined;
    const log = opts.log.child({ queue: opts.queue, messageId, attempt, ...(correlationId && { correlationId }) });
    let payload: T;
    try {
      payload = JSON.parse(raw.content.toString('utf8')) as T;
    } catch (err) {
      await giveUp(ch, raw, new ApeError('SCHEMA_NON_VALIDO', 'messaggio non JSON', { cause: err }), log);
      return;
    }
    try {
      await opts.handler({ messageId, payload, attempt, headers, redelivered: raw.fields.redelivered }, log);
      ch.ack(raw);
      conta('elaborato', '');
    } catch (thrown) {
      const err = toError(thrown);
      if (isRetryable(err) && attempt < opts.maxAttempts) {
        conta('ritentato', codiceDi(err));
        const tiers = opts.retryDelaysMs;
        const r = nextRetry(attempt, { baseMs: tiers[0]!, capMs: tiers[tiers.length - 1]!, livelliMs: tiers });
        log.warn({ err: describe(err), retryInMs: r.attesaMs }, 'handler failed, will retry');
        try {
          await amqp.publish(delayExchange(r.livelloMs), opts.queue, payload, {
            messageId,
            headers: { ...headers, [HEADER_ATTEMPT]: attempt + 1 },
            expirationMs: r.attesaMs,
          });
          ch.ack(raw);
        } catch (pubErr) {
          log.error({ err: describe(toError(pubErr)) }, 'cannot schedule retry; message requeued');
          safeNack(ch, raw, true);
        }
      } else {
        await giveUp(ch, raw, err, log);
      }
    }
  };

  const giveUp = async (ch: Channel, raw: ConsumeMessage, err: Error, log: Logger): Promise<void> => {
    const code = err instanceof ApeError || err instanceof RemoteFaultError ? err.code : 'ERRORE_INTERNO';
    conta('scartato', codiceDi(err));
    log.error({ err: describe(err), code }, 'message dead-lettered');
    try {
      // The bytes as received: a message that is not JSON is kept as it came, with the reason.
      await amqp.publish(DEAD_LETTER_EXCHANGE, opts.queue, raw.content, {
        messageId: String(raw.properties.messageId ?? ''),
        headers: {
          ...(raw.properties.headers ?? {}),
          [HEADER_ERROR_CODE]: code,
          [HEADER_ERROR_MESSAGE]: err.message.slice(0, 500),
          [HEADER_QUEUE]: opts.queue,
        },
      });
      ch.ack(raw);
    } catch {
      // Let RabbitMQ's own dead-lettering take it (reason "rejected").
      safeNack(ch, raw, false);
    }
  };

  amqp.onConnect(async (model: ChannelModel) => {
    if (stopping) return;
    const ch = await model.createChannel();
    await ch.prefetch(opts.prefetch);
    channel = ch;
    const reply = await ch.consume(
      opts.queue,
      (raw) => {
        if (!raw) return; // consumer cancelled by the broker (queue deleted): recovery re-subscribes
        m.inElaborazione.inc({ coda: opts.queue });
        const p = onMessage(ch, raw).finally(() => {
          inFlight.delete(p);
          m.inElaborazione.dec({ coda: opts.queue });
        });
        inFlight.add(p);
      },
      { noAck: false },
    );
    consumerTag = reply.consumerTag;
  });

  return {
    async drain() {
      stopping = true;
      // Swallowed: draining on shutdown; a channel already gone delivers nothing more, and its unacked messages go back to the queue.
      if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
      await Promise.allSettled([...inFlight]);
      // Swallowed: in-flight messages are settled; a channel that fails to close goes with its connection.
      if (channel) await channel.close().catch(() => undefined);
    },
  };
}

/** The error's catalogue code (a counterpart's fault code outside the catalogue is ALTRO); ERRORE_INTERNO for anything else. */
function codiceDi(err: Error): string {
  return err instanceof ApeError ? err.code : err instanceof RemoteFaultError ? knownCode(err.code) : 'ERRORE_INTERNO';
}

function safeNack(ch: Channel, raw: ConsumeMessage, requeue: boolean): void {
  try {
    ch.nack(raw, false, requeue);
  } catch {
    // Channel gone: the broker requeues unacked messages by itself.
  }
}

function describe(err: Error): Record<string, unknown> {
  return { name: err.name, message: err.message, ...(err instanceof ApeError || err instanceof RemoteFaultError ? { code: err.code } : {}) };
}
