import pino from 'pino';
import type { WorkMessage } from '../../shared/amqp/consumer';
import { deliveryWorker, FailureNotRecordedError, type Delivery } from '../../shared/amqp/delivery';
import { ApeError, isRetryable, RemoteFaultError } from '../../shared/errors';

/**
 * The generic delivery worker (shared/amqp/delivery.ts) with fakes for its steps: the order of the steps, what is
 * recorded on success and on failure, which error reaches the consumer (whose retry or dead-letter decision is
 * isRetryable), and that a failure to record a failure is never swallowed.
 */

interface Item {
  id: string;
  stato: 'DA_INVIARE' | 'INVIATO' | 'RIFIUTATO';
  tentativi: number;
  ultimoErrore: string | null;
}

interface Fakes {
  store: Map<string, Item>;
  steps: string[];
  lines: Array<{ level: string; msg: string; [k: string]: unknown }>;
  /** What the counterpart does on each call, in turn (the last one repeats). */
  answers: Array<() => Promise<string>>;
  /** Failures of the failure bookkeeping still to happen. */
  recordFailureFails: number;
  prepareFails: boolean;
  recordSuccessFails: boolean;
}

function fakes(o: Partial<Fakes> = {}): Fakes {
  return {
    store: new Map([['P1', { id: 'P1', stato: 'DA_INVIARE', tentativi: 0, ultimoErrore: null }]]),
    steps: [],
    lines: [],
    answers: [async () => 'CORR-1'],
    recordFailureFails: 0,
    prepareFails: false,
    recordSuccessFails: false,
    ...o,
  };
}

/** A packet-like delivery: RIFIUTATO on a refusal not to retry, INVIATO on success. */
function delivery(f: Fakes): Delivery<{ id: string }, Item, { body: string }, string> {
  let calls = 0;
  return {
    async load(msg) {
      f.steps.push('load');
      const item = f.store.get(msg.payload.id);
      if (!item) throw new ApeError('PACCHETTO_NON_TROVATO', `pacchetto ${msg.payload.id} assente`);
      return { ...item };
    },
    describe: (item) => ({ idPacchetto: item.id }),
    isDone: (item) => item.stato !== 'DA_INVIARE',
    prepare(item) {
      f.steps.push('prepare');
      if (f.prepareFails) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', 'destinatario non configurato');
      return { body: `<Pacchetto>${item.id}</Pacchetto>` };
    },
    async call(_item, req) {
      f.steps.push(`call ${req.body}`);
      const answer = f.answers[Math.min(calls++, f.answers.length - 1)]!;
      return answer();
    },
    async recordSuccess(item, corr) {
      f.steps.push(`recordSuccess ${corr}`);
      if (f.recordSuccessFails) throw new Error('connection terminated');
      f.store.set(item.id, { ...f.store.get(item.id)!, stato: 'INVIATO', tentativi: item.tentativi + 1, ultimoErrore: null });
      return { correlationId: corr };
    },
    async recordFailure(item, err) {
      f.steps.push(`recordFailure ${err.message}`);
      if (f.recordFailureFails > 0) {
        f.recordFailureFails--;
        throw new Error('could not serialize access');
      }
      const stored = f.store.get(item.id)!;
      const rifiuto = err instanceof RemoteFaultError && !err.retryable;
      f.store.set(item.id, { ...stored, tentativi: stored.tentativi + 1, ultimoErrore: err.message, stato: rifiuto && stored.stato === 'DA_INVIARE' ? 'RIFIUTATO' : stored.stato });
    },
    text: { done: 'already sent', delivered: 'delivered', refused: 'refused by counterpart' },
  };
}

function logger(f: Fakes) {
  return pino({ level: 'debug' }, { write: (s: string) => void f.lines.push(JSON.parse(s)) });
}

const msg = (id = 'P1'): WorkMessage<{ id: string }> => ({ messageId: 'm1', payload: { id }, attempt: 1, headers: {}, redelivered: false });
const refusal = () => new RemoteFaultError('OPERATORE_SOSPESO', 'operatore sospeso', false, 500);
const unreachable = () => new ApeError('CONTROPARTE_NON_RAGGIUNGIBILE', 'ECONNREFUSED');

async function run(f: Fakes, m = msg()): Promise<Error | null> {
  try {
    await deliveryWorker(delivery(f))(m, logger(f));
    return null;
  } catch (err) {
    return err as Error;
  }
}

test('delivers: load, prepare, call, record the delivery, log it with what the record returned', async () => {
  const f = fakes();
  expect(await run(f)).toBeNull();
  expect(f.steps).toEqual(['load', 'prepare', 'call <Pacchetto>P1</Pacchetto>', 'recordSuccess CORR-1']);
  expect(f.store.get('P1')).toMatchObject({ stato: 'INVIATO', tentativi: 1 });
  expect(f.lines.at(-1)).toMatchObject({ level: 30, msg: 'delivered', idPacchetto: 'P1', correlationId: 'CORR-1' });
});

test('an item already done is skipped: no call, nothing recorded', async () => {
  const f = fakes();
  f.store.get('P1')!.stato = 'INVIATO';
  expect(await run(f)).toBeNull();
  expect(f.steps).toEqual(['load']);
  expect(f.lines).toEqual([expect.objectContaining({ msg: 'already sent', idPacchetto: 'P1' })]);
});

test('an item that cannot be loaded: its error reaches the consumer as it is (here not retryable: dead-lettered)', async () => {
  const f = fakes();
  const err = await run(f, msg('P9'));
  expect(err).toBeInstanceOf(ApeError);
  expect((err as ApeError).code).toBe('PACCHETTO_NON_TROVATO');
  expect(isRetryable(err)).toBe(false);
  expect(f.steps).toEqual(['load']);
});

test('a request that cannot be prepared is not a failed delivery: nothing recorded, the error goes on unchanged', async () => {
  const f = fakes({ prepareFails: true });
  const err = await run(f);
  expect((err as ApeError).code).toBe('CONFIGURAZIONE_NON_VALIDA');
  expect(f.steps).toEqual(['load', 'prepare']);
  expect(f.store.get('P1')).toMatchObject({ stato: 'DA_INVIARE', tentativi: 0 });
});

test('a transient failure is recorded and rethrown as it is: the consumer retries it', async () => {
  const f = fakes({ answers: [async () => Promise.reject(unreachable())] });
  const err = await run(f);
  expect((err as ApeError).code).toBe('CONTROPARTE_NON_RAGGIUNGIBILE');
  expect(isRetryable(err)).toBe(true);
  expect(f.steps).toEqual(['load', 'prepare', 'call <Pacchetto>P1</Pacchetto>', 'recordFailure ECONNREFUSED']);
  expect(f.store.get('P1')).toMatchObject({ stato: 'DA_INVIARE', tentativi: 1, ultimoErrore: 'ECONNREFUSED' });
});

test('a refusal not to retry is recorded (the item is refused), logged as a warning, and rethrown: the consumer dead-letters it', async () => {
  const f = fakes({ answers: [async () => Promise.reject(refusal())] });
  const err = await run(f);
  expect(err).toBeInstanceOf(RemoteFaultError);
  expect(isRetryable(err)).toBe(false);
  expect(f.store.get('P1')).toMatchObject({ stato: 'RIFIUTATO', tentativi: 1 });
  expect(f.lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'refused by counterpart', code: 'OPERATORE_SOSPESO', retryable: false }));
});

test('whatever the call throws becomes an Error before it is recorded', async () => {
  const f = fakes({ answers: [async () => Promise.reject('socket hang up')] });
  const err = await run(f);
  expect(err).toBeInstanceOf(Error);
  expect(err!.message).toBe('socket hang up');
  expect(f.steps.at(-1)).toBe('recordFailure socket hang up');
});

test('a failure to record the delivery itself goes to the consumer: retried, not swallowed', async () => {
  const f = fakes({ recordSuccessFails: true });
  const err = await run(f);
  expect(err!.message).toBe('connection terminated');
  expect(isRetryable(err)).toBe(true);
  expect(f.steps).not.toContainEqual(expect.stringMatching(/^recordFailure/));
});

describe('a failure to record a failure', () => {
  test('is logged as an error and reaches the consumer as retryable, with both errors, even when the delivery error was not retryable', async () => {
    const f = fakes({ answers: [async () => Promise.reject(refusal())], recordFailureFails: 1 });
    const err = await run(f);
    expect(err).toBeInstanceOf(FailureNotRecordedError);
    expect(isRetryable(err)).toBe(true);
    expect((err as FailureNotRecordedError).code).toBe('ERRORE_INTERNO');
    expect((err as FailureNotRecordedError).deliveryError).toBeInstanceOf(RemoteFaultError);
    expect((err as Error).cause).toEqual(new Error('could not serialize access'));
    expect(err!.message).toContain('OPERATORE_SOSPESO');
    expect(f.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'failed delivery not recorded: the message will be retried', idPacchetto: 'P1' }));
    expect(f.store.get('P1')).toMatchObject({ stato: 'DA_INVIARE', tentativi: 0 });
  });

  test('is made good by the redelivery: the refusal comes again and the item ends refused', async () => {
    const f = fakes({ answers: [async () => Promise.reject(refusal())], recordFailureFails: 1 });
    const first = await run(f);
    expect(isRetryable(first)).toBe(true);
    const second = await run(f, { ...msg(), attempt: 2 });
    expect(second).toBeInstanceOf(RemoteFaultError);
    expect(isRetryable(second)).toBe(false);
    expect(f.store.get('P1')).toMatchObject({ stato: 'RIFIUTATO', tentativi: 1, ultimoErrore: 'OPERATORE_SOSPESO: operatore sospeso' });
  });
});
