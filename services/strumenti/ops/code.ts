import { workQueues } from '../../../shared/amqp/topology';

/**
 * The work queues an operator can name, and whose they are: each queue belongs to the service that consumes it
 * (inps.* the INPS dispatcher, hub.* the Ministero's hub, <ente>.* that party's node), so a consultation or a
 * replay is traced in that service's access log.
 */

/** The work queue an operator named, accepting its dead-letter queue's name too; null when it is not one. */
export function codaDiLavoro(nome: string): string | null {
  const q = nome.endsWith('.scarti') ? nome.slice(0, -'.scarti'.length) : nome;
  return workQueues().includes(q) ? q : null;
}

/** INPS, HUB, MINLAVORO, ANPAL, INAIL or INL: the service that consumes the queue. */
export function enteDellaCoda(coda: string): string {
  return coda.slice(0, coda.indexOf('.')).toUpperCase();
}

/** The work queues of one service, or all of them. */
export function codeDi(ente?: string): string[] {
  const e = ente?.toUpperCase();
  return workQueues().filter((q) => e === undefined || enteDellaCoda(q) === e);
}
