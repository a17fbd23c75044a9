/**
 * Summary statistics for the benchmark: percentiles by linear interpolation between closest ranks (the
 * definition of numpy's default and of most load tools), and windows of a time series to compare its start
 * with its end (latency and memory drift in the soak).
 */
export interface Riassunto {
  n: number;
  min: number;
  media: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The p-th percentile (0-100) of values already sorted ascending; NaN for no values. */
export function percentile(ordinati: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile ${p} outside 0-100`);
  if (ordinati.length === 0) return NaN;
  const pos = ((ordinati.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = ordinati[lo]!;
  const b = ordinati[hi]!;
  return a + (b - a) * (pos - lo);
}

export function riassumi(valori: readonly number[]): Riassunto {
  const s = [...valori].sort((a, b) => a - b);
  const somma = s.reduce((x, y) => x + y, 0);
  return {
    n: s.length,
    min: s.length ? s[0]! : NaN,
    media: s.length ? somma / s.length : NaN,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1]! : NaN,
  };
}

/** A point of a time series: t in ms (any origin), v the value. */
export interface Punto {
  t: number;
  v: number;
}

/**
 * Splits a series into consecutive windows of `larghezzaMs` from its first point and summarises each;
 * empty windows are left out.
 */
export function finestre(punti: readonly Punto[], larghezzaMs: number): Array<{ da: number; riassunto: Riassunto }> {
  if (!(larghezzaMs > 0)) throw new Error('window width must be positive');
  if (punti.length === 0) return [];
  const t0 = Math.min(...punti.map((p) => p.t));
  const gruppi = new Map<number, number[]>();
  for (const p of punti) {
    const k = Math.floor((p.t - t0) / larghezzaMs);
    const g = gruppi.get(k) ?? [];
    g.push(p.v);
    gruppi.set(k, g);
  }
  return [...gruppi.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => ({ da: t0 + k * larghezzaMs, riassunto: riassumi(v) }));
}

/** Events per second over consecutive 1 s buckets from `t0` to the last event (for throughput curves). */
export function contaPerSecondo(istanti: readonly number[], t0: number): Punto[] {
  if (istanti.length === 0) return [];
  const fine = Math.max(...istanti);
  const n = Math.floor((fine - t0) / 1000) + 1;
  const conteggi = new Array<number>(Math.max(n, 0)).fill(0);
  for (const t of istanti) {
    const k = Math.floor((t - t0) / 1000);
    if (k >= 0 && k < n) conteggi[k]!++;
  }
  return conteggi.map((v, k) => ({ t: t0 + k * 1000, v }));
}

/** Rate of a stage: events over the span from its first to its last event (events/s; NaN below 2 events). */
export function ritmoFase(istanti: readonly number[]): { eventi: number; primoMs: number; ultimoMs: number; perSecondo: number } {
  if (istanti.length === 0) return { eventi: 0, primoMs: NaN, ultimoMs: NaN, perSecondo: NaN };
  const primo = Math.min(...istanti);
  const ultimo = Math.max(...istanti);
  const durata = (ultimo - primo) / 1000;
  return { eventi: istanti.length, primoMs: primo, ultimoMs: ultimo, perSecondo: istanti.length > 1 && durata > 0 ? istanti.length / durata : NaN };
}

/**
 * The second fifth of a phase against its last: the rate of `istanti` (events per second over the fifth's span)
 * and the median of `valori` in submission order. The first fifth is left out: it runs into an empty pipeline, so
 * it is fast whatever the data. Null under 100 events: a fifth of fewer says nothing.
 */
export function secondoEUltimoQuinto(istanti: readonly number[], valori: readonly number[]): { ritmo: [number, number]; mediana: [number, number] } | null {
  if (istanti.length < 100 || valori.length < 100) return null;
  const t = [...istanti].sort((a, b) => a - b);
  const q = Math.floor(t.length / 5);
  const ritmo = (da: number, a: number) => (1000 * q) / Math.max(1, t[a]! - t[da]!);
  const qv = Math.floor(valori.length / 5);
  return {
    ritmo: [ritmo(q, 2 * q), ritmo(t.length - 1 - q, t.length - 1)],
    mediana: [riassumi(valori.slice(qv, 2 * qv)).p50, riassumi(valori.slice(-qv)).p50],
  };
}
