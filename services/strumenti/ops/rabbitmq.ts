import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import { ApeError, toError } from '../../../shared/errors';

/**
 * RabbitMQ for the length of one command: a plain connection (no recovery: an operator reruns a command that
 * failed). Dead letters are read with basic.get and no ack: they stay in their queue, held by this channel, and
 * closing the channel gives back every message not acked, untouched. Publishing goes through a confirm channel
 * with mandatory, so a replay counts only once the broker confirmed it and had somewhere to route it.
 */
export async function connettiRabbitmq(url: string): Promise<ChannelModel> {
  try {
    const model = await connect(url);
    // Failures surface through the calls that meet them; an unhandled 'error' event would crash the command.
    model.on('error', () => undefined);
    return model;
  } catch (err) {
    throw new ApeError('SERVIZIO_NON_DISPONIBILE', `RabbitMQ non raggiungibile: ${toError(err).message}`, { cause: err });
  }
}

export interface StatoCoda {
  messaggi: number;
  consumatori: number;
}

/** Ready messages and consumers of a queue; null when the queue was never declared (no service started yet). */
export async function statoCoda(model: ChannelModel, coda: string): Promise<StatoCoda | null> {
  // checkQueue on a missing queue closes its channel: one channel per check.
  const ch = await model.createChannel();
  // Failures surface through the calls that meet them (a 404 from checkQueue); an unhandled 'error' event would crash the command.
  ch.on('error', () => undefined);
  try {
    const r = await ch.checkQueue(coda);
    return { messaggi: r.messageCount, consumatori: r.consumerCount };
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return null;
    throw err;
  } finally {
    // Swallowed: a check that met a missing queue already had its channel closed by the broker.
    await ch.close().catch(() => undefined);
  }
}

export class CanaleScarti {
  private restituito = false;

  private constructor(private readonly ch: ConfirmChannel) {
    // Failures surface through the calls that meet them; an unhandled 'error' event would crash the command.
    ch.on('error', () => undefined);
    ch.on('return', () => {
      this.restituito = true;
    });
  }

  static async apri(model: ChannelModel): Promise<CanaleScarti> {
    return new CanaleScarti(await model.createConfirmChannel());
  }

  /**
   * Takes messages from the queue without acking them, until `basta` says so, the queue has no more, or `massimo`
   * were taken. They stay held by this channel until acked or given back by chiudi().
   */
  async preleva(coda: string, o: { massimo: number; basta?: (m: GetMessage) => boolean }): Promise<GetMessage[]> {
    const presi: GetMessage[] = [];
    while (presi.length < o.massimo) {
      const m = await this.ch.get(coda, { noAck: false });
      if (m === false) break;
      presi.push(m);
      if (o.basta?.(m)) break;
    }
    return presi;
  }

  /** Publishes one persistent message and waits for the broker's confirm; fails if it was nacked or unroutable. */
  async pubblica(exchange: string, routingKey: string, contenuto: Buffer, proprieta: Options.Publish): Promise<void> {
    // One publish at a time: a basic.return arriving before this confirm is this message's.
    this.restituito = false;
    await new Promise<void>((resolve, reject) => {
      this.ch.publish(exchange, routingKey, contenuto, { ...proprieta, persistent: true, mandatory: true }, (err) => {
        if (err) reject(new ApeError('SERVIZIO_NON_DISPONIBILE', `RabbitMQ non ha confermato il messaggio ${String(proprieta.messageId ?? '')}`, { cause: err }));
        else if (this.restituito) reject(new ApeError('SERVIZIO_NON_DISPONIBILE', `messaggio ${String(proprieta.messageId ?? '')} non instradabile (${exchange} / ${routingKey})`));
        else resolve();
      });
    });
  }

  ack(m: GetMessage): void {
    this.ch.ack(m);
  }

  /** Gives back every message taken and not acked, as it was. */
  async chiudi(): Promise<void> {
    // Swallowed: a channel already gone has given its unacked messages back already, which is all closing is for.
    await this.ch.close().catch(() => undefined);
  }
}
