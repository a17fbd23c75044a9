import { ApeError } from '../../errors';

/** Requests in progress per calling party: one party's flood is refused without starving the others. */
export class AdmissionControl {
  private readonly perParty = new Map<string, number>();

  /** maxPerParty: requests of one party worked on at once (Infinity: no limit). */
  constructor(readonly maxPerParty: number) {}

  /** Counts a call of the party; false when that party is now over its limit. Every enter is followed by one leave. */
  enter(party: string): boolean {
    const n = (this.perParty.get(party) ?? 0) + 1;
    this.perParty.set(party, n);
    return n <= this.maxPerParty;
  }

  leave(party: string): void {
    const n = (this.perParty.get(party) ?? 1) - 1;
    if (n === 0) this.perParty.delete(party);
    else this.perParty.set(party, n);
  }
}

/**
 * Stage: the call is counted against its party, refused or not (the caller's finally calls `leave` once the answer
 * is out); over the limit it is refused with SERVIZIO_NON_DISPONIBILE and Retry-After before its body is read, so a
 * counterpart retries later instead of waiting in an unbounded queue.
 */
export function admit(control: AdmissionControl, party: string, req: { resume(): unknown }, res: { setHeader(name: string, value: string): unknown }): void {
  if (control.enter(party)) return;
  req.resume();
  res.setHeader('Retry-After', '1');
  throw new ApeError('SERVIZIO_NON_DISPONIBILE', `servizio sovraccarico: ${party} ha già ${control.maxPerParty} richieste in corso, il massimo per parte; riprovare tra qualche secondo`);
}
