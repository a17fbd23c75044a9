/**
 * Open-loop load: the i-th request is due at start + i / rate whatever happened to the earlier ones, so a slow
 * answer does not hold back the next request (a closed loop would, and would hide queueing delay: "coordinated
 * omission"). Latency is measured from the instant a request was due, not from when it actually left.
 */
export interface Orologio {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const orologioReale: Orologio = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/** The instant (ms, same origin as inizio) at which request i is due. */
export function istanteDovuto(inizio: number, i: number, ritmoPerSecondo: number): number {
  if (!(ritmoPerSecondo > 0)) throw new Error(`rate must be positive, got ${ritmoPerSecondo}`);
  return inizio + (i * 1000) / ritmoPerSecondo;
}

export interface EsitoRichiesta<T> {
  i: number;
  dovutoMs: number;
  partitoMs: number;
  finitoMs: number;
  /** Finish minus due instant. */
  latenzaMs: number;
  valore?: T;
  errore?: Error;
}

/**
 * Fires n requests at the given rate; returns when every one has finished. Requests are never awaited
 * before the next is fired: at most `massimoInVolo` (default unlimited) run at once, beyond which the
 * schedule slips (and the slip shows in the latencies, measured from the due instant).
 */
export async function caricoAperto<T>(
  n: number,
  ritmoPerSecondo: number,
  richiesta: (i: number) => Promise<T>,
  o: { orologio?: Orologio; massimoInVolo?: number } = {},
): Promise<Array<EsitoRichiesta<T>>> {
  const clock = o.orologio ?? orologioReale;
  const limite = o.massimoInVolo ?? Infinity;
  const inizio = clock.now();
  const esiti: Array<EsitoRichiesta<T>> = [];
  const inVolo = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    const dovuto = istanteDovuto(inizio, i, ritmoPerSecondo);
    const attesa = dovuto - clock.now();
    if (attesa > 0) await clock.sleep(attesa);
    while (inVolo.size >= limite) await Promise.race(inVolo);
    const partito = clock.now();
    const p: Promise<void> = richiesta(i).then(
      (valore) => {
        const fine = clock.now();
        esiti.push({ i, dovutoMs: dovuto, partitoMs: partito, finitoMs: fine, latenzaMs: fine - dovuto, valore });
      },
      (err: unknown) => {
        const fine = clock.now();
        esiti.push({ i, dovutoMs: dovuto, partitoMs: partito, finitoMs: fine, latenzaMs: fine - dovuto, errore: err instanceof Error ? err : new Error(String(err)) });
      },
    ).finally(() => inVolo.delete(p));
    inVolo.add(p);
  }
  await Promise.all(inVolo);
  return esiti.sort((a, b) => a.i - b.i);
}

/** Closed loop: `concorrenza` workers each take the next request as soon as their previous one finished. */
export async function caricoChiuso<T>(n: number, concorrenza: number, richiesta: (i: number) => Promise<T>, orologio: Orologio = orologioReale): Promise<Array<EsitoRichiesta<T>>> {
  if (!(concorrenza >= 1)) throw new Error(`concurrency must be at least 1, got ${concorrenza}`);
  const esiti: Array<EsitoRichiesta<T>> = [];
  let prossimo = 0;
  const lavoratore = async () => {
    while (prossimo < n) {
      const i = prossimo++;
      const partito = orologio.now();
      try {
        const valore = await richiesta(i);
        const fine = orologio.now();
        esiti.push({ i, dovutoMs: partito, partitoMs: partito, finitoMs: fine, latenzaMs: fine - partito, valore });
      } catch (err) {
        const fine = orologio.now();
        esiti.push({ i, dovutoMs: partito, partitoMs: partito, finitoMs: fine, latenzaMs: fine - partito, errore: err instanceof Error ? err : new Error(String(err)) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concorrenza, n) }, lavoratore));
  return esiti.sort((a, b) => a.i - b.i);
}
