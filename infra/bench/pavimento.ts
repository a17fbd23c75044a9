import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { connect } from 'amqplib';
import { Pool } from 'pg';
import { caricoChiuso } from './ritmo';
import { TLS_CLIENT_POLICY } from '../../shared/soap/tls-policy';

/**
 * The raw floor: per domanda, the same number of mutual-TLS SOAP round trips, RabbitMQ confirmed persistent
 * publishes (each consumed and acknowledged) and PostgreSQL commits as the broker needs, on the same
 * machine, PKI, database server and broker, with the same concurrency, and nothing else: no XML parsing,
 * schema validation, signatures, audit chains, business rules. What the broker reaches as a share of this is
 * the cost of its logic. Steps of one domanda run in sequence (like the broker's chain of hops), domande in
 * parallel.
 */
export interface OpzioniPavimento {
  domande: number;
  concorrenza: number;
  soapPerDomanda: number;
  pubblicazioniPerDomanda: number;
  commitPerDomanda: number;
  /** request and response size, bytes */
  dimensioneMessaggio: number;
  tls: { keyFile: string; certFile: string; caFile: string };
  postgresUrl: string;
  rabbitmqUrl: string;
  /** PostgreSQL connections (the broker's processes' pools together) */
  connessioni: number;
}

export interface RisultatoPavimento {
  domande: number;
  secondi: number;
  domandePerSecondo: number;
  operazioni: { soap: number; pubblicazioni: number; commit: number };
  errori: number;
}

const CODA = 'bench.pavimento';

/** The operations of one domanda, interleaved so a long chain of one kind does not dominate a stretch of time. */
export function pianoDomanda(soap: number, pubblicazioni: number, commit: number): Array<'soap' | 'pubblica' | 'commit'> {
  const piano: Array<'soap' | 'pubblica' | 'commit'> = [];
  const totale = soap + pubblicazioni + commit;
  const fatti = { soap: 0, pubblica: 0, commit: 0 };
  const quote = { soap, pubblica: pubblicazioni, commit };
  for (let k = 0; k < totale; k++) {
    // the kind furthest behind its share
    const tipo = (['soap', 'pubblica', 'commit'] as const).reduce((a, b) => ((k + 1) * quote[b] / totale - fatti[b] > (k + 1) * quote[a] / totale - fatti[a] ? b : a));
    fatti[tipo]++;
    piano.push(tipo);
  }
  return piano;
}

export async function misuraPavimento(o: OpzioniPavimento): Promise<RisultatoPavimento> {
  const server = fork(path.join(__dirname, 'pavimento-server.js'), [o.tls.keyFile, o.tls.certFile, o.tls.caFile, String(o.dimensioneMessaggio)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const porta = await new Promise<number>((resolve, reject) => {
    server.once('message', (m: { porta?: number }) => resolve(m.porta ?? 0));
    server.once('exit', (c) => reject(new Error(`floor server exited with ${c}`)));
  });
  const agent = new https.Agent({
    key: readFileSync(o.tls.keyFile),
    cert: readFileSync(o.tls.certFile),
    ca: readFileSync(o.tls.caFile),
    keepAlive: true,
    maxSockets: 32,
    ...TLS_CLIENT_POLICY,
  });
  const corpo = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Richiesta>${'y'.repeat(Math.max(0, o.dimensioneMessaggio - 180))}</Richiesta></soap:Body></soap:Envelope>`);
  const soap = () =>
    new Promise<void>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: porta, path: '/pavimento', method: 'POST', agent, servername: undefined, checkServerIdentity: () => undefined, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:pavimento"', 'content-length': corpo.length } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(corpo);
    });

  const pool = new Pool({ connectionString: o.postgresUrl, max: o.connessioni });
  await pool.query('CREATE TABLE IF NOT EXISTS public.bench_pavimento (id bigserial PRIMARY KEY, message_id uuid NOT NULL, payload jsonb NOT NULL, creato_il timestamptz NOT NULL DEFAULT now())');
  const riga = JSON.stringify({ contenuto: 'z'.repeat(Math.max(0, Math.min(o.dimensioneMessaggio, 2000) - 20)) });
  const commit = async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO public.bench_pavimento (message_id, payload) VALUES ($1, $2)', [randomUUID(), riga]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };

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

  const piano = pianoDomanda(o.soapPerDomanda, o.pubblicazioniPerDomanda, o.commitPerDomanda);
  const t0 = performance.now();
  let errori = 0;
  try {
    const esiti = await caricoChiuso(o.domande, o.concorrenza, async () => {
      for (const passo of piano) {
        if (passo === 'soap') await soap();
        else if (passo === 'pubblica') await pubblica();
        else await commit();
      }
    });
    errori = esiti.filter((e) => e.errore).length;
    const secondi = (performance.now() - t0) / 1000;
    return {
      domande: o.domande,
      secondi,
      domandePerSecondo: (o.domande - errori) / secondi,
      operazioni: { soap: o.soapPerDomanda, pubblicazioni: o.pubblicazioniPerDomanda, commit: o.commitPerDomanda },
      errori,
    };
  } finally {
    // Swallowed, these four: cleaning up after the measurement, whose result or error is already decided.
    await cons.close().catch(() => undefined);
    await pub.deleteQueue(CODA).catch(() => undefined);
    await conn.close().catch(() => undefined);
    await pool.query('DROP TABLE IF EXISTS public.bench_pavimento').catch(() => undefined);
    await pool.end();
    agent.destroy();
    server.kill('SIGTERM');
  }
}
