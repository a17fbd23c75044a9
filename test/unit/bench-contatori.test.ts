import { differenza, type Contatori } from '../../infra/bench/misure';
import { perDomanda } from '../../infra/bench/rapporto';

/**
 * The broker's operations per domanda over the capacity phase, from counters read before and after it: with the
 * transactions rolled back and the connections opened, so that a pool replacing connections (issue 17's eighth
 * round: one per refused chain append) shows in every run's figures, not only in PostgreSQL's statistics.
 */
const prima: Contatori = { soap: { inps: 10, hub: 20 }, pubblicazioni: { inps: 5, hub: 7 }, commit: 1_000, rollback: 40, sessioni: 60, scritture: 5_000, flushWal: 700 };
const dopo: Contatori = { soap: { inps: 435, hub: 945 }, pubblicazioni: { inps: 930, hub: 932 }, commit: 9_420, rollback: 150, sessioni: 62, scritture: 10_320, flushWal: 5_430 };

test('the counters are read as differences and divided by the domande', () => {
  const d = differenza(prima, dopo);
  expect(d).toEqual({ soap: { inps: 425, hub: 925 }, pubblicazioni: { inps: 925, hub: 925 }, commit: 8_420, rollback: 110, sessioni: 2, scritture: 5_320, flushWal: 4_730 });
  const ops = perDomanda(d, 100);
  expect(ops).toMatchObject({ soap: 13.5, pubblicazioni: 18.5, commit: 84.2, rollback: 1.1, sessioni: 0.02, scritture: 53.2, flushWal: 47.3 });
  expect(ops.dettaglio.soapPerSchema).toEqual({ inps: 4.25, hub: 9.25 });
});
