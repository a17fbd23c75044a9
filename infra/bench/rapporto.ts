import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Contatori } from './misure';
import type { SerieProcesso } from './proc';
import { formattaSintesi, perArea, riassumiProfilo, type ProfiloCpu } from './profilo';
import type { Riassunto } from './statistiche';

/** What a benchmark phase reports, and how the figures are rounded, summarised and printed. */

export interface Fase {
  nome: string;
  domande: number;
  secondiInvio: number;
  offertoPerSecondo: number | null;
  ack: Riassunto;
  errori: number;
  primoErrore?: string;
  domandePerSecondoE2E: number;
  chiusuraMs: Riassunto;
  /** submission to closure of the domande that do not go through INL */
  chiusuraSenzaInlMs: Riassunto;
  fasi: Record<string, { eventi: number; perSecondo: number }>;
  esitiVerifica: Record<string, number>;
  nonChiuse: number;
  esitiInattesi: number;
  /**
   * The phase's second fifth against its last (closed-loop phases of 100 domande or more): the rate at which the gateway
   * registered submissions and the ack p50. Work that grows with the data shows as a fall from one to the other.
   */
  deriva?: { registratePerS: [number, number]; ackP50Ms: [number, number] };
  /** per-second curves for the chart, x in s from the phase's start */
  curve: { ricevutePerS: Array<[number, number]>; chiusurePerS: Array<[number, number]>; ackMsPerS: Array<[number, number]> };
}

export const arrot = (x: number, cifre = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** cifre) / 10 ** cifre : null);

export function riassuntoArrotondato(r: Riassunto): Riassunto {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'n' ? v : arrot(v, 1)])) as unknown as Riassunto;
}

export function perDomanda(d: Contatori, n: number) {
  const somma = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    soap: somma(d.soap) / n,
    pubblicazioni: somma(d.pubblicazioni) / n,
    commit: d.commit / n,
    rollback: d.rollback / n,
    sessioni: d.sessioni / n,
    scritture: d.scritture / n,
    flushWal: d.flushWal / n,
    dettaglio: { soapPerSchema: Object.fromEntries(Object.entries(d.soap).map(([k, v]) => [k, arrot(v / n, 2)])), pubblicazioniPerSchema: Object.fromEntries(Object.entries(d.pubblicazioni).map(([k, v]) => [k, arrot(v / n, 2)])) },
  };
}

export function sintesiProcessi(serie: SerieProcesso[], secondi: number) {
  return serie.map((s) => ({
    processo: s.nome,
    cpuSecondi: arrot(s.cpuSecondi, 1),
    cpuMediaPct: arrot((100 * s.cpuSecondi) / Math.max(secondi, 1e-9), 0),
    rssPiccoMb: arrot(Math.max(s.rssPiccoKb, s.vmHwmKb) / 1024, 0),
  }));
}

export function stampaProcessi(righe: ReturnType<typeof sintesiProcessi>): void {
  console.log('  process              CPU s   CPU % (of one core)   peak RSS MB');
  for (const r of righe) console.log(`  ${r.processo.padEnd(20)} ${String(r.cpuSecondi).padStart(6)}   ${String(r.cpuMediaPct).padStart(6)}                ${String(r.rssPiccoMb).padStart(6)}`);
}

export function stampaFase(f: Fase): void {
  console.log(`\n[${f.nome}] ${f.domande} domande${f.offertoPerSecondo ? ` offered at ${f.offertoPerSecondo}/s open-loop` : ''}, sent in ${f.secondiInvio} s, ${f.errori} errors`);
  if (f.primoErrore) console.log(`  first error: ${f.primoErrore}`);
  console.log(`  end to end: ${f.domandePerSecondoE2E} domande/s (first submission to last closure)`);
  console.log(`  submission ack ms: p50 ${f.ack.p50}  p95 ${f.ack.p95}  p99 ${f.ack.p99}  max ${f.ack.max}`);
  console.log(`  submission to closure ms: p50 ${f.chiusuraMs.p50}  p99 ${f.chiusuraMs.p99}  max ${f.chiusuraMs.max}; without INL (${f.chiusuraSenzaInlMs.n}): p50 ${f.chiusuraSenzaInlMs.p50}  p99 ${f.chiusuraSenzaInlMs.p99}`);
  console.log(`  stages (events, events/s): ${Object.entries(f.fasi).map(([k, v]) => `${k} ${v.eventi} @ ${v.perSecondo}/s`).join('; ')}`);
  console.log(`  outcomes: ${JSON.stringify(f.esitiVerifica)}; not closed ${f.nonChiuse}; unexpected ${f.esitiInattesi}`);
  if (f.deriva) console.log(`  second fifth -> last fifth: registered ${f.deriva.registratePerS[0]} -> ${f.deriva.registratePerS[1]} /s, ack p50 ${f.deriva.ackP50Ms[0]} -> ${f.deriva.ackP50Ms[1]} ms`);
}

export function sintesiProfili(dir: string, pidNomi: Map<number, string>): Array<{ processo: string; file: string; testo: string; sintesi: ReturnType<typeof riassumiProfilo>; aree: ReturnType<typeof perArea> }> {
  const out = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const pid = Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(f)?.[1]);
    const prof = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ProfiloCpu;
    const sintesi = riassumiProfilo(prof, 12);
    const aree = perArea(prof);
    const processo = pidNomi.get(pid) ?? `pid ${pid}`;
    out.push({ processo, file: path.join(dir, f), sintesi, aree, testo: formattaSintesi(processo, sintesi, aree) });
  }
  return out;
}
