import { contaPerSecondo, finestre, percentile, riassumi, ritmoFase, secondoEUltimoQuinto } from '../../infra/bench/statistiche';

describe('benchmark statistics', () => {
  test('percentiles interpolate between closest ranks', () => {
    const s = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(s, 0)).toBe(10);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile(s, 50)).toBe(55);
    expect(percentile(s, 90)).toBeCloseTo(91, 10);
    expect(percentile(s, 99)).toBeCloseTo(99.1, 10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test('a percentile outside 0-100 is refused', () => {
    expect(() => percentile([1, 2], 101)).toThrow('outside 0-100');
    expect(() => percentile([1, 2], -1)).toThrow('outside 0-100');
  });

  test('the summary sorts its input and does not change it', () => {
    const v = [5, 1, 4, 2, 3];
    const r = riassumi(v);
    expect(r).toEqual({ n: 5, min: 1, media: 3, p50: 3, p95: 4.8, p99: 4.96, max: 5 });
    expect(v).toEqual([5, 1, 4, 2, 3]);
    expect(riassumi([]).n).toBe(0);
  });

  test('windows group a series from its first point, leaving out empty ones', () => {
    const w = finestre([{ t: 1000, v: 1 }, { t: 1500, v: 3 }, { t: 2100, v: 10 }, { t: 4200, v: 7 }], 1000);
    expect(w.map((x) => [x.da, x.riassunto.n, x.riassunto.media])).toEqual([[1000, 2, 2], [2000, 1, 10], [4000, 1, 7]]);
    expect(() => finestre([], 0)).toThrow('positive');
  });

  test('events per second are counted in 1 s buckets from the start, empty seconds included', () => {
    expect(contaPerSecondo([100, 900, 2500, 2600, 2999], 0)).toEqual([{ t: 0, v: 2 }, { t: 1000, v: 0 }, { t: 2000, v: 3 }]);
    expect(contaPerSecondo([], 0)).toEqual([]);
  });

  test("a stage's rate is its events over the span from the first to the last", () => {
    expect(ritmoFase([0, 1000, 2000, 4000, 5000])).toEqual({ eventi: 5, primoMs: 0, ultimoMs: 5000, perSecondo: 1 });
    expect(ritmoFase([42]).perSecondo).toBeNaN();
  });

  test('second fifth against last: a phase that slows down shows it, the first fifth does not count, and few events say nothing', () => {
    // 100 events: the first 20 in 1 s (an empty pipeline), the next 40 at 10/s, the last 40 at 5/s
    const istanti = [
      ...Array.from({ length: 20 }, (_, i) => i * 50),
      ...Array.from({ length: 40 }, (_, i) => 1000 + i * 100),
      ...Array.from({ length: 40 }, (_, i) => 5000 + i * 200),
    ];
    const valori = istanti.map((_, i) => (i < 20 ? 1 : i < 60 ? 10 : 30));
    const q = secondoEUltimoQuinto(istanti, valori)!;
    expect(q.ritmo[0]).toBeCloseTo(10, 0);
    expect(q.ritmo[1]).toBeCloseTo(5, 0);
    expect(q.mediana).toEqual([10, 30]);
    expect(secondoEUltimoQuinto(istanti.slice(0, 99), valori)).toBeNull();
  });
});
