import { ApeError, RemoteFaultError, toError } from '../errors';
import type { WorkHandler, WorkMessage } from './consumer';

/**
 * One delivery worker for every queue whose work is to deliver a stored item to a counterpart (a packet, a
 * message, an esito, a notice):
 *
 *   load the item → skip it if already done → prepare the request → call the counterpart
 *     → success: record the delivery → ack
 *     → failure: record the failure → rethrow: the consumer (consumer.ts) retries a retryable error with backoff
 *                and dead-letters one that is not
 *
 * Each queue describes only its specifics (`Delivery`). The failure is recorded before the error goes on, and a
 * failure to record it is never swallowed: a non-retryable refusal whose bookkeeping failed would be dead-lettered
 * with its consequence (a refused packet's state change) lost. It is logged as an error and the message is retried
 * instead (`FailureNotRecordedError`, retryable whatever the delivery's error was): on redelivery the item is
 * still not done, the call fails again the same way, and the failure is recorded then. Recording a failure must
 * therefore be safe to repeat.
 */
export interface Delivery<T, Item, Request, Ack> {
  /** Loads the stored item the message names; throws a coded error when there is none. */
  load(msg: WorkMessage<T>): Promise<Item>;
  /** Log fields naming the item, on every line about it. */
  describe(item: Item, msg: WorkMessage<T>): Record<string, unknown>;
  /** True when there is nothing (more) to deliver: already delivered, or no longer wanted. */
  isDone(item: Item, msg: WorkMessage<T>): boolean;
  /**
   * Builds what to send. What it throws (a recipient missing from the configuration) is not a failed delivery:
   * it is not recorded on the item, and goes to the consumer as it is.
   */
  prepare(item: Item, msg: WorkMessage<T>): Request;
  /** Calls the counterpart and checks its answer; whatever it throws is a failed delivery. */
  call(item: Item, request: Request, msg: WorkMessage<T>): Promise<Ack>;
  /** Records the delivery on the item (state, time, what the answer carried); may return fields for the log line. */
  recordSuccess(item: Item, ack: Ack, msg: WorkMessage<T>, request: Request): Promise<Record<string, unknown> | void>;
  /** Records a failed delivery (attempts, last error, what a refusal changes). Runs again on a redelivery. */
  recordFailure(item: Item, err: Error, msg: WorkMessage<T>, request: Request): Promise<void>;
  /** Log lines: nothing to do; delivered; refused by the counterpart (a SOAP Fault, logged as a warning). */
  text: { done: string; delivered: string; refused: string };
}

/** A delivery failed and recording the failure failed too: retryable, so the message comes back and both happen again. */
export class FailureNotRecordedError extends ApeError {
  constructor(
    readonly deliveryError: Error,
    recordError: Error,
  ) {
    super('ERRORE_INTERNO', `consegna non riuscita (${deliveryError.message.slice(0, 300)}) e non registrata: ${recordError.message.slice(0, 300)}`, {
      cause: recordError,
      retryable: true,
    });
    this.name = 'FailureNotRecordedError';
  }
}

export function deliveryWorker<T, Item, Request, Ack>(d: Delivery<T, Item, Request, Ack>): WorkHandler<T> {
  return async (msg, log) => {
    const item = await d.load(msg);
    const ilog = log.child(d.describe(item, msg));
    if (d.isDone(item, msg)) {
      ilog.info(d.text.done);
      return;
    }
    const request = d.prepare(item, msg);
    let ack: Ack;
    try {
      ack = await d.call(item, request, msg);
    } catch (thrown) {
      const err = toError(thrown);
      if (err instanceof RemoteFaultError) ilog.warn({ code: err.code, retryable: err.retryable }, d.text.refused);
      try {
        await d.recordFailure(item, err, msg, request);
      } catch (recordThrown) {
        const recordErr = toError(recordThrown);
        ilog.error({ err: descrivi(recordErr), consegna: descrivi(err) }, 'failed delivery not recorded: the message will be retried');
        throw new FailureNotRecordedError(err, recordErr);
      }
      throw err;
    }
    const fields = await d.recordSuccess(item, ack, msg, request);
    ilog.info(fields ?? {}, d.text.delivered);
  };
}

function descrivi(err: Error): Record<string, unknown> {
  return { name: err.name, message: err.message, ...(err instanceof ApeError || err instanceof RemoteFaultError ? { code: err.code } : {}) };
}
