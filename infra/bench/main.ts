import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { addressOf } from '../../shared/config/addresses';
import { PROJECT_ROOT } from '../../shared/paths';
import { creaCliente, type ClienteBench } from './cliente';
import { domandaSintetica } from './carico';
import { FederazioneBench } from './federazione';
import { contaChiuse, differenza, dimensioneMediaMessaggi, leggiContatori, leggiFasi, type Contatori, type IstantiFasi } from './misure';
import { misuraPavimento, type RisultatoPavimento } from './pavimento';
import { Campionatore, type SerieProcesso } from './proc';
import { formattaSintesi, perArea, riassumiProfilo, type ProfiloCpu } from './profilo';
import { caricoAperto, caricoChiuso, type EsitoRichiesta } from './ritmo';
import { contaPerSecondo, finestre, riassumi, ritmoFase, type Riassunto } from './statistiche';
import { graficoSvg, type Pannello } from './svg';
import { leggiOpzioni, USO, type OpzioniBench } from './opzioni';

/**
 * npm run bench / npm run bench:soak: the whole federation under a synthetic load, against a raw floor.
 *
 *   1. latency: --rate domande/s offered open-loop (default 100/s for 20 s), submission-ack latency measured
 *      from each request's due instant; waits until every domanda is closed.
 *   2. capacity: --domande N submitted closed-loop by --concurrency case-system workers; end-to-end domande/s
 *      from the first submission to the last closure; per-stage rates from the database's timestamps; the
 *      per-domanda SOAP calls, publishes and commits the broker made.
 *   3. floor: the same operations per domanda, without the broker's logic (pavimento.ts).
 * With --soak: --rate for --minuti, RSS per process and latency per minute, first against last.
 * Results: var/bench/<timestamp>/risultati.json and grafico.svg (and the services' CPU profiles with --profilo).
 */

interface Fase {
  nome: string;
  domande: number;
  secondiInvio: number;
  offertoPerSecondo: number | null;
  ack: Riassunto;
  errori: number;
  primoErrore?: string;
  domandePerSecondoE2E: number;
  chiusuraMs: Riassunto;
  fasi: Record<string, { eventi: number; perSecondo: number }>;
  esitiVerifica: Record<string, number>;
  nonChiuse: number;
  esitiInattesi: number;
  /** per-second curves for the chart, x in s from the phase's start */
  curve: { ricevutePerS: Array<[number, number]>; chiusurePerS: Array<[number, number]>; ackMsPerS: Array<[number, number]> };
}

const arrot = (x: number, cifre = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** cifre) / 10 ** cifre : null);

function riassuntoArrotondato(r: Riassunto): Riassunto {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'n' ? v : arrot(v, 1)])) as unknown as Riassunto;
}

async function attendiChiusura(pool: Pool, fed: FederazioneBench, prefisso: string, n: number, timeoutMs: number): Promise<void> {
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

async function eseguiFase(
  nome: string,
  fed: FederazioneBench,
  client: ClienteBench,
  pool: Pool,
  n: number,
  modo: { ritmo: number } | { concorrenza: number },
  timeoutMs: number,
): Promise<Fase> {
  const prefisso = `BENCH.${fed.id.slice(6).toUpperCase()}.${nome.toUpperCase()}`;
  const attesi = new Map<string, string>();
  const inizioWall = Date.now();
  const richiesta = async (i: number) => {
    const { domanda, scenario } = domandaSintetica(prefisso, i, new Date());
    attesi.set(domanda.protocollo, scenario.atteso.esitoVerifica);
    return client.presenta(domanda);
  };
  const t0 = performance.now();
  const esiti: Array<EsitoRichiesta<unknown>> = 'ritmo' in modo ? await caricoAperto(n, modo.ritmo, richiesta) : await caricoChiuso(n, modo.concorrenza, richiesta);
  const secondiInvio = (performance.now() - t0) / 1000;
  const errori = esiti.filter((e) => e.errore);
  await attendiChiusura(pool, fed, prefisso, n - errori.length, timeoutMs);
  const f: IstantiFasi = await leggiFasi(pool, fed.config, prefisso, attesi);
  const ultimaChiusura = Math.max(...f.chiusure);
  const ack = esiti.filter((e) => !e.errore);
  const ackPunti = ack.map((e) => ({ t: e.dovutoMs - t0, v: e.latenzaMs }));
  return {
    nome,
    domande: n,
    secondiInvio: arrot(secondiInvio, 2)!,
    offertoPerSecondo: 'ritmo' in modo ? modo.ritmo : null,
    ack: riassuntoArrotondato(riassumi(ack.map((e) => e.latenzaMs))),
    errori: errori.length,
    ...(errori[0] && { primoErrore: errori[0].errore!.message.slice(0, 300) }),
    domandePerSecondoE2E: arrot((n - errori.length) / ((ultimaChiusura - inizioWall) / 1000), 1)!,
    chiusuraMs: riassuntoArrotondato(riassumi(f.tempiChiusura)),
    fasi: Object.fromEntries(
      (
        [
          ['presentazione', f.ricevute],
          ['pacchettiInviati', f.pacchettiInviati],
          ['pacchettiRicevutiDalleParti', f.pacchettiRicevutiParti],
          ['esitiApplicati', f.esitiApplicati],
          ['chiusure', f.chiusure],
        ] as const
      ).map(([k, v]) => {
        const r = ritmoFase(v);
        return [k, { eventi: r.eventi, perSecondo: arrot(r.perSecondo, 1)! }];
      }),
    ),
    esitiVerifica: f.esitiVerifica,
    nonChiuse: f.nonChiuse,
    esitiInattesi: f.inattese,
    curve: {
      ricevutePerS: contaPerSecondo(f.ricevute, inizioWall).map((p) => [(p.t - inizioWall) / 1000, p.v]),
      chiusurePerS: contaPerSecondo(f.chiusure, inizioWall).map((p) => [(p.t - inizioWall) / 1000, p.v]),
      ackMsPerS: finestre(ackPunti, 1000).map((w) => [arrot(w.da / 1000, 1)!, arrot(w.riassunto.p99, 1)!]),
    },
  };
}

function perDomanda(d: Contatori, n: number) {
  const somma = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    soap: somma(d.soap) / n,
    pubblicazioni: somma(d.pubblicazioni) / n,
    commit: d.commit / n,
    dettaglio: { soapPerSchema: Object.fromEntries(Object.entries(d.soap).map(([k, v]) => [k, arrot(v / n, 2)])), pubblicazioniPerSchema: Object.fromEntries(Object.entries(d.pubblicazioni).map(([k, v]) => [k, arrot(v / n, 2)])) },
  };
}

function sintesiProcessi(serie: SerieProcesso[], secondi: number) {
  return serie.map((s) => ({
    processo: s.nome,
    cpuSecondi: arrot(s.cpuSecondi, 1),
    cpuMediaPct: arrot((100 * s.cpuSecondi) / Math.max(secondi, 1e-9), 0),
    rssPiccoMb: arrot(Math.max(s.rssPiccoKb, s.vmHwmKb) / 1024, 0),
  }));
}

function stampaProcessi(righe: ReturnType<typeof sintesiProcessi>): void {
  console.log('  process              CPU s   CPU % (of one core)   peak RSS MB');
  for (const r of righe) console.log(`  ${r.processo.padEnd(20)} ${String(r.cpuSecondi).padStart(6)}   ${String(r.cpuMediaPct).padStart(6)}                ${String(r.rssPiccoMb).padStart(6)}`);
}

function stampaFase(f: Fase): void {
  console.log(`\n[${f.nome}] ${f.domande} domande${f.offertoPerSecondo ? ` offered at ${f.offertoPerSecondo}/s open-loop` : ''}, sent in ${f.secondiInvio} s, ${f.errori} errors`);
  if (f.primoErrore) console.log(`  first error: ${f.primoErrore}`);
  console.log(`  end to end: ${f.domandePerSecondoE2E} domande/s (first submission to last closure)`);
  console.log(`  submission ack ms: p50 ${f.ack.p50}  p95 ${f.ack.p95}  p99 ${f.ack.p99}  max ${f.ack.max}`);
  console.log(`  submission to closure ms: p50 ${f.chiusuraMs.p50}  p99 ${f.chiusuraMs.p99}  max ${f.chiusuraMs.max}`);
  console.log(`  stages (events, events/s): ${Object.entries(f.fasi).map(([k, v]) => `${k} ${v.eventi} @ ${v.perSecondo}/s`).join('; ')}`);
  console.log(`  outcomes: ${JSON.stringify(f.esitiVerifica)}; not closed ${f.nonChiuse}; unexpected ${f.esitiInattesi}`);
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

function sintesiProfili(dir: string, pidNomi: Map<number, string>): Array<{ processo: string; file: string; testo: string; sintesi: ReturnType<typeof riassumiProfilo>; aree: ReturnType<typeof perArea> }> {
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

async function main(o: OpzioniBench): Promise<void> {
  const dirOut = process.env.APE_BENCH_DIR ?? path.join(PROJECT_ROOT, 'var', 'bench', timestamp());
  const dirProfili = path.join(dirOut, 'profili');
  mkdirSync(o.profilo ? dirProfili : dirOut, { recursive: true });
  console.log(`starting the federation (8 processes, mutual TLS, PostgreSQL and RabbitMQ${o.profilo ? ', --cpu-prof' : ''})...`);
  const fed = await FederazioneBench.avvia({ poolSize: o.pool, logLevel: o.logLevel, dirLog: path.join(dirOut, 'log') });
  const pidNomi = new Map([...fed.procs].map(([n, p]) => [p.child.pid!, n]));
  const campionatore = new Campionatore([
    ...[...fed.procs].map(([nome, p]) => ({ nome, pid: p.child.pid! })),
    { nome: 'bench (case system)', pid: process.pid },
    { nome: 'postgresql (backends)', comandi: ['postgres'], contiene: fed.id },
    { nome: 'rabbitmq (beam.smp, shared)', comandi: ['beam.smp'] },
  ], o.soak ? 5000 : 1000);
  const pool = new Pool({ connectionString: fed.config.postgres.adminUrl, max: 2 });
  const caricoIniziale = os.loadavg();
  const risultati: Record<string, unknown> = {
    quando: new Date().toISOString(),
    macchina: { cpu: os.cpus().length, node: process.version },
    opzioni: o,
  };
  const pannelli: Pannello[] = [];
  let fallito: unknown = null;
  try {
    const client = await creaCliente(o.client, fed.urlIstruttoria(), fed.tlsOf('INPS_ISTRUTTORIA'), addressOf(fed.config, 'INPS', 'istruttoria').expectedServerCN);
    // A few domande first, so connections, JIT and caches are warm before anything is measured.
    await eseguiFase('riscaldamento', fed, client, pool, 20, { concorrenza: 4 }, 60_000);
    campionatore.start();
    const t0 = performance.now();
    if (o.soak) {
      await soak(o, fed, client, pool, campionatore, risultati, pannelli);
    } else {
      const nLat = Math.min(o.domande, Math.round(o.rate * o.secondiLatenza));
      const latenza = await eseguiFase('latenza', fed, client, pool, nLat, { ritmo: o.rate }, 600_000);
      stampaFase(latenza);
      const prima = await leggiContatori(pool, fed.config);
      const tCap = performance.now();
      const capacita = await eseguiFase('capacita', fed, client, pool, o.domande, { concorrenza: o.concurrency }, 3_600_000);
      const secondiCap = (performance.now() - tCap) / 1000;
      await new Promise((r) => setTimeout(r, 1500));
      const dopo = await leggiContatori(pool, fed.config);
      stampaFase(capacita);
      const ops = perDomanda(differenza(prima, dopo), o.domande);
      console.log(`\n  broker operations per domanda (measured over the capacity phase): ${arrot(ops.soap, 2)} SOAP calls, ${arrot(ops.pubblicazioni, 2)} confirmed publishes (+ as many consumes), ${arrot(ops.commit, 1)} PostgreSQL commits`);
      console.log(`    SOAP calls by receiver: ${JSON.stringify(ops.dettaglio.soapPerSchema)}; publishes by schema: ${JSON.stringify(ops.dettaglio.pubblicazioniPerSchema)}`);
      const serie = campionatore.stop();
      const processi = sintesiProcessi(serie, (performance.now() - t0) / 1000);
      console.log('\nCPU and memory (latency and capacity phases):');
      stampaProcessi(processi);
      // CPU the federation spent per domanda (its processes and its PostgreSQL backends; RabbitMQ is shared with
      // other users of the machine and left out), and the rate that would saturate every core with it.
      const cpuFederazione = serie.filter((x) => x.nome !== 'bench (case system)' && !x.nome.startsWith('rabbitmq')).reduce((a, x) => a + x.cpuSecondi, 0);
      const cpuPerDomandaMs = (1000 * cpuFederazione) / (nLat + o.domande);
      const tetto = (1000 * os.cpus().length) / cpuPerDomandaMs;
      console.log(`  CPU per domanda (services + PostgreSQL backends): ${arrot(cpuPerDomandaMs, 0)} ms, so ${os.cpus().length} cores could do at most ${arrot(tetto, 1)} domande/s`);
      console.log(`  load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (at the start ${caricoIniziale.map((x) => x.toFixed(1)).join(' ')}): other work on the machine competes for the same cores`);
      if (fed.avvisi.size > 0) console.log(`  warnings/errors logged: ${JSON.stringify(Object.fromEntries(fed.avvisi))} (see the logs)`);
      risultati.cpuPerDomandaMs = arrot(cpuPerDomandaMs, 0);
      risultati.tettoCpuDomandePerSecondo = arrot(tetto, 1);
      risultati.caricoMacchina = { inizio: caricoIniziale, fine: os.loadavg() };
      risultati.avvisiPerProcesso = Object.fromEntries(fed.avvisi);
      const dimensione = await dimensioneMediaMessaggi(pool, fed.config);
      const tls = fed.tlsOf('INPS');
      await fed.fermaProcessi();

      console.log(`\n[floor] ${Math.min(o.domande, o.domandePavimento)} domande x (${Math.round(ops.soap)} mTLS SOAP round trips of ${dimensione} bytes, ${Math.round(ops.pubblicazioni)} confirmed publishes + consumes, ${Math.round(ops.commit)} commits), concurrency ${o.concurrency}...`);
      const pavimento: RisultatoPavimento = await misuraPavimento({
        domande: Math.min(o.domande, o.domandePavimento),
        concorrenza: o.concurrency,
        soapPerDomanda: Math.round(ops.soap),
        pubblicazioniPerDomanda: Math.round(ops.pubblicazioni),
        commitPerDomanda: Math.round(ops.commit),
        dimensioneMessaggio: dimensione,
        tls,
        postgresUrl: fed.config.postgres.adminUrl,
        rabbitmqUrl: fed.config.rabbitmq.url,
        connessioni: o.pool * 8,
      });
      const rapporto = capacita.domandePerSecondoE2E / pavimento.domandePerSecondo;
      console.log(`  floor: ${arrot(pavimento.domandePerSecondo, 1)} domande/s (${pavimento.errori} errors); the broker reaches ${arrot(100 * rapporto, 1)}% of it`);
      risultati.latenza = latenza;
      risultati.capacita = capacita;
      risultati.operazioniPerDomanda = ops;
      risultati.processi = processi;
      risultati.pavimento = { ...pavimento, dimensioneMessaggio: dimensione, rapportoBroker: arrot(rapporto, 3) };
      risultati.obiettivi = {
        domandePerSecondo: { obiettivo: '>= 170', misurato: capacita.domandePerSecondoE2E, raggiunto: capacita.domandePerSecondoE2E >= 170 },
        ackP99Ms: { obiettivo: `<= 50 at ${o.rate}/s offered`, misurato: latenza.ack.p99, raggiunto: latenza.ack.p99 <= 50 && o.rate >= 100 },
        quotaPavimento: { obiettivo: '>= 50%', misurato: arrot(100 * rapporto, 1), raggiunto: rapporto >= 0.5 },
      };
      risultati.serieProcessi = serie.map((s) => ({ nome: s.nome, campioni: s.campioni.map((c) => [arrot(c.t / 1000, 1), arrot(c.cpuPct, 0), Math.round(c.rssKb / 1024)]) }));
      pannelli.push(
        { titolo: `Capacity: ${o.domande} domande, concurrency ${o.concurrency}`, etichettaY: 'domande/s', serie: [{ nome: 'submitted', punti: capacita.curve.ricevutePerS }, { nome: 'closed', punti: capacita.curve.chiusurePerS }] },
        { titolo: `Latency phase: ack p99 per second at ${o.rate}/s offered`, etichettaY: 'ms', serie: [{ nome: 'ack p99', punti: latenza.curve.ackMsPerS }] },
        { titolo: 'CPU per process (both phases)', etichettaY: '% of one core', serie: serie.filter((s) => s.campioni.length > 0).map((s) => ({ nome: s.nome, punti: s.campioni.map((c) => [c.t / 1000, c.cpuPct] as [number, number]) })) },
      );
    }
  } catch (err) {
    fallito = err;
  } finally {
    campionatore.stop();
    // Swallowed: the run is over and its outcome decided; the pool goes with the process.
    await pool.end().catch(() => undefined);
    await fed.ferma(o.conserva).catch((e: unknown) => console.error(`stopping the federation: ${(e as Error).message}`));
  }
  if (o.profilo) {
    const profili = sintesiProfili(dirProfili, pidNomi);
    console.log('\nCPU profiles (self time):');
    for (const p of profili) console.log(p.testo);
    risultati.profili = profili.map(({ processo, file, sintesi, aree }) => ({ processo, file: path.relative(PROJECT_ROOT, file), sintesi, aree }));
  }
  if (fallito) risultati.errore = (fallito as Error).message;
  const fileJson = path.join(dirOut, 'risultati.json');
  writeFileSync(fileJson, JSON.stringify(risultati, null, 1));
  console.log(`\nresults: ${path.relative(PROJECT_ROOT, fileJson)}`);
  if (pannelli.length > 0) {
    const fileSvg = path.join(dirOut, 'grafico.svg');
    writeFileSync(fileSvg, graficoSvg(pannelli));
    console.log(`chart:   ${path.relative(PROJECT_ROOT, fileSvg)}`);
  }
  console.log(`logs:    ${path.relative(PROJECT_ROOT, path.join(dirOut, 'log'))}/`);
  if (fallito) throw fallito;
}

async function soak(o: OpzioniBench, fed: FederazioneBench, client: ClienteBench, pool: Pool, campionatore: Campionatore, risultati: Record<string, unknown>, pannelli: Pannello[]): Promise<void> {
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

if (require.main === module) {
  let o: OpzioniBench;
  try {
    o = leggiOpzioni(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USO}`);
    process.exit(2);
  }
  if (o.profilo && !process.execArgv.some((a) => a.startsWith('--cpu-prof'))) {
    // Node refuses --cpu-prof in NODE_OPTIONS, but fork() passes the parent's execArgv to the services: the
    // benchmark runs itself again with the flag, and every process it starts writes its profile on exit.
    const dirOut = path.join(PROJECT_ROOT, 'var', 'bench', timestamp());
    mkdirSync(path.join(dirOut, 'profili'), { recursive: true });
    const figlio = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${path.join(dirOut, 'profili')}`, ...process.execArgv, __filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, APE_BENCH_DIR: dirOut },
    });
    figlio.on('exit', (code) => process.exit(code ?? 1));
  } else
  main(o).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
