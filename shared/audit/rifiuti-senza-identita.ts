import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { toError } from '../errors';
import type { Logger } from '../log';
import type { AccessEvent, Registri, RifiutiAggregati } from './registri';

/**
 * Refused calls of callers without an identity (no client certificate, a certificate of no registered party, an
 * address outside the allow-list), traced by source address and minute: counted in memory and written as one access
 * record per address and minute once the minute is over (or at shutdown), so a flood adds one record a minute to the
 * chain instead of one per call. Refusals of identified parties are not counted here: each stays its own record.
 *
 * A crash loses what is counted and not yet written: the current minute's refusals (and the previous minute's for
 * the second or so before they are written). When the database refuses the write, the counts are logged as an
 * error, as a single access record that cannot be written is.
 *
 * A source address going over `soglia` refusals within one minute raises RIFIUTI_RIPETUTI at once (`allerta`),
 * without waiting for the minute to end; after every write the rule is evaluated on the log (`dopoScrittura`),
 * which catches a slower flood within a minute of its record.
 */

/** Distinct values kept per list of a record (paths, certificates, claimed identities). */
const MAX_VALORI = 5;
const MAX_LUNGHEZZA = 200;
/** Addresses of one minute beyond this many share one record, under ALTRI. */
const MAX_INDIRIZZI_DEFAULT = 1000;
const ALTRI = '*';

interface Conteggio {
  rifiuti: number;
  codici: Map<string, number>;
  dal: Date;
  al: Date;
  servizi: Set<string>;
  certificati: Set<string>;
  identita: Set<string>;
  /** RIFIUTI_RIPETUTI already raised for this address in this minute. */
  allertato: boolean;
}

export interface RifiutiSenzaIdentitaDeps {
  registri: Pick<Registri, 'registraAccesso'>;
  /** The procedure's clock: the minutes are its minutes, the records carry its time. */
  clock: Clock;
  log: Logger;
  /** RIFIUTI_RIPETUTI's threshold (security.sogliaRifiuti): more refusals than this in one minute raise it at once. */
  soglia: number;
  allerta?: (sorgente: string, conteggio: { rifiuti: number; codici: Record<string, number> }, at: Date) => Promise<unknown>;
  dopoScrittura?: (at: Date) => Promise<unknown>;
  maxIndirizziAlMinuto?: number;
}

export class RifiutiSenzaIdentita {
  /** By minute (ms since the epoch / 60 000), then by source address. */
  private readonly minuti = new Map<number, Map<string, Conteggio>>();
  private readonly inCorso = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private scrittura: Promise<number> | null = null;

  constructor(private readonly d: RifiutiSenzaIdentitaDeps) {}

  /** Counts one refused call (its access event, as the intake built it) against its source address. Never waits. */
  conta(e: AccessEvent, sorgente: string): void {
    const minuto = Math.floor(e.at.getTime() / 60_000);
    let indirizzi = this.minuti.get(minuto);
    if (!indirizzi) {
      indirizzi = new Map();
      this.minuti.set(minuto, indirizzi);
    }
    const chiave = indirizzi.has(sorgente) || indirizzi.size < (this.d.maxIndirizziAlMinuto ?? MAX_INDIRIZZI_DEFAULT) ? sorgente : ALTRI;
    let c = indirizzi.get(chiave);
    if (!c) {
      c = { rifiuti: 0, codici: new Map(), dal: e.at, al: e.at, servizi: new Set(), certificati: new Set(), identita: new Set(), allertato: false };
      indirizzi.set(chiave, c);
    }
    c.rifiuti += 1;
    const codice = e.faultCode ?? 'SCONOSCIUTO';
    c.codici.set(codice, (c.codici.get(codice) ?? 0) + 1);
    if (e.at < c.dal) c.dal = e.at;
    if (e.at > c.al) c.al = e.at;
    aggiungi(c.servizi, e.service);
    aggiungi(c.certificati, e.certificateSubject);
    aggiungi(c.identita, e.identity);
    if (!c.allertato && c.rifiuti > this.d.soglia && this.d.allerta) {
      c.allertato = true;
      this.segui(this.d.allerta(chiave, { rifiuti: c.rifiuti, codici: Object.fromEntries(c.codici) }, e.at), 'RIFIUTI_RIPETUTI alert not raised');
    }
  }

  /**
   * Writes the records of the minutes that are over by the clock (all of them with `tutti`, at shutdown); resolves
   * with how many it wrote. Never rejects: a failure is logged with the counts it concerned.
   */
  scarica(tutti = false): Promise<number> {
    // One write at a time: a tick arriving while the previous write is slow waits for it, then finds nothing new.
    const precedente = this.scrittura ?? Promise.resolve(0);
    const questa = precedente.then(() =>
      this.scriviPronti(tutti).catch((err: unknown) => {
        // A bug, not a database refusal (those are handled per record): logged, and the timer keeps going.
        this.d.log.error({ err: toError(err) }, 'aggregated access records of refused calls without an identity not written');
        return 0;
      }),
    );
    this.scrittura = questa;
    void questa.finally(() => {
      if (this.scrittura === questa) this.scrittura = null;
    });
    return questa;
  }

  /** Writes the minutes that are over, every `ogniMs` of real time (the timer does not keep the process alive). */
  avvia(ogniMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scarica(), ogniMs);
    this.timer.unref();
  }

  /** Stops the timer and writes everything counted so far, the current minute included. */
  async chiudi(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scarica(true);
    await this.allerteInCorso();
  }

  /** Resolves once the alerts raised so far are recorded (or their failure logged). */
  async allerteInCorso(): Promise<void> {
    await Promise.allSettled([...this.inCorso]);
  }

  private async scriviPronti(tutti: boolean): Promise<number> {
    const adesso = this.d.clock.now();
    const corrente = Math.floor(adesso.getTime() / 60_000);
    const record: AccessEvent[] = [];
    for (const [minuto, indirizzi] of [...this.minuti]) {
      if (!tutti && minuto >= corrente) continue;
      // Taken out before the writes: calls refused meanwhile go into a new count.
      this.minuti.delete(minuto);
      for (const [sorgente, c] of indirizzi) record.push(recordDi(sorgente, c, adesso));
    }
    if (record.length === 0) return 0;
    const esiti = await Promise.allSettled(record.map((r) => this.d.registri.registraAccesso(r)));
    let scritti = 0;
    esiti.forEach((esito, i) => {
      if (esito.status === 'fulfilled') scritti += 1;
      else {
        const { remoteAddress, riferimenti } = record[i]!;
        this.d.log.error({ err: toError(esito.reason).message, sorgente: remoteAddress, ...riferimenti?.rifiutiAggregati }, 'aggregated access record of refused calls without an identity not written');
      }
    });
    if (scritti > 0 && this.d.dopoScrittura) {
      try {
        await this.d.dopoScrittura(adesso);
      } catch (err) {
        this.d.log.warn({ err: toError(err).message }, 'RIFIUTI_RIPETUTI not evaluated after the aggregated records; the periodic check will');
      }
    }
    return scritti;
  }

  private segui(p: Promise<unknown>, messaggio: string): void {
    const seguita = p.catch((err: unknown) => this.d.log.error({ err: toError(err).message }, messaggio));
    this.inCorso.add(seguita);
    void seguita.finally(() => this.inCorso.delete(seguita));
  }
}

function aggiungi(insieme: Set<string>, valore: string | null): void {
  if (valore && insieme.size < MAX_VALORI) insieme.add(valore.slice(0, MAX_LUNGHEZZA));
}

/** The access record of one address's refusals in one minute. */
function recordDi(sorgente: string, c: Conteggio, adesso: Date): AccessEvent {
  const codici = [...c.codici].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const servizi = [...c.servizi];
  const rifiutiAggregati: RifiutiAggregati = {
    rifiuti: c.rifiuti,
    codici: Object.fromEntries(codici),
    dal: c.dal.toISOString(),
    al: c.al.toISOString(),
    servizi,
    certificati: [...c.certificati],
    identitaDichiarate: [...c.identita],
  };
  return {
    requestId: randomUUID(),
    at: adesso,
    service: servizi.length === 1 ? servizi[0]! : '*',
    operation: null,
    identity: null,
    certificateSubject: null,
    operatore: null,
    remoteAddress: sorgente,
    outcome: 'RIFIUTATA',
    // The most frequent; all of them, with their counts, are in riferimenti.
    faultCode: codici[0]![0],
    durationMs: 0,
    riferimenti: { rifiutiAggregati },
  };
}
