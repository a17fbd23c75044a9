import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { addressOf } from '../../shared/config/addresses';
import { PROJECT_ROOT } from '../../shared/paths';
import { creaCliente, type ClienteBench } from './cliente';
import { domandaSintetica, protocolloSintetico } from './carico';
import { CaricoGenerato } from './carico-generato';
import type { Domanda } from '../../shared/domain/types';
import { FederazioneBench } from './federazione';
import { differenza, dimensioneMediaMessaggi, indiciRilevati, leggiContatori, leggiFasi, type IstantiFasi } from './misure';
import { valutaObiettivi, stampaObiettivi } from './obiettivi';
import { misuraPavimento } from './pavimento';
import { pavimentoPerJson, stampaPavimento } from './pavimento-rapporto';
import { leggiPerf, registraPerf, richiediPerf, testoPerf, threadsDi } from './perf-cpu';
import { Campionatore } from './proc';
import { caricoAperto, caricoChiuso, type EsitoRichiesta } from './ritmo';
import { contaPerSecondo, finestre, secondoEUltimoQuinto, riassumi, ritmoFase } from './statistiche';
import { graficoSvg, type Pannello } from './svg';
import { leggiOpzioni, USO, type OpzioniBench } from './opzioni';
import { arrot, perDomanda, riassuntoArrotondato, sintesiProcessi, sintesiProfili, stampaFase, stampaProcessi, type Fase } from './rapporto';
import { attendiChiusura, soak } from './soak';

/**
 * npm run bench / npm run bench:soak: the whole federation under a synthetic load, against the protocol's floor.
 *
 *   1. latency: --rate domande/s offered open-loop (default 100/s for 20 s), submission-ack latency measured
 *      from each request's due instant; waits until every domanda is closed.
 *   1b. ordinary rate: --rate-quieto domande/s (default 20) for --secondi-quieto s (default 10), open-loop: ack
 *      latency and submission-to-closure time of the domande that do not go through INL.
 *   2. capacity: --domande N submitted closed-loop by --concurrency case-system workers; end-to-end domande/s
 *      from the first submission to the last closure; per-stage rates from the database's timestamps; the
 *      per-domanda SOAP calls, publishes and commits the broker made; with --perf, the machine's CPU over the
 *      phase by what ran (perf-cpu.ts: JavaScript, V8's compiler and collector, OpenSSL, libxml2, kernel, PostgreSQL).
 *   3. floor: per domanda of the mix, the hops the protocol has, each with only the work ModI and durability make
 *      unavoidable (pavimento.ts), with RSA-2048 and with ECDSA P-256 signatures; its CPU split by kind; the
 *      issue's targets with PASS/FAIL (obiettivi.ts).
 * With --soak: --rate for --minuti, RSS per process and latency per minute, first against last.
 * Results: var/bench/<timestamp>/risultati.json and grafico.svg (and the services' CPU profiles with --profilo).
 */

/** A phase's i-th domanda and the esito its data imply: the demo load, or the generated one. */
type Genera = (prefisso: string, i: number) => { domanda: Domanda; atteso: string };

function generatore(carico: CaricoGenerato | null): Genera {
  if (carico) return (prefisso, i) => carico.prossima(protocolloSintetico(prefisso, i), new Date());
  return (prefisso, i) => {
    const { domanda, scenario } = domandaSintetica(prefisso, i, new Date());
    return { domanda, atteso: scenario.atteso.esitoVerifica };
  };
}

async function eseguiFase(
  nome: string,
  genera: Genera,
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
    const { domanda, atteso } = genera(prefisso, i);
    attesi.set(domanda.protocollo, atteso);
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
  // Closed loop only: an open-loop offer above capacity queues, and its last fifth waits longer by design.
  const quinti = 'ritmo' in modo ? null : secondoEUltimoQuinto(f.ricevute, [...ack].sort((a, b) => a.dovutoMs - b.dovutoMs).map((e) => e.latenzaMs));
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
    chiusuraSenzaInlMs: riassuntoArrotondato(riassumi(f.tempiChiusuraSenzaInl)),
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
    ...(quinti && { deriva: { registratePerS: [arrot(quinti.ritmo[0], 1)!, arrot(quinti.ritmo[1], 1)!], ackP50Ms: [arrot(quinti.mediana[0], 1)!, arrot(quinti.mediana[1], 1)!] } }),
    curve: {
      ricevutePerS: contaPerSecondo(f.ricevute, inizioWall).map((p) => [(p.t - inizioWall) / 1000, p.v]),
      chiusurePerS: contaPerSecondo(f.chiusure, inizioWall).map((p) => [(p.t - inizioWall) / 1000, p.v]),
      ackMsPerS: finestre(ackPunti, 1000).map((w) => [arrot(w.da / 1000, 1)!, arrot(w.riassunto.p99, 1)!]),
    },
  };
}

/** Domande of the warm-up, not counted. */
const RISCALDAMENTO = 20;

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

async function main(o: OpzioniBench): Promise<void> {
  const dirOut = process.env.APE_BENCH_DIR ?? path.join(PROJECT_ROOT, 'var', 'bench', timestamp());
  const dirProfili = path.join(dirOut, 'profili');
  mkdirSync(o.profilo ? dirProfili : dirOut, { recursive: true });
  console.log(`starting the federation (8 processes, mutual TLS, PostgreSQL and RabbitMQ${o.profilo ? ', --cpu-prof' : ''}; keys ${o.chiave === 'ECDSA-P256' ? 'ECDSA-P256, INAIL\'s RSA-2048 (PDND on)' : 'RSA-2048'})...`);
  const nLat = Math.min(o.domande, Math.round(o.rate * o.secondiLatenza));
  const nQuieto = Math.round(o.rateQuieto * o.secondiQuieto);
  const carico = o.archiviGenerati ? new CaricoGenerato(RISCALDAMENTO + nLat + nQuieto + o.domande) : null;
  if (carico) {
    const l = carico.lavoratoriPerDatore();
    console.log(`generated load: ${carico.totale} workers, ${l.length} employers (the largest names ${l[0]} workers; ${l.filter((x) => x >= 5).length} name five or more), archives ${JSON.stringify({ ...Object.fromEntries(Object.entries(carico.archivi.rapporti).map(([k, v]) => [k, v.length])), INAIL: carico.archivi.inail.length })} rows`);
  }
  const genera = generatore(carico);
  const fed = await FederazioneBench.avvia({ poolSize: o.pool, keyType: o.chiave, logLevel: o.logLevel, dirLog: path.join(dirOut, 'log'), ...(carico && { archivi: carico.archivi }) });
  const pidNomi = new Map([...fed.procs].map(([n, p]) => [p.child.pid!, n]));
  const campionatore = new Campionatore([
    ...[...fed.procs].map(([nome, p]) => ({ nome, pid: p.child.pid! })),
    { nome: 'bench (case system)', pid: process.pid },
    { nome: 'postgresql (backends)', comandi: ['postgres'], contiene: fed.id, terminati: true },
    { nome: 'rabbitmq (beam.smp, shared)', comandi: ['beam.smp'] },
  ], o.soak ? 5000 : 1000);
  const pool = new Pool({ connectionString: fed.config.postgres.adminUrl, max: 2 });
  // pg's end() resolves before its idle connections have closed: dropping the database at the end can then end
  // one of them from the server's side, an 'error' event that without a listener would stop the run unreported.
  pool.on('error', (err) => console.error(`bench database connection: ${err.message}`));
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
    await eseguiFase('riscaldamento', genera, fed, client, pool, RISCALDAMENTO, { concorrenza: 4 }, 60_000);
    campionatore.start();
    const t0 = performance.now();
    if (o.soak) {
      await soak(o, fed, client, pool, campionatore, risultati, pannelli);
    } else {
      const latenza = await eseguiFase('latenza', genera, fed, client, pool, nLat, { ritmo: o.rate }, 600_000);
      stampaFase(latenza);
      // The same open-loop offer at an ordinary day's rate: acks and closures unhurried by a queue.
      const quieto = await eseguiFase('quieto', genera, fed, client, pool, nQuieto, { ritmo: o.rateQuieto }, 600_000);
      stampaFase(quieto);
      const prima = await leggiContatori(pool, fed.config);
      const registrazione = o.perf ? registraPerf(path.join(dirOut, 'perf.data')) : null;
      let capacita: Awaited<ReturnType<typeof eseguiFase>>;
      let threads: Map<number, string> | null = null;
      try {
        capacita = await eseguiFase('capacita', genera, fed, client, pool, o.domande, { concorrenza: o.concurrency }, 3_600_000);
        // Read while the services run: perf names a sample by its thread.
        if (registrazione) threads = threadsDi(new Map([...pidNomi, [process.pid, 'bench (case system)']]));
      } catch (err) {
        // Swallowed: the phase's failure is the one to report; perf must not go on sampling after the run.
        await registrazione?.ferma().catch(() => undefined);
        throw err;
      }
      await registrazione?.ferma();
      await new Promise((r) => setTimeout(r, 1500));
      const dopo = await leggiContatori(pool, fed.config);
      stampaFase(capacita);
      const ops = perDomanda(differenza(prima, dopo), o.domande);
      console.log(`\n  broker operations per domanda (measured over the capacity phase): ${arrot(ops.soap, 2)} SOAP calls, ${arrot(ops.pubblicazioni, 2)} confirmed publishes (+ as many consumes), ${arrot(ops.commit, 1)} PostgreSQL commits (and ${arrot(ops.rollback, 2)} rollbacks, ${arrot(ops.sessioni, 2)} connections opened), of which ${arrot(ops.scritture - ops.rollback, 1)} wrote (${arrot(ops.scritture, 1)} transaction ids assigned, less the rollbacks): the rest are statements that only read, each a transaction of its own; ${arrot(ops.flushWal, 1)} flushes of the WAL to disk`);
      console.log(`    SOAP calls by receiver: ${JSON.stringify(ops.dettaglio.soapPerSchema)}; publishes by schema: ${JSON.stringify(ops.dettaglio.pubblicazioniPerSchema)}`);
      if (carico) {
        risultati.indiciInl = await indiciRilevati(pool, fed.config);
        console.log(`  INL triggers stored (code: triggers on istruttorie): ${JSON.stringify(risultati.indiciInl)}`);
      }
      const serie = campionatore.stop();
      const processi = sintesiProcessi(serie, (performance.now() - t0) / 1000);
      console.log('\nCPU and memory (latency and capacity phases):');
      stampaProcessi(processi);
      // CPU the federation spent per domanda (its processes and its PostgreSQL backends; RabbitMQ is shared with
      // other users of the machine and left out), and the rate that would saturate every core with it.
      const cpuFederazione = serie.filter((x) => x.nome !== 'bench (case system)' && !x.nome.startsWith('rabbitmq')).reduce((a, x) => a + x.cpuSecondi, 0);
      const cpuPerDomandaMs = (1000 * cpuFederazione) / (nLat + nQuieto + o.domande);
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

      const nPav = Math.min(o.domande, o.domandePavimento);
      console.log(`\n[floor] ${nPav} domande of the mix, each with the hops the protocol has (mTLS round trip of ${dimensione} bytes, signed request and response, a commit at each side, a confirmed publish + consume), concurrency ${o.concurrency}, once with RSA-2048 and once with ECDSA P-256...`);
      const pavimento = await misuraPavimento({
        domande: nPav,
        concorrenza: o.concurrency,
        dimensioneMessaggio: dimensione,
        tls,
        postgresUrl: fed.config.postgres.adminUrl,
        rabbitmqUrl: fed.config.rabbitmq.url,
        connessioni: o.pool * 8,
      });
      stampaPavimento(pavimento, { domandePerSecondo: capacita.domandePerSecondoE2E, cpuPerDomandaMs });
      // The share is against the floor signing as the federation did (with ECDSA-P256, INAIL's RSA signatures make the broker's work a little more than that floor's).
      const stessoAlgoritmo = pavimento.giri.find((g) => g.algoritmo === o.chiave)!;
      risultati.latenza = latenza;
      risultati.quieto = quieto;
      risultati.capacita = capacita;
      risultati.operazioniPerDomanda = ops;
      risultati.processi = processi;
      risultati.pavimento = pavimentoPerJson(pavimento, capacita.domandePerSecondoE2E, dimensione);
      const obiettivi = valutaObiettivi({
        domandePerSecondo: capacita.domandePerSecondoE2E,
        cpuPerDomandaMs,
        commitPerDomanda: ops.commit,
        quotaPavimento: capacita.domandePerSecondoE2E / stessoAlgoritmo.domandePerSecondo,
        algoritmoPavimento: o.chiave,
        latenza: { offertoPerSecondo: o.rate, secondi: nLat / o.rate, registratePerSecondo: latenza.fasi.presentazione?.perSecondo ?? 0, ackP99Ms: latenza.ack.p99, rifiutate: latenza.errori },
        quieto: { offertoPerSecondo: o.rateQuieto, secondi: o.secondiQuieto, ackP99Ms: quieto.ack.p99, chiusuraSenzaInlP99Ms: quieto.chiusuraSenzaInlMs.p99, rifiutate: quieto.errori },
      });
      stampaObiettivi(obiettivi);
      risultati.obiettivi = obiettivi;
      if (threads) {
        const cpu = leggiPerf(path.join(dirOut, 'perf.data'), threads);
        console.log(`\n${testoPerf(cpu)}`);
        risultati.cpuPerf = cpu;
      }
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

if (require.main === module) {
  let o: OpzioniBench;
  try {
    o = leggiOpzioni(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USO}`);
    process.exit(2);
  }
  if (o.perf) {
    try {
      richiediPerf();
    } catch (err) {
      console.error((err as Error).message);
      process.exit(2);
    }
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
