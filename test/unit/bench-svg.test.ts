import { escapeSvg, graficoSvg, passoTacche } from '../../infra/bench/svg';

describe('SVG chart', () => {
  test('one panel per chart, one polyline per series, legend text escaped', () => {
    const svg = graficoSvg([
      { titolo: 'Throughput <capacity>', etichettaY: 'domande/s', serie: [{ nome: 'submitted', punti: [[0, 0], [1, 10], [2, 20]] }, { nome: 'closed & done', punti: [[0, 0], [2, 15]] }] },
      { titolo: 'Latency', etichettaY: 'ms', serie: [{ nome: 'p99', punti: [[0, 5], [1, 7]] }] },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('height="480"');
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain('Throughput &lt;capacity&gt;');
    expect(svg).toContain('closed &amp; done');
    expect(svg).not.toContain('<capacity>');
  });

  test('points map to the plot area: x from the left margin, larger y higher up', () => {
    const svg = graficoSvg([{ titolo: 't', etichettaY: 'y', serie: [{ nome: 's', punti: [[0, 0], [10, 100]] }] }]);
    const punti = /points="([^"]+)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number));
    expect(punti[0]![0]).toBe(64);
    expect(punti[1]![0]).toBe(744);
    expect(punti[1]![1]).toBeLessThan(punti[0]![1]!);
  });

  test('non-finite points are left out rather than breaking the path', () => {
    const svg = graficoSvg([{ titolo: 't', etichettaY: 'y', serie: [{ nome: 's', punti: [[0, 1], [1, NaN], [2, 3]] }] }]);
    expect(/points="([^"]+)"/.exec(svg)![1]!.split(' ')).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });

  test('tick steps are 1, 2 or 5 times a power of ten', () => {
    expect(passoTacche(100)).toBe(20);
    expect(passoTacche(7)).toBe(2);
    expect(passoTacche(0.3)).toBe(0.1);
    expect(passoTacche(0)).toBe(1);
    expect(escapeSvg('"a" < b')).toBe('&quot;a&quot; &lt; b');
  });
});
