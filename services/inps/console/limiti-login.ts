import type { Clock } from '../../../shared/clock';
import { sourceKey } from '../../../shared/net/source-key';

/**
 * Login throttling, decided in memory BEFORE any password is hashed (hashing is what a login costs: scrypt, tens
 * of milliseconds of CPU and 32 MiB): an attempt that must wait is refused at once, and no request is held open
 * while it waits (a delay is a time before which attempts are refused, not a sleep).
 *
 * - Per source address: from the 5th failure within 15 minutes, the address waits 1 s, then 2, 4... (at most
 *   15 minutes) before its next attempt is even checked.
 * - Per account, for attempts from browsers that never logged into it: the same progressive delay from its 5th
 *   failure. A browser where the account logged in before carries a known-device token (dispositivi.ts) and is
 *   counted apart, per account and device: a stranger's failures delay strangers, never the owner's own browser.
 * - Password checks of unknown browsers run at most `verificheConcorrenti` at a time and `verificheAlSecondo` a
 *   second (a token bucket); beyond that an attempt is refused at once, so a flood from many addresses cannot queue
 *   up hashing nor take more than a fraction of a core. Known devices have their own lane, not rate-limited.
 */
export interface RegoleLimiti {
  /** Failures from one address, or on one account, before attempts wait. */
  soglia: number;
  /** First wait, in ms, doubling at each further failure... */
  attesaMs: number;
  /** ...up to this, in ms. */
  attesaMassimaMs: number;
  /**
   * Failures are forgotten after this long without another (ms). Much longer than the longest wait: an attempt at the
   * end of a wait must count as one more failure, not as a first one (else the back-off would reset itself every
   * time and a guesser would get ~700 tries a day per account).
   */
  finestraMs: number;
  /** Password checks at once for browsers without a known device of the account (the rest for known devices). */
  verificheConcorrenti: number;
  verificheConcorrentiNoti: number;
  /** Password checks a second for unknown browsers, all together (also the bucket's size). */
  verificheAlSecondo: number;
}

export const REGOLE_LIMITI: RegoleLimiti = { soglia: 5, attesaMs: 1000, attesaMassimaMs: 15 * 60_000, finestraMs: 24 * 3_600_000, verificheConcorrenti: 1, verificheConcorrentiNoti: 2, verificheAlSecondo: 4 };

/** Entries kept at most (addresses and accounts seen); beyond, the oldest forgotten first. */
const MASSIMO_VOCI = 50_000;

interface Contatore {
  fallimenti: number;
  ultimo: number;
  attesaFino: number;
}

export type Rifiuto = 'INDIRIZZO' | 'ACCOUNT' | 'CARICO';

export interface Tentativo {
  ip: string;
  /** The account id as typed (case-insensitive). */
  account: string;
  /** The known-device token's digest, when the browser carries one valid for this account. */
  dispositivo: string | null;
}

export class LimitiLogin {
  private readonly contatori = new Map<string, Contatore>();
  private readonly inCorso = { ignoti: 0, noti: 0 };
  private readonly tracciati = new Map<string, number>();
  private gettoni: number;
  /** When the bucket was last refilled (null: never used yet, full). */
  private ultimaRicarica: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly regole: RegoleLimiti = REGOLE_LIMITI,
  ) {
    this.gettoni = regole.verificheAlSecondo;
  }

  /** Takes a token of the unknown browsers' bucket, refilled at `verificheAlSecondo` a second. */
  private gettone(now: number): boolean {
    this.gettoni = Math.min(this.regole.verificheAlSecondo, this.gettoni + ((now - (this.ultimaRicarica ?? now)) / 1000) * this.regole.verificheAlSecondo);
    this.ultimaRicarica = now;
    if (this.gettoni < 1) return false;
    this.gettoni -= 1;
    return true;
  }

  private chiaveAccount(t: Tentativo): string {
    const a = t.account.toLowerCase();
    return t.dispositivo ? `d:${a}:${t.dispositivo}` : `a:${a}`;
  }

  private attende(chiave: string, now: number): boolean {
    const c = this.contatori.get(chiave);
    return c !== undefined && now - c.ultimo < this.regole.finestraMs && c.attesaFino > now;
  }

  /**
   * Whether the attempt may go on to the password check; when it may, `libera` must be called once the check is
   * done. Known devices are not held back by their address (an office behind one address shares it with others).
   */
  ammetti(t: Tentativo): { ammesso: true; libera: () => void } | { ammesso: false; motivo: Rifiuto } {
    const now = this.clock.now().getTime();
    if (!t.dispositivo && this.attende(chiaveIndirizzo(t.ip), now)) return { ammesso: false, motivo: 'INDIRIZZO' };
    if (this.attende(this.chiaveAccount(t), now)) return { ammesso: false, motivo: 'ACCOUNT' };
    const corsia = t.dispositivo ? 'noti' : 'ignoti';
    const massimo = t.dispositivo ? this.regole.verificheConcorrentiNoti : this.regole.verificheConcorrenti;
    if (this.inCorso[corsia] >= massimo || (!t.dispositivo && !this.gettone(now))) return { ammesso: false, motivo: 'CARICO' };
    this.inCorso[corsia]++;
    let libero = false;
    return {
      ammesso: true,
      libera: () => {
        if (libero) return;
        libero = true;
        this.inCorso[corsia]--;
      },
    };
  }

  private conta(chiave: string, now: number): void {
    const c = this.contatori.get(chiave);
    const fallimenti = c && now - c.ultimo < this.regole.finestraMs ? c.fallimenti + 1 : 1;
    const oltre = fallimenti - this.regole.soglia;
    const attesa = oltre < 0 ? 0 : Math.min(this.regole.attesaMs * 2 ** Math.min(oltre, 30), this.regole.attesaMassimaMs);
    // Re-inserted: the Map keeps insertion order, so the first entries are the least recently used.
    this.contatori.delete(chiave);
    this.contatori.set(chiave, { fallimenti, ultimo: now, attesaFino: now + attesa });
    while (this.contatori.size > MASSIMO_VOCI) this.contatori.delete(this.contatori.keys().next().value!);
  }

  /** A wrong password (or an unknown account): counted on the address and on the account (or its device). */
  fallito(t: Tentativo): void {
    const now = this.clock.now().getTime();
    if (!t.dispositivo) this.conta(chiaveIndirizzo(t.ip), now);
    this.conta(this.chiaveAccount(t), now);
  }

  /** A successful login clears its account's counter (for that device) and its address's. */
  riuscito(t: Tentativo): void {
    this.contatori.delete(this.chiaveAccount(t));
    this.contatori.delete(chiaveIndirizzo(t.ip));
  }

  /**
   * Whether a refused attempt from this address goes to the access log: the first of each minute only, so a flood
   * costs one record a minute per address, not one per request.
   */
  daTracciare(ip: string): boolean {
    const minuto = Math.floor(this.clock.now().getTime() / 60_000);
    if (this.tracciati.get(ip) === minuto) return false;
    this.tracciati.delete(ip);
    this.tracciati.set(ip, minuto);
    while (this.tracciati.size > MASSIMO_VOCI) this.tracciati.delete(this.tracciati.keys().next().value!);
    return true;
  }
}

/** The counter of a source address: by its IPv4 address, or its IPv6 /64 (shared/net/source-key.ts). */
export function chiaveIndirizzo(ip: string): string {
  return `i:${sourceKey(ip)}`;
}
