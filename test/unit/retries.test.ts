import { nextRetry, type RetryPolicy } from '../../shared/amqp/retries';
import { parseConfig } from '../../shared/config/load';
import { localFederationConfig } from '../../infra/federation-config';

const tiers = parseConfig(
  localFederationConfig({ postgresUrl: 'postgres://p@h/d', rabbitmqUrl: 'amqp://h', pkiDir: '/tmp/pki', basePort: 9000 }) as Record<string, unknown>,
  '/tmp',
).rabbitmq.retryDelaysMs;
const politica: RetryPolicy = { baseMs: tiers[0]!, capMs: tiers[tiers.length - 1]!, livelliMs: tiers };

test('the wait doubles with each attempt, within the upper half of its step, up to the cap', () => {
  for (let n = 1; n <= 20; n++) {
    const pieno = Math.min(1_800_000, 1000 * 2 ** (n - 1));
    expect(nextRetry(n, politica, () => 0).attesaMs).toBe(pieno / 2);
    expect(nextRetry(n, politica, () => 0.999999).attesaMs).toBe(Math.round(pieno / 2 + 0.999999 * (pieno / 2)));
  }
  expect(nextRetry(1000, politica, () => 1).attesaMs).toBe(1_800_000);
});

test('jitter spreads the messages of one attempt instead of returning them together', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const attese = Array.from({ length: 200 }, () => nextRetry(6, politica, rnd).attesaMs);
  expect(new Set(attese).size).toBeGreaterThan(150);
  expect(Math.min(...attese)).toBeGreaterThanOrEqual(16_000);
  expect(Math.max(...attese)).toBeLessThanOrEqual(32_000);
});

test('each wait rides the smallest tier that holds it, and a tier never holds a wait under half its TTL', () => {
  for (let n = 1; n <= 15; n++) {
    for (const r of [0, 0.25, 0.5, 0.75, 1]) {
      const { attesaMs, livelloMs } = nextRetry(n, politica, () => r);
      expect(tiers).toContain(livelloMs);
      expect(attesaMs).toBeLessThanOrEqual(livelloMs);
      const smaller = tiers.filter((t) => t < livelloMs);
      if (smaller.length > 0) expect(attesaMs).toBeGreaterThan(smaller[smaller.length - 1]!);
      // Head-of-line blocking inside a tier is bounded by its spread.
      expect(attesaMs).toBeGreaterThanOrEqual(livelloMs / 2);
    }
  }
});

test('a wait beyond the largest tier is carried by it, capped at its TTL', () => {
  const stretta: RetryPolicy = { baseMs: 100, capMs: 10_000, livelliMs: [100, 500] };
  expect(nextRetry(10, stretta, () => 1)).toEqual({ attesaMs: 500, livelloMs: 500 });
});
