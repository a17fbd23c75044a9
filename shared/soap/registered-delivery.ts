import type { Pool } from 'pg';
import type { Accompagnamento } from '../audit/catena';
import type { WorkHandler, WorkMessage } from '../amqp/consumer';
import { deliveryWorker, type Delivery } from '../amqp/delivery';
import { VoceMessaggio, type SoapCall, type SoapClient } from './client';

/**
 * A delivery whose record on the item is one statement, committed with the message log entry of the call that
 * delivered it or failed to (one commit for both instead of one each: SoapClient.registraConsegna). `delivered` and
 * `failed` say what to write; the rest is as for any delivery.
 */
export interface RegisteredDelivery<T, Item, Ack, Request extends SoapCall = SoapCall> extends Omit<Delivery<T, Item, Request, Ack>, 'recordSuccess' | 'recordFailure'> {
  /** The database of the items, which is that of the SOAP client's message log. */
  pool: Pick<Pool, 'query'>;
  soap: Pick<SoapClient, 'registraConsegna'>;
  delivered(item: Item, ack: Ack, msg: WorkMessage<T>): Accompagnamento;
  /** Runs again on a redelivery, like recordFailure. */
  failed(item: Item, err: Error, msg: WorkMessage<T>): Accompagnamento;
  /** Fields for the log line of a delivery, from what the answer carried. */
  logged?(item: Item, ack: Ack): Record<string, unknown>;
}

export function registeredDeliveryWorker<T, Item, Ack, Request extends SoapCall = SoapCall>(d: RegisteredDelivery<T, Item, Ack, Request>): WorkHandler<T> {
  return deliveryWorker<T, Item, Request & { voce: VoceMessaggio }, Ack>({
    ...d,
    prepare: (item, msg) => ({ ...d.prepare(item, msg), voce: new VoceMessaggio() }),
    async recordSuccess(item, ack, msg, request) {
      await d.soap.registraConsegna(request.voce, d.pool, d.delivered(item, ack, msg));
      return d.logged?.(item, ack);
    },
    recordFailure: (item, err, msg, request) => d.soap.registraConsegna(request.voce, d.pool, d.failed(item, err, msg)),
  });
}
