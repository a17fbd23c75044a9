import { Gauge } from 'prom-client';
import type { Metrics } from './metrics';

/**
 * Series read at scrape time (queue depths, packets by state, outbox backlog...). A scrape must never hang
 * nor fail because one of its sources is slow or down: every reading has a deadline, and a reading that fails
 * or times out leaves its series out of that scrape and counts in ape_raccolta_errori_totale. Database readings
 * go through a short cache, so that several scrapers (or several series fed by one query) cost one query.
 */

export type Labels = Record<string, string>;
export type Reading = readonly [Labels, number];

export interface SeriesDefinition {
  nome: string;
  help: string;
  etichette: readonly string[];
}

/** Rejects when `p` has not settled within `ms` (the work itself is not cancelled: callers drop what it held). */
export function withinTimeout<T>(p: Promise<T>, ms: number, cosa: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const scaduto = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${cosa}: nessuna risposta entro ${ms} ms`)), ms);
  });
  return Promise.race([p, scaduto]).finally(() => clearTimeout(timer));
}

/**
 * Memoises an async reading for ttlMs: callers within that span share one result (or one failure, so that a
 * down database is not hammered by every scrape either). Time is real time, not the procedure's clock: this
 * is about load, not about the domain.
 */
export function shortCache<T>(ttlMs: number, leggi: () => Promise<T>, ora: () => number = Date.now): () => Promise<T> {
  let ultima: { at: number; valore: Promise<T> } | null = null;
  return () => {
    const t = ora();
    if (!ultima || t - ultima.at >= ttlMs) ultima = { at: t, valore: leggi() };
    return ultima.valore;
  };
}

/** Where scrape-time series are registered (the process's Osservabilita, or a SerieLette directly). */
export interface SeriesRegistry {
  serie(def: SeriesDefinition, raccolta: string, leggi: () => Promise<readonly Reading[]>): void;
}

interface Fonte {
  raccolta: string;
  leggi: () => Promise<readonly Reading[]>;
}

/**
 * Gauges read at scrape time; several sources may feed one series (e.g. one queue gauge, many queues).
 * aggiorna() reads every source (in parallel, each with its deadline) before the registry is serialised, so
 * that a failed reading is counted in the same scrape that leaves its series out.
 */
export class ReadSeries implements SeriesRegistry {
  private readonly fonti = new Map<string, Fonte[]>();
  private readonly valori = new Map<string, readonly Reading[]>();

  constructor(
    private readonly m: Metrics,
    private readonly timeoutMs = 2000,
  ) {}

  serie(def: SeriesDefinition, raccolta: string, leggi: () => Promise<readonly Reading[]>): void {
    let fonti = this.fonti.get(def.nome);
    if (!fonti) {
      fonti = [];
      this.fonti.set(def.nome, fonti);
      const valori = this.valori;
      new Gauge({
        name: def.nome,
        help: def.help,
        labelNames: def.etichette,
        registers: [this.m.registry],
        collect() {
          this.reset();
          for (const [etichette, valore] of valori.get(def.nome) ?? []) this.set(etichette, valore);
        },
      });
    }
    fonti.push({ raccolta, leggi });
  }

  /** Reads every source now; a source that fails or times out contributes nothing and is counted. */
  async aggiorna(): Promise<void> {
    await Promise.all(
      [...this.fonti].map(async ([nome, fonti]) => {
        const letture = await Promise.all(
          fonti.map(async (f) => {
            try {
              return await withinTimeout(f.leggi(), this.timeoutMs, f.raccolta);
            } catch {
              this.m.raccolteFallite.inc({ raccolta: f.raccolta });
              return [];
            }
          }),
        );
        this.valori.set(nome, letture.flat());
      }),
    );
  }
}
