/**
 * Issue 17's targets that one `npm run bench` run measures, each with its verdict (pure: no I/O). A target whose
 * conditions the run did not meet (the latency phase at another rate or for less time) is N/A, not FAIL.
 */
export type Verdetto = 'PASS' | 'FAIL' | 'N/A';

export interface Obiettivo {
  descrizione: string;
  obiettivo: string;
  misurato: number | null;
  unita: string;
  esito: Verdetto;
  nota?: string;
}

export interface MisureObiettivi {
  /** capacity phase, end to end */
  domandePerSecondo: number;
  /** services + PostgreSQL backends */
  cpuPerDomandaMs: number;
  commitPerDomanda: number;
  /** broker's end-to-end rate / the floor's with the run's signatures (RSA-2048 by default; --chiave), same run */
  quotaPavimento: number;
  /** the floor's signature algorithm quotaPavimento is against (default RSA-2048) */
  algoritmoPavimento?: string;
  latenza: { offertoPerSecondo: number; secondi: number; registratePerSecondo: number; ackP99Ms: number; rifiutate: number };
  /** the ordinary-rate phase */
  quieto: { offertoPerSecondo: number; secondi: number; ackP99Ms: number; chiusuraSenzaInlP99Ms: number; rifiutate: number };
}

const verdetto = (ok: boolean, misurato: number | null): Verdetto => (misurato === null || !Number.isFinite(misurato) ? 'FAIL' : ok ? 'PASS' : 'FAIL');

export function valutaObiettivi(m: MisureObiettivi): Record<string, Obiettivo> {
  const v = (descrizione: string, obiettivo: string, misurato: number, unita: string, ok: (x: number) => boolean): Obiettivo => ({
    descrizione,
    obiettivo,
    misurato: Number.isFinite(misurato) ? misurato : null,
    unita,
    esito: verdetto(ok(misurato), misurato),
  });
  const l = m.latenza;
  const a100 = l.offertoPerSecondo >= 100 && l.secondi >= 10;
  const condizionato = (o: Obiettivo): Obiettivo => (a100 ? o : { ...o, esito: 'N/A', nota: `latency phase at ${l.offertoPerSecondo}/s for ${l.secondi} s, the target is for 100/s over 10 s` });
  const q = m.quieto;
  // At 20/s: a phase at a lower rate would flatter the latencies; a higher one is harder, and counts.
  const a20 = (o: Obiettivo): Obiettivo =>
    q.offertoPerSecondo >= 20 && q.secondi >= 10 && q.rifiutate === 0 ? o : { ...o, esito: 'N/A', nota: `ordinary-rate phase at ${q.offertoPerSecondo}/s for ${q.secondi} s with ${q.rifiutate} refused, the target is for 20/s over 10 s` };
  return {
    domandePerSecondo: v('end to end, capacity phase', '>= 20', m.domandePerSecondo, 'domande/s', (x) => x >= 20),
    cpuPerDomanda: v('CPU per domanda, services + PostgreSQL backends', '<= 80', m.cpuPerDomandaMs, 'ms', (x) => x <= 80),
    commitPerDomanda: v('PostgreSQL commits per domanda', '<= 40', m.commitPerDomanda, 'commits', (x) => x <= 40),
    quotaPavimento: v(`broker as a share of the floor (${m.algoritmoPavimento ?? 'RSA-2048'})`, '>= 60', 100 * m.quotaPavimento, '%', (x) => x >= 60),
    registrateA100: condizionato(v('submissions registered at 100/s offered', '>= 100', l.registratePerSecondo, 'domande/s', (x) => x >= 100)),
    ackP99A100: condizionato(v('submission ack p99 at 100/s offered', '<= 1000', l.ackP99Ms, 'ms', (x) => x <= 1000)),
    rifiutateA100: condizionato(v('submissions refused at 100/s offered', '= 0', l.rifiutate, 'refused', (x) => x === 0)),
    ackP99A20: a20(v('submission ack p99 at 20/s offered', '<= 100', q.ackP99Ms, 'ms', (x) => x <= 100)),
    chiusuraSenzaInlP99A20: a20(v('submission to closure p99 at 20/s offered, domande not through INL', '<= 2000', q.chiusuraSenzaInlP99Ms, 'ms', (x) => x <= 2000)),
  };
}

export function stampaObiettivi(o: Record<string, Obiettivo>): void {
  console.log("\nissue 17's targets measured by this run:");
  for (const x of Object.values(o)) {
    const misurato = x.misurato === null ? 'n/a' : String(Math.round(x.misurato * 10) / 10);
    console.log(`  ${x.esito.padEnd(4)} ${x.descrizione}: ${misurato} ${x.unita} (target ${x.obiettivo})${x.nota ? `; ${x.nota}` : ''}`);
  }
}
