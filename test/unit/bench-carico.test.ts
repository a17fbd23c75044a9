import { domandaSintetica, MIX, scenarioDi } from '../../infra/bench/carico';
import { leggiOpzioni } from '../../infra/bench/opzioni';

describe('benchmark load and options', () => {
  test('every cycle of the mix holds each scenario exactly its weight, spread out', () => {
    const totale = MIX.reduce((s, m) => s + m.peso, 0);
    const ciclo = Array.from({ length: totale }, (_, i) => scenarioDi(i).chiave);
    for (const m of MIX) expect(ciclo.filter((c) => c === m.chiave)).toHaveLength(m.peso);
    // the heaviest kind never comes three times in a row
    expect(ciclo.join(',')).not.toContain('conforme,conforme,conforme');
    expect(scenarioDi(totale + 3).chiave).toBe(ciclo[3]);
  });

  test('the mix covers every outcome and no scenario that stays open', () => {
    const attesi = new Set(MIX.map((m) => scenarioDi(MIX.findIndex((x) => x === m)).atteso.esitoVerifica));
    const tutti = new Set(Array.from({ length: 20 }, (_, i) => scenarioDi(i).atteso.esitoVerifica));
    expect([...tutti].sort()).toEqual(['CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE']);
    expect(attesi.size).toBeGreaterThan(0);
    expect(Array.from({ length: 20 }, (_, i) => scenarioDi(i).atteso.stato)).not.toContain('VALUTAZIONE_INL');
  });

  test('synthetic domande have distinct protocols with the run prefix', () => {
    const a = domandaSintetica('BENCH.X.CAP', 1, new Date('2026-11-23T10:00:00Z')).domanda;
    const b = domandaSintetica('BENCH.X.CAP', 2, new Date('2026-11-23T10:00:00Z')).domanda;
    expect(a.protocollo).toBe('BENCH.X.CAP.000001');
    expect(b.protocollo).not.toBe(a.protocollo);
  });

  test('options: defaults, soak rate, and a clear error for a bad value', () => {
    expect(leggiOpzioni([])).toMatchObject({ domande: 1000, rate: 100, concurrency: 32, soak: false, minuti: 30 });
    expect(leggiOpzioni(['--soak'])).toMatchObject({ soak: true, rate: 2.5, minuti: 30 });
    expect(leggiOpzioni(['--soak', '--minuti', '10', '--rate=5'])).toMatchObject({ minuti: 10, rate: 5 });
    expect(leggiOpzioni(['--domande', '200', '--profilo'])).toMatchObject({ domande: 200, profilo: true });
    expect(() => leggiOpzioni(['--domande', 'tante'])).toThrow('--domande wants an integer >= 1, got tante');
    expect(() => leggiOpzioni(['--concurrency', '0'])).toThrow('--concurrency');
    expect(() => leggiOpzioni(['--veloce'])).toThrow('unknown option --veloce');
    expect(leggiOpzioni([]).client).toBe('interno');
    expect(leggiOpzioni(['--client', 'node-soap']).client).toBe('node-soap');
    expect(() => leggiOpzioni(['--client', 'curl'])).toThrow('--client wants interno or node-soap, got curl');
    expect(leggiOpzioni([]).chiave).toBe('RSA-2048');
    expect(leggiOpzioni(['--chiave', 'ECDSA-P256']).chiave).toBe('ECDSA-P256');
    expect(() => leggiOpzioni(['--chiave', 'Ed25519'])).toThrow('--chiave wants RSA-2048 or ECDSA-P256, got Ed25519');
  });
});
