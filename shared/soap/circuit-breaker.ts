import { ApeError, RemoteFaultError } from '../errors';
import type { Logger } from '../log';

/**
 * A circuit breaker per counterpart. After `soglia` consecutive failures (unreachable, timed out, an invalid
 * answer, a Fault that says "try again") the circuit opens: calls fail at once with CIRCUITO_APERTO, a
 * retryable error, so a party that is down or slow does not hold the workers that serve the others. After
 * `aperturaMs` one call goes through as a probe: its success closes the circuit, its failure opens it again.
 * Real time, not the procedure's clock: it is about the network.
 */
export interface CircuitOptions {
  soglia: number;
  aperturaMs: number;
}

type Stato = { fallimenti: number; apertoDal: number | null; provaInCorso: boolean };

export class CircuitBreakers {
  private readonly stati = new Map<string, Stato>();

  constructor(
    private readonly opts: CircuitOptions,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before a call: throws CIRCUITO_APERTO while the counterpart's circuit is open; otherwise lets it through. */
  permetti(controparte: string): void {
    const s = this.stati.get(controparte);
    if (!s || s.apertoDal === null) return;
    const trascorsi = this.now() - s.apertoDal;
    if (trascorsi < this.opts.aperturaMs || s.provaInCorso) {
      const tra = Math.max(0, this.opts.aperturaMs - trascorsi);
      throw new ApeError('CIRCUITO_APERTO', `${controparte} non risponde (${s.fallimenti} errori consecutivi): chiamate sospese, prossima prova tra ${Math.ceil(tra / 1000)} s`);
    }
    s.provaInCorso = true;
  }

  /** After a call: its outcome. Errors that say nothing about the counterpart's health count as successes. */
  esito(controparte: string, err: unknown): void {
    if (err !== undefined && contaComeGuasto(err)) this.fallimento(controparte);
    else this.successo(controparte);
  }

  stato(controparte: string): 'CHIUSO' | 'APERTO' | 'IN_PROVA' {
    const s = this.stati.get(controparte);
    if (!s || s.apertoDal === null) return 'CHIUSO';
    return s.provaInCorso || this.now() - s.apertoDal >= this.opts.aperturaMs ? 'IN_PROVA' : 'APERTO';
  }

  private successo(controparte: string): void {
    const s = this.stati.get(controparte);
    if (!s) return;
    if (s.apertoDal !== null) this.log?.info({ controparte }, 'circuit closed: counterpart answers again');
    this.stati.delete(controparte);
  }

  private fallimento(controparte: string): void {
    const s = this.stati.get(controparte) ?? { fallimenti: 0, apertoDal: null, provaInCorso: false };
    s.fallimenti++;
    const riapre = s.provaInCorso;
    s.provaInCorso = false;
    if (riapre || (s.apertoDal === null && s.fallimenti >= this.opts.soglia)) {
      if (s.apertoDal === null) this.log?.warn({ controparte, fallimenti: s.fallimenti }, 'circuit opened: calls to this counterpart are held back');
      s.apertoDal = this.now();
    }
    this.stati.set(controparte, s);
  }
}

function contaComeGuasto(err: unknown): boolean {
  if (err instanceof RemoteFaultError) return err.retryable;
  if (err instanceof ApeError) return err.code === 'CONTROPARTE_NON_RAGGIUNGIBILE' || err.code === 'RISPOSTA_NON_VALIDA' || err.code === 'RISPOSTA_NON_FIRMATA';
  return true;
}
