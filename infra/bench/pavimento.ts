import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { connect } from 'amqplib';
import { Pool } from 'pg';
import { withTransaction } from '../../shared/db/pool';
import { TLS_CLIENT_POLICY } from '../../shared/soap/tls-policy';
import { scenarioDi } from './carico';
import { ALGORITMI, costoFirme, firma, generaChiavi, partiCasuali, sagomaFirmata, verifica, type Algoritmo, type Chiavi } from './pavimento-firme';
import { operazioniPerDomanda, pianoScenario, ripartizione, trattePerDomanda, type Passo, type VoceCosto } from './pavimento-piano';
import type { ConfigServer } from './pavimento-server';
import { Campionatore } from './proc';
import { caricoChiuso } from './ritmo';

/**
 * The floor: the work the protocol and ModI make unavoidable for each domanda of the realistic mix, per hop the
 * protocol has (pavimento-piano.ts), on the same machine, PKI, TLS policy, PostgreSQL and RabbitMQ as the broker,
 * and nothing else. Per hop: one mutual-TLS round trip of the mean message size on a kept-alive connection; the
 * request signed here and verified by the peer process, the response signed there and verified here (the real
 * signed parts' sizes, pavimento-firme.ts); a durable commit at the peer before its answer and one here for the
 * state change; one confirmed persistent publish to a quorum queue and its consume. Hops of a domanda follow the
 * protocol's order (the parties' chains side by side), domande run `concorrenza` at once. Run once per signature
 * algorithm (RSA-2048, the federation's; ECDSA P-256 as a second figure); then each kind of operation alone, to
 * price it in CPU and split the floor's CPU per domanda by kind.
 */
export interface OpzioniPavimento {
  domande: number;
  concorrenza: number;
  /** mean size of the broker's SOAP messages, bytes */
  dimensioneMessaggio: number;
  tls: { keyFile: string; certFile: string; caFile: string };
  postgresUrl: string;
  rabbitmqUrl: string;
  /** PostgreSQL connections in all (half here, half at the peer) */
  connessioni: number;
}

export interface GiroPavimento {
  algoritmo: Algoritmo;
  domande: number;
  secondi: number;
  domandePerSecondo: number;
  errori: number;
  primoErrore?: string;
  /** this process + the peer + PostgreSQL backends, as the broker's CPU per domanda (RabbitMQ apart) */
  cpuPerDomandaMs: number;
  rabbitmqCpuPerDomandaMs: number;
}

export interface RisultatoPavimento {
  tratte: ReturnType<typeof trattePerDomanda>;
  operazioniPerDomanda: Record<VoceCosto, number>;
  sagoma: { parti: number[]; signedInfo: number };
  giri: GiroPavimento[];
  /** CPU ms of one operation measured alone (firme/verifiche per algorithm), RabbitMQ's per publish apart */
  costoUnitarioMs: { tls: number; commit: number; pubblicazioni: number; rabbitmqPerPubblicazione: number; firme: Record<Algoritmo, { firma: number; verifica: number }> };
  /** operations per second of each kind alone at the floor's concurrency (time, where CPU is not the limit) */
  daSoloPerSecondo: { tls: number; commit: number; pubblicazioni: number };
  ripartizione: Record<Algoritmo, ReturnType<typeof ripartizione>>;
}

const CODA = 'bench.pavimento';

export async function misuraPavimento(o: OpzioniPavimento): Promise<RisultatoPavimento> {
  const sagoma = sagomaFirmata(o.dimensioneMessaggio, o.tls.keyFile, o.tls.certFile);
  const nParti = sagoma.parti.reduce((a, b) => a + b, 0);
  const mie = Object.fromEntries(ALGORITMI.map((a) => [a, generaChiavi(a)])) as Record<Algoritmo, Chiavi>;
  const loro = Object.fromEntries(ALGORITMI.map((a) => [a, generaChiavi(a)])) as Record<Algoritmo, Chiavi>;
  const pem = (k: Chiavi['privata']) => String(k.export({ type: 'pkcs8', format: 'pem' }));
  const pubPem = (k: Chiavi['pubblica']) => String(k.export({ type: 'spki', format: 'pem' }));

  const pool = new Pool({ connectionString: o.postgresUrl, max: Math.max(2, Math.floor(o.connessioni / 2)), idleTimeoutMillis: 0 });
  await pool.query('CREATE TABLE IF NOT EXISTS public.bench_pavimento (id bigserial PRIMARY KEY, message_id uuid NOT NULL, payload jsonb NOT NULL, creato_il timestamptz NOT NULL DEFAULT now())');
  const server = fork(path.join(__dirname, 'pavimento-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const config: ConfigServer = {
    tls: o.tls,
    dimensione: o.dimensioneMessaggio,
    sagoma,
    postgresUrl: o.postgresUrl,
    connessioni: Math.max(2, Math.floor(o.connessioni / 2)),
    chiavi: Object.fromEntries(ALGORITMI.map((a) => [a, { privata: pem(loro[a].privata), pubblicaMittente: pubPem(mie[a].pubblica) }])) as ConfigServer['chiavi'],
  };
  server.send(config);
  const porta = await new Promise<number>((resolve, reject) => {
    server.once('message', (m: { porta?: number }) => resolve(m.porta ?? 0));
    server.once('exit', (c) => reject(new Error(`floor peer exited with ${c}`)));
  });
  const agent = new https.Agent({ key: readFileSync(o.tls.keyFile), cert: readFileSync(o.tls.certFile), ca: readFileSync(o.tls.caFile), keepAlive: true, maxSockets: 64, ...TLS_CLIENT_POLICY });
  const parti = partiCasuali(sagoma);
  const corpo = Buffer.concat([parti, Buffer.alloc(Math.max(0, o.dimensioneMessaggio - nParti), 0x20)]);
  const post = (percorso: '/tls' | '/tratta', intestazioni: Record<string, string> = {}) =>
    new Promise<{ corpo: Buffer; firma: string }>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: porta, path: percorso, method: 'POST', agent, checkServerIdentity: () => undefined, headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': corpo.length, ...intestazioni } },
        (res) => {
          const pezzi: Buffer[] = [];
          res.on('data', (b: Buffer) => pezzi.push(b));
          res.on('end', () => (res.statusCode === 200 ? resolve({ corpo: Buffer.concat(pezzi), firma: String(res.headers['x-firma'] ?? '') }) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(corpo);
    });

  const riga = JSON.stringify({ stato: 'INVIATO', at: new Date().toISOString() });
  const commit = () => withTransaction(pool, (c) => c.query('INSERT INTO public.bench_pavimento (message_id, payload) VALUES ($1, $2)', [randomUUID(), riga]));

  const conn = await connect(o.rabbitmqUrl);
  const pub = await conn.createConfirmChannel();
  await pub.assertQueue(CODA, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const cons = await conn.createChannel();
  await cons.prefetch(16);
  const attese = new Map<string, () => void>();
  await cons.consume(CODA, (m) => {
    if (!m) return;
    cons.ack(m);
    const id = String(m.properties.messageId);
    attese.get(id)?.();
    attese.delete(id);
  });
  const messaggio = Buffer.from(JSON.stringify({ idPacchetto: randomUUID(), note: 'p'.repeat(200) }));
  const pubblica = async () => {
    const id = randomUUID();
    const consumato = new Promise<void>((resolve) => attese.set(id, resolve));
    await new Promise<void>((resolve, reject) =>
      pub.publish('', CODA, messaggio, { persistent: true, messageId: id, contentType: 'application/json', mandatory: true }, (err) => (err ? reject(err) : resolve())),
    );
    await consumato;
  };

  const tratta = async (a: Algoritmo) => {
    const r = await post('/tratta', { 'x-algoritmo': a, 'x-firma': firma(sagoma, parti, mie[a].privata).toString('base64') });
    if (!verifica(sagoma, r.corpo.subarray(0, nParti), Buffer.from(r.firma, 'base64'), loro[a].pubblica)) throw new Error('floor: the response signature does not verify');
    await commit();
    await pubblica();
  };
  const esegui = async (p: Passo, a: Algoritmo): Promise<void> => {
    if ('tratta' in p) return tratta(a);
    if ('sequenza' in p) {
      for (const x of p.sequenza) await esegui(x, a);
      return;
    }
    await Promise.all(p.parallelo.map((x) => esegui(x, a)));
  };

  const dbName = new URL(o.postgresUrl).pathname.slice(1);
  /** CPU s of this process + the peer + PostgreSQL's backends of the run's database, and RabbitMQ's, over fn. */
  const conCpu = async <T>(fn: () => Promise<T>): Promise<{ valore: T; cpu: number; rabbitmq: number; secondi: number }> => {
    const c = new Campionatore([{ nome: 'qui', pid: process.pid }, { nome: 'pari', pid: server.pid! }, { nome: 'pg', comandi: ['postgres'], contiene: dbName, terminati: true }, { nome: 'rabbitmq', comandi: ['beam.smp'] }], 3_600_000);
    c.start();
    const t0 = performance.now();
    const valore = await fn();
    const secondi = (performance.now() - t0) / 1000;
    const serie = c.stop();
    const cpu = serie.filter((s) => s.nome !== 'rabbitmq').reduce((x, s) => x + s.cpuSecondi, 0);
    return { valore, cpu, rabbitmq: serie.find((s) => s.nome === 'rabbitmq')?.cpuSecondi ?? 0, secondi };
  };

  try {
    // Warm-up: connections, JIT.
    await caricoChiuso(Math.min(o.domande, 10), o.concorrenza, (i) => esegui(pianoScenario(scenarioDi(i)), 'RSA-2048'));
    const giri: GiroPavimento[] = [];
    for (const a of ALGORITMI) {
      const g = await conCpu(() => caricoChiuso(o.domande, o.concorrenza, (i) => esegui(pianoScenario(scenarioDi(i)), a)));
      const errori = g.valore.filter((e) => e.errore);
      giri.push({
        algoritmo: a,
        domande: o.domande,
        secondi: g.secondi,
        domandePerSecondo: (o.domande - errori.length) / g.secondi,
        errori: errori.length,
        ...(errori[0] && { primoErrore: errori[0].errore!.message.slice(0, 300) }),
        cpuPerDomandaMs: (1000 * g.cpu) / o.domande,
        rabbitmqCpuPerDomandaMs: (1000 * g.rabbitmq) / o.domande,
      });
    }
    // Each kind alone, to price one operation in CPU.
    const n = Math.min(5000, Math.max(1000, o.domande * 10));
    const alone = async (fn: () => Promise<unknown>) => {
      const r = await conCpu(() => caricoChiuso(n, o.concorrenza, fn));
      const errori = r.valore.filter((e) => e.errore);
      if (errori.length > 0) throw new Error(`floor calibration: ${errori.length} of ${n} failed: ${errori[0]!.errore!.message}`);
      return { ms: (1000 * r.cpu) / n, rabbitmq: (1000 * r.rabbitmq) / n, perSecondo: n / r.secondi };
    };
    const tls = await alone(() => post('/tls'));
    const com = await alone(commit);
    const pb = await alone(pubblica);
    const firme = Object.fromEntries(ALGORITMI.map((a) => [a, costoFirme(sagoma, a)])) as Record<Algoritmo, { firma: number; verifica: number }>;
    const tratte = trattePerDomanda();
    const ops = operazioniPerDomanda(tratte.totale);
    return {
      tratte,
      operazioniPerDomanda: ops,
      sagoma,
      giri,
      costoUnitarioMs: { tls: tls.ms, commit: com.ms, pubblicazioni: pb.ms, rabbitmqPerPubblicazione: pb.rabbitmq, firme },
      daSoloPerSecondo: { tls: tls.perSecondo, commit: com.perSecondo, pubblicazioni: pb.perSecondo },
      ripartizione: Object.fromEntries(
        ALGORITMI.map((a) => [a, ripartizione(ops, { tls: tls.ms, firme: firme[a].firma, verifiche: firme[a].verifica, commit: com.ms, pubblicazioni: pb.ms })]),
      ) as Record<Algoritmo, ReturnType<typeof ripartizione>>,
    };
  } finally {
    // Swallowed, these: cleaning up after the measurement, whose result or error is already decided.
    await cons.close().catch(() => undefined);
    await pub.deleteQueue(CODA).catch(() => undefined);
    await conn.close().catch(() => undefined);
    await pool.query('DROP TABLE IF EXISTS public.bench_pavimento').catch(() => undefined);
    await pool.end();
    agent.destroy();
    server.kill('SIGTERM');
  }
}
