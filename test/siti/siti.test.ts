import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { promisify } from 'node:util';
import type { EventoLauncher } from '../../infra/local/launcher';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, envelope, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito } from '../../shared/messages/esiti';
import { writeVerificaPacchetto } from '../../shared/messages/pacchetto';
import { firmaOrigine } from '../../shared/verifica-pacchetto/origine';
import { PROJECT_ROOT } from '../../shared/paths';
import { identityOf, nomeFileIdentita } from '../../shared/config/load';
import { addressOf, inpsEsitiUrl } from '../../shared/config/addresses';
import { competenzaInail, rapportoPer } from '../../shared/domain/competenza';
import { scenario } from '../../infra/demo/dataset';
import { SistemaIstruttorio } from '../../infra/clients/sistema-istruttorio';
import { IP, type Parte } from '../../infra/siti/rete';
import { Siti } from '../../infra/siti/siti';
import { eventually } from '../support/eventually';
import { attendiConclusione, nonConcluse, presenta, violazioni, type Presentata } from './verifica-siti';

/**
 * test:siti: the federation on five hosts, Linux network namespaces joined by a bridge, each party's processes,
 * PostgreSQL and RabbitMQ on its own host; SOAP crosses the hosts over mutual TLS. Needs root and iproute2: without
 * them it fails saying so (it is CI's job to run it as root, not to skip it).
 */
const run = promisify(execFile);
const tempi: Array<[string, number]> = [];
const eventi: EventoLauncher[] = [];
let siti: Siti;
let dir: string;
let caseSystem: SistemaIstruttorio;

function perche(): string | null {
  if (process.getuid?.() !== 0) return 'test:siti needs root (network namespaces, veth links, PostgreSQL run as user postgres): run it as root';
  if (!existsSync(IP)) return `test:siti needs iproute2 (${IP}): apt-get install iproute2`;
  try {
    execFileSync(IP, ['netns', 'list']);
  } catch (err) {
    return `test:siti cannot list network namespaces: ${(err as Error).message}`;
  }
  return null;
}

async function passo<T>(nome: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await f();
  tempi.push([nome, Date.now() - t0]);
  return r;
}

beforeAll(async () => {
  const motivo = perche();
  if (motivo) throw new Error(motivo);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ape-siti-'));
  siti = await Siti.avvia({ dir, tempo: (p, ms) => tempi.push([p, ms]), evento: (e) => eventi.push(e) });
  const c = siti.config.INPS;
  const id = identityOf(c, 'INPS_ISTRUTTORIA');
  caseSystem = await SistemaIstruttorio.connect(addressOf(c, 'INPS', 'istruttoria').url, { keyFile: id.keyFile, certFile: id.certFile, caFile: c.pki.caCertFile }, { id: 'INPS-OP-SITI-0001', ufficio: 'INPS - sede di prova' });
});

afterAll(async () => {
  await siti?.ferma();
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`test:siti timings\n${tempi.map(([p, ms]) => `  ${p}: ${(ms / 1000).toFixed(1)} s`).join('\n')}`);
});

test('domande flow end to end across the five hosts, every outcome as expected', async () => {
  const chiavi = ['conforme', 'non-conforme', 'non-verificabile', 'tasso-inail', 'turni-inl', 'domestico-e-asilo', 'tre-datori-ispezione', 'conforme', 'tasso-inail', 'turni-inl'];
  const presentate = await passo('a. 10 domande end to end', async () => {
    const p = await presenta(caseSystem, 'SITI.A', chiavi);
    await attendiConclusione(siti, p);
    return p;
  });
  expect(await violazioni(siti, presentate)).toEqual([]);
});

interface Risposta {
  status: number;
  codice: string | null;
  retryAfter: string | null;
}

/** One raw call made on a party's host (test/siti/in-sito/chiama.ts), signed as the identity, from a source address. */
async function chiamaDa(parte: Parte, identita: string, url: string, soapAction: string, body: string, localAddress: string): Promise<Risposta> {
  const c = siti.config[parte];
  const id = identityOf(c, identita);
  const chiamata = { url, tls: { keyFile: id.keyFile, certFile: id.certFile, caFile: c.pki.caCertFile }, localAddress, soapAction, body };
  const [cmd, ...args] = [...siti.rete.comando(parte), process.execPath, path.join(PROJECT_ROOT, 'dist', 'test', 'siti', 'in-sito', 'chiama.js'), JSON.stringify(chiamata)];
  const { stdout } = await run(cmd!, args, { timeout: 30_000 });
  return JSON.parse(stdout) as Risposta;
}

/** Whether something on another host accepts a TCP connection at address:port (from the root namespace). */
function accetta(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 3000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

test("each party's PostgreSQL and RabbitMQ (AMQP, distribution, epmd) answer only on its own host, its keys are only on its host, its SOAP endpoint on its address", async () => {
  await passo('databases and brokers reachable only from their host', async () => {
    for (const h of Object.values(siti.rete.hosts)) {
      for (const port of [5432, 5672, 25672, 4369]) expect([h.parte, port, await accetta(h.indirizzo, port)]).toEqual([h.parte, port, false]);
    }
    // Each host holds its own party's keys only.
    for (const parte of Object.keys(siti.configFile) as Parte[]) {
      const chiavi = readdirSync(path.join(path.dirname(siti.configFile[parte]), 'pki')).filter((f) => f.endsWith('.key.pem'));
      const proprie = Object.values(siti.config[parte].identities).filter((i) => i.ente === parte).map((i) => `${nomeFileIdentita(i.code)}.key.pem`);
      expect([parte, chiavi.sort()]).toEqual([parte, proprie.sort()]);
    }
    expect(await accetta(siti.rete.hosts.INAIL.indirizzo, Number(new URL(siti.config.INAIL.services.agencies.INAIL!.publicUrl).port))).toBe(true);
  });
});

/** A NotificaEsito as INAIL, to INPS's esiti endpoint, from the given address of INAIL's host. */
async function esitoDaInail(localAddress: string): Promise<Risposta> {
  const body = envelope(
    [operatoreHeader({ id: 'SYS-INAIL-VERIFICA', ufficio: 'INAIL - prova' }), correlationHeader(randomUUID())],
    writeNotificaEsito({ idPacchetto: randomUUID(), ente: 'INAIL', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'VOCE_TARIFFA', esito: 'CONFORME' }] }),
  );
  return chiamaDa('INAIL', 'INAIL', addressOf(siti.config.INAIL, 'INPS', 'esiti').url, OPERATIONS.NotificaEsito.soapAction, body, localAddress);
}

/** A packet as the hub forwards it (INPS's origin signature inside), sent from the Ministero's host to INAIL's endpoint. */
/**
 * A whole packet as the hub forwards it, minimised for INAIL and with INPS's esiti endpoint as X-ReplyTo: every check
 * of INAIL's handler passes, so what it answers is about its database.
 */
async function pacchettoDalHub(): Promise<Risposta> {
  const c = siti.config.MINLAVORO;
  // INPS's origin signature, made with INPS's key from INPS's own files: the Ministero's host holds no key of INPS.
  const inps = identityOf(siti.config.INPS, 'INPS');
  const domanda = scenario('conforme').domanda('INPS.SITI.D.99999', new Date());
  const contenuto = {
    idPacchetto: randomUUID(),
    idIstruttoria: randomUUID(),
    protocolloDomanda: domanda.protocollo,
    tipoDomanda: domanda.tipo,
    destinatario: 'INAIL' as const,
    dataInvio: new Date(),
    lavoratore: { codiceFiscale: domanda.richiedente.codiceFiscale },
    rapporti: domanda.attestazioni.filter(competenzaInail).map((a) => rapportoPer('INAIL', a)),
  };
  expect(contenuto.rapporti.length).toBeGreaterThan(0);
  const payload = firmaOrigine(writeVerificaPacchetto(contenuto), { keyPem: readFileSync(inps.keyFile, 'utf8'), certPem: readFileSync(inps.certFile, 'utf8') });
  const headers = [operatoreHeader({ id: 'SYS-HUB', ufficio: 'Ministero - prova' }), correlationHeader(randomUUID()), replyToHeader(inpsEsitiUrl(siti.config.INAIL))];
  const body = envelope(headers, payload);
  return chiamaDa('MINLAVORO', 'HUB', addressOf(c, 'INAIL', 'verifica').url, OPERATIONS.VerificaPacchetto.soapAction, body, siti.rete.hosts.MINLAVORO.indirizzo);
}

test("a party calling from an address outside its allow-list is refused; from its own address it gets past it", async () => {
  await passo('b. allow-list from a second address', async () => {
    const estraneo = await esitoDaInail(siti.rete.indirizzoEstraneo);
    expect(estraneo).toMatchObject({ status: 403, codice: 'PARTE_NON_AUTORIZZATA' });
    const proprio = await esitoDaInail(siti.rete.hosts.INAIL.indirizzo);
    // Past the allow-list and the signature: refused only for what it says (a packet INPS never sent).
    expect(proprio.codice).not.toBe('PARTE_NON_AUTORIZZATA');
    expect(proprio.codice).not.toBeNull();
  });
});

test('kill -9 of the INPS dispatcher under the launcher on its host: back within seconds, nothing lost', async () => {
  await passo('e. kill -9 under the launcher', async () => {
    const prima = siti.launcher.processo('inps-dispatcher')!;
    const presentate = await presenta(caseSystem, 'SITI.E', ['conforme', 'turni-inl', 'tasso-inail']);
    prima.child.kill('SIGKILL');
    const t0 = Date.now();
    await eventually(async () => eventi.some((e) => e.tipo === 'riavviato' && e.nome === 'inps-dispatcher'), { timeoutMs: 15_000, what: 'the dispatcher restarted by the launcher' });
    const ripartitoMs = Date.now() - t0;
    console.log(`inps-dispatcher back after ${ripartitoMs} ms`);
    expect(ripartitoMs).toBeLessThan(10_000);
    expect(siti.launcher.processo('inps-dispatcher')).not.toBe(prima);
    presentate.push(...(await presenta(caseSystem, 'SITI.E2', ['non-conforme', 'conforme'])));
    await attendiConclusione(siti, presentate);
    expect(await violazioni(siti, presentate)).toEqual([]);
  });
});

/** Domande that need INAIL (a packet to INAIL each) and domande that do not (turni-inl: INL and the others only). */
const CON_INAIL = ['conforme', 'tasso-inail', 'non-conforme'];
const SENZA_INAIL = ['turni-inl', 'turni-inl'];

test("the link between the hub and INAIL cut for 20 s, then restored: the hub retries, every domanda closes, nothing lost or doubled", async () => {
  await passo('c. INAIL cut off for 20 s', async () => {
    const hubRighe = siti.logs.get('minlavoro-hub')!;
    const giaViste = hubRighe.length;
    await siti.rete.taglia('INAIL');
    const tagliato = Date.now();
    let presentate: Presentata[] = [];
    try {
      presentate = await presenta(caseSystem, 'SITI.C', [...CON_INAIL, ...SENZA_INAIL]);
      // While the link is down, the others' domande close; INAIL's stay open.
      const senza = presentate.filter((p) => !CON_INAIL.includes(p.scenario.chiave));
      await attendiConclusione(siti, senza, 20_000);
      // The cut lasts 20 s whatever the hub does meanwhile: that is the outage being simulated.
      await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - tagliato))));
      expect((await nonConcluse(siti, presentate)).length).toBe(CON_INAIL.length);
    } finally {
      await siti.rete.ripristina('INAIL');
    }
    await attendiConclusione(siti, presentate, 90_000);
    expect(await violazioni(siti, presentate)).toEqual([]);
    // INAIL was out of reach for the hub, which kept the packets and tried again.
    const indirizzo = `https://${siti.rete.hosts.INAIL.indirizzo}:`;
    expect(hubRighe.slice(giaViste).filter((l) => l.includes('will retry') && l.includes('CONTROPARTE_NON_RAGGIUNGIBILE') && l.includes(indirizzo)).length).toBeGreaterThan(0);
  });
});

test("INAIL's database stopped: its endpoint answers 503 with Retry-After, the others are not slowed, and INAIL catches up once it is back", async () => {
  await passo("d. INAIL's PostgreSQL stopped", async () => {
    const hubRighe = siti.logs.get('minlavoro-hub')!;
    const giaViste = hubRighe.length;
    await siti.postgres.INAIL.ferma();
    let presentate: Presentata[] = [];
    try {
      presentate = await presenta(caseSystem, 'SITI.D', [...CON_INAIL, ...SENZA_INAIL]);
      const t0 = Date.now();
      await attendiConclusione(siti, presentate.filter((p) => !CON_INAIL.includes(p.scenario.chiave)), 20_000);
      console.log(`domande not needing INAIL closed in ${Date.now() - t0} ms with INAIL's database down`);
      await eventually(async () => hubRighe.slice(giaViste).some((l) => l.includes('"destinatario":"INAIL"') && l.includes('"code":"SERVIZIO_NON_DISPONIBILE"')), { timeoutMs: 30_000, what: "INAIL's 503 SERVIZIO_NON_DISPONIBILE in the hub's log" });
      expect((await nonConcluse(siti, presentate)).length).toBe(CON_INAIL.length);
      expect(await pacchettoDalHub()).toEqual({ status: 503, codice: 'SERVIZIO_NON_DISPONIBILE', retryAfter: '5' });
    } finally {
      await siti.postgres.INAIL.riavvia();
    }
    await attendiConclusione(siti, presentate, 90_000);
    expect(await violazioni(siti, presentate)).toEqual([]);
  });
});
