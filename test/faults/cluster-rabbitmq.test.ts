import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { QUEUES } from '../../shared/amqp/topology';
import { FEDERATION_PROCESSES } from '../../infra/local/processes';
import { freePortRange } from '../../infra/local/ports';
import { ClusterRabbitmq, type NodoCluster } from '../../infra/local/rabbitmq-cluster';
import { TestFederation } from '../support/federation';
import { Alimentatore } from '../support/alimentatore';
import { verificaInvarianti } from '../support/invarianti';
import { eventually } from '../support/eventually';

/**
 * The federation on a three-node RabbitMQ cluster (quorum queues replicated on the three), as INPS's node runs in
 * production: under a stream of domande the node leading INPS's packet queue is killed with SIGKILL and restarted,
 * then the three are restarted one by one. The services move to the surviving nodes by themselves (the broker URLs
 * of the configuration, tried in turn), and the invariant checker finds nothing lost and nothing applied twice.
 */
const DOMANDE = 60;
const AL_SECONDO = 2;

let cluster: ClusterRabbitmq;
let fed: TestFederation;

beforeAll(async () => {
  const base = await freePortRange(6);
  const nodi: NodoCluster[] = ['ape-a', 'ape-b', 'ape-c'].map((nome, i) => ({ nome: `${nome}-${base}`, porta: base + i, portaDistribuzione: base + 3 + i }));
  cluster = await ClusterRabbitmq.avvia(path.join(os.tmpdir(), `ape-rabbitmq-cluster-${base}`), nodi, randomBytes(16).toString('hex').toUpperCase());
  const [primo, ...altri] = cluster.urls();
  fed = await TestFederation.start({
    name: 'cluster-rabbitmq',
    processes: FEDERATION_PROCESSES.map((p) => p.name),
    retryDelaysMs: [100, 200, 400, 800, 1600, 3200],
    mutaConfig: (json) => {
      json.rabbitmq = { ...json.rabbitmq, url: primo, failoverUrls: altri };
    },
  });
}, 600_000);

afterAll(async () => {
  try {
    await fed?.stop();
  } finally {
    await cluster?.ferma();
  }
}, 180_000);

/** Istruttorie closed so far. */
async function chiuse(): Promise<number> {
  return Number((await fed.pool('inps').query("SELECT count(*)::int AS n FROM istruttoria WHERE stato = 'CHIUSA'")).rows[0].n);
}

test('a cluster node killed and the three restarted one by one: services move to the survivors, nothing lost, nothing applied twice', async () => {
  const alimentatore = new Alimentatore(fed, fed.soapAs('INPS_ISTRUTTORIA'), { totale: DOMANDE, alSecondo: AL_SECONDO, tag: 'CLUSTER' });
  alimentatore.avvia();
  const durata = (DOMANDE / AL_SECONDO) * 1000;
  const eventi: string[] = [];
  const fasi = (async () => {
    await new Promise((r) => setTimeout(r, durata * 0.2));
    const leader = await cluster.leader(QUEUES.inpsInvioPacchetto);
    // The node every service connected to first leads the queues they declared: killing it cuts them all off.
    expect(leader).toBe(cluster.nodi[0]);
    const primaDellaCaduta = await chiuse();
    cluster.uccidi(leader);
    eventi.push(`SIGKILL ${leader.nome}`);
    // Work goes on while it is down: domande keep closing on the two survivors.
    await eventually(async () => (await chiuse()) > primaDellaCaduta + 3, { what: 'istruttorie closing while the leader is down', timeoutMs: 60_000 });
    eventi.push(`closed meanwhile: ${(await chiuse()) - primaDellaCaduta}`);
    await cluster.riavvia(leader);
    eventi.push(`restarted ${leader.nome}`);
    for (const n of cluster.nodi) {
      await cluster.riavviaOrdinato(n);
      eventi.push(`stop/start ${n.nome}`);
    }
  })();
  await Promise.all([alimentatore.concluso(), fasi]);

  const verifica = await eventually(async () => {
    const v = await verificaInvarianti(fed, alimentatore.presentate, new Map(), { rabbitmqctl: cluster.argomentiCtl() });
    return v.violazioni.length === 0 ? v : null;
  }, { what: 'every invariant after the cluster restarts', timeoutMs: 240_000, intervalMs: 2000 }).catch(async () => verificaInvarianti(fed, alimentatore.presentate, new Map(), { rabbitmqctl: cluster.argomentiCtl() }));
  console.log(`cluster: ${eventi.join(', ')}; ${JSON.stringify(verifica.cifre)}`);
  expect(alimentatore.rifiuti).toEqual([]);
  expect(verifica.violazioni).toEqual([]);
  expect(verifica.cifre.domande).toBe(DOMANDE);

  // Every service lost its node at least once (the first node was restarted) and connected to another one.
  const primo = `127.0.0.1:${cluster.nodi[0]!.porta}`;
  const leggi = (l: string): { msg?: string; node?: string } => {
    try {
      return JSON.parse(l) as { msg?: string; node?: string };
    } catch {
      return {};
    }
  };
  const clienti = [...fed.logs].map(([nome, righe]) => [nome, righe.map(leggi).filter((l) => l.msg === 'RabbitMQ connected')] as const).filter(([, c]) => c.length > 0);
  expect(clienti.map(([nome]) => nome)).toEqual(expect.arrayContaining(['inps-dispatcher', 'minlavoro-hub', 'agency-inail']));
  for (const [nome, connessioni] of clienti) expect([nome, connessioni.some((l) => l.node !== primo)]).toEqual([nome, true]);
}, 1_200_000);
