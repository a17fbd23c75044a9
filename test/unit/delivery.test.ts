import pino from 'pino';
import type { WorkMessage } from '../../shared/amqp/consumer';
import { deliveryWorker, FailureNotRecordedError, type Delivery } from '../../shared/amqp/delivery';
import { registeredDeliveryWorker } from '../../shared/soap/registered-delivery';
import type { SoapCall } from '../../shared/soap/client';
import { Xml } from '../../shared/xml/write';
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

describe('a delivery recorded with its message log entry (registeredDeliveryWorker)', () => {
  /** The statements each delivery asks to commit, with the entry the call left (or none), as SoapClient.registraConsegna gets them. */
  function registered(answer: (c: SoapCall) => Promise<string>) {
    const commits: Array<{ voce: string | null; sql: string | readonly string[]; params: unknown[] }> = [];
    const handler = registeredDeliveryWorker<{ id: string }, { id: string }, string>({
      pool: { query: async () => Promise.reject(new Error('the state goes through registraConsegna')) },
      soap: {
        async registraConsegna(voce, _pool, insieme) {
          const params: unknown[] = [];
          const sql = insieme((v) => `$${params.push(v)}`);
          commits.push({ voce: voce.trattenuta?.messaggio.esito ?? null, sql, params });
        },
      },
      load: async (m) => ({ id: m.payload.id }),
      describe: (item) => ({ idPacchetto: item.id }),
      isDone: () => false,
      prepare: (item) => ({ url: 'https://hub.test/x', soapAction: 'urn:x', headers: [], body: new Xml(`<P>${item.id}</P>`) }),
      call: async (_item, request) => answer(request),
      delivered: (item, corr) => (v) => `UPDATE t SET stato = 'INVIATO', corr = ${v(corr)} WHERE id = ${v(item.id)}`,
      failed: (item, err) => (v) => `UPDATE t SET errore = ${v(err.message)} WHERE id = ${v(item.id)}`,
      logged: (_item, corr) => ({ correlationId: corr }),
      text: { done: 'already sent', delivered: 'delivered', refused: 'refused by counterpart' },
    });
    return { handler, commits };
  }
  /** What the SOAP client does with the request's entry holder: fills it when it sent something. */
  const sent = (c: SoapCall, esito: string) => void (c.voce!.trattenuta = { messaggio: { direzione: 'INVIATO', operazione: 'X', controparte: 'HUB', improntaCorpo: 'ab', dimensione: 1, esito }, at: new Date(0) });

  test("the delivery's state is handed with the call's entry, and logged with what `logged` returns", async () => {
    const { handler, commits } = registered(async (c) => {
      sent(c, 'ACCETTATO');
      return 'CORR-1';
    });
    const f = fakes();
    await handler(msg(), logger(f));
    expect(commits).toEqual([{ voce: 'ACCETTATO', sql: "UPDATE t SET stato = 'INVIATO', corr = $1 WHERE id = $2", params: ['CORR-1', 'P1'] }]);
    expect(f.lines.at(-1)).toMatchObject({ msg: 'delivered', correlationId: 'CORR-1' });
  });

  test('a failed call hands its failure with its entry; a call that sent nothing, the failure alone; the error goes on', async () => {
    const refused = registered(async (c) => {
      sent(c, 'RIFIUTATO OPERATORE_SOSPESO');
      throw refusal();
    });
    await expect(refused.handler(msg(), logger(fakes()))).rejects.toBeInstanceOf(RemoteFaultError);
    expect(refused.commits).toEqual([{ voce: 'RIFIUTATO OPERATORE_SOSPESO', sql: 'UPDATE t SET errore = $1 WHERE id = $2', params: ['OPERATORE_SOSPESO: operatore sospeso', 'P1'] }]);
    const unsent = registered(async () => Promise.reject(unreachable()));
    await expect(unsent.handler(msg(), logger(fakes()))).rejects.toMatchObject({ code: 'CONTROPARTE_NON_RAGGIUNGIBILE' });
    expect(unsent.commits).toEqual([{ voce: null, sql: 'UPDATE t SET errore = $1 WHERE id = $2', params: ['ECONNREFUSED', 'P1'] }]);
  });
});
