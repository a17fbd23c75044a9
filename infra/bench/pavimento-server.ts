import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { Pool } from 'pg';
import { withTransaction } from '../../shared/db/pool';
import { TLS_SERVER_POLICY } from '../../shared/soap/tls-policy';
import { firma, partiCasuali, verifica, type Algoritmo, type Sagoma } from './pavimento-firme';

/**
 * The floor's receiving side of every hop, a process of its own (started by pavimento.ts with fork(), set up over
 * IPC): an HTTPS server requiring a client certificate from the federation's CA, with the services' TLS policy.
 *   POST /tratta: verifies the request's signature, commits the message (one durable commit before the ack), signs
 *     the response and answers it, of the mean message size;
 *   POST /tls: reads the body and answers the same response, nothing else (to price a TLS round trip alone).
 */
export interface ConfigServer {
  tls: { keyFile: string; certFile: string; caFile: string };
  dimensione: number;
  sagoma: Sagoma;
  postgresUrl: string;
  connessioni: number;
  /** per algorithm: this side's private key and the sender's public key, PEM */
  chiavi: Record<Algoritmo, { privata: string; pubblicaMittente: string }>;
}

function avvia(c: ConfigServer): void {
  const pool = new Pool({ connectionString: c.postgresUrl, max: c.connessioni, idleTimeoutMillis: 0 });
  const chiavi = new Map<string, { privata: KeyObject; mittente: KeyObject }>(
    Object.entries(c.chiavi).map(([a, k]) => [a, { privata: createPrivateKey(k.privata), mittente: createPublicKey(k.pubblicaMittente) }]),
  );
  const parti = partiCasuali(c.sagoma);
  const nParti = parti.length;
  const risposta = Buffer.concat([parti, Buffer.alloc(Math.max(0, c.dimensione - nParti), 0x20)]);
  const riga = JSON.stringify({ contenuto: 'z'.repeat(Math.max(0, Math.min(c.dimensione, 2000) - 20)) });

  const tratta = async (corpo: Buffer, algoritmo: string, firmaRicevuta: string): Promise<string> => {
    const k = chiavi.get(algoritmo);
    if (!k) throw new Error(`unknown algorithm ${algoritmo}`);
    if (!verifica(c.sagoma, corpo.subarray(0, nParti), Buffer.from(firmaRicevuta, 'base64'), k.mittente)) throw new Error('signature not valid');
    await withTransaction(pool, (db) => db.query('INSERT INTO public.bench_pavimento (message_id, payload) VALUES ($1, $2)', [randomUUID(), riga]));
    return firma(c.sagoma, parti, k.privata).toString('base64');
  };

  const server = https.createServer(
    { key: readFileSync(c.tls.keyFile), cert: readFileSync(c.tls.certFile), ca: readFileSync(c.tls.caFile), requestCert: true, rejectUnauthorized: true, ...TLS_SERVER_POLICY },
    (req, res) => {
      const pezzi: Buffer[] = [];
      req.on('data', (b: Buffer) => pezzi.push(b));
      req.on('end', () => {
        const rispondi = (stato: number, firmaRisposta?: string) => {
          res.writeHead(stato, { 'content-type': 'text/xml; charset=utf-8', 'content-length': stato === 200 ? risposta.length : 0, ...(firmaRisposta && { 'x-firma': firmaRisposta }) });
          res.end(stato === 200 ? risposta : undefined);
        };
        if (req.url === '/tls') return rispondi(200);
        tratta(Buffer.concat(pezzi), String(req.headers['x-algoritmo']), String(req.headers['x-firma'] ?? '')).then(
          (f) => rispondi(200, f),
          (err: unknown) => {
            console.error(`floor peer: ${(err as Error).message}`);
            rispondi(500);
          },
        );
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send?.({ porta: typeof a === 'object' && a ? a.port : 0 });
  });
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    // Swallowed: the process exits either way; the measurement is over.
    pool.end().catch(() => undefined).finally(() => process.exit(0));
  });
}

process.once('message', (c: ConfigServer) => avvia(c));
