import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): self time per function, from the sample counts of
 * each node weighted by the time deltas, summed over the nodes of the same function (name, file, line).
 * Used by `npm run bench -- --profilo`, and alone: node dist/infra/bench/profilo.js <dir|file>...
 */
interface NodoProfilo {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfiloCpu {
  nodes: NodoProfilo[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface VoceProfilo {
  funzione: string;
  posizione: string;
  selfMs: number;
  percentuale: number;
}

export interface SintesiProfilo {
  totaleMs: number;
  /** Share of samples in (idle) */
  inattivoPct: number;
  voci: VoceProfilo[];
}

/** Shortens a script URL to something readable: the path inside the project or node_modules, or node:... */
export function posizioneBreve(url: string, riga: number): string {
  if (url === '') return '';
  let p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) p = p.slice(nm);
  else {
    const d = p.lastIndexOf('/dist/');
    if (d >= 0) p = p.slice(d + 6);
  }
  return `${p}:${riga + 1}`;
}

export function riassumiProfilo(prof: ProfiloCpu, quante = 15): SintesiProfilo {
  const perId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  if (prof.samples && prof.timeDeltas && prof.samples.length === prof.timeDeltas.length) {
    // The delta before sample i+1 is the time spent in sample i's node.
    for (let i = 0; i < prof.samples.length; i++) {
      const dt = prof.timeDeltas[i + 1] ?? 0;
      selfUs.set(prof.samples[i]!, (selfUs.get(prof.samples[i]!) ?? 0) + Math.max(0, dt));
    }
  } else {
    const campioni = prof.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    const us = (prof.endTime - prof.startTime) / campioni;
    for (const n of prof.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * us);
  }
  const totale = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const perFunzione = new Map<string, { funzione: string; posizione: string; us: number }>();
  let inattivo = 0;
  for (const [id, us] of selfUs) {
    const n = perId.get(id);
    if (!n) continue;
    const nome = n.callFrame.functionName || '(anonymous)';
    if (nome === '(idle)') inattivo += us;
    const posizione = posizioneBreve(n.callFrame.url, n.callFrame.lineNumber);
    const chiave = `${nome}|${posizione}`;
    const v = perFunzione.get(chiave) ?? { funzione: nome, posizione, us: 0 };
    v.us += us;
    perFunzione.set(chiave, v);
  }
  const attivo = totale - inattivo;
  const voci = [...perFunzione.values()]
    .filter((v) => v.funzione !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, quante)
    .map((v) => ({ funzione: v.funzione, posizione: v.posizione, selfMs: Math.round(v.us / 100) / 10, percentuale: attivo > 0 ? Math.round((1000 * v.us) / attivo) / 10 : 0 }));
  return { totaleMs: Math.round(totale / 1000), inattivoPct: totale > 0 ? Math.round((1000 * inattivo) / totale) / 10 : 0, voci };
}

/** Self time grouped by where the code lives: the project's own code, each dependency, node internals, GC. */
export function perArea(prof: ProfiloCpu): Array<{ area: string; percentuale: number }> {
  const s = riassumiProfilo(prof, Number.MAX_SAFE_INTEGER);
  const aree = new Map<string, number>();
  for (const v of s.voci) {
    let area: string;
    if (v.posizione.startsWith('node_modules/')) area = v.posizione.split('/').slice(1, v.posizione.split('/')[1]!.startsWith('@') ? 3 : 2).join('/');
    else if (v.posizione.startsWith('node:')) area = 'node (internals)';
    else if (v.posizione === '') area = v.funzione.startsWith('(') ? v.funzione : 'native';
    else area = v.posizione.split('/').slice(0, 2).join('/');
    aree.set(area, (aree.get(area) ?? 0) + v.percentuale);
  }
  return [...aree.entries()]
    .map(([area, percentuale]) => ({ area, percentuale: Math.round(percentuale * 10) / 10 }))
    .filter((a) => a.percentuale > 0)
    .sort((a, b) => b.percentuale - a.percentuale);
}

export function formattaSintesi(titolo: string, s: SintesiProfilo, aree?: Array<{ area: string; percentuale: number }>): string {
  const righe = [`${titolo}: ${(s.totaleMs / 1000).toFixed(1)} s profiled, ${s.inattivoPct}% idle; top self time (% of busy time):`];
  for (const v of s.voci) righe.push(`  ${v.percentuale.toFixed(1).padStart(5)}%  ${v.selfMs.toFixed(0).padStart(7)} ms  ${v.funzione}  ${v.posizione}`);
  if (aree) righe.push(`  by area: ${aree.slice(0, 8).map((a) => `${a.area} ${a.percentuale}%`).join(', ')}`);
  return righe.join('\n');
}

function fileProfili(arg: string): string[] {
  try {
    return readdirSync(arg).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(arg, f));
  } catch {
    return [arg];
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error('usage: node dist/infra/bench/profilo.js <file.cpuprofile | directory>...');
    process.exit(2);
  }
  for (const f of args.flatMap(fileProfili)) {
    const prof = JSON.parse(readFileSync(f, 'utf8')) as ProfiloCpu;
    console.log(formattaSintesi(path.basename(f), riassumiProfilo(prof), perArea(prof)));
  }
}
