import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { verificaRegistro } from '../shared/audit/catena';
import { writePresentaDomanda, writeStatoIstruttoria } from '../shared/messages/istruttoria';
import { issueCertificate, validityFrom } from '../shared/pki/certificates';
import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';
import { firmato, OPERATORE, postRaw, rawEnvelope, type RawTls } from './support/raw-soap';

/**
 * A flood from callers without an identity (issue 14, item 4) on a running INPS gateway: calls without a client
 * certificate and calls with a certificate of no registered party, from one address, as fast as the gateway answers
 * (up to 1,500 each). Every one is refused; beyond the address's admission limit cheaply (429, Retry-After, the
 * connection then held until Retry-After); the access trace grows by one record for the address and minute, not by one
 * per call; a registered party's calls keep their latency; RIFIUTI_RIPETUTI is raised within a minute of the flood's
 * start by the gateway itself, without waiting for a periodic check.
 */
const run = promisify(execFile);
let fed: TestFederation;
let inps: Pool;
let url: string;
let caseSystem: RawTls & { keyFile: string; certFile: string };
let stranger: { keyFile: string; certFile: string };

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'flood-unidentified', processes: ['inps-gateway'], fileClock: true });
  inps = fed.pool('inps');
  url = fed.url('istruttoria');
  caseSystem = fed.tlsOf('INPS_ISTRUTTORIA');
  // A certificate of the federation's own CA (so TLS accepts it) naming no registered party.
  const ca = { certPem: readFileSync(fed.config.pki.caCertFile, 'utf8'), keyPem: readFileSync(path.join(fed.config.pki.dir, 'ca.key.pem'), 'utf8') };
  const c = issueCertificate(ca, { commonName: 'sconosciuto.ape-precoci.local', dnsNames: ['sconosciuto.ape-precoci.local'] }, validityFrom(new Date(), 30));
  stranger = { keyFile: path.join(fed.dir, 'sconosciuto.key.pem'), certFile: path.join(fed.dir, 'sconosciuto.cert.pem') };
  writeFileSync(stranger.keyFile, c.keyPem, { mode: 0o600 });
  writeFileSync(stranger.certFile, c.certPem);
});

afterAll(async () => {
  await fed?.stop();
});

/**
 * The flood, from a process of its own (so that the test's own timings are not the flood's): for each client (no
 * certificate; the unregistered one), `count` POSTs 16 at a time, each sent as soon as the previous answer arrived,
 * without regard for Retry-After, over kept-alive connections or a new connection each; answers counted by status,
 * fault code and Retry-After; what is still unsent or unanswered after `windowMs` is dropped.
 */
const FLOOD = `
const https = require('node:https');
const fs = require('node:fs');
const [url, count, windowMs, keepAlive, ca, ...certs] = process.argv.slice(1);
const body = '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>';
const until = Date.now() + Number(windowMs);
function client(files) {
  const agent = new https.Agent({ keepAlive: keepAlive === 'true', maxSockets: 16, ca: fs.readFileSync(ca), ...(files && { key: fs.readFileSync(files.split(',')[0]), cert: fs.readFileSync(files.split(',')[1]) }) });
  const answers = {};
  let sent = 0;
  const one = () => new Promise((resolve) => {
    const req = https.request(url, { method: 'POST', agent, timeout: Math.max(1, until - Date.now()), headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const code = (/<com:Codice>([A-Z_]+)<\\/com:Codice>/.exec(text) || [])[1] || 'NESSUNO';
        const key = res.statusCode + ' ' + code + (res.headers['retry-after'] ? ' retry-after' : '');
        answers[key] = (answers[key] || 0) + 1;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end(body);
  });
  const loop = async () => { while (sent < Number(count) && Date.now() < until) { sent++; await one(); } };
  return Promise.all(Array.from({ length: 16 }, loop)).then(() => { agent.destroy(); return { sent, answers }; });
}
Promise.all([client(null), ...certs.map(client)]).then((r) => process.stdout.write(JSON.stringify(r)));
`;

interface FloodResult {
  sent: number;
  answers: Record<string, number>;
}

function flood(count: number, windowMs: number, keepAlive: boolean): Promise<FloodResult[]> {
  return run('node', ['-e', FLOOD, url, String(count), String(windowMs), String(keepAlive), caseSystem.caFile, `${stranger.keyFile},${stranger.certFile}`], { maxBuffer: 1 << 20 }).then((r) => JSON.parse(r.stdout));
}

/** The case system's calls over one kept-alive connection: each one signed beforehand, timed from send to answer. */
function legitimateCaller() {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, key: readFileSync(caseSystem.keyFile), cert: readFileSync(caseSystem.certFile), ca: readFileSync(caseSystem.caFile) });
  return {
    agent,
    call(envelope: string): Promise<{ status: number; ms: number }> {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = https.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(envelope) } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        });
        req.on('error', reject);
        req.end(envelope);
      });
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Aggregato {
  seq: string;
  indirizzo_ip: string;
  identita: string | null;
  codice_errore: string;
  riferimenti: { rifiutiAggregati?: { rifiuti: number; codici: Record<string, number>; dal: string; al: string; certificati: string[]; servizi: string[] } };
}

let protocollo = 0;

test.each([
  ['over kept-alive connections leaves a registered party its latency,', true],
  ['with a new connection for every call', false],
])('a flood without an identity %s is refused, adds one access record a minute, and is reported within a minute', async (_how, keepAlive) => {
  // Each flood in an alert window of its own (security.finestraRifiutiMinuti, 5 by default).
  fed.advanceClock(5 * 60_000);
  const domanda = await postRaw(url, rawEnvelope(OPERATORE, writePresentaDomanda(scenario('conforme').domanda(`INPS.FLOOD.000${++protocollo}`, new Date())).text), { tls: caseSystem, firma: true });
  expect(domanda.status).toBe(200);
  const idIstruttoria = (domanda.json.Envelope as any).Body.PresentaDomandaRisposta.IdIstruttoria as string;
  const stato = () => firmato(url, rawEnvelope(OPERATORE, writeStatoIstruttoria({ idIstruttoria }).text), caseSystem);
  const legit = legitimateCaller();
  try {
    // Idle first: the figure the calls during the flood are compared with.
    await legit.call(stato());
    const idle: number[] = [];
    for (const env of Array.from({ length: 30 }, stato)) {
      const r = await legit.call(env);
      expect(r.status).toBe(200);
      idle.push(r.ms);
    }
    // Signed beforehand: signing is the test's work, not the gateway's.
    const signed = Array.from({ length: 150 }, stato);
    const before = (await inps.query<{ seq: string }>('SELECT COALESCE(max(seq), 0) AS seq FROM registro_accessi')).rows[0]!.seq;
    const floodStart = fed.now();

    // Up to 1,500 calls of each client, for six seconds; the party's calls timed meanwhile.
    const pending = flood(1500, 6000, keepAlive);
    let done = false;
    void pending.finally(() => {
      done = true;
    });
    const duringFlood: number[] = [];
    while (!done && duringFlood.length < signed.length) {
      const r = await legit.call(signed[duringFlood.length]!);
      expect(r.status).toBe(200);
      duringFlood.push(r.ms);
    }
    const [senzaCertificato, conCertificato] = await pending;

    // RIFIUTI_RIPETUTI for the address, raised by the gateway itself within a minute of the flood's start.
    const allerta = await eventually(
      async () => (await inps.query<{ rilevata_il: Date; descrizione: string }>("SELECT rilevata_il, descrizione FROM allerta WHERE regola = 'RIFIUTI_RIPETUTI' AND soggetto_tipo = 'INDIRIZZO' AND soggetto = '127.0.0.1' AND rilevata_il >= $1", [floodStart])).rows[0],
      { what: 'RIFIUTI_RIPETUTI for 127.0.0.1', timeoutMs: 15_000 },
    );
    expect(allerta.rilevata_il.getTime() - floodStart.getTime()).toBeLessThan(60_000);
    expect(allerta.descrizione).toContain('senza identità');

    // Once the minute is over, one record for the address holds every call of the flood the gateway refused.
    fed.advanceClock(61_000);
    // (Once they hold all the calls the flood got an answer to: a minute may have ended during the flood.)
    const answered = [senzaCertificato!, conCertificato!].flatMap((r) => Object.values(r.answers)).reduce((a, b) => a + b, 0);
    const aggregati = await eventually(async () => {
      const { rows } = await inps.query<Aggregato>('SELECT seq, indirizzo_ip, identita, codice_errore, riferimenti FROM registro_accessi WHERE seq > $1 AND identita IS NULL ORDER BY seq', [before]);
      return rows.reduce((n, r) => n + (r.riferimenti.rifiutiAggregati?.rifiuti ?? 1), 0) >= answered ? rows : null;
    }, { what: 'the aggregated records of the flood', timeoutMs: 15_000 });
    // One record a minute for the address: each holds the refusals of one minute, no minute has two. How many minutes:
    // the flood's six seconds cross at most one minute's end, but a call its client had given up on can still be
    // refused after the clock moved on (a later minute, seen once in CI), and so can the previous flood's: at most one
    // record for each minute from the flood's start to now, besides the previous flood's late ones.
    const minuto = (at: string | Date) => Math.floor(new Date(at).getTime() / 60_000);
    const minuti = aggregati.map((r) => r.riferimenti.rifiutiAggregati!).map((a) => [minuto(a.dal), minuto(a.al)] as const);
    for (const [dal, al] of minuti) expect(al).toBe(dal);
    expect(new Set(minuti.map(([m]) => m)).size).toBe(aggregati.length);
    expect(minuti.filter(([m]) => m >= minuto(floodStart)).length).toBeLessThanOrEqual(minuto(fed.now()) - minuto(floodStart) + 1);

    // The registered party kept its pace while the flood ran over kept-alive connections (the previous code: 1.6 to 3.8
    // times slower). Not bounded for a new connection per call: each costs a TLS handshake (and the flood's own
    // process its CPU) before anything can tell who calls, which no limit per call avoids. From an address registered
    // for no party those connections are closed before the handshake while it is over its limit
    // (test/unit/soap-unidentified-gate.test.ts); this flood comes from 127.0.0.1, the parties' own address here.
    expect(duringFlood.length).toBeGreaterThanOrEqual(10);
    if (keepAlive) expect(median(duringFlood)).toBeLessThan(1.5 * median(idle));

    // Every answer a refusal: identification's own within the address's limits, TROPPE_RICHIESTE (429, Retry-After)
    // beyond them (and a kept-alive connection then held until Retry-After, so that flood could not send its calls).
    const answers: Record<string, number> = {};
    for (const r of [senzaCertificato!, conCertificato!]) for (const [k, n] of Object.entries(r.answers)) answers[k] = (answers[k] ?? 0) + n;
    for (const key of Object.keys(answers)) expect(['403 CERTIFICATO_ASSENTE', '403 PARTE_NON_RICONOSCIUTA', '429 TROPPE_RICHIESTE retry-after']).toContain(key);
    expect(answers['429 TROPPE_RICHIESTE retry-after']).toBeGreaterThan(0);
    if (keepAlive) expect(senzaCertificato!.sent + conCertificato!.sent).toBeLessThan(1000);

    const codici: Record<string, number> = {};
    for (const r of aggregati) {
      expect(r).toMatchObject({ indirizzo_ip: '127.0.0.1', identita: null });
      for (const [c, n] of Object.entries(r.riferimenti.rifiutiAggregati!.codici)) codici[c] = (codici[c] ?? 0) + n;
    }
    const refused = Object.values(codici).reduce((a, b) => a + b, 0);
    expect(refused).toBeGreaterThanOrEqual(answered);
    expect(refused).toBeLessThanOrEqual(senzaCertificato!.sent + conCertificato!.sent);
    expect(Object.keys(codici)).toContain('TROPPE_RICHIESTE');
    expect(aggregati.flatMap((r) => r.riferimenti.rifiutiAggregati!.certificati).join(' ')).toContain('sconosciuto.ape-precoci.local');
    // Besides them, only the party's own calls were traced: one record each.
    const altri = await inps.query<{ n: number }>('SELECT count(*)::int AS n FROM registro_accessi WHERE seq > $1 AND identita IS NOT NULL', [before]);
    expect(altri.rows[0]!.n).toBe(duringFlood.length);
    expect(await verificaRegistro(inps, 'registro_accessi')).toMatchObject({ integro: true });
  } finally {
    legit.agent.destroy();
  }
});

test("an identified party's refusal is still its own record, written before the answer", async () => {
  const r = await postRaw(url, rawEnvelope(OPERATORE, writePresentaDomanda(scenario('conforme').domanda('INPS.FLOOD.0099', new Date())).text), { tls: fed.tlsOf('ANPAL') });
  expect(r.fault?.code).toBe('PARTE_NON_AUTORIZZATA');
  const last = (await inps.query('SELECT identita, codice_errore, riferimenti FROM registro_accessi ORDER BY seq DESC LIMIT 1')).rows[0];
  expect(last).toMatchObject({ identita: 'ANPAL', codice_errore: 'PARTE_NON_AUTORIZZATA', riferimenti: {} });
});

test('at shutdown the refusals counted in the current minute are written', async () => {
  const before = (await inps.query<{ seq: string }>('SELECT COALESCE(max(seq), 0) AS seq FROM registro_accessi')).rows[0]!.seq;
  const from = fed.now();
  for (let i = 0; i < 3; i++) {
    const r = await postRaw(url, rawEnvelope(OPERATORE, '<x/>'), { tls: { caFile: caseSystem.caFile } });
    expect(r.fault?.code).toMatch(/^(CERTIFICATO_ASSENTE|TROPPE_RICHIESTE)$/);
  }
  expect((await inps.query('SELECT 1 FROM registro_accessi WHERE seq > $1', [before])).rowCount).toBe(0);
  await fed.stopProcess('inps-gateway');
  const { rows } = await inps.query<Aggregato>('SELECT seq, indirizzo_ip, identita, codice_errore, riferimenti FROM registro_accessi WHERE seq > $1', [before]);
  const recenti = rows.filter((r) => r.riferimenti.rifiutiAggregati && new Date(r.riferimenti.rifiutiAggregati.al) >= from);
  expect(recenti).toHaveLength(1);
  expect(recenti[0]!.riferimenti.rifiutiAggregati!.rifiuti).toBeGreaterThanOrEqual(3);
});
