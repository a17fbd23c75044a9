import { EventEmitter } from 'node:events';
import pino from 'pino';
import { ApeError } from '../../shared/errors';
import { startRequest } from '../../shared/soap/intake/context';
import { sourceKey } from '../../shared/net/source-key';
import { refuseUnidentified, UnidentifiedAdmission, type HeldResponse } from '../../shared/soap/intake/unidentified-admission';

/**
 * Admission of callers without an identity, per source address: a burst, then a rate; in progress counted until the
 * answer is out; beyond the limits TROPPE_RICHIESTE with Retry-After, the connection held unread until then.
 */

const LIMITS = { maxRichiesteInCorso: 3, richiesteAlMinuto: 60, raffica: 5 };

function admission(limits = LIMITS) {
  let now = 0;
  const control = new UnidentifiedAdmission(limits, { nowMs: () => now });
  return { control, advance: (ms: number) => void (now += ms) };
}

test('an address is counted as IPv4, or by its IPv6 /64, whatever its notation', () => {
  expect(sourceKey('192.0.2.7')).toBe('192.0.2.7');
  expect(sourceKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  expect(sourceKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
  expect(sourceKey('2001:0DB8:0000:0001::1')).toBe('2001:db8:0:1::/64');
  expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(sourceKey('::1')).toBe('0:0:0:0::/64');
});

test('a burst is admitted, then one call per second of the configured rate', () => {
  const { control, advance } = admission();
  const admitted = () => {
    const v = control.enter('192.0.2.7');
    if (v.admitted) control.leave(v.key);
    else control.release(v.key);
    return v.admitted;
  };
  expect(Array.from({ length: 5 }, admitted)).toEqual([true, true, true, true, true]);
  expect(admitted()).toBe(false);
  advance(1000);
  expect(admitted()).toBe(true);
  expect(admitted()).toBe(false);
  // Another address has its own budget.
  expect(control.enter('192.0.2.8').admitted).toBe(true);
});

test('calls in progress are limited per address until their answers are out', () => {
  const { control } = admission();
  const keys = [1, 2, 3].map(() => control.enter('192.0.2.7'));
  expect(keys.every((v) => v.admitted)).toBe(true);
  const over = control.enter('192.0.2.7');
  expect(over).toMatchObject({ admitted: false, retryAfterS: 1 });
  control.release(over.key);
  control.leave(keys[0]!.key);
  expect(control.enter('192.0.2.7').admitted).toBe(true);
});

test('Retry-After grows with the connections already held, so many connections do not multiply the rate', () => {
  const { control } = admission({ maxRichiesteInCorso: 100, richiesteAlMinuto: 60, raffica: 1 });
  expect(control.enter('192.0.2.7').admitted).toBe(true);
  const waits = Array.from({ length: 5 }, () => {
    const v = control.enter('192.0.2.7');
    return v.admitted ? 0 : v.retryAfterS;
  });
  expect(waits).toEqual([1, 2, 3, 4, 5]);
  // Never beyond a minute: the server's keep-alive timeout would close the connection anyway.
  for (let i = 0; i < 100; i++) control.enter('192.0.2.7');
  const last = control.enter('192.0.2.7');
  expect(last.admitted ? 0 : last.retryAfterS).toBe(60);
});

test('the first refusal of a spell is flagged (one warning), the next ones are not, until the address is admitted again', () => {
  const { control, advance } = admission({ ...LIMITS, raffica: 1 });
  control.enter('192.0.2.7');
  expect(control.enter('192.0.2.7')).toMatchObject({ admitted: false, first: true });
  expect(control.enter('192.0.2.7')).toMatchObject({ admitted: false, first: false });
  advance(10_000);
  for (const k of ['192.0.2.7', '192.0.2.7', '192.0.2.7']) control.release(k);
  expect(control.enter('192.0.2.7').admitted).toBe(true);
  expect(control.enter('192.0.2.7')).toMatchObject({ admitted: false, first: true });
});

test('memory stays bounded: beyond 10,000 addresses at once the others share one budget; idle ones are forgotten', () => {
  const { control, advance } = admission();
  for (let i = 0; i < 10_000; i++) control.enter(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  expect(control.size).toBe(10_000);
  expect(control.enter('192.0.2.1')).toMatchObject({ admitted: true, key: '*' });
  expect(control.size).toBe(10_001);
  // Those still in progress stay; once answered and refilled, they go at the next sweep.
  for (let i = 0; i < 10_000; i++) control.leave(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  advance(10_000);
  expect(control.enter('192.0.2.2')).toMatchObject({ admitted: true, key: '192.0.2.2' });
  expect(control.size).toBe(2);
});

test('before the handshake, a new connection is closed only from an address no party is registered at, while it is over its limits', () => {
  let now = 0;
  const control = new UnidentifiedAdmission({ ...LIMITS, raffica: 2 }, { nowMs: () => now, registeredAddresses: ['192.0.2.10'] });
  for (const address of ['203.0.113.9', '192.0.2.10']) {
    expect(control.refusesConnection(address)).toBe(false);
    for (let i = 0; i < 3; i++) {
      const v = control.enter(address);
      if (v.admitted) control.leave(v.key);
      else control.release(v.key);
    }
  }
  expect(control.refusesConnection('203.0.113.9')).toBe(true);
  expect(control.refusesConnection('::ffff:203.0.113.9')).toBe(true);
  // A party is registered there: only the handshake can tell its calls from the others.
  expect(control.refusesConnection('::ffff:192.0.2.10')).toBe(false);
  // Once a call would be admitted again, so is a connection.
  now += 1000;
  expect(control.refusesConnection('203.0.113.9')).toBe(false);
});

describe('refuseUnidentified', () => {
  class FakeSocket extends EventEmitter {
    paused = false;
    destroyed = false;
    pause() {
      this.paused = true;
      return this;
    }
    resume() {
      this.paused = false;
      return this;
    }
  }
  function response(socket = new FakeSocket()) {
    const headers: Record<string, string> = {};
    const res = Object.assign(new EventEmitter(), {
      headers,
      writableFinished: true,
      socket,
      setHeader: (n: string, v: string) => void (headers[n.toLowerCase()] = v),
    });
    return res as typeof res & HeldResponse;
  }
  const refusal = new ApeError('CERTIFICATO_ASSENTE', 'la chiamata deve presentare il certificato client');
  const ctx = () => startRequest({ url: '/ape/istruttoria', socket: { remoteAddress: '::ffff:192.0.2.7' } } as never, { now: () => new Date() }, pino({ level: 'silent' }));
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as ApeError;
    }
    throw new Error('nothing thrown');
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("within the limits the call gets identification's own refusal, counted until its answer is out", () => {
    const { control } = admission({ ...LIMITS, maxRichiesteInCorso: 1 });
    const res = response();
    expect(thrown(() => refuseUnidentified(control, ctx(), res, refusal))).toBe(refusal);
    // Its answer not out yet: the next call is over the limit (and its connection held once answered).
    const over = response();
    expect(thrown(() => refuseUnidentified(control, ctx(), over, refusal)).code).toBe('TROPPE_RICHIESTE');
    res.emit('close');
    over.emit('close');
    jest.advanceTimersByTime(1000);
    expect(thrown(() => refuseUnidentified(control, ctx(), response(), refusal))).toBe(refusal);
  });

  function logged() {
    const lines: string[] = [];
    return { lines, log: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }) };
  }

  test('beyond them: TROPPE_RICHIESTE (429) with Retry-After, one warning per spell and no line per call, the connection unread until Retry-After', () => {
    const { lines, log } = logged();
    const control = new UnidentifiedAdmission({ ...LIMITS, raffica: 1 }, { log, nowMs: () => 0 });
    const c = () => Object.assign(ctx(), { log });
    expect(thrown(() => refuseUnidentified(control, c(), response(), refusal))).toBe(refusal);

    const socket = new FakeSocket();
    const res = response(socket);
    const call = c();
    const err = thrown(() => refuseUnidentified(control, call, res, refusal));
    expect(err).toMatchObject({ code: 'TROPPE_RICHIESTE', httpStatus: 429, retryable: false, actor: 'Client' });
    expect(err.message).toContain('192.0.2.7');
    expect(res.headers['retry-after']).toBe('1');
    // The reply stage's info line for this call goes nowhere.
    call.log.info('SOAP request refused');
    expect(lines.filter((l) => l.includes('SOAP request refused'))).toEqual([]);

    // Once the answer is out, the connection is not read for Retry-After seconds.
    res.emit('close');
    expect(socket.paused).toBe(true);
    const again = response();
    expect(thrown(() => refuseUnidentified(control, c(), again, refusal)).code).toBe('TROPPE_RICHIESTE');
    expect(again.headers['retry-after']).toBe('2');
    jest.advanceTimersByTime(999);
    expect(socket.paused).toBe(true);
    jest.advanceTimersByTime(1);
    expect(socket.paused).toBe(false);
    expect(lines.filter((l) => l.includes('over the admission limit'))).toHaveLength(1);
  });

  test('pipelined refusals on one connection hold it until the latest; a connection closed while held is released', () => {
    const { control } = admission({ maxRichiesteInCorso: 10, richiesteAlMinuto: 60, raffica: 1 });
    expect(thrown(() => refuseUnidentified(control, ctx(), response(), refusal))).toBe(refusal);
    const socket = new FakeSocket();
    const first = response(socket);
    const second = response(socket);
    thrown(() => refuseUnidentified(control, ctx(), first, refusal));
    thrown(() => refuseUnidentified(control, ctx(), second, refusal));
    expect([first.headers['retry-after'], second.headers['retry-after']]).toEqual(['1', '2']);
    first.emit('close');
    second.emit('close');
    jest.advanceTimersByTime(1000);
    expect(socket.paused).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(socket.paused).toBe(false);

    // Released: the next refusal waits for one hold only (its own turn), not for the two ended.
    const other = new FakeSocket();
    const held = response(other);
    thrown(() => refuseUnidentified(control, ctx(), held, refusal));
    held.emit('close');
    expect(other.paused).toBe(true);
    other.emit('close');
    const next = response();
    thrown(() => refuseUnidentified(control, ctx(), next, refusal));
    expect(next.headers['retry-after']).toBe('1');
  });

  test('a refusal whose answer never went out (connection lost) holds nothing', () => {
    const { control } = admission({ maxRichiesteInCorso: 10, richiesteAlMinuto: 60, raffica: 1 });
    thrown(() => refuseUnidentified(control, ctx(), response(), refusal));
    const socket = new FakeSocket();
    const lost = Object.assign(response(socket), { writableFinished: false });
    thrown(() => refuseUnidentified(control, ctx(), lost, refusal));
    lost.emit('close');
    expect(socket.paused).toBe(false);
    const next = response();
    thrown(() => refuseUnidentified(control, ctx(), next, refusal));
    expect(next.headers['retry-after']).toBe('1');
  });
});
