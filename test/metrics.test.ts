import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../shared/paths';
import { scenario } from '../infra/demo/dataset';
import type { SistemaIstruttorio } from '../infra/clients/sistema-istruttorio';
import { deleteVhost, ensureVhost } from '../infra/local/rabbitmq';
import { eventually } from './support/eventually';
import { TestFederation } from './support/federation';

/**
 * Every process serves /metrics, /health and /ready on its operations endpoint; the series move with traffic
 * (SOAP latency per operation and counterpart, packets and istruttorie by state, worker outcomes, faults by
 * code), and /ready names the dependency that went away and recovers when it returns.
 */
let fed: TestFederation;
let client: SistemaIstruttorio;

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'metrics', schedulerPollMs: 200 });
  client = await fed.caseSystem();
});

afterAll(async () => {
  await fed?.stop();
});

interface Campione {
  nome: string;
  etichette: Record<string, string>;
  valore: number;
}

/** Prometheus text exposition format, samples only. */
function analizza(testo: string): Campione[] {
  const out: Campione[] = [];
  for (const riga of testo.split('\n')) {
    if (riga === '' || riga.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(riga);
    if (!m) throw new Error(`riga non valida nel formato Prometheus: ${riga}`);
    const etichette: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) etichette[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ nome: m[1]!, etichette, valore: Number(m[3]) });
  }
  return out;
}

async function scrape(processo: string): Promise<Campione[]> {
  const res = await fetch(`${fed.opsUrl(processo)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return analizza(await res.text());
}

/** Sum of the samples of a series whose labels include the given ones. */
function somma(campioni: readonly Campione[], nome: string, etichette: Record<string, string> = {}): number {
  return campioni.filter((c) => c.nome === nome && Object.entries(etichette).every(([k, v]) => c.etichette[k] === v)).reduce((s, c) => s + c.valore, 0);
}

function presente(campioni: readonly Campione[], nome: string, etichette: Record<string, string> = {}): boolean {
  return campioni.some((c) => c.nome === nome && Object.entries(etichette).every(([k, v]) => c.etichette[k] === v));
}

async function pronto(processo: string): Promise<{ status: number; body: { pronto: boolean; nonPronti: string[]; controlli: Record<string, string> } }> {
  const res = await fetch(`${fed.opsUrl(processo)}/ready`);
  return { status: res.status, body: (await res.json()) as { pronto: boolean; nonPronti: string[]; controlli: Record<string, string> } };
}

/** The dependencies each process declares ready (beyond its own startup). */
const DIPENDENZE: Record<string, string[]> = {
  'inps-gateway': ['postgres', 'soap'],
  'inps-dispatcher': ['postgres', 'rabbitmq'],
  'inps-scheduler': ['postgres'],
  'minlavoro-hub': ['postgres', 'rabbitmq', 'soap'],
  'agency-minlavoro': ['postgres', 'rabbitmq', 'soap'],
  'agency-anpal': ['postgres', 'rabbitmq', 'soap'],
  'agency-inail': ['postgres', 'rabbitmq', 'soap'],
  'agency-inl': ['postgres', 'rabbitmq', 'soap'],
};

test('every process serves /health, /ready with its dependencies, and /metrics with process and certificate series', async () => {
  expect([...fed.procs.keys()].sort()).toEqual(expect.arrayContaining(Object.keys(DIPENDENZE).sort()));
  const urls = new Set<string>();
  // Processes added later (the web console) get the endpoint from runService too: checked for what every process has.
  for (const processo of fed.procs.keys()) {
    const url = fed.opsUrl(processo);
    urls.add(url);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // Just started, on a shared machine: a dependency may take a moment (the check waits for a pooled connection).
    const r = await eventually(async () => {
      const x = await pronto(processo);
      return x.status === 200 ? x : undefined;
    }, { what: `${processo} /ready` });
    expect(r.body).toMatchObject({ pronto: true, nonPronti: [] });
    const m = await scrape(processo);
    expect(m.every((c) => c.etichette.servizio === processo)).toBe(true);
  }
  expect(urls.size).toBe(fed.procs.size);
  for (const processo of Object.keys(DIPENDENZE)) {
    const url = fed.opsUrl(processo);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ stato: 'attivo', processo });

    const r = await eventually(async () => {
      const x = await pronto(processo);
      return x.status === 200 ? x : undefined;
    }, { what: `${processo} /ready` });
    expect(r.body.pronto).toBe(true);
    expect(r.body.controlli).toEqual(Object.fromEntries(['avvio', ...DIPENDENZE[processo]!].map((k) => [k, 'ok'])));

    const m = await scrape(processo);
    // prom-client's process metrics, and every series labelled with the process.
    expect(somma(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(somma(m, 'process_resident_memory_bytes')).toBeGreaterThan(10e6);
    expect(presente(m, 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.every((c) => c.etichette.servizio === processo)).toBe(true);
    // The dev PKI issues party certificates for 825 days and its CA for 3650: the gauge counts the days left.
    const certificati = m.filter((c) => c.nome === 'ape_certificato_giorni_rimasti');
    expect(certificati).toHaveLength(2);
    const [ca, proprio] = [...certificati].sort((a, b) => b.valore - a.valore);
    expect(ca!.etichette.certificato).toMatch(/^CA di /);
    expect(ca!.valore).toBeGreaterThan(3640);
    expect(ca!.valore).toBeLessThanOrEqual(3650);
    expect(proprio!.valore).toBeGreaterThan(815);
    expect(proprio!.valore).toBeLessThanOrEqual(825);
  }

  const unknown = await fetch(`${fed.opsUrl('inps-gateway')}/nope`);
  expect(unknown.status).toBe(404);
  const post = await fetch(`${fed.opsUrl('inps-gateway')}/metrics`, { method: 'POST' });
  expect(post.status).toBe(405);
});

test('a second instance of a process on the same machine takes an ephemeral operations port of its own', async () => {
  await fed.startProcess('inps-scheduler#2');
  try {
    const url = fed.opsUrl('inps-scheduler#2');
    expect(url).not.toBe(fed.opsUrl('inps-scheduler'));
    await eventually(async () => ((await pronto('inps-scheduler#2')).status === 200 ? true : undefined), { what: 'inps-scheduler#2 /ready' });
    // Same process name (the series say servizio="inps-scheduler"); Prometheus tells them apart by instance.
    expect((await scrape('inps-scheduler#2')).every((c) => c.etichette.servizio === 'inps-scheduler')).toBe(true);
  } finally {
    await fed.stopProcess('inps-scheduler#2');
  }
});

test('the series move with traffic: SOAP latency per operation, workers, packets and istruttorie by state, faults by code', async () => {
  const prima = {
    gateway: await scrape('inps-gateway'),
    dispatcher: await scrape('inps-dispatcher'),
    hub: await scrape('minlavoro-hub'),
    inail: await scrape('agency-inail'),
  };
  const presentate = { operazione: 'PresentaDomanda', chiamante: 'INPS_ISTRUTTORIA', esito: 'OK' };
  const protocolli = ['INPS.MET.0001', 'INPS.MET.0002', 'INPS.MET.0003'];
  const domande = protocolli.map((p) => scenario('conforme').domanda(p, fed.now()));
  await Promise.all(domande.map((d) => client.presentaDomanda(d)));
  // The same protocol with other content is refused with a coded fault.
  await expect(client.presentaDomanda({ ...domande[0]!, dataDecorrenza: '2027-02-01' })).rejects.toThrow();

  // Wait until the three are closed, as the gateway's own gauge reports it (the scrape is the thing under test).
  const chiuse0 = somma(prima.gateway, 'ape_istruttorie', { stato: 'CHIUSA' });
  const gateway = await eventually(async () => {
    const m = await scrape('inps-gateway');
    return somma(m, 'ape_istruttorie', { stato: 'CHIUSA' }) >= chiuse0 + 3 ? m : undefined;
  }, { timeoutMs: 60_000, what: 'ape_istruttorie{stato="CHIUSA"} to count the three domande' });

  // Incoming calls at the gateway: the submissions, the duplicate's fault, and the parties' esiti.
  expect(somma(gateway, 'ape_soap_ingresso_durata_secondi_count', presentate) - somma(prima.gateway, 'ape_soap_ingresso_durata_secondi_count', presentate)).toBe(3);
  expect(somma(gateway, 'ape_soap_ingresso_durata_secondi_count', { operazione: 'PresentaDomanda', esito: 'DOMANDA_DUPLICATA' })).toBe(1);
  expect(somma(gateway, 'ape_errori_totale', { codice: 'DOMANDA_DUPLICATA', origine: 'soap_fault_inviato' })).toBe(1);
  for (const ente of ['MINLAVORO', 'ANPAL', 'INAIL']) {
    const e = { operazione: 'NotificaEsito', chiamante: ente, esito: 'OK' };
    expect(somma(gateway, 'ape_soap_ingresso_durata_secondi_count', e) - somma(prima.gateway, 'ape_soap_ingresso_durata_secondi_count', e)).toBeGreaterThanOrEqual(3);
  }
  // Packets by state moved: every packet of the three was answered.
  const risposti = (m: readonly { nome: string; etichette: Record<string, string>; valore: number }[]) => somma(m, 'ape_pacchetti', { stato: 'RISPOSTO' });
  expect(risposti(gateway) - risposti(prima.gateway)).toBeGreaterThanOrEqual(9);

  // Outgoing calls of the dispatcher: to the hub (identity HUB), one packet per party and domanda.
  const dispatcher = await scrape('inps-dispatcher');
  const versoHub = { controparte: 'HUB', operazione: 'VerificaPacchetto', esito: 'OK' };
  expect(somma(dispatcher, 'ape_soap_uscita_durata_secondi_count', versoHub) - somma(prima.dispatcher, 'ape_soap_uscita_durata_secondi_count', versoHub)).toBeGreaterThanOrEqual(9);
  // A histogram: buckets cumulative up to +Inf, equal to the count.
  expect(somma(dispatcher, 'ape_soap_uscita_durata_secondi_bucket', { ...versoHub, le: '+Inf' })).toBe(somma(dispatcher, 'ape_soap_uscita_durata_secondi_count', versoHub));
  expect(somma(dispatcher, 'ape_soap_uscita_durata_secondi_sum', versoHub)).toBeGreaterThan(0);
  const inviati = { coda: 'inps.pacchetto.invio', esito: 'elaborato' };
  expect(somma(dispatcher, 'ape_messaggi_totale', inviati) - somma(prima.dispatcher, 'ape_messaggi_totale', inviati)).toBeGreaterThanOrEqual(9);
  // Queue depths of the queues it consumes and their dead-letter queues, read from RabbitMQ at the scrape.
  for (const coda of ['inps.pacchetto.invio', 'inps.pacchetto.invio.scarti', 'inps.messaggio.invio', 'inps.messaggio.invio.scarti']) {
    expect(presente(dispatcher, 'ape_coda_messaggi_pronti', { coda })).toBe(true);
  }
  expect(somma(dispatcher, 'ape_coda_consumatori', { coda: 'inps.pacchetto.invio' })).toBeGreaterThanOrEqual(1);
  expect(presente(dispatcher, 'ape_outbox_da_pubblicare', { schema: 'inps' })).toBe(true);

  // The hub forwarded to each party; a party's node verified and answered.
  const hub = await scrape('minlavoro-hub');
  const versoInail = { controparte: 'INAIL', operazione: 'VerificaPacchetto', esito: 'OK' };
  expect(somma(hub, 'ape_soap_uscita_durata_secondi_count', versoInail) - somma(prima.hub, 'ape_soap_uscita_durata_secondi_count', versoInail)).toBeGreaterThanOrEqual(3);
  const inail = await scrape('agency-inail');
  const esiti = { controparte: 'INPS', operazione: 'NotificaEsito', esito: 'OK' };
  expect(somma(inail, 'ape_soap_uscita_durata_secondi_count', esiti) - somma(prima.inail, 'ape_soap_uscita_durata_secondi_count', esiti)).toBeGreaterThanOrEqual(3);
  const ricevuti = { operazione: 'VerificaPacchetto', chiamante: 'HUB', esito: 'OK' };
  expect(somma(inail, 'ape_soap_ingresso_durata_secondi_count', ricevuti) - somma(prima.inail, 'ape_soap_ingresso_durata_secondi_count', ricevuti)).toBeGreaterThanOrEqual(3);
  expect(presente(inail, 'ape_coda_messaggi_pronti', { coda: 'inail.pacchetto.verifica.scarti' })).toBe(true);
  expect(presente(inail, 'ape_outbox_da_pubblicare', { schema: 'inail' })).toBe(true);

  // The scheduler publishes the state and deadlines of the INPS schema too; none is late (it keeps up).
  // (Its reading may be a few seconds old: the database state is cached briefly.)
  const scheduler = await eventually(async () => {
    const m = await scrape('inps-scheduler');
    return somma(m, 'ape_istruttorie', { stato: 'CHIUSA' }) >= chiuse0 + 3 ? m : undefined;
  }, { what: 'the scheduler to count the three closed istruttorie' });
  expect(somma(scheduler, 'ape_timer_in_attesa', { stato: 'in_ritardo' })).toBe(0);
});

test('the Grafana dashboard is importable and queries only series the processes export', async () => {
  const dashboard = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'infra', 'grafana', 'ape-federazione.json'), 'utf8')) as {
    uid: string;
    __inputs: Array<{ name: string; type: string; pluginId: string }>;
    panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  };
  expect(dashboard.uid).toBe('ape-federazione');
  expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
  // Every series a process declares (# TYPE lines: a gauge with no sample yet is declared too).
  const esportate = new Set<string>();
  for (const processo of Object.keys(DIPENDENZE)) {
    const testo = await (await fetch(`${fed.opsUrl(processo)}/metrics`)).text();
    for (const m of testo.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
      esportate.add(m[1]!);
      if (m[2] === 'histogram') for (const s of ['_bucket', '_count', '_sum']) esportate.add(`${m[1]}${s}`);
    }
  }
  const interrogate = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => t.expr.match(/\b(?:ape|process|nodejs)_[a-z0-9_]+/g) ?? [])));
  expect(interrogate.size).toBeGreaterThan(10);
  expect([...interrogate].filter((n) => !esportate.has(n))).toEqual([]);
  for (const titolo of ['Pacchetti in attesa di esito per parte', 'Pacchetti oltre la scadenza di 5 giorni', 'Latenza SOAP in uscita p50 / p95 per controparte', 'Errori per codice', 'Profondità delle code', 'Outbox da pubblicare', 'Giorni alla scadenza dei certificati', 'Memoria residente per processo', 'CPU per processo']) {
    expect(dashboard.panels.map((p) => p.title)).toContain(titolo);
  }
});

test('/ready names PostgreSQL while the database refuses connections, and recovers when it accepts them again', async () => {
  const db = new URL(fed.config.postgres.adminUrl).pathname.slice(1);
  const altro = new URL(fed.config.postgres.adminUrl);
  altro.pathname = '/postgres';
  const admin = new Client({ connectionString: altro.toString() });
  await admin.connect();
  try {
    // Only this test's database: the machine's PostgreSQL and everyone else's databases carry on.
    await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
    const giu = await eventually(async () => {
      const r = await pronto('inps-scheduler');
      return r.status === 503 ? r : undefined;
    }, { what: 'inps-scheduler /ready to fail' });
    expect(giu.body.pronto).toBe(false);
    expect(giu.body.nonPronti).toEqual(['postgres']);
    expect(giu.body.controlli.postgres).not.toBe('ok');
    // A scrape still answers, without the series it could not read (once its few seconds of cache expired).
    const m = await eventually(async () => {
      const c = await scrape('inps-gateway');
      return somma(c, 'ape_raccolta_errori_totale', { raccolta: 'stato inps' }) >= 1 ? c : undefined;
    }, { what: 'the gateway to count the failed reading of the INPS state' });
    expect(presente(m, 'process_cpu_user_seconds_total')).toBe(true);
    expect(presente(m, 'ape_istruttorie')).toBe(false);
    expect(presente(m, 'ape_pacchetti')).toBe(false);
    // Health is about the process itself, not its dependencies.
    expect((await fetch(`${fed.opsUrl('inps-scheduler')}/health`)).status).toBe(200);
  } finally {
    await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
    await admin.end();
  }
  for (const processo of ['inps-scheduler', 'inps-gateway']) {
    await eventually(async () => ((await pronto(processo)).status === 200 ? true : undefined), { what: `${processo} /ready to recover` });
  }
});

test('/ready names RabbitMQ while the vhost is gone, and recovers when it is back', async () => {
  await deleteVhost(fed.config.rabbitmq.url);
  try {
    const giu = await eventually(async () => {
      const r = await pronto('inps-dispatcher');
      return r.status === 503 ? r : undefined;
    }, { what: 'inps-dispatcher /ready to fail' });
    expect(giu.body.nonPronti).toEqual(['rabbitmq']);
    // Queue depths cannot be read: the scrape answers anyway, without them.
    const m = await scrape('inps-dispatcher');
    expect(presente(m, 'ape_coda_messaggi_pronti')).toBe(false);
    expect(somma(m, 'ape_raccolta_errori_totale', { raccolta: 'coda inps.pacchetto.invio' })).toBeGreaterThanOrEqual(1);
    // The gateway does not use RabbitMQ: still ready.
    expect((await pronto('inps-gateway')).status).toBe(200);
  } finally {
    await ensureVhost(fed.config.rabbitmq.url);
  }
  const su = await eventually(async () => {
    const r = await pronto('inps-dispatcher');
    return r.status === 200 ? r : undefined;
  }, { timeoutMs: 30_000, what: 'inps-dispatcher /ready to recover' });
  expect(su.body.controlli.rabbitmq).toBe('ok');
  await eventually(async () => (presente(await scrape('inps-dispatcher'), 'ape_coda_messaggi_pronti', { coda: 'inps.pacchetto.invio' }) ? true : undefined), {
    what: 'queue depths again',
  });
});
