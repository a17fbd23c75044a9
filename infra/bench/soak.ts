import type { Pool } from 'pg';
import type { ClienteBench } from './cliente';
import { domandaSintetica } from './carico';
import type { FederazioneBench } from './federazione';
import { contaChiuse, leggiFasi } from './misure';
import type { OpzioniBench } from './opzioni';
import type { Campionatore, SerieProcesso } from './proc';
import { arrot, riassuntoArrotondato, sintesiProcessi, stampaProcessi } from './rapporto';
import { caricoAperto } from './ritmo';
import { finestre, riassumi } from './statistiche';
import type { Pannello } from './svg';

/** npm run bench:soak: a steady open-loop rate for minutes; memory and ack latency, first minute against last. */

export async function attendiChiusura(pool: Pool, fed: FederazioneBench, prefisso: string, n: number, timeoutMs: number): Promise<void> {
  const fine = Date.now() + timeoutMs;
  let ultimo = -1;
  let fermoDa = Date.now();
  for (;;) {
    const chiuse = await contaChiuse(pool, fed.config, prefisso);
    if (chiuse >= n) return;
    if (chiuse !== ultimo) {
      ultimo = chiuse;
      fermoDa = Date.now();
    }
    for (const [nome, p] of fed.procs) if (p.child.exitCode !== null) throw new Error(`${nome} exited with code ${p.child.exitCode} during the run`);
    if (Date.now() > fine || Date.now() - fermoDa > 60_000) throw new Error(`only ${chiuse} of ${n} domande closed (${prefisso}); see the services' logs`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function soak(o: OpzioniBench, fed: FederazioneBench, client: ClienteBench, pool: Pool, campionatore: Campionatore, risultati: Record<string, unknown>, pannelli: Pannello[]): Promise<void> {
  const n = Math.round(o.rate * o.minuti * 60);
  console.log(`soak: ${n} domande at ${o.rate}/s open-loop for ${o.minuti} minutes...`);
  const prefisso = `BENCH.${fed.id.slice(6).toUpperCase()}.SOAK`;
  const t0 = performance.now();
  let ultimoReport = t0;
  const esiti = await caricoAperto(n, o.rate, async (i) => {
    if (performance.now() - ultimoReport > 60_000) {
      ultimoReport = performance.now();
      const ist = campionatore.istantanea();
      console.log(`  ${Math.round((ultimoReport - t0) / 60000)} min: ${i} sent; RSS MB ${ist.filter((s) => s.campioni.length).map((s) => `${s.nome} ${Math.round(s.campioni[s.campioni.length - 1]!.rssKb / 1024)}`).join(', ')}`);
    }
    return client.presenta(domandaSintetica(prefisso, i, new Date()).domanda);
  });
  const errori = esiti.filter((e) => e.errore).length;
  await attendiChiusura(pool, fed, prefisso, n - errori, 600_000);
  const serie = campionatore.stop();
  const secondi = (performance.now() - t0) / 1000;
  const f = await leggiFasi(pool, fed.config, prefisso, new Map());
  const larghezza = 60_000;
  const lat = finestre(esiti.filter((e) => !e.errore).map((e) => ({ t: e.dovutoMs - t0, v: e.latenzaMs })), larghezza);
  const primo = lat[0]?.riassunto;
  const ultimo = lat[lat.length - 1]?.riassunto;
  // Memory: the mean RSS of the first and the last minute of sending, per process.
  const mediaTra = (s: SerieProcesso, da: number, a: number) => {
    const c = s.campioni.filter((x) => x.t >= da && x.t < a);
    return c.length ? c.reduce((z, x) => z + x.rssKb, 0) / c.length / 1024 : NaN;
  };
  const durataInvio = o.minuti * 60_000;
  const memoria = serie.map((s) => {
    const inizio = mediaTra(s, 0, larghezza);
    const fine = mediaTra(s, durataInvio - larghezza, durataInvio);
    return { processo: s.nome, rssPrimoMinutoMb: arrot(inizio, 0), rssUltimoMinutoMb: arrot(fine, 0), crescitaPct: arrot((100 * (fine - inizio)) / inizio, 1), rssPiccoMb: arrot(Math.max(s.rssPiccoKb, s.vmHwmKb) / 1024, 0) };
  });
  const tempi = riassumi(f.tempiChiusura);
  console.log(`\n[soak] ${n} domande at ${o.rate}/s, ${errori} errors, ${f.chiusure.length} closed; submission to closure p50 ${arrot(tempi.p50, 0)} ms, p99 ${arrot(tempi.p99, 0)} ms`);
  console.log(`  ack latency, first minute: p50 ${arrot(primo?.p50 ?? NaN)} p99 ${arrot(primo?.p99 ?? NaN)} ms; last minute: p50 ${arrot(ultimo?.p50 ?? NaN)} p99 ${arrot(ultimo?.p99 ?? NaN)} ms`);
  console.log('  RSS (MB), first minute -> last minute (growth), peak:');
  for (const m of memoria) console.log(`    ${m.processo.padEnd(22)} ${m.rssPrimoMinutoMb} -> ${m.rssUltimoMinutoMb} (${m.crescitaPct}%), peak ${m.rssPiccoMb}`);
  console.log('\nCPU (whole soak):');
  stampaProcessi(sintesiProcessi(serie, secondi));
  risultati.soak = {
    domande: n,
    ritmo: o.rate,
    minuti: o.minuti,
    errori,
    chiusuraMs: riassuntoArrotondato(tempi),
    latenzaPerMinuto: lat.map((w) => ({ minuto: Math.round(w.da / 60000), ...riassuntoArrotondato(w.riassunto) })),
    derivaLatenza: { primoMinuto: primo && riassuntoArrotondato(primo), ultimoMinuto: ultimo && riassuntoArrotondato(ultimo) },
    memoria,
    processi: sintesiProcessi(serie, secondi),
  };
  risultati.serieProcessi = serie.map((s) => ({ nome: s.nome, campioni: s.campioni.map((c) => [arrot(c.t / 1000, 0), arrot(c.cpuPct, 0), Math.round(c.rssKb / 1024)]) }));
  pannelli.push(
    { titolo: `Soak: RSS per process (${o.rate}/s for ${o.minuti} min)`, etichettaY: 'MB', serie: serie.filter((s) => s.campioni.length && !s.nome.startsWith('postgres')).map((s) => ({ nome: s.nome, punti: s.campioni.map((c) => [c.t / 1000, c.rssKb / 1024] as [number, number]) })) },
    { titolo: 'Soak: submission ack latency per minute', etichettaY: 'ms', serie: [{ nome: 'p50', punti: lat.map((w) => [w.da / 1000, w.riassunto.p50] as [number, number]) }, { nome: 'p99', punti: lat.map((w) => [w.da / 1000, w.riassunto.p99] as [number, number]) }] },
  );
}
