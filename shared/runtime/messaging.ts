import { AmqpClient } from '../amqp/client';
import { startConsumer, type ConsumerHandle, type WorkHandler } from '../amqp/consumer';
import { deadLetterQueue, declareTopology } from '../amqp/topology';
import { OutboxRelay } from '../outbox/relay';
import type { Pool } from 'pg';
import { outboxReadings } from '../metrics/readings';
import { shortCache } from '../metrics/series';
import type { ServiceRuntime } from './service';

/**
 * Connects to RabbitMQ (after start()), declaring the federation's topology on every (re)connect; closed on
 * shutdown. The process is ready only while the connection and its publishing channel are open.
 */
export function createMessaging(rt: ServiceRuntime): AmqpClient {
  const amqp = new AmqpClient([rt.config.rabbitmq.url, ...(rt.config.rabbitmq.failoverUrls ?? [])], rt.log.child({ component: 'amqp' }));
  rt.observability.readiness('rabbitmq', () => {
    const motivo = amqp.nonPronto();
    if (motivo) throw new Error(motivo);
  });
  amqp.onConnect(async (model) => {
    const ch = await model.createChannel();
    try {
      // A party's process declares its party's queues only: its vhost holds no one else's.
      await declareTopology(ch, { retryDelaysMs: rt.config.rabbitmq.retryDelaysMs, deliveryLimit: rt.config.rabbitmq.deliveryLimit, ...(rt.config.parte && { parte: rt.config.parte }) });
    } finally {
      // Swallowed: the topology is declared (or its error thrown); a channel that fails to close goes with its connection.
      await ch.close().catch(() => undefined);
    }
  });
  // Registered first, so it runs after the workers and the relay registered later have drained.
  rt.onShutdown(() => amqp.close());
  return amqp;
}

/**
 * A competing consumer with the configured prefetch and retry policy; drained on shutdown. `maxAttempts`
 * overrides the configured limit where the domain decides when to stop (Infinity: retry until it does).
 */
export function startWorker<T>(rt: ServiceRuntime, amqp: AmqpClient, queue: string, handler: WorkHandler<T>, o: { maxAttempts?: number } = {}): ConsumerHandle {
  const handle = startConsumer<T>(amqp, {
    queue,
    prefetch: rt.config.rabbitmq.prefetch,
    handler,
    log: rt.log,
    retryDelaysMs: rt.config.rabbitmq.retryDelaysMs,
    maxAttempts: o.maxAttempts ?? rt.config.rabbitmq.maxAttempts,
  });
  rt.onShutdown(() => handle.drain());
  osservaCoda(rt, amqp, queue);
  osservaCoda(rt, amqp, deadLetterQueue(queue));
  return handle;
}

/** Depth of a queue the process consumes (or whose dead letters it produces), read from RabbitMQ at scrape time. */
function osservaCoda(rt: ServiceRuntime, amqp: AmqpClient, coda: string): void {
  const leggi = shortCache(1000, () => amqp.statoCoda(coda, 1500));
  rt.observability.serie(
    { nome: 'ape_coda_messaggi_pronti', help: 'Messages ready in a RabbitMQ queue this process consumes, and in its .scarti dead-letter queue', etichette: ['coda'] },
    `coda ${coda}`,
    async () => [[{ coda }, (await leggi()).pronti]],
  );
  rt.observability.serie(
    { nome: 'ape_coda_consumatori', help: 'Consumers attached to a RabbitMQ queue (all instances, all processes)', etichette: ['coda'] },
    `coda ${coda}`,
    async () => [[{ coda }, (await leggi()).consumatori]],
  );
}

/** Relays a schema's outbox to RabbitMQ; stopped on shutdown. */
export function startRelay(rt: ServiceRuntime, amqp: AmqpClient, pool: Pool, schema: string): OutboxRelay {
  const relay = new OutboxRelay({ pool, schema, amqp, log: rt.log.child({ component: 'outbox' }) });
  outboxReadings(rt.observability, pool, schema);
  relay.start();
  rt.onShutdown(() => relay.stop());
  return relay;
}
