import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, nomeFileIdentita, parseConfig } from '../shared/config/load';
import { servizioProprio } from '../shared/config/parte';
import { queueSpecs } from '../shared/amqp/topology';
import { ENTI, type Ente } from '../shared/domain/types';
import { PROJECT_ROOT } from '../shared/paths';
import { localFederationConfig } from '../infra/federation-config';
import { aggiornaPkiParti, configurazioniParti, type SitoParte } from '../infra/local/parti';
import { preparaPki } from '../infra/scripts/setup';

/** A party's deployment unit: what the generator writes, and what the loader and the processes refuse. */

const dir = mkdtempSync(path.join(os.tmpdir(), 'ape-parti-'));
const federazione = localFederationConfig({ postgresUrl: 'postgres://postgres@127.0.0.1:5432/x', rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672/x', pkiDir: path.join(dir, 'pki'), basePort: 19600 });
/** Five hosts, as test:siti has them. */
const siti = Object.fromEntries(
  ENTI.map((p, i) => [p, { indirizzo: `10.77.0.${i + 2}`, postgresUrl: `postgres://ape_${p.toLowerCase()}_servizio@10.77.0.${i + 2}/ape_${p.toLowerCase()}`, postgresAdminUrl: `postgres://ape_${p.toLowerCase()}@10.77.0.${i + 2}/ape_${p.toLowerCase()}`, rabbitmqUrl: `amqp://u:p@10.77.0.${i + 2}/ape_${p.toLowerCase()}` }]),
) as Record<Ente, SitoParte>;
let file: Record<Ente, string>;

beforeAll(() => {
  preparaPki(parseConfig(federazione, dir), () => undefined);
  file = configurazioniParti(federazione, siti, path.join(dir, 'parti'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (p: Ente): Record<string, any> => JSON.parse(readFileSync(file[p], 'utf8'));
const errore = (j: unknown, base: string) => {
  try {
    parseConfig(j, base);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};
/** Every file under a directory. */
const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? files(path.join(d, f)) : [path.join(d, f)]));

describe('the generated party files', () => {
  test('each loads as its party, its services on its own address, its counterparts\' by their addresses', () => {
    const inail = loadConfig(file.INAIL);
    expect(inail.parte).toBe('INAIL');
    expect(servizioProprio(inail, 'INAIL')).toMatchObject({ identity: 'INAIL', schema: 'inail', listen: { host: '10.77.0.5', port: 19604 }, publicUrl: 'https://10.77.0.5:19604' });
    expect(inail.services.hub).toEqual({ identity: 'HUB', publicUrl: 'https://10.77.0.3:19601' });
    expect(inail.services.inpsGateway).toEqual({ identity: 'INPS', publicUrl: 'https://10.77.0.2:19600' });
    expect(Object.keys(inail.services.agencies)).toEqual(['INAIL']);
    expect(inail.identities.HUB!.allowedIps).toEqual(['10.77.0.3']);
    expect(inail.identities.INPS!.allowedIps).toEqual(['10.77.0.2']);
    expect(Object.keys(inail.identities).sort()).toEqual(['HUB', 'INAIL', 'INPS']);
    expect(inail.postgres).toMatchObject({ url: siti.INAIL.postgresUrl, adminUrl: siti.INAIL.postgresAdminUrl });
    expect(Object.keys(inail.systemOperators)).toEqual(['agency-INAIL']);
    expect(Object.keys(inail.observability.ports)).toEqual(['agency-INAIL']);
    expect(inail.security.pepperFile).toBe(path.join(dir, 'parti', 'inail', 'secrets', 'pseudonimi.key'));

    const inps = loadConfig(file.INPS);
    expect(Object.keys(inps.services.agencies).sort()).toEqual(['ANPAL', 'INAIL', 'INL', 'MINLAVORO']);
    expect(servizioProprio(inps, 'inpsConsole').listen.host).toBe('10.77.0.2');
    const min = loadConfig(file.MINLAVORO);
    expect(servizioProprio(min, 'hub').publicUrl).toBe('https://10.77.0.3:19601');
    expect(servizioProprio(min, 'MINLAVORO').schema).toBe('minlavoro');
    for (const p of ENTI) expect(loadConfig(file[p]).parte).toBe(p);
  });

  test('a party directory holds its own keys and no other party\'s', () => {
    const chiavi = new Map<string, string>(); // private key PEM -> party
    const pki = path.join(dir, 'pki');
    for (const [code, id] of Object.entries(federazione.identities as Record<string, { ente: string }>)) {
      chiavi.set(readFileSync(path.join(pki, `${nomeFileIdentita(code)}.key.pem`), 'utf8').trim(), id.ente);
    }
    chiavi.set(readFileSync(path.join(pki, 'ca.key.pem'), 'utf8').trim(), 'CA');
    chiavi.set(readFileSync(path.join(pki, 'pdnd.key.pem'), 'utf8').trim(), 'PDND');
    for (const p of ENTI) {
      const proprie = [...chiavi].filter(([, ente]) => ente === p).length;
      let trovate = 0;
      for (const f of files(path.dirname(file[p]))) {
        const testo = readFileSync(f, 'utf8');
        for (const [pem, ente] of chiavi) {
          if (!testo.includes(pem)) continue;
          expect(`${f}: ${ente}`).toBe(`${f}: ${p}`);
          trovate++;
        }
      }
      expect(trovate).toBe(proprie);
      expect(JSON.stringify(json(p))).not.toMatch(/keyFile/);
    }
  });

  test('a new CRL or a renewed certificate reaches the parties that hold it, and nothing else does', () => {
    const cfg = parseConfig(federazione, dir);
    appendFileSync(path.join(dir, 'pki', 'ca.crl.pem'), '\n');
    appendFileSync(path.join(dir, 'pki', 'inl.key.pem'), '\n');
    const copiati = aggiornaPkiParti(cfg, path.join(dir, 'parti')).map((f) => path.relative(path.join(dir, 'parti'), f)).sort();
    expect(copiati).toEqual([...ENTI.map((p) => `${p.toLowerCase()}/pki/ca.crl.pem`), 'inl/pki/inl.key.pem'].sort());
    for (const p of ENTI) expect(readFileSync(path.join(dir, 'parti', p.toLowerCase(), 'pki', 'ca.crl.pem'), 'utf8')).toBe(readFileSync(path.join(dir, 'pki', 'ca.crl.pem'), 'utf8'));
    expect(existsSync(path.join(dir, 'parti', 'inail', 'pki', 'inl.key.pem'))).toBe(false);
  });

  test('a party declares only its own queues, and its delay queues', () => {
    const nomi = (p: Ente) => queueSpecs({ retryDelaysMs: [1000], deliveryLimit: 5, parte: p }).map((q) => q.name);
    expect(nomi('INAIL')).toEqual(['ape.riprova.1000', 'inail.pacchetto.verifica', 'inail.pacchetto.verifica.scarti', 'inail.esito.consegna', 'inail.esito.consegna.scarti']);
    expect(nomi('MINLAVORO').filter((q) => !q.endsWith('.scarti'))).toEqual(['ape.riprova.1000', 'hub.pacchetto.inoltro', 'hub.messaggio.inoltro', 'minlavoro.pacchetto.verifica', 'minlavoro.esito.consegna']);
    expect(nomi('INPS').filter((q) => !q.endsWith('.scarti'))).toEqual(['ape.riprova.1000', 'inps.pacchetto.invio', 'inps.messaggio.invio']);
    expect(nomi('INL')).toContain('inl.accertamento.notifica');
  });
});

describe('what a party\'s file may not hold', () => {
  const base = () => path.dirname(file.INAIL);
  test('another party\'s service with listen or schema', () => {
    const j = json('INAIL');
    j.services.hub.listen = { host: '10.77.0.3', port: 19601 };
    expect(errore(j, base())).toBe("services.hub.listen: a service of MINLAVORO; in INAIL's configuration (parte) another party's service has only identity and publicUrl");
    const k = json('INAIL');
    k.services.inpsDispatcher.schema = 'inps';
    expect(errore(k, base())).toBe("services.inpsDispatcher.schema: a service of INPS; in INAIL's configuration (parte) another party's service has only identity and publicUrl");
  });

  test('a counterpart identity with a keyFile', () => {
    const j = json('INAIL');
    j.identities.HUB.keyFile = 'pki/hub.key.pem';
    expect(errore(j, base())).toMatch(/^identities\.HUB\.keyFile: HUB is an identity of MINLAVORO; its private key never belongs in INAIL's configuration/);
  });

  test('an own service running as an identity of another party', () => {
    const j = json('INPS');
    j.identities.HUB = { ...j.identities.HUB };
    j.services.inpsDispatcher.identity = 'HUB';
    expect(errore(j, path.dirname(file.INPS))).toBe("services.inpsDispatcher.identity: HUB is an identity of MINLAVORO; a service of INPS (parte) runs as one of INPS's identities");
  });

  test('a system operator or an operations port of another party\'s process', () => {
    const j = json('INAIL');
    j.systemOperators['agency-ANPAL'] = { id: 'SYS-ANPAL-VERIFICA', ufficio: 'ANPAL' };
    expect(errore(j, base())).toBe('systemOperators.agency-ANPAL: a process of ANPAL, not of INAIL (parte)');
    const k = json('INAIL');
    k.observability.ports['inps-gateway'] = 19610;
    expect(errore(k, base())).toBe('observability.ports.inps-gateway: a process of INPS, not of INAIL (parte)');
  });

  test('its own service without listen; the federation-shaped file with a service without one', () => {
    const j = json('INAIL');
    delete j.services.agencies.INAIL.listen;
    expect(errore(j, base())).toBe('services.agencies.INAIL.listen: expected an object (a service of INAIL, the party of this file)');
    const f = structuredClone(federazione) as Record<string, any>;
    delete f.services.hub.schema;
    expect(errore(f, dir)).toBe('services.hub.schema: is required');
  });

  test('a tool or service of another party refuses the file', () => {
    const inail = loadConfig(file.INAIL);
    expect(() => servizioProprio(inail, 'ANPAL')).toThrow("parte: this is INAIL's configuration; this process belongs to ANPAL (give it ANPAL's file in APE_CONFIG)");
    expect(() => servizioProprio(inail, 'inpsGateway')).toThrow(/^parte: this is INAIL's configuration; this process belongs to INPS/);
  });
});

/** Runs a service from dist/ with a file; resolves with its exit code and output (it must stop by itself). */
function esegui(script: string, args: string[], configFile: string): Promise<{ codice: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', script), ...args], { env: { ...process.env, APE_CONFIG: configFile, APE_OPS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (codice) => resolve({ codice, output }));
  });
}

describe('a process given another party\'s file', () => {
  test.each([
    ['services/ente/main.js', ['--ente', 'INAIL'], 'ANPAL', 'INAIL'],
    ['services/inps/gateway/main.js', [], 'MINLAVORO', 'INPS'],
    ['services/inps/dispatcher/main.js', [], 'INAIL', 'INPS'],
    ['services/hub/main.js', [], 'INPS', 'MINLAVORO'],
  ] as Array<[string, string[], Ente, Ente]>)('%s %s with %s\'s file exits naming parte', async (script, args, di, suo) => {
    const r = await esegui(script, args, file[di]);
    expect(r.codice).toBe(1);
    expect(r.output).toContain(`parte: this is ${di}'s configuration; this process belongs to ${suo}`);
  });

  test('the published schema knows parte', () => {
    const schema = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config', 'federation.schema.json'), 'utf8')) as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.parte!.enum).toEqual([...ENTI]);
  });
});
