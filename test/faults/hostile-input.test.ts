import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Pool } from 'pg';
import { writePresentaDomanda } from '../../shared/messages/istruttoria';
import { PROJECT_ROOT } from '../../shared/paths';
import { scenario } from '../../infra/demo/dataset';
import { TestFederation } from '../support/federation';
import { CaseFactory, CATEGORIES, STATUS_OF, type Category, type HostileCase } from '../support/hostile';
import { loadTls, sendHostile, type HostileResponse, type HostileTls } from '../support/hostile-http';
import { Prng } from '../support/prng';
import { firmato, OPERATORE, postRaw, rawEnvelope, type RawTls } from '../support/raw-soap';

/**
 * Hostile input, fuzz style: well over a thousand generated bad messages (XXE, entity expansion, oversize and
 * deeply nested bodies, malformed XML, wrong content types and methods, schema-invalid, incoherent and
 * unknown payloads, bad Operatore headers) against the INPS gateway's istruttoria endpoint, with only the
 * gateway running. Each must get a SOAP 1.1 Fault (read with fast-xml-parser) with soap:Client, a code
 * of its category, a reason and the category's HTTP status; afterwards nothing is stored, the same gateway
 * process is alive, its memory has not run away, no file leaked and no URL named in the input was
 * fetched, and a good domanda is still accepted.
 *
 * Reproducible: HOSTILE_SEED=<n> replays a run (the seed is printed on failure); the report of every run,
 * with the counts and the slowest answer per category, is written to test-artifacts/hostile-input/.
 *
 * Timed (the attribute bombs' fairness bound is a latency), so it runs in the serial suite (jest.faults.config.js),
 * alone on the machine: beside another test file's federation on the same two cores, the extra latency measured was
 * that load's (+33 to +66 ms in CI runs, +114 ms once, against +62 ms alone), not the gateway's.
 */

const SEED = process.env.HOSTILE_SEED !== undefined ? Number(process.env.HOSTILE_SEED) >>> 0 : 20261123;
const CONCURRENCY = 16;
const MEMORY_BOUND_MB = 200;

/** How many cases each category contributes (1,360 in all). */
const PER_CATEGORY: Record<Category, number> = {
  xxe: 130,
  'entity-expansion': 90,
  oversize: 50,
  'deep-nesting': 60,
  complexity: 60,
  malformed: 260,
  'content-type': 60,
  'schema-invalid': 260,
  'codice-fiscale': 40,
  incoherent: 40,
  'extreme-dates': 30,
  'unknown-operation': 120,
  method: 60,
  operatore: 100,
};

interface Outcome {
  c: HostileCase;
  expect: readonly string[];
  res: HostileResponse;
  problems: string[];
}

let fed: TestFederation;
let inps: Pool;
let url: string;
let tls: HostileTls;
let rawTls: RawTls;
let gatewayPid: number;
let gatewayExited = false;
let canary: net.Server;
const canaryHits: string[] = [];
let rssInitialKb = 0;
let rssBeforeKb = 0;
let outcomes: Outcome[] = [];
const artifacts = path.join(PROJECT_ROOT, 'test-artifacts', 'hostile-input');

const domanda = (protocollo: string) => writePresentaDomanda(scenario('conforme').domanda(protocollo, new Date(Date.now() - 60_000))).text;

function memoryKb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

async function storedCounts(): Promise<{ d: number; i: number; p: number; o: number; e: number }> {
  const r = await inps.query<{ d: number; i: number; p: number; o: number; e: number }>(
    `SELECT (SELECT count(*) FROM domanda)::int AS d, (SELECT count(*) FROM istruttoria)::int AS i, (SELECT count(*) FROM pacchetto)::int AS p,
            (SELECT count(*) FROM outbox)::int AS o, (SELECT count(*) FROM evento)::int AS e`,
  );
  return r.rows[0]!;
}

function judge(expect: readonly string[], res: HostileResponse): string[] {
  const problems: string[] = [];
  if (res.body.includes('root:')) problems.push('the answer contains "root:" (content of /etc/passwd?)');
  if (res.error !== null) {
    problems.push(`no answer: ${res.error}${res.status !== null ? ` (HTTP ${res.status})` : ''}`);
    return problems;
  }
  const f = res.fault;
  if (!f) {
    problems.push(`no SOAP Fault: HTTP ${res.status}, ${JSON.stringify(res.body.slice(0, 160))}`);
    return problems;
  }
  if (!expect.includes(f.codice)) problems.push(`code ${f.codice || '(none)'} not in [${expect.join(', ')}]: ${f.descrizione.slice(0, 200)}`);
  if (f.faultcode !== 'soap:Client') problems.push(`faultcode ${f.faultcode || '(none)'}`);
  if (f.descrizione.trim() === '') problems.push('empty Descrizione');
  if (f.ritentabile !== 'false') problems.push(`Ritentabile ${f.ritentabile || '(none)'}`);
  const statusOf = STATUS_OF as Record<string, number>;
  const wanted = expect.includes(f.codice) ? [statusOf[f.codice]] : [...new Set(expect.map((e) => statusOf[e]))];
  if (!wanted.includes(res.status ?? -1)) problems.push(`HTTP ${res.status}, expected ${wanted.join(' or ')}`);
  return problems;
}

async function runAll(cases: readonly HostileCase[]): Promise<Outcome[]> {
  const out: Outcome[] = new Array<Outcome>(cases.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const c = cases[i];
      if (!c) return;
      const built = c.build();
      const res = await sendHostile(url, tls, built.request);
      out[i] = { c, expect: built.expect, res, problems: judge(built.expect, res) };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

/** Cases in a seeded, interleaved order, so that categories run concurrently with each other. */
function generate(factory: CaseFactory, rng: Prng): HostileCase[] {
  const make: Record<Category, () => HostileCase> = {
    xxe: () => factory.xxe(),
    'entity-expansion': () => factory.entityExpansion(),
    oversize: () => factory.oversize(),
    'deep-nesting': () => factory.deepNesting(),
    complexity: () => factory.complexity(),
    malformed: () => factory.malformed(),
    'content-type': () => factory.contentType(),
    'schema-invalid': () => factory.schemaInvalid(),
    'codice-fiscale': () => factory.codiceFiscale(),
    incoherent: () => factory.incoherent(),
    'extreme-dates': () => factory.extremeDates(),
    'unknown-operation': () => factory.unknownOperation(),
    method: () => factory.method(),
    operatore: () => factory.operatore(),
  };
  const cases: HostileCase[] = [];
  for (const cat of CATEGORIES) for (let i = 0; i < PER_CATEGORY[cat]; i++) cases.push(make[cat]());
  for (let i = cases.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases;
}

const answerOf = (o: Outcome) => o.res.fault?.codice ?? (o.res.error ? 'NO_ANSWER' : `HTTP_${o.res.status}`);

function summary(results: readonly Outcome[]) {
  const byCategory = CATEGORIES.map((category) => {
    const rs = results.filter((o) => o.c.category === category);
    const slowest = rs.reduce<Outcome | null>((a, o) => (a === null || o.res.ms > a.res.ms ? o : a), null);
    return {
      category,
      count: rs.length,
      failed: rs.filter((o) => o.problems.length > 0).length,
      meanMs: rs.length ? Math.round(rs.reduce((s, o) => s + o.res.ms, 0) / rs.length) : 0,
      slowestMs: slowest ? Math.round(slowest.res.ms) : 0,
      slowest: slowest ? `#${slowest.c.id} ${slowest.c.label} (${slowest.c.repro.slice(0, 80)})` : '',
    };
  });
  const codes: Record<string, number> = {};
  const byLabel: Record<string, Record<string, number>> = {};
  for (const o of results) {
    const k = answerOf(o);
    codes[k] = (codes[k] ?? 0) + 1;
    const l = (byLabel[o.c.label] ??= {});
    l[k] = (l[k] ?? 0) + 1;
  }
  return { byCategory, codes, byLabel };
}

/** Anomalies grouped by variant and by what went wrong, each group with its first case as a reproducer. */
function grouped(results: readonly Outcome[]): string[] {
  const kindOf = (p: string) => p.replace(/: .*$/s, '').replace(/\d{3,}/g, 'N');
  const groups = new Map<string, Outcome[]>();
  for (const o of results) {
    if (o.problems.length === 0) continue;
    const key = `${o.c.category} / ${o.c.label} / ${o.problems.map(kindOf).join(' + ')}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.entries()].map(([key, all]) => {
    const o = all[0]!;
    return `${key} x${all.length} - e.g. case #${o.c.id}: ${o.c.repro} => ${o.problems.map((p) => p.slice(0, 220)).join('; ')}`;
  });
}

function writeArtifacts(results: readonly Outcome[], extra: Record<string, unknown>): string {
  mkdirSync(path.join(artifacts, 'anomalies'), { recursive: true });
  let saved = 0;
  for (const o of results) {
    if (o.problems.length === 0 || saved >= 200) continue;
    const built = o.c.build();
    const body = built.request.body;
    const bytes = body === undefined ? Buffer.alloc(0) : Array.isArray(body) ? Buffer.concat(body as Buffer[]) : Buffer.isBuffer(body) ? body : Buffer.from(body as string, 'utf8');
    const base = path.join(artifacts, 'anomalies', `case-${o.c.id}`);
    writeFileSync(
      `${base}.json`,
      JSON.stringify(
        {
          seed: SEED, id: o.c.id, category: o.c.category, label: o.c.label, repro: o.c.repro, method: built.request.method, path: built.request.path,
          headers: built.request.headers, chunked: Array.isArray(body), bodyBytes: bytes.length, expect: built.expect, status: o.res.status,
          fault: o.res.fault, error: o.res.error, problems: o.problems, answer: o.res.body.slice(0, 2000),
        },
        null,
        2,
      ),
    );
    if (bytes.length <= 64 * 1024) writeFileSync(`${base}.body`, bytes);
    saved++;
  }
  const file = path.join(artifacts, 'report.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        seed: SEED,
        total: results.length,
        ...summary(results),
        ...extra,
        anomalies: results
          .filter((o) => o.problems.length > 0)
          .map((o) => ({ id: o.c.id, category: o.c.category, label: o.c.label, repro: o.c.repro, status: o.res.status, code: o.res.fault?.codice, problems: o.problems })),
      },
      null,
      2,
    ),
  );
  return file;
}

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'hostile-input',
    processes: ['inps-gateway'],
    // The fuzz targets the intake (transport, parser, schema, domain checks), which runs before and after the
    // signature check alike; unsigned messages let every mutation reach the checks it is aimed at. Signatures
    // have their own tests (security-audit, wssecurity, interop-wssecurity).
    mutaConfig: (json) => {
      json.identities.INPS_ISTRUTTORIA.sicurezzaMessaggio = 'nessuna';
    },
  });
  inps = fed.pool('inps');
  url = fed.url('istruttoria');
  const files = fed.tlsOf('INPS_ISTRUTTORIA');
  tls = loadTls(files);
  rawTls = files;
  const gw = fed.procs.get('inps-gateway')!;
  gatewayPid = gw.child.pid!;
  void gw.exited.then(() => {
    gatewayExited = true;
  });
  canary = net.createServer((socket) => {
    canaryHits.push(`${socket.remoteAddress}:${socket.remotePort}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  rssInitialKb = memoryKb(gatewayPid).rss;
  // One refused message first: the contracts' schemas are compiled on first use and belong to the baseline.
  const warm = await sendHostile(url, tls, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: rawEnvelope(OPERATORE, '<ist:PresentaDomanda/>') });
  expect(warm.fault?.codice).toBe('SCHEMA_NON_VALIDO');
  rssBeforeKb = memoryKb(gatewayPid).rss;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (canary ? canary.close(() => resolve()) : resolve()));
  await fed?.stop();
});

describe(`hostile input storm (seed ${SEED})`, () => {
  test('every hostile message gets a SOAP Fault with soap:Client, a code of its category, a reason and the right HTTP status', async () => {
    const rng = new Prng(SEED);
    const factory = new CaseFactory({
      rng,
      maxBodyBytes: fed.config.soap.maxBodyBytes,
      canaryUrl: `http://127.0.0.1:${(canary.address() as net.AddressInfo).port}`,
      presentazione: new Date(Date.now() - 60_000),
    });
    const cases = generate(factory, rng);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const started = Date.now();
    outcomes = await runAll(cases);
    const wallMs = Date.now() - started;
    const s = summary(outcomes);
    const after = memoryKb(gatewayPid);
    const file = writeArtifacts(outcomes, {
      wallMs,
      concurrency: CONCURRENCY,
      memoryKb: { initial: rssInitialKb, afterWarmUp: rssBeforeKb, afterStorm: after.rss, peak: after.hwm },
      canaryHits: canaryHits.length,
    });
    console.log(
      [
        `hostile input: seed ${SEED}, ${outcomes.length} messages in ${wallMs} ms (${CONCURRENCY} in flight); report ${path.relative(PROJECT_ROOT, file)}`,
        'category            count failed  mean ms  slowest ms  slowest case',
        ...s.byCategory.map((c) => `${c.category.padEnd(19)} ${String(c.count).padStart(5)} ${String(c.failed).padStart(6)} ${String(c.meanMs).padStart(8)} ${String(c.slowestMs).padStart(11)}  ${c.slowest}`),
        `answers by code: ${Object.entries(s.codes).map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `gateway VmRSS: ${Math.round(rssInitialKb / 1024)} MB at start, ${Math.round(rssBeforeKb / 1024)} MB after warm-up, ${Math.round(after.rss / 1024)} MB after the storm (peak ${Math.round(after.hwm / 1024)} MB)`,
      ].join('\n'),
    );
    const anomalies = grouped(outcomes);
    expect(anomalies.length === 0 ? [] : [`seed ${SEED} (replay with HOSTILE_SEED=${SEED}); every case in ${path.relative(PROJECT_ROOT, file)}`, ...anomalies]).toEqual([]);
  }, 900_000);

  test('no answer leaks a local file and no URL named in the input was fetched', () => {
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.res.body.includes('root:')).map((o) => `#${o.c.id} ${o.c.repro}`)).toEqual([]);
    expect(canaryHits).toEqual([]);
  });

  test('nothing was stored', async () => {
    const counts = await storedCounts();
    const r = await inps.query<{ protocollo: string; operatore_id: string }>('SELECT protocollo, operatore_id FROM domanda ORDER BY protocollo');
    const byProtocollo = new Map(outcomes.map((o) => [`INPS.FZ.${String(o.c.id).padStart(6, '0')}`, o]));
    const stored = r.rows.map((row) => {
      const o = byProtocollo.get(row.protocollo);
      return `${row.protocollo} (operatore ${row.operatore_id}) from case #${o?.c.id} ${o?.c.label}: ${o?.c.repro}`;
    });
    expect({ seed: SEED, counts, stored }).toEqual({ seed: SEED, counts: { d: 0, i: 0, p: 0, o: 0, e: 0 }, stored: [] });
  });

  test('the same gateway process is still alive', () => {
    expect(gatewayExited).toBe(false);
    const gw = fed.procs.get('inps-gateway')!;
    expect(gw.child.pid).toBe(gatewayPid);
    expect(gw.child.exitCode).toBeNull();
    expect(gw.child.signalCode).toBeNull();
    expect(() => process.kill(gatewayPid, 0)).not.toThrow();
  });

  test(`the gateway's memory did not run away (VmRSS within +${MEMORY_BOUND_MB} MB of the warm-up)`, () => {
    const { rss, hwm } = memoryKb(gatewayPid);
    console.log(`gateway VmRSS ${Math.round(rssBeforeKb / 1024)} MB -> ${Math.round(rss / 1024)} MB (+${Math.round((rss - rssBeforeKb) / 1024)} MB), peak ${Math.round(hwm / 1024)} MB`);
    expect((rss - rssBeforeKb) / 1024).toBeLessThan(MEMORY_BOUND_MB);
  });

  test('a good domanda is accepted right after the storm', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domanda('INPS.FZ.BUONA.0001')), { tls: rawTls });
    expect(r.fault).toBeNull();
    expect(r.status).toBe(200);
    const stored = await inps.query("SELECT count(*)::int AS n FROM domanda WHERE protocollo = 'INPS.FZ.BUONA.0001'");
    expect(stored.rows[0].n).toBe(1);
  });
});

describe('minimal reproductions of what a storm can find', () => {
  // Each runs after the storm's checks, so what it stores (if anything) does not blur them.
  const send = (body: string) => postRaw(url, body, { tls: rawTls });
  const rows = (like: string) =>
    inps.query<{ protocollo: string; cognome: string; operatore_id: string }>('SELECT protocollo, cognome, operatore_id FROM domanda WHERE protocollo LIKE $1 ORDER BY protocollo', [like]);

  test('a NUL byte after a valid envelope does not get an ill-formed message accepted', async () => {
    // libxml2 is handed the body as a C string and checks only what precedes the NUL.
    const r = await send(`${rawEnvelope(OPERATORE, domanda('INPS.FZ.NUL.0001'))}\u0000`);
    expect(r.fault?.code).toBe('XML_MALFORMATO');
    expect((await rows('INPS.FZ.NUL.%')).rows).toEqual([]);
  });

  test('character references are read as the characters the schema validated (same domanda, same receipt)', async () => {
    const plain = domanda('INPS.FZ.RIF.0001').replace('<ist:Cognome>Rossi<', '<ist:Cognome>Rossì<');
    const escaped = plain.replace('<ist:ProtocolloDomanda>INPS.FZ.RIF.0001<', '<ist:ProtocolloDomanda>INPS.FZ.RIF&#46;0001<').replace('Rossì', 'Ross&#236;');
    const first = await send(rawEnvelope(OPERATORE, plain));
    const again = await send(rawEnvelope(OPERATORE, escaped));
    expect(first.fault).toBeNull();
    expect(again.fault).toBeNull();
    const id = (x: typeof first) => /"IdIstruttoria":"([^"]+)"/.exec(JSON.stringify(x.json))?.[1];
    expect(id(first)).toBeDefined();
    expect(id(again)).toBe(id(first));
    expect((await rows('INPS.FZ.RIF%')).rows.map((x) => ({ protocollo: x.protocollo, cognome: x.cognome }))).toEqual([{ protocollo: 'INPS.FZ.RIF.0001', cognome: 'Rossì' }]);
  });

  test('a date the XSD accepts but no domanda can carry gets a Client fault, not ERRORE_INTERNO', async () => {
    const r = await send(rawEnvelope(OPERATORE, domanda('INPS.FZ.ANNO.0001').replace(/<ist:DataDecorrenza>[^<]*</, '<ist:DataDecorrenza>12027-01-01<')));
    expect(r.fault?.faultcode).toBe('soap:Client');
    expect(['DATI_INCOERENTI', 'SCHEMA_NON_VALIDO']).toContain(r.fault?.code);
  });

  test("six attribute bombs at once from one party delay neither /health nor another party's call by more than 100 ms", async () => {
    // The security review's envelope: 30,000 attributes on one element (246 KB here). Parsed, it cost 1.7 s of
    // synchronous work each; six at once stalled everything else for seconds. Now the scan refuses it at once.
    const attrs = Array.from({ length: 30_000 }, (_, i) => ` x${i.toString(36)}=""`).join('');
    const bomb = rawEnvelope(OPERATORE, domanda('INPS.FZ.BOMBA.0001').replace('<ist:Cognome>', `<ist:Cognome${attrs}>`));
    expect(Buffer.byteLength(bomb)).toBeLessThan(fed.config.soap.maxBodyBytes);
    const health = `${fed.opsUrl('inps-gateway')}/health`;
    const anpal = fed.tlsOf('ANPAL');
    const notifica = () =>
      rawEnvelope(
        `${OPERATORE}<com:X-Correlation-ID>corr-equita-1</com:X-Correlation-ID>`,
        `<esi:NotificaEsito><esi:IdPacchetto>00000000-0000-4000-8000-000000000000</esi:IdPacchetto><esi:Ente>ANPAL</esi:Ente><esi:DataEsito>${new Date().toISOString()}</esi:DataEsito>` +
          '<esi:EsitiDato><esi:EsitoDato><esi:Riferimento>1</esi:Riferimento><esi:Dato>CCNL</esi:Dato><esi:Esito>CONFORME</esi:Esito></esi:EsitoDato></esi:EsitiDato></esi:NotificaEsito>',
      );
    const timed = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    // Another party's call that goes through the whole intake (signature included) and its handler; signed
    // beforehand, so that the test's own signing is not measured.
    const ROUNDS = 9;
    const signed = Array.from({ length: 2 * ROUNDS }, () => firmato(fed.url('esiti'), notifica(), anpal));
    const call = () => timed(() => postRaw(fed.url('esiti'), signed.pop()!, { tls: anpal }));
    const ping = () => timed(() => fetch(health));
    // Rounds without and with the bombs alternate, so that whatever else loads the machine weighs on both alike.
    const base = { health: [] as number[], call: [] as number[] };
    const under = { health: [] as number[], call: [] as number[] };
    const codes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      base.health.push(await ping());
      base.call.push(await call());
      const bombs = Array.from({ length: 6 }, () => postRaw(url, bomb, { tls: rawTls }));
      const [h, c] = await Promise.all([ping(), call()]);
      under.health.push(h);
      under.call.push(c);
      for (const r of await Promise.all(bombs)) codes.add(r.fault?.code ?? `HTTP ${r.status}`);
    }
    console.log(`latency (ms) without and with six attribute bombs in flight: /health ${JSON.stringify(base.health.map(Math.round))} -> ${JSON.stringify(under.health.map(Math.round))}, ANPAL's call ${JSON.stringify(base.call.map(Math.round))} -> ${JSON.stringify(under.call.map(Math.round))}`);
    expect([...codes]).toEqual(['XML_TROPPO_COMPLESSO']);
    // The event loop (/health): its slowest answer under attack against its slowest without, within 100 ms; the
    // other party's call, whole intake and handler, its median within 100 ms too (measured here: 20 to 50 ms more on a loaded machine,
    // most of it this process encrypting the bombs' 1.5 MB a round on the same two cores; the parse the bombs used to
    // cost was 6 x 1.7 s).
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    expect(Math.max(...under.health) - Math.max(...base.health)).toBeLessThanOrEqual(100);
    expect(median(under.call) - median(base.call)).toBeLessThanOrEqual(100);
  });

  test('a call naming two different operators is refused (one identifier per call, traceable afterwards)', async () => {
    const altro = OPERATORE.replace('INPS-OP-TEST', 'INPS-OP-ALTRO');
    const r = await send(rawEnvelope(OPERATORE + altro, domanda('INPS.FZ.DUEOP.0001')));
    expect(r.fault?.faultcode).toBe('soap:Client');
    expect((await rows('INPS.FZ.DUEOP.%')).rows).toEqual([]);
  });
});
