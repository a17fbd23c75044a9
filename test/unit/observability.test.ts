import pino from 'pino';
import { knownCode, Metrics } from '../../shared/metrics/metrics';
import { shortCache, withinTimeout, ReadSeries } from '../../shared/metrics/series';
import { startOpsEndpoint, opsPort, evaluateReadiness } from '../../shared/runtime/observability';

const silenzioso = pino({ level: 'silent' });

describe('cacheBreve', () => {
  test('callers within the span share one reading; after it, a new one is taken', async () => {
    let t = 0;
    let letture = 0;
    const leggi = shortCache(5000, async () => ++letture, () => t);
    expect(await Promise.all([leggi(), leggi()])).toEqual([1, 1]);
    t = 4999;
    expect(await leggi()).toBe(1);
    t = 5000;
    expect(await leggi()).toBe(2);
  });

  test('a failure is shared too (a database that is down is not asked again by every series), and retried after the span', async () => {
    let t = 0;
    let chiamate = 0;
    const leggi = shortCache(1000, async () => {
      chiamate++;
      if (chiamate === 1) throw new Error('giù');
      return 'su';
    }, () => t);
    await expect(leggi()).rejects.toThrow('giù');
    await expect(leggi()).rejects.toThrow('giù');
    expect(chiamate).toBe(1);
    t = 1000;
    await expect(leggi()).resolves.toBe('su');
  });
});

describe('entro', () => {
  test('passes a result through, and rejects naming the reading when it does not settle in time', async () => {
    await expect(withinTimeout(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
    await expect(withinTimeout(new Promise(() => undefined), 20, 'coda lenta')).rejects.toThrow('coda lenta: nessuna risposta entro 20 ms');
  });
});

describe('SerieLette', () => {
  test('several sources feed one gauge; a failing or hanging source is left out and counted, the others are published', async () => {
    const m = new Metrics();
    const serie = new ReadSeries(m, 50);
    const def = { nome: 'ape_prova', help: 'prova', etichette: ['coda'] };
    serie.serie(def, 'coda a', async () => [[{ coda: 'a' }, 3]]);
    serie.serie(def, 'coda b', async () => {
      throw new Error('canale chiuso');
    });
    serie.serie(def, 'coda c', () => new Promise(() => undefined));
    await serie.aggiorna();
    const testo = await m.registry.metrics();
    expect(testo).toContain('ape_prova{coda="a"} 3');
    expect(testo).not.toContain('coda="b"}');
    expect(testo).toContain('ape_raccolta_errori_totale{raccolta="coda b"} 1');
    expect(testo).toContain('ape_raccolta_errori_totale{raccolta="coda c"} 1');
  });

  test('a series that could be read before and cannot now disappears instead of showing the stale value', async () => {
    const m = new Metrics();
    const serie = new ReadSeries(m, 50);
    let su = true;
    serie.serie({ nome: 'ape_prova', help: 'prova', etichette: [] }, 'prova', async () => {
      if (!su) throw new Error('giù');
      return [[{}, 42]];
    });
    await serie.aggiorna();
    expect(await m.registry.metrics()).toContain('ape_prova 42');
    su = false;
    await serie.aggiorna();
    expect(await m.registry.metrics()).not.toContain('ape_prova 42');
  });
});

describe('valutaProntezza', () => {
  test('ready only when every check passes; each failing one is named with its reason', async () => {
    const r = await evaluateReadiness(
      new Map<string, () => unknown>([
        ['postgres', async () => undefined],
        ['rabbitmq', () => {
          throw new Error('RabbitMQ non connesso');
        }],
        ['soap', () => false],
        ['lento', () => new Promise(() => undefined)],
      ]),
      30,
    );
    expect(r.pronto).toBe(false);
    expect(r.nonPronti.sort()).toEqual(['lento', 'rabbitmq', 'soap']);
    expect(r.controlli).toEqual({ postgres: 'ok', rabbitmq: 'RabbitMQ non connesso', soap: 'non disponibile', lento: 'lento: nessuna risposta entro 30 ms' });
    expect((await evaluateReadiness(new Map([['postgres', () => true]]))).pronto).toBe(true);
  });
});

describe('portaOperativa', () => {
  const config = { host: '127.0.0.1', ports: { 'inps-gateway': 9100, 'agency-MINLAVORO': 9105 } };
  test('the configured port, matching process names case-insensitively (agency-minlavoro is agency-MINLAVORO)', () => {
    expect(opsPort(config, 'inps-gateway', {})).toBe(9100);
    expect(opsPort(config, 'agency-minlavoro', {})).toBe(9105);
  });
  test('an unconfigured process takes an ephemeral port; APE_OPS_PORT overrides; a bad value is refused', () => {
    expect(opsPort(config, 'inps-console', {})).toBe(0);
    expect(opsPort(config, 'inps-gateway', { APE_OPS_PORT: '0' })).toBe(0);
    expect(opsPort(config, 'inps-gateway', { APE_OPS_PORT: '9200' })).toBe(9200);
    expect(() => opsPort(config, 'inps-gateway', { APE_OPS_PORT: 'novanta' })).toThrow(/APE_OPS_PORT/);
    expect(() => opsPort(config, 'inps-gateway', { APE_OPS_PORT: '70000' })).toThrow(/APE_OPS_PORT/);
  });
});

test('codiceNoto keeps label values bounded to the error catalogue', () => {
  expect(knownCode('DOMANDA_DUPLICATA')).toBe('DOMANDA_DUPLICATA');
  expect(knownCode('QUALSIASI_COSA')).toBe('ALTRO');
  expect(knownCode('toString')).toBe('ALTRO');
  expect(knownCode(null)).toBe('ALTRO');
});

describe('operations endpoint', () => {
  test('not ready while starting and once shutting down; ready in between when its checks pass', async () => {
    const ep = await startOpsEndpoint({ processo: 'prova', config: { host: '127.0.0.1', ports: {} }, log: silenzioso, m: new Metrics() });
    try {
      let dipendenza = true;
      ep.readiness('postgres', () => dipendenza || Promise.reject(new Error('connessione rifiutata')));
      expect(() => ep.readiness('postgres', () => true)).toThrow(/già registrato/);
      const ready = async () => {
        const res = await fetch(`${ep.url}/ready`);
        return { status: res.status, body: (await res.json()) as { nonPronti: string[]; controlli: Record<string, string> } };
      };
      expect(await ready()).toMatchObject({ status: 503, body: { nonPronti: ['avvio'] } });
      ep.avviato();
      expect(await ready()).toMatchObject({ status: 200, body: { nonPronti: [] } });
      dipendenza = false;
      expect(await ready()).toMatchObject({ status: 503, body: { nonPronti: ['postgres'], controlli: { postgres: 'connessione rifiutata' } } });
      dipendenza = true;
      ep.inArresto();
      expect(await ready()).toMatchObject({ status: 503, body: { nonPronti: ['avvio'], controlli: { avvio: 'arresto in corso' } } });
      expect((await fetch(`${ep.url}/health`)).status).toBe(200);
      const metrics = await fetch(`${ep.url}/metrics`);
      expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total\{servizio="prova"\} /m);
    } finally {
      await ep.chiudi();
    }
    await expect(fetch(`${ep.url}/health`)).rejects.toThrow();
  });

  test('a configured port already in use stops the start with what to do', async () => {
    const primo = await startOpsEndpoint({ processo: 'prova', config: { host: '127.0.0.1', ports: {} }, log: silenzioso, m: new Metrics() });
    try {
      const porta = Number(new URL(primo.url).port);
      await expect(
        startOpsEndpoint({ processo: 'prova', config: { host: '127.0.0.1', ports: { prova: porta } }, log: silenzioso, m: new Metrics() }),
      ).rejects.toThrow(/APE_OPS_PORT=0/);
    } finally {
      await primo.chiudi();
    }
  });
});
