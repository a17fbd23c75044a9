/**
 * When to try a failed message again: exponential backoff with jitter, carried by RabbitMQ's delay tiers.
 *
 * Attempt n waits about base * 2^(n-1), capped, and "equal jitter" spreads it over its upper half, so that the
 * messages of a counterpart that came back do not all return at the same instant. The wait travels as the
 * message's own expiration in the smallest delay tier (a quorum queue with that TTL) that can hold it: a
 * tier's messages all expire within its span, so the head-of-line wait RabbitMQ imposes on per-message TTLs
 * stays within the jitter.
 */
export interface RetryPolicy {
  /** First wait, in ms. */
  baseMs: number;
  /** Longest wait, in ms. */
  capMs: number;
  /** The delay tiers declared in the topology, in ms, ascending. */
  livelliMs: readonly number[];
}

export interface RetryDelay {
  /** The wait chosen for this attempt, in ms. */
  attesaMs: number;
  /** The delay tier (queue TTL) that carries it. */
  livelloMs: number;
}

export function nextRetry(tentativo: number, p: RetryPolicy, random: () => number = Math.random): RetryDelay {
  const n = Math.max(1, tentativo);
  const pieno = Math.min(p.capMs, p.baseMs * 2 ** Math.min(n - 1, 40));
  const attesa = Math.max(1, Math.round(pieno / 2 + random() * (pieno / 2)));
  const livello = p.livelliMs.find((l) => l >= attesa) ?? p.livelliMs[p.livelliMs.length - 1]!;
  return { attesaMs: Math.min(attesa, livello), livelloMs: livello };
}
