import type { ChannelModel } from 'amqplib';
import { deadLetterQueue, WORK_EXCHANGE } from '../../../shared/amqp/topology';
import { ApeError } from '../../../shared/errors';
import { CanaleScarti, statoCoda } from './rabbitmq';
import { descriviScarto, intestazioniRiprova, type Scarto } from './scarto';

/**
 * npm run ops -- riprova: puts dead letters of a queue back to work. Each chosen message is published again to
 * ape.lavoro with its queue as routing key (same messageId and body, so the consumer's idempotency applies),
 * and only once RabbitMQ confirmed it is the dead letter acked. Messages not chosen go back untouched.
 *
 * All the dead letters are taken before any is replayed: one that fails again and returns to the dead-letter
 * queue meanwhile is not taken a second time by the same command.
 */
export interface Riprova {
  riprovati: Scarto[];
  /** Dead letters of the queue left as they were (of those there when the command started). */
  restanti: number;
}

export async function riprova(
  model: ChannelModel,
  coda: string,
  scelta: { messaggio: string } | { tutti: true },
  operatore: string,
  il: Date,
): Promise<Riprova> {
  const dlq = deadLetterQueue(coda);
  const stato = await statoCoda(model, dlq);
  if (!stato) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `la coda ${dlq} non esiste: nessun servizio ha ancora dichiarato la topologia`);
  const canale = await CanaleScarti.apri(model);
  const riprovati: Scarto[] = [];
  try {
    const scelto = (id: unknown) => 'tutti' in scelta || String(id ?? '') === scelta.messaggio;
    // Those present when the command started; for one message, until it is found.
    const presi = await canale.preleva(dlq, { massimo: stato.messaggi, basta: (m) => !('tutti' in scelta) && scelto(m.properties.messageId) });
    const daRiprovare = presi.filter((m) => scelto(m.properties.messageId));
    if (daRiprovare.length === 0 && 'messaggio' in scelta) {
      throw new Error(`il messaggio ${scelta.messaggio} non è tra gli scarti di ${coda} (${stato.messaggi} presenti): vedere npm run ops -- scarti --coda ${coda}`);
    }
    for (const m of daRiprovare) {
      const p = m.properties;
      await canale.pubblica(WORK_EXCHANGE, coda, m.content, {
        messageId: p.messageId,
        contentType: p.contentType ?? 'application/json',
        ...(p.contentEncoding !== undefined && { contentEncoding: p.contentEncoding }),
        ...(p.correlationId !== undefined && { correlationId: p.correlationId }),
        ...(p.timestamp !== undefined && { timestamp: p.timestamp }),
        headers: intestazioniRiprova((p.headers ?? {}) as Record<string, unknown>, operatore, il),
      });
      canale.ack(m);
      riprovati.push(descriviScarto(m));
    }
    return { riprovati, restanti: Math.max(0, stato.messaggi - riprovati.length) };
  } catch (err) {
    if (riprovati.length > 0 && err instanceof Error) {
      err.message = `${err.message} (già rimessi in lavoro prima dell'errore: ${riprovati.map((r) => r.messaggio).join(', ')})`;
    }
    throw err;
  } finally {
    await canale.chiudi();
  }
}
