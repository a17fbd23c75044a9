import { HEADER_QUEUE, HEADER_ERROR_CODE, HEADER_ERROR_MESSAGE, HEADER_ATTEMPT } from '../../../shared/amqp/consumer';
import { senzaDatiPersonali, soloIdentificativi } from './dati-personali';

/**
 * One dead letter as an operator reads it. Two kinds reach a `<queue>.scarti`: those a consumer gave up on
 * (headers x-ape-errore-codice / -messaggio, x-ape-coda, x-ape-tentativo: shared/amqp/consumer.ts), and those
 * RabbitMQ dead-lettered by itself (x-death: the delivery limit stopped a message that kept crashing its
 * consumer). A message that waited in delay queues also carries x-death entries (reason "expired") from them.
 */
export const HEADER_RIPROVATO_DA = 'x-ape-riprovato-da';
export const HEADER_RIPROVATO_IL = 'x-ape-riprovato-il';

export interface Scarto {
  messaggio: string;
  coda: string;
  errore: string;
  motivo: string;
  tentativo: string;
  primoScarto: string;
  riprovato: string;
  contenuto: string;
}

interface MessaggioLetto {
  content: Buffer;
  properties: { messageId?: unknown; headers?: Record<string, unknown> | undefined };
}

const testo = (v: unknown): string => (v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

const MOTIVI_RABBITMQ: Record<string, string> = {
  delivery_limit: 'limite di consegne superato (il consumatore non ha concluso)',
  rejected: 'rifiutato dal consumatore',
  expired: 'scaduto',
  maxlen: 'coda piena',
};

/** An AMQP timestamp as amqplib decodes it (seconds), or a Date. */
function istante(v: unknown): string {
  const s = typeof v === 'object' && v !== null && !(v instanceof Date) && 'value' in v ? Number((v as { value: unknown }).value) : v instanceof Date ? v.getTime() / 1000 : Number(v);
  return Number.isFinite(s) ? new Date(s * 1000).toISOString() : '';
}

/** When, why and where the message first died, from RabbitMQ's x-death headers; empty when it never did. */
function primoScarto(h: Record<string, unknown>): string {
  const morti = Array.isArray(h['x-death']) ? (h['x-death'] as Array<Record<string, unknown>>) : [];
  if (morti.length === 0) return '';
  const motivo = testo(h['x-first-death-reason']);
  const coda = testo(h['x-first-death-queue']);
  // x-death lists the most recent first; the first death is the entry for the first-death queue and reason.
  const voce = morti.find((d) => testo(d.queue) === coda && testo(d.reason) === motivo) ?? morti[morti.length - 1]!;
  return `${istante(voce.time)} ${testo(voce.reason)} in ${testo(voce.queue)}`.trim();
}

export function descriviScarto(m: MessaggioLetto): Scarto {
  const h = m.properties.headers ?? {};
  let payload: unknown = null;
  try {
    payload = JSON.parse(m.content.toString('utf8'));
  } catch {
    // not JSON (a consumer dead-letters such a message as SCHEMA_NON_VALIDO): nothing to show but its size
  }
  const ids = soloIdentificativi(payload);
  const morti = Array.isArray(h['x-death']) ? (h['x-death'] as Array<Record<string, unknown>>) : [];
  const motivoRabbit = testo(h['x-first-death-reason'] || morti[0]?.reason);
  const daConsumatore = h[HEADER_ERROR_CODE] !== undefined;
  const motivo = daConsumatore ? senzaDatiPersonali(testo(h[HEADER_ERROR_MESSAGE])) : (MOTIVI_RABBITMQ[motivoRabbit] ?? motivoRabbit);
  return {
    messaggio: testo(m.properties.messageId),
    coda: testo(h[HEADER_QUEUE] ?? h['x-first-death-queue'] ?? morti[0]?.queue),
    errore: daConsumatore ? testo(h[HEADER_ERROR_CODE]) : motivoRabbit ? `RABBITMQ ${motivoRabbit}` : '',
    motivo: motivo.length > 200 ? `${motivo.slice(0, 199)}…` : motivo,
    // A message's first delivery carries no attempt header (shared/amqp/consumer.ts counts it as 1).
    tentativo: testo(h[HEADER_ATTEMPT] ?? 1),
    primoScarto: primoScarto(h),
    riprovato: h[HEADER_RIPROVATO_DA] !== undefined ? `${testo(h[HEADER_RIPROVATO_DA])} il ${testo(h[HEADER_RIPROVATO_IL])}` : '',
    contenuto: Object.keys(ids).length > 0 ? Object.entries(ids).map(([k, v]) => `${k}=${v}`).join(' ') : `(${m.content.length} byte)`,
  };
}

/**
 * The headers of a replayed message: as the dead letter had them, without the error that stopped it and the
 * dead-letter queue's own delivery count, its attempts counted again from 1, and who replayed it when.
 */
export function intestazioniRiprova(h: Record<string, unknown>, operatore: string, il: Date): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith('x-ape-errore-') || k === 'x-delivery-count') continue;
    out[k] = v;
  }
  out[HEADER_ATTEMPT] = 1;
  out[HEADER_RIPROVATO_DA] = operatore;
  out[HEADER_RIPROVATO_IL] = il.toISOString();
  return out;
}
