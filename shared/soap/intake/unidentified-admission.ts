import type { Socket } from 'node:net';
import { ApeError } from '../../errors';
import type { Logger } from '../../log';
import { plainAddress, sourceKey } from '../../net/source-key';
import type { RequestContext } from './context';

/**
 * Admission of calls that identify no registered party (no client certificate, a certificate of no registered party,
 * an address outside the party's allow-list), per source address. Every such call is refused; what the limits decide
 * is how much it may cost. Within them a call gets identification's own refusal, which tells a counterpart what to
 * fix. Beyond them it gets TROPPE_RICHIESTE (429) with Retry-After, and its connection is not read again until then:
 * a client that floods over kept-alive connections, ignoring Retry-After, then costs one answer per connection and
 * Retry-After, not one per call it sends. Registered parties are identified before this is consulted, so they are
 * never counted here, whatever address they share.
 */

/** Limits per source address (config `soap.senzaIdentita`). */
export interface UnidentifiedLimits {
  /** Such calls whose answer is not yet out, with the connections held after a refusal. */
  maxRichiesteInCorso: number;
  /** Admitted per minute, on average (the token bucket's refill)... */
  richiesteAlMinuto: number;
  /** ...and at most this many in a burst (the bucket's size). */
  raffica: number;
}

interface AddressState {
  /** Calls admitted whose answer is not yet out, and connections held. */
  inProgress: number;
  /** Of which connections held. */
  held: number;
  tokens: number;
  /** When tokens were last refilled, ms. */
  at: number;
  /** Whether its refusals have started (one warning per spell, not per call). */
  limited: boolean;
}

/** Admitted (then `leave`), or refused: the connection is to be held for Retry-After seconds (then `release`). */
export type UnidentifiedVerdict = { admitted: true; key: string } | { admitted: false; key: string; retryAfterS: number; first: boolean };

/** Beyond this many addresses tracked at once, the ones not tracked share one budget (memory stays bounded). */
const MAX_ADDRESSES = 10_000;
/** The longest a connection is held: under the server's keep-alive timeout (65 s), which would close it anyway. */
const MAX_HOLD_S = 60;
const OVERFLOW = '*';

/** The counts per address: in progress, and a token bucket for the rate, on real time (not the procedure's clock). */
export class UnidentifiedAdmission {
  private readonly perAddress = new Map<string, AddressState>();
  private lastSweep = 0;
  private readonly nowMs: () => number;
  /** The logger of the calls refused beyond the limits: warnings only, made once (not a child per call of a flood). */
  readonly quietLog: Logger | null;
  /** The addresses some party is registered at (its allow-list): only the TLS handshake tells its calls apart. */
  private readonly registered: ReadonlySet<string>;

  constructor(
    readonly limits: UnidentifiedLimits,
    o: { log?: Logger; nowMs?: () => number; registeredAddresses?: Iterable<string> } = {},
  ) {
    this.nowMs = o.nowMs ?? (() => performance.now());
    this.quietLog = o.log ? o.log.child({ admission: 'senzaIdentita' }, { level: 'warn' }) : null;
    this.registered = new Set([...(o.registeredAddresses ?? [])].map(plainAddress));
  }

  /**
   * Before the TLS handshake (the costliest step of a call nobody identified yet): whether a new connection from
   * `address` is to be closed at once. Only when no party is registered at that address, so that none of its calls
   * could ever be identified, and while the address is over its limits.
   */
  refusesConnection(address: string): boolean {
    if (this.registered.has(plainAddress(address))) return false;
    const state = this.perAddress.get(sourceKey(address));
    if (!state) return false;
    const now = this.nowMs();
    state.tokens = Math.min(this.limits.raffica, state.tokens + (now - state.at) * (this.limits.richiesteAlMinuto / 60_000));
    state.at = now;
    return state.tokens < 1 || state.inProgress >= this.limits.maxRichiesteInCorso;
  }

  /**
   * A call from `address`: admitted, or refused with the seconds its connection is to be held. Retry-After grows with
   * the connections of the address already held, so that however many it opens, the calls read from it stay near
   * the configured rate: each held connection waits its turn for a token.
   */
  enter(address: string): UnidentifiedVerdict {
    const now = this.nowMs();
    const [key, state] = this.stateOf(address, now);
    const rate = this.limits.richiesteAlMinuto / 60_000;
    state.tokens = Math.min(this.limits.raffica, state.tokens + (now - state.at) * rate);
    state.at = now;
    state.inProgress += 1;
    if (state.inProgress <= this.limits.maxRichiesteInCorso && state.tokens >= 1) {
      state.tokens -= 1;
      state.limited = false;
      return { admitted: true, key };
    }
    const first = !state.limited;
    state.limited = true;
    const waitMs = (Math.max(0, 1 - state.tokens) + state.held) / rate;
    state.held += 1;
    return { admitted: false, key, retryAfterS: Math.min(MAX_HOLD_S, Math.max(1, Math.ceil(waitMs / 1000))), first };
  }

  /** The answer of an admitted call is out. */
  leave(key: string): void {
    const state = this.perAddress.get(key);
    if (state && state.inProgress > 0) state.inProgress -= 1;
  }

  /** A refused call's connection is no longer held (its time is up, or it closed). */
  release(key: string): void {
    const state = this.perAddress.get(key);
    if (state && state.held > 0) state.held -= 1;
    this.leave(key);
  }

  /** Addresses tracked (tests). */
  get size(): number {
    return this.perAddress.size;
  }

  private stateOf(address: string, now: number): [string, AddressState] {
    const known = this.perAddress.get(address);
    if (known) return [address, known];
    if (this.perAddress.size >= MAX_ADDRESSES) this.sweep(now);
    const key = this.perAddress.size >= MAX_ADDRESSES ? OVERFLOW : address;
    let state = this.perAddress.get(key);
    if (!state) {
      state = { inProgress: 0, held: 0, tokens: this.limits.raffica, at: now, limited: false };
      this.perAddress.set(key, state);
    }
    return [key, state];
  }

  /** Forgets the addresses with nothing in progress whose bucket has filled up again: they are as new. At most once a second. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const fullAfterMs = (this.limits.raffica * 60_000) / this.limits.richiesteAlMinuto;
    for (const [key, s] of this.perAddress) {
      if (s.inProgress === 0 && now - s.at >= fullAfterMs) this.perAddress.delete(key);
    }
  }
}

/** What the stage needs of the response: its headers, its end, and the connection it goes out on. */
export interface HeldResponse {
  setHeader(name: string, value: string): unknown;
  once(event: 'close', listener: () => void): unknown;
  readonly writableFinished: boolean;
  readonly socket: Pick<Socket, 'pause' | 'resume' | 'once' | 'off' | 'destroyed'> | null;
}

/**
 * Stage, for a call identification refused (`refusal`, which it throws or replaces): within the address's limits the
 * call gets that refusal; beyond them TROPPE_RICHIESTE with Retry-After, without a log line of its own (one warning
 * per spell; the aggregated access record counts every call), and its connection is then held unread until
 * Retry-After. Not closed: a client that reconnects at once would cost a TLS handshake per call instead.
 */
export function refuseUnidentified(control: UnidentifiedAdmission, ctx: Pick<RequestContext, 'access' | 'log'>, res: HeldResponse, refusal: ApeError): never {
  const source = sourceKey(ctx.access.remoteAddress);
  const verdict = control.enter(source);
  if (verdict.admitted) {
    res.once('close', () => control.leave(verdict.key));
    throw refusal;
  }
  const { maxRichiesteInCorso, richiesteAlMinuto, raffica } = control.limits;
  if (verdict.first) ctx.log.warn({ source, maxRichiesteInCorso, richiesteAlMinuto, raffica }, 'calls without an identity over the admission limit of their address: refused with TROPPE_RICHIESTE, not logged one by one');
  // The refusal is logged at info by the reply stage: not for each call of a flood.
  if (control.quietLog) ctx.log = control.quietLog;
  res.setHeader('Retry-After', String(verdict.retryAfterS));
  // The socket is detached from the response once it is sent: taken now.
  const socket = res.socket;
  res.once('close', () => {
    if (socket && res.writableFinished) holdConnection(socket, verdict.retryAfterS * 1000, () => control.release(verdict.key));
    else control.release(verdict.key);
  });
  throw new ApeError(
    'TROPPE_RICHIESTE',
    `troppe chiamate non identificate da ${source} (senza certificato client, con un certificato di nessuna parte registrata o da un indirizzo non registrato): ` +
      `oltre ${raffica} di seguito, ${richiesteAlMinuto} al minuto o ${maxRichiesteInCorso} in corso sono rifiutate senza dettaglio, e la connessione non è letta fino a Retry-After; ` +
      `riprovare dopo ${verdict.retryAfterS} s con il certificato e dall'indirizzo registrati`,
  );
}

type HeldSocket = NonNullable<HeldResponse['socket']>;

/** A connection held: when it is read again, the holds to release then, and how to end it. */
interface Hold {
  until: number;
  timer: NodeJS.Timeout | null;
  releases: Array<() => void>;
  end(): void;
}
const HOLDS = new WeakMap<HeldSocket, Hold>();

/**
 * Reads nothing more from the connection for `ms` (what the client sends meanwhile waits in its buffers), then
 * `release`. Several holds of one connection (pipelined calls) end together, at the latest of them.
 */
function holdConnection(socket: HeldSocket, ms: number, release: () => void): void {
  if (socket.destroyed) {
    release();
    return;
  }
  const until = Date.now() + ms;
  const held = HOLDS.get(socket);
  if (held) {
    held.releases.push(release);
    if (until > held.until) {
      held.until = until;
      resumeAfter(socket, held, ms);
    }
    return;
  }
  const hold: Hold = {
    until,
    timer: null,
    releases: [release],
    end() {
      if (HOLDS.get(socket) !== hold) return;
      HOLDS.delete(socket);
      if (hold.timer) clearTimeout(hold.timer);
      socket.off('close', hold.end);
      for (const r of hold.releases) r();
    },
  };
  HOLDS.set(socket, hold);
  socket.pause();
  socket.once('close', hold.end);
  resumeAfter(socket, hold, ms);
}

function resumeAfter(socket: HeldSocket, hold: Hold, ms: number): void {
  if (hold.timer) clearTimeout(hold.timer);
  hold.timer = setTimeout(() => {
    hold.end();
    socket.resume();
  }, ms);
  hold.timer.unref();
}
