import type { Channel } from 'amqplib';
import { parteDi, type Ente, type EnteVerificatore } from '../domain/types';

/**
 * RabbitMQ topology of the federation, declared (idempotently) by every service on every (re)connect.
 *
 *   ape.lavoro (direct)          work messages, routing key = queue name
 *     -> <queue>                 quorum queue, manual acks; dead-letters to ape.scarto;
 *                                x-delivery-limit stops a poison message that crashes its consumer
 *   ape.riprova.<ms> (fanout)    retry after a delay
 *     -> ape.riprova.<ms>        quorum queue with message TTL <ms> (each message may carry a shorter
 *                                expiration: its jittered wait), dead-letters back to ape.lavoro keeping the
 *                                original routing key, so the message returns to its queue
 *   ape.scarto (direct)          messages given up on (non-retryable error, attempts exhausted, poison)
 *     -> <queue>.scarti          quorum queue, kept for inspection and replay (ops CLI)
 *
 * Dead-lettering out of quorum queues is at-least-once (x-dead-letter-strategy, which needs x-overflow
 * reject-publish): a message is kept by its source queue until the target confirms it. RabbitMQ's default,
 * at-most-once, loses a retry that expires while the broker restarts.
 */

export interface QueueSpec {
  name: string;
  arguments: Record<string, unknown>;
  /** [exchange, routing key] */
  bindings: Array<[string, string]>;
}

export const WORK_EXCHANGE = 'ape.lavoro';
export const DEAD_LETTER_EXCHANGE = 'ape.scarto';
export const delayExchange = (ms: number) => `ape.riprova.${ms}`;
export const deadLetterQueue = (queue: string) => `${queue}.scarti`;

export const QUEUES = {
  /** INPS dispatcher: send a packet to the hub (or directly to its recipient). */
  inpsInvioPacchetto: 'inps.pacchetto.invio',
  /** INPS dispatcher: send a reminder, a case for INL or a notice of esito. */
  inpsInvioMessaggio: 'inps.messaggio.invio',
  /** Ministero hub: forward a received packet to its recipient. */
  hubInoltroPacchetto: 'hub.pacchetto.inoltro',
  /** Ministero hub: forward a received reminder, case or notice to its recipient. */
  hubInoltroMessaggio: 'hub.messaggio.inoltro',
  /** INL: decide whether to open an inspection on a case (automatic policy). */
  inlValutazione: 'inl.accertamento.valutazione',
  /** INL: tell INPS about an inspection (opened or not, concluded). */
  inlNotifica: 'inl.accertamento.notifica',
} as const;

export const verificaQueue = (ente: EnteVerificatore) => `${ente.toLowerCase()}.pacchetto.verifica`;
export const consegnaEsitoQueue = (ente: EnteVerificatore) => `${ente.toLowerCase()}.esito.consegna`;

const AGENCIES: readonly EnteVerificatore[] = ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'];

export function workQueues(): string[] {
  return [...Object.values(QUEUES), ...AGENCIES.flatMap((e) => [verificaQueue(e), consegnaEsitoQueue(e)])];
}

/**
 * Whose a work queue is: the party whose process consumes it and whose outbox publishes to it (inps.* INPS's
 * dispatcher, hub.* the Ministero's hub, <ente>.* that party's node; the Ministero also runs its own verifier).
 */
export function parteDellaCoda(coda: string): Ente {
  return parteDi(coda.slice(0, coda.indexOf('.')))!;
}

export interface TopologyOptions {
  /** Delay tiers for retries, in milliseconds. */
  retryDelaysMs: readonly number[];
  /** Deliveries after which RabbitMQ dead-letters a message whose consumer keeps crashing. */
  deliveryLimit: number;
  /** Only this party's work queues (a party's own vhost); absent, every party's (the one-machine federation's vhost). */
  parte?: Ente;
}

/** Practically unlimited: 4.x's -1 (unlimited) is refused by 3.x. */
const SCARTI_CONSEGNE_MASSIME = 1_000_000_000;

const AL_MENO_UNA_VOLTA = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };

/** Every queue of the topology (of one party's, with opts.parte) with its arguments and bindings: its delay queues too, each party retries. */
export function queueSpecs(opts: TopologyOptions): QueueSpec[] {
  const out: QueueSpec[] = opts.retryDelaysMs.map((ms) => ({
    name: delayExchange(ms),
    arguments: { 'x-queue-type': 'quorum', 'x-message-ttl': ms, 'x-dead-letter-exchange': WORK_EXCHANGE, ...AL_MENO_UNA_VOLTA },
    bindings: [[delayExchange(ms), '']],
  }));
  for (const q of workQueues().filter((c) => opts.parte === undefined || parteDellaCoda(c) === opts.parte)) {
    out.push({
      name: q,
      arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-delivery-limit': opts.deliveryLimit, ...AL_MENO_UNA_VOLTA },
      bindings: [[WORK_EXCHANGE, q]],
    });
    // Listing dead letters takes them and gives them back, which counts as a delivery; RabbitMQ 4 drops a quorum
    // queue's message after 20 by default. A dead letter is kept until an operator replays or discards it.
    out.push({ name: deadLetterQueue(q), arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': SCARTI_CONSEGNE_MASSIME }, bindings: [[DEAD_LETTER_EXCHANGE, q]] });
  }
  return out;
}

export async function declareExchanges(ch: Channel, opts: TopologyOptions): Promise<void> {
  await ch.assertExchange(WORK_EXCHANGE, 'direct', { durable: true });
  await ch.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  for (const ms of opts.retryDelaysMs) await ch.assertExchange(delayExchange(ms), 'fanout', { durable: true });
}

export async function declareTopology(ch: Channel, opts: TopologyOptions): Promise<void> {
  await declareExchanges(ch, opts);
  for (const q of queueSpecs(opts)) {
    await ch.assertQueue(q.name, { durable: true, arguments: q.arguments });
    for (const [exchange, key] of q.bindings) await ch.bindQueue(q.name, exchange, key);
  }
}
