/**
 * A small SVG line chart, no dependencies: one or more panels stacked vertically, each with its own axes
 * (x in seconds from the start of the run), series drawn as polylines with a legend. Good enough for a
 * reader to see the curve in a browser or on GitHub.
 */
export interface Serie {
  nome: string;
  /** x, y pairs; x in seconds */
  punti: Array<[number, number]>;
}

export interface Pannello {
  titolo: string;
  etichettaY: string;
  serie: Serie[];
}

const LARGHEZZA = 760;
const ALTEZZA_PANNELLO = 240;
const MARGINE = { sinistra: 64, destra: 16, sopra: 28, sotto: 36 };
const COLORI = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function escapeSvg(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `quante` ticks over [0, max]. */
export function passoTacche(max: number, quante = 5): number {
  if (!(max > 0)) return 1;
  const grezzo = max / quante;
  const potenza = 10 ** Math.floor(Math.log10(grezzo));
  const r = grezzo / potenza;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * potenza;
}

function numero(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 2 : 1);
}

function pannello(p: Pannello, y0: number): string {
  const w = LARGHEZZA - MARGINE.sinistra - MARGINE.destra;
  const h = ALTEZZA_PANNELLO - MARGINE.sopra - MARGINE.sotto;
  const tutti = p.serie.flatMap((s) => s.punti).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const maxX = Math.max(1, ...tutti.map(([x]) => x));
  const maxY = Math.max(1e-9, ...tutti.map(([, y]) => y)) * 1.05;
  const px = (x: number) => MARGINE.sinistra + (x / maxX) * w;
  const py = (y: number) => y0 + MARGINE.sopra + h - (y / maxY) * h;
  const out: string[] = [];
  out.push(`<text x="${MARGINE.sinistra}" y="${y0 + 18}" font-size="14" font-weight="bold">${escapeSvg(p.titolo)}</text>`);
  const passoY = passoTacche(maxY);
  for (let v = 0; v <= maxY; v += passoY) {
    out.push(`<line x1="${MARGINE.sinistra}" x2="${MARGINE.sinistra + w}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${MARGINE.sinistra - 6}" y="${(py(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${numero(v)}</text>`);
  }
  const passoX = passoTacche(maxX, 8);
  for (let v = 0; v <= maxX; v += passoX) {
    out.push(`<text x="${px(v).toFixed(1)}" y="${y0 + MARGINE.sopra + h + 16}" font-size="11" text-anchor="middle">${numero(v)}</text>`);
  }
  out.push(`<line x1="${MARGINE.sinistra}" x2="${MARGINE.sinistra}" y1="${y0 + MARGINE.sopra}" y2="${y0 + MARGINE.sopra + h}" stroke="#000"/>`);
  out.push(`<line x1="${MARGINE.sinistra}" x2="${MARGINE.sinistra + w}" y1="${y0 + MARGINE.sopra + h}" y2="${y0 + MARGINE.sopra + h}" stroke="#000"/>`);
  out.push(`<text x="${MARGINE.sinistra + w}" y="${y0 + ALTEZZA_PANNELLO - 4}" font-size="11" text-anchor="end">s</text>`);
  out.push(`<text x="14" y="${y0 + MARGINE.sopra + h / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${y0 + MARGINE.sopra + h / 2})">${escapeSvg(p.etichettaY)}</text>`);
  p.serie.forEach((s, k) => {
    const colore = COLORI[k % COLORI.length]!;
    const punti = s.punti.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    if (punti.length > 0) out.push(`<polyline fill="none" stroke="${colore}" stroke-width="1.5" points="${punti.join(' ')}"/>`);
    const lx = MARGINE.sinistra + 10 + (k % 4) * 170;
    const ly = y0 + MARGINE.sopra + 12 + Math.floor(k / 4) * 14;
    out.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${colore}"/><text x="${lx + 14}" y="${ly - 4}" font-size="11">${escapeSvg(s.nome)}</text>`);
  });
  return out.join('\n');
}

export function graficoSvg(pannelli: readonly Pannello[]): string {
  const altezza = ALTEZZA_PANNELLO * Math.max(1, pannelli.length);
  const corpo = pannelli.map((p, i) => pannello(p, i * ALTEZZA_PANNELLO)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LARGHEZZA}" height="${altezza}" viewBox="0 0 ${LARGHEZZA} ${altezza}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${corpo}\n</svg>\n`;
}
