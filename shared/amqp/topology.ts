import type { Channel } from 'amqplib';
import type { EnteVerificatore } from '../domain/types';

/**
 * RabbitMQ topology of the federation, declared (idempotently) by every service on every (re)connect.
 *
 *   ape.lavoro (direct)          work messages, routing key = queue name
 *     -> <queue>                 quorum queue, manual acks; dead-letters to ape.scarto;
 *                                x-delivery-limit stops a poison message that crashes its consumer
 *   ape.ritardo.<ms> (fanout)    retry after a delay
 *     -> ape.ritardo.<ms>        quorum queue with message TTL <ms>, dead-letters back to ape.lavoro
 *                                keeping the original routing key, so the message returns to its queue
 *   ape.scarto (direct)          messages given up on (non-retryable error, attempts exhausted, poison)
 *     -> <queue>.scarti          quorum queue, kept for inspection and replay (ops CLI)
 */

export const EXCHANGE_LAVORO = 'ape.lavoro';
export const EXCHANGE_SCARTO = 'ape.scarto';
export const exchangeRitardo = (ms: number) => `ape.ritardo.${ms}`;
export const codaScarti = (queue: string) => `${queue}.scarti`;

export const CODE = {
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

export const codaVerifica = (ente: EnteVerificatore) => `${ente.toLowerCase()}.pacchetto.verifica`;
export const codaConsegnaEsito = (ente: EnteVerificatore) => `${ente.toLowerCase()}.esito.consegna`;

const AGENCIES: readonly EnteVerificatore[] = ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'];

export function workQueues(): string[] {
  return [...Object.values(CODE), ...AGENCIES.flatMap((e) => [codaVerifica(e), codaConsegnaEsito(e)])];
}

export interface TopologyOptions {
  /** Delay tiers for retries, in milliseconds. */
  retryDelaysMs: readonly number[];
  /** Deliveries after which RabbitMQ dead-letters a message whose consumer keeps crashing. */
  deliveryLimit: number;
}

export async function declareTopology(ch: Channel, opts: TopologyOptions): Promise<void> {
  await ch.assertExchange(EXCHANGE_LAVORO, 'direct', { durable: true });
  await ch.assertExchange(EXCHANGE_SCARTO, 'direct', { durable: true });
  for (const ms of opts.retryDelaysMs) {
    const name = exchangeRitardo(ms);
    await ch.assertExchange(name, 'fanout', { durable: true });
    await ch.assertQueue(name, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-message-ttl': ms, 'x-dead-letter-exchange': EXCHANGE_LAVORO },
    });
    await ch.bindQueue(name, name, '');
  }
  for (const q of workQueues()) {
    await ch.assertQueue(q, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': EXCHANGE_SCARTO, 'x-delivery-limit': opts.deliveryLimit },
    });
    await ch.bindQueue(q, EXCHANGE_LAVORO, q);
    const dlq = codaScarti(q);
    await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue(dlq, EXCHANGE_SCARTO, q);
  }
}
