import { caricoAperto, caricoChiuso, istanteDovuto, type Orologio } from '../../infra/bench/ritmo';

/** A virtual clock: sleeping moves time forward at once, so the schedule is checked without waiting. */
function orologioVirtuale(): Orologio & { t: number } {
  const o = {
    t: 0,
    now: () => o.t,
    sleep: async (ms: number) => {
      o.t += Math.max(0, ms);
    },
  };
  return o;
}

describe('rate scheduler', () => {
  test('the i-th request is due at start + i / rate', () => {
    expect(istanteDovuto(1000, 0, 100)).toBe(1000);
    expect(istanteDovuto(1000, 250, 100)).toBe(3500);
    expect(() => istanteDovuto(0, 1, 0)).toThrow('rate must be positive');
  });

  test('open loop: requests leave on schedule even when earlier ones have not answered', async () => {
    const clock = orologioVirtuale();
    const partenze: number[] = [];
    const risposte: Array<() => void> = [];
    const corsa = caricoAperto(
      5,
      10,
      (i) => {
        partenze.push(clock.now());
        // nothing answers until every request has left
        return new Promise<number>((resolve) => risposte.push(() => resolve(i)));
      },
      { orologio: clock },
    );
    // let the scheduler fire all five (each sleep is a resolved promise)
    for (let k = 0; k < 50 && partenze.length < 5; k++) await Promise.resolve();
    expect(partenze).toEqual([0, 100, 200, 300, 400]);
    clock.t = 1000;
    risposte.forEach((r) => r());
    const esiti = await corsa;
    // latency counts from the due instant: the first request waited longest
    expect(esiti.map((e) => e.latenzaMs)).toEqual([1000, 900, 800, 700, 600]);
    expect(esiti.map((e) => e.valore)).toEqual([0, 1, 2, 3, 4]);
  });

  test('open loop: a cap on requests in flight makes the schedule slip, and the slip shows in the latency', async () => {
    const clock = orologioVirtuale();
    const esiti = await caricoAperto(
      3,
      100,
      async () => {
        await clock.sleep(50); // each request takes 50 ms: five times the 10 ms interval
      },
      { orologio: clock, massimoInVolo: 1 },
    );
    expect(esiti.map((e) => e.partitoMs)).toEqual([0, 50, 100]);
    expect(esiti.map((e) => e.latenzaMs)).toEqual([50, 90, 130]);
  });

  test('failures are recorded with their error, not thrown', async () => {
    const clock = orologioVirtuale();
    const esiti = await caricoAperto(2, 10, async (i) => {
      if (i === 1) throw new Error('refused');
      return 'ok';
    }, { orologio: clock });
    expect(esiti[0]!.valore).toBe('ok');
    expect(esiti[1]!.errore?.message).toBe('refused');
  });

  test('closed loop: never more than `concurrency` requests at once, every request run once', async () => {
    let inVolo = 0;
    let massimo = 0;
    const visti: number[] = [];
    const esiti = await caricoChiuso(20, 3, async (i) => {
      inVolo++;
      massimo = Math.max(massimo, inVolo);
      visti.push(i);
      await new Promise((r) => setImmediate(r));
      inVolo--;
      return i;
    });
    expect(massimo).toBe(3);
    expect([...visti].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(esiti).toHaveLength(20);
    await expect(caricoChiuso(1, 0, async () => 0)).rejects.toThrow('concurrency must be at least 1');
  });
});
