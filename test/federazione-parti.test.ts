import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { loadConfig } from '../shared/config/load';
import { addressOf } from '../shared/config/addresses';
import { identityOf } from '../shared/config/load';
import { ENTI } from '../shared/domain/types';
import { PROJECT_ROOT } from '../shared/paths';
import { localFederationConfig, PORTE_FEDERAZIONE } from '../infra/federation-config';
import { SistemaIstruttorio } from '../infra/clients/sistema-istruttorio';
import { SCENARI } from '../infra/demo/dataset';
import { fileDelProcesso, preparaParti, type FederazioneParti } from '../infra/local/federazione-parti';
import { freePortRange } from '../infra/local/ports';
import { FEDERATION_PROCESSES, startService, type ServiceProcess } from '../infra/local/processes';
import { rimuoviRisorseParte, urlDellaParte } from '../infra/local/risorse-parte';
import { eventually } from './support/eventually';

/**
 * The federation as five parties on this machine, each from its own generated file: its own database and roles,
 * vhost and user, keys. Domande flow end to end; a party's role and user cannot reach another party's database or vhost.
 */
const id = `t_parti_${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ape-federazione-parti-'));
const logDir = path.join(PROJECT_ROOT, 'test-artifacts', 'federazione-parti');
const procs: ServiceProcess[] = [];
let parti: FederazioneParti | undefined;

beforeAll(async () => {
  const basePort = await freePortRange(PORTE_FEDERAZIONE);
  // The federation's file: the source of the party files and the PKI, and pdnd-as's (PDND is no party).
  const federazione = localFederationConfig({
    postgresUrl: `postgres://postgres@127.0.0.1:5432/${id}`,
    rabbitmqUrl: `amqp://guest:guest@127.0.0.1:5672/${id}`,
    pkiDir: path.join(dir, 'pki'),
    basePort,
    environment: 'test',
    poolSize: 4,
  });
  const federazioneFile = path.join(dir, 'federation.json');
  writeFileSync(federazioneFile, JSON.stringify(federazione, null, 2));
  parti = await preparaParti({ federazione, dir: path.join(dir, 'parti'), prefisso: id, demo: true, log: () => undefined });
  mkdirSync(logDir, { recursive: true });
  await Promise.all(
    FEDERATION_PROCESSES.map(async (p) => {
      const righe: string[] = [];
      const proc = startService({ ...p, env: { ...process.env, APE_CONFIG: fileDelProcesso(p.name, parti!, federazioneFile) }, onLine: (_n, l) => void righe.push(l) });
      void proc.exited.then(() => writeFileSync(path.join(logDir, `${p.name}.log`), `${righe.join('\n')}\n`));
      procs.push(proc);
      await proc.ready;
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  if (parti) for (const p of ENTI) await rimuoviRisorseParte(parti.risorse[p]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('every demo domanda ends as expected, each party running from its own file, database and vhost', async () => {
  const inps = loadConfig(parti!.file.INPS);
  const cs = identityOf(inps, 'INPS_ISTRUTTORIA');
  const client = await SistemaIstruttorio.connect(addressOf(inps, 'INPS', 'istruttoria').url, { keyFile: cs.keyFile, certFile: cs.certFile, caFile: inps.pki.caCertFile }, { id: 'INPS-OP-TEST-0001', ufficio: 'INPS - sede di test' });
  await Promise.all(
    SCENARI.map(async (s, i) => {
      const ricevuta = await client.presentaDomanda(s.domanda(`INPS.PARTI.${id.slice(-6).toUpperCase()}.${i}`, new Date()));
      const stato = await eventually(
        async () => {
          const st = await client.statoIstruttoria({ IdIstruttoria: ricevuta.idIstruttoria });
          // An inspection INL opens is told to INPS after the istruttoria reaches VALUTAZIONE_INL: wait for it too.
          const acc = (st.Accertamento as { Stato?: string } | undefined)?.Stato;
          return st.Stato === s.atteso.stato && (s.atteso.accertamento === undefined || acc === s.atteso.accertamento) ? st : undefined;
        },
        { what: `${s.chiave}: ${s.atteso.stato}`, timeoutMs: 60_000, intervalMs: 300 },
      );
      expect({ scenario: s.chiave, esito: stato.EsitoVerifica, accertamento: (stato.Accertamento as { Stato?: string } | undefined)?.Stato }).toEqual({
        scenario: s.chiave,
        esito: s.atteso.esitoVerifica,
        accertamento: s.atteso.accertamento,
      });
    }),
  );
}, 120_000);

test("INAIL's roles cannot connect to INPS's database, nor its RabbitMQ user open INPS's vhost", async () => {
  const { risorse } = parti!;
  const inailDb = urlDellaParte(risorse.INAIL, '127.0.0.1');
  for (const url of [inailDb.postgresUrl, inailDb.postgresAdminUrl]) {
    const u = new URL(url);
    u.pathname = `/${risorse.INPS.nome}`;
    const c = new Client({ connectionString: u.toString() });
    await expect(c.connect()).rejects.toMatchObject({ code: '42501', message: expect.stringContaining(`permission denied for database "${risorse.INPS.nome}"`) });
    await c.end().catch(() => undefined);
  }
  // Its own database it reaches.
  const proprio = new Client({ connectionString: inailDb.postgresUrl });
  await proprio.connect();
  await proprio.end();

  const mq = new URL(inailDb.rabbitmqUrl);
  mq.pathname = `/${risorse.INPS.nome}`;
  // RabbitMQ closes the connection at open (NOT_ALLOWED, "access to vhost refused"); amqplib reports the close.
  await expect(connect(mq.toString())).rejects.toThrow('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  const propria = await connect(inailDb.rabbitmqUrl);
  await propria.close();
  const { stdout } = await promisify(execFile)('rabbitmqctl', ['-q', 'list_user_permissions', risorse.INAIL.nome]);
  expect(stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter((v) => v && v !== 'vhost')).toEqual([risorse.INAIL.nome]);
});

test("a party's vhost holds its own queues only", async () => {
  const { stdout } = await promisify(execFile)('rabbitmqctl', ['-q', 'list_queues', '-p', parti!.risorse.INAIL.nome, 'name']);
  const code = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'name');
  expect(code.filter((q) => !q.startsWith('ape.riprova.')).sort()).toEqual(['inail.esito.consegna', 'inail.esito.consegna.scarti', 'inail.pacchetto.verifica', 'inail.pacchetto.verifica.scarti']);
});
