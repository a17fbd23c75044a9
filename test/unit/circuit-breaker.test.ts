import { CircuitBreakers } from '../../shared/soap/circuit-breaker';
import { ApeError, RemoteFaultError } from '../../shared/errors';

const giu = new ApeError('CONTROPARTE_NON_RAGGIUNGIBILE', 'connect ECONNREFUSED');
const ANPAL = 'https://anpal.example:8446';
const INAIL = 'https://inail.example:8447';

function circuiti() {
  let t = 1_000_000;
  const c = new CircuitBreakers({ soglia: 3, aperturaMs: 10_000 }, undefined, () => t);
  return { c, avanza: (ms: number) => (t += ms) };
}

function rifiutato(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as ApeError).code;
  }
}

test('opens after the configured consecutive failures, and then refuses at once with a retryable CIRCUITO_APERTO', () => {
  const { c } = circuiti();
  for (let i = 0; i < 2; i++) {
    c.permetti(ANPAL);
    c.esito(ANPAL, giu);
  }
  expect(c.stato(ANPAL)).toBe('CHIUSO');
  c.permetti(ANPAL);
  c.esito(ANPAL, giu);
  expect(c.stato(ANPAL)).toBe('APERTO');
  let err: unknown;
  try {
    c.permetti(ANPAL);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApeError);
  expect((err as ApeError).code).toBe('CIRCUITO_APERTO');
  expect((err as ApeError).retryable).toBe(true);
  expect((err as ApeError).message).toContain(ANPAL);
});

test('one counterpart failing leaves the others untouched', () => {
  const { c } = circuiti();
  for (let i = 0; i < 3; i++) c.esito(ANPAL, giu);
  expect(rifiutato(() => c.permetti(ANPAL))).toBe('CIRCUITO_APERTO');
  expect(rifiutato(() => c.permetti(INAIL))).toBeNull();
});

test('a success in between resets the count: only consecutive failures open it', () => {
  const { c } = circuiti();
  c.esito(ANPAL, giu);
  c.esito(ANPAL, giu);
  c.esito(ANPAL, undefined);
  c.esito(ANPAL, giu);
  c.esito(ANPAL, giu);
  expect(c.stato(ANPAL)).toBe('CHIUSO');
});

test('Faults that say the message is wrong are answers, not failures; Faults that say "retry" are failures', () => {
  const { c } = circuiti();
  for (let i = 0; i < 5; i++) c.esito(ANPAL, new RemoteFaultError('SCHEMA_NON_VALIDO', 'x', false, 500));
  expect(c.stato(ANPAL)).toBe('CHIUSO');
  for (let i = 0; i < 3; i++) c.esito(ANPAL, new RemoteFaultError('SERVIZIO_NON_DISPONIBILE', 'x', true, 503));
  expect(c.stato(ANPAL)).toBe('APERTO');
});

test('after the open period one probe goes through: its success closes the circuit', () => {
  const { c, avanza } = circuiti();
  for (let i = 0; i < 3; i++) c.esito(ANPAL, giu);
  avanza(9_999);
  expect(rifiutato(() => c.permetti(ANPAL))).toBe('CIRCUITO_APERTO');
  avanza(1);
  expect(rifiutato(() => c.permetti(ANPAL))).toBeNull();
  // While the probe is in flight, the others still wait.
  expect(rifiutato(() => c.permetti(ANPAL))).toBe('CIRCUITO_APERTO');
  c.esito(ANPAL, undefined);
  expect(c.stato(ANPAL)).toBe('CHIUSO');
  expect(rifiutato(() => c.permetti(ANPAL))).toBeNull();
});

test('a failed probe opens the circuit for another full period', () => {
  const { c, avanza } = circuiti();
  for (let i = 0; i < 3; i++) c.esito(ANPAL, giu);
  avanza(10_000);
  c.permetti(ANPAL);
  c.esito(ANPAL, giu);
  expect(c.stato(ANPAL)).toBe('APERTO');
  avanza(9_000);
  expect(rifiutato(() => c.permetti(ANPAL))).toBe('CIRCUITO_APERTO');
  avanza(1_000);
  expect(rifiutato(() => c.permetti(ANPAL))).toBeNull();
});
