import { perArea, posizioneBreve, riassumiProfilo, type ProfiloCpu } from '../../infra/bench/profilo';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

/** root -> a (project code), b (a dependency), idle, and a second node of a (another call path). */
const PROFILO: ProfiloCpu = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('verificaBusta', 'file:///work/main/dist/shared/soap/wssecurity.js', 10) },
    { id: 3, callFrame: frame('parse', 'file:///work/main/node_modules/@xmldom/xmldom/lib/sax.js', 45) },
    { id: 4, callFrame: frame('(idle)', '') },
    { id: 5, callFrame: frame('verificaBusta', 'file:///work/main/dist/shared/soap/wssecurity.js', 10) },
  ],
  // sample i lasts timeDeltas[i + 1]
  samples: [2, 3, 4, 5, 2],
  timeDeltas: [0, 3000, 1000, 4000, 1000],
};

describe('CPU profile summary', () => {
  test('self time is summed per function over its nodes, busy shares exclude idle', () => {
    const s = riassumiProfilo(PROFILO);
    expect(s.totaleMs).toBe(9);
    expect(s.inattivoPct).toBeCloseTo(44.4, 1);
    expect(s.voci).toEqual([
      { funzione: 'verificaBusta', posizione: 'shared/soap/wssecurity.js:11', selfMs: 4, percentuale: 80 },
      { funzione: 'parse', posizione: 'node_modules/@xmldom/xmldom/lib/sax.js:46', selfMs: 1, percentuale: 20 },
    ]);
  });

  test('without timeDeltas, hit counts share the profile time equally', () => {
    const s = riassumiProfilo({ startTime: 0, endTime: 4000, nodes: [{ id: 1, callFrame: frame('f', 'node:internal/x'), hitCount: 3 }, { id: 2, callFrame: frame('g', 'node:internal/y'), hitCount: 1 }] });
    expect(s.voci.map((v) => [v.funzione, v.percentuale])).toEqual([['f', 75], ['g', 25]]);
  });

  test('time is grouped by area: project directory, package (scoped too), node internals', () => {
    expect(perArea(PROFILO)).toEqual([{ area: 'shared/soap', percentuale: 80 }, { area: '@xmldom/xmldom', percentuale: 20 }]);
  });

  test('positions are shortened to the project path, the package path or node:', () => {
    expect(posizioneBreve('file:///work/main/dist/services/inps/gateway/main.js', 4)).toBe('services/inps/gateway/main.js:5');
    expect(posizioneBreve('file:///work/main/node_modules/pg/lib/client.js', 0)).toBe('node_modules/pg/lib/client.js:1');
    expect(posizioneBreve('node:internal/crypto/sig', 142)).toBe('node:internal/crypto/sig:143');
    expect(posizioneBreve('', 0)).toBe('');
  });
});
