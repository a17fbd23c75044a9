import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Pool } from 'pg';
import { riattiva, sospendi } from '../shared/audit/sospensioni';
import { WORK_EXCHANGE, delayExchange } from '../shared/amqp/topology';
import { PROJECT_ROOT } from '../shared/paths';
import { scenario } from '../infra/demo/dataset';
import { descriviScarto, intestazioniRiprova } from '../services/strumenti/ops/scarto';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';

/**
 * The operations CLI on a running federation: dead letters produced for real (a message its consumer refuses for
 * good, a packet a party refuses when the hub forwards it) listed without being consumed and put back to work;
 * a packet whose send the hub refused resent and answered, a packet already answered not; a packet's delivery
 * history across INPS, the hub and its recipient, in order, with ids only.
 *
 * Refusals come from supervisor suspensions of the operator named on a domanda (every call about its packets
 * carries it): one operator suspended at the hub, another at INAIL. Those processes start after the suspensions,
 * and restart after they are lifted, so their caches hold what the database says.
 */
const run = promisify(execFile);
const CLI = path.join(PROJECT_ROOT, 'dist/services/strumenti/ops/cli.js');
const OPERATORE = 'INPS-OPS-0007';
/** Its domanda's packets are refused by the hub. */
const OP_HUB = 'INPS-OP-OPS-HUB';
/** Its domanda's packet for INAIL is refused by INAIL when the hub forwards it. */
const OP_INAIL = 'INPS-OP-OPS-INAIL';
const CF = scenario('conforme').domanda('X', new Date()).richiedente.codiceFiscale;

let fed: TestFederation;
let inps: Pool;
let hub: Pool;
let inail: Pool;
let amqp: ChannelModel;
let canale: ConfirmChannel;

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'ops-cli', processes: ['inps-gateway', 'inps-dispatcher'], inlApertura: 'manuale' });
  inps = fed.pool('inps');
  hub = fed.pool('hub');
  inail = fed.pool('inail');
  const motivo = 'prova della console operativa';
  await sospendi(hub, { tipo: 'OPERATORE', soggetto: OP_HUB, motivo, autore: 'INPS-SUP-TEST' }, new Date());
  await sospendi(inail, { tipo: 'OPERATORE', soggetto: OP_INAIL, motivo, autore: 'INPS-SUP-TEST' }, new Date());
  await Promise.all(['minlavoro-hub', 'agency-minlavoro', 'agency-anpal', 'agency-inail', 'agency-inl'].map((n) => fed.startProcess(n)));
  amqp = await connect(fed.config.rabbitmq.url);
  canale = await amqp.createConfirmChannel();
});

afterAll(async () => {
  // Swallowed: cleaning up; the tests' outcome is decided.
  await amqp?.close().catch(() => undefined);
  await fed?.stop();
});

async function ops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [CLI, ...args], { env: { ...process.env, APE_CONFIG: fed.configFile } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const scarti = async (coda: string) => (await ops('scarti', '--coda', coda, '--operatore', OPERATORE)).stdout;
const riga = (out: string, id: string) => out.split('\n').find((l) => l.includes(id)) ?? '';

async function riavvia(processo: string): Promise<void> {
  await fed.stopProcess(processo);
  await fed.startProcess(processo);
}

async function pacchettoDi(idIstruttoria: string, destinatario: string): Promise<string> {
  const r = await inps.query<{ id: string }>('SELECT id FROM pacchetto WHERE istruttoria_id = $1 AND destinatario = $2', [idIstruttoria, destinatario]);
  return r.rows[0]!.id;
}

async function statoPacchetto(id: string) {
  const r = await inps.query<{ stato: string; esito: string | null; correlation_id: string | null; tentativi_invio: number; stato_istruttoria: string }>(
    'SELECT p.stato, p.esito, p.correlation_id, p.tentativi_invio, i.stato AS stato_istruttoria FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id WHERE p.id = $1',
    [id],
  );
  return r.rows[0]!;
}

async function ultimoAccesso(pool: Pool, operazione: string) {
  const r = await pool.query("SELECT * FROM registro_accessi WHERE canale = 'CLI' AND operazione = $1 ORDER BY seq DESC LIMIT 1", [operazione]);
  return r.rows[0];
}

function pubblica(coda: string, payload: unknown, messageId: string, o: { exchange?: string; headers?: Record<string, unknown> } = {}): Promise<void> {
  canale.publish(o.exchange ?? WORK_EXCHANGE, coda, Buffer.from(JSON.stringify(payload)), { persistent: true, mandatory: true, messageId, contentType: 'application/json', headers: o.headers ?? {} });
  return canale.waitForConfirms();
}

describe('dead letters', () => {
  test('a message its consumer refuses for good is listed, without being consumed, and riprova puts it back to work', async () => {
    // Work for packets INPS does not have: the dispatcher dead-letters them at once (PACCHETTO_NON_TROVATO).
    const [a, b] = [randomUUID(), randomUUID()];
    const [pa, pb] = [randomUUID(), randomUUID()];
    await pubblica('inps.pacchetto.invio', { idPacchetto: pa, codiceFiscale: CF }, a);
    await pubblica('inps.pacchetto.invio', { idPacchetto: pb, codiceFiscale: CF }, b);

    const elenco = await eventually(async () => {
      const out = await scarti('inps.pacchetto.invio');
      return riga(out, a) && riga(out, b) ? out : undefined;
    }, { what: 'both messages among the dead letters of inps.pacchetto.invio' });
    expect(riga(elenco, a)).toEqual(expect.stringContaining('PACCHETTO_NON_TROVATO'));
    expect(riga(elenco, a)).toContain(`idPacchetto=${pa}`);
    expect(riga(elenco, a)).toContain(`pacchetto ${pa} assente`);
    expect(elenco).toMatch(/inps\.pacchetto\.invio\s+2\s/);
    expect(elenco).not.toContain(CF);
    // Listing consumed nothing: a second look sees the same two.
    const ancora = await scarti('inps.pacchetto.invio');
    expect(riga(ancora, a)).not.toBe('');
    expect(riga(ancora, b)).not.toBe('');

    const r = await ops('riprova', '--coda', 'inps.pacchetto.invio', '--messaggio', a, '--operatore', OPERATORE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 messaggio rimesso in lavoro su inps.pacchetto.invio; 1 resta tra gli scarti');
    expect(r.stdout).toContain(a);
    expect(r.stdout).not.toContain(b);

    // The dispatcher handled it again (and refused it again, the packet still missing): the new dead letter
    // carries the consumer's error and who replayed it; the other one was given back untouched.
    const dopo = await eventually(async () => {
      const out = await scarti('inps.pacchetto.invio');
      return riga(out, a).includes(OPERATORE) ? out : undefined;
    }, { what: 'the replayed message dead-lettered again by its consumer' });
    expect(riga(dopo, a)).toContain('PACCHETTO_NON_TROVATO');
    expect(riga(dopo, b)).toContain('PACCHETTO_NON_TROVATO');
    expect(riga(dopo, b)).not.toContain(OPERATORE);
    expect(await ultimoAccesso(inps, 'riprova')).toMatchObject({ operatore_id: OPERATORE, esito: 'ACCETTATA', riferimenti: { coda: 'inps.pacchetto.invio', riprovati: a } });

    const tutti = await ops('riprova', '--coda', 'inps.pacchetto.invio', '--tutti', '--operatore', OPERATORE);
    expect(tutti.stdout).toContain('2 messaggi rimessi in lavoro su inps.pacchetto.invio');
    await eventually(async () => {
      const out = await scarti('inps.pacchetto.invio');
      return riga(out, b).includes(OPERATORE) && riga(out, a).includes(OPERATORE);
    }, { what: 'both messages replayed and dead-lettered again' });
  });

  test('a message that went through a delay queue shows when and where RabbitMQ first dead-lettered it', async () => {
    // As a retry would: into the first delay tier, back to its queue when the TTL expires (x-death "expired"),
    // where its consumer refuses it for good (no such message at INPS).
    const m = randomUUID();
    const ritardo = delayExchange(fed.config.rabbitmq.retryDelaysMs[0]!);
    await pubblica('inps.messaggio.invio', { idMessaggio: randomUUID() }, m, { exchange: ritardo, headers: { 'x-ape-tentativo': 2 } });
    const elenco = await eventually(async () => {
      const out = await scarti('inps.messaggio.invio');
      return riga(out, m) ? out : undefined;
    }, { what: 'the delayed message dead-lettered by its consumer' });
    const r = riga(elenco, m);
    expect(r).toContain('PACCHETTO_NON_TROVATO');
    const primo = new RegExp(`(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z) expired in ${ritardo.replace(/\./g, '\\.')}`).exec(r);
    expect(primo).not.toBeNull();
    expect(Math.abs(new Date(primo![1]!).getTime() - Date.now())).toBeLessThan(60_000);
    expect(r).toMatch(/│ '2'\s+│/);
  });

  test('a packet its party refused when the hub forwarded it is replayed from the hub and answered', async () => {
    const client = await fed.caseSystem({ id: OP_INAIL, ufficio: 'INPS - sede di test' });
    const ricevuta = await client.presentaDomanda(scenario('conforme').domanda('INPS.OPS.2026.000001', new Date()));
    // Not there yet is undefined: eventually asks again.
    const id = await eventually(() => pacchettoDi(ricevuta.idIstruttoria, 'INAIL').catch(() => undefined));
    const messaggio = await eventually(async () => (await hub.query<{ message_id: string }>(`SELECT message_id FROM outbox WHERE payload->>'idPacchetto' = $1`, [id])).rows[0]?.message_id, {
      what: 'the hub to accept the packet for INAIL',
    });

    const elenco = await eventually(async () => {
      const out = await scarti('hub.pacchetto.inoltro');
      return riga(out, messaggio) ? out : undefined;
    }, { what: "the hub's forward dead-lettered" });
    expect(riga(elenco, messaggio)).toContain('OPERATORE_SOSPESO');
    expect(riga(elenco, messaggio)).toContain(`idPacchetto=${id}`);
    expect(elenco).not.toContain(CF);
    // The hub acknowledged it to INPS, so INPS waits for INAIL's esito.
    expect(await statoPacchetto(id)).toMatchObject({ stato: 'INVIATO', stato_istruttoria: 'IN_VERIFICA' });

    await riattiva(inail, { tipo: 'OPERATORE', soggetto: OP_INAIL, autore: 'INPS-SUP-TEST' }, new Date());
    await riavvia('agency-inail');
    const r = await ops('riprova', '--coda', 'hub.pacchetto.inoltro.scarti', '--messaggio', messaggio, '--operatore', OPERATORE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1 messaggio rimesso in lavoro su hub.pacchetto.inoltro`);

    const p = await eventually(async () => {
      const s = await statoPacchetto(id);
      return s.stato === 'RISPOSTO' && s.stato_istruttoria === 'CHIUSA' ? s : undefined;
    }, { timeoutMs: 60_000, what: "INAIL's esito after the replay" });
    expect(p.esito).toBe('CONFORME');
    // The hub records the forward once INAIL acked it, which may come after INPS has the esito.
    await eventually(async () => {
      const inoltro = (await hub.query('SELECT stato, tentativi FROM pacchetto_inoltro WHERE id_pacchetto = $1', [id])).rows[0];
      return inoltro.stato === 'INOLTRATO' && inoltro.tentativi === 2;
    }, { what: 'the forward recorded at the hub, on its second attempt' });
    expect(riga(await scarti('hub.pacchetto.inoltro'), messaggio)).toBe('');
    // Traced where the queue belongs: the hub's access log.
    expect(await ultimoAccesso(hub, 'riprova')).toMatchObject({ operatore_id: OPERATORE, esito: 'ACCETTATA', riferimenti: { coda: 'hub.pacchetto.inoltro', riprovati: messaggio } });
  });

  test('without --coda every work queue is counted', async () => {
    const r = await ops('scarti', '--operatore', OPERATORE, '--limite', '0');
    expect(r.code).toBe(0);
    for (const q of ['inps.pacchetto.invio', 'inps.messaggio.invio', 'hub.pacchetto.inoltro', 'inail.pacchetto.verifica', 'inl.accertamento.notifica']) expect(r.stdout).toContain(q);
    expect(r.stdout).toMatch(/inps\.pacchetto\.invio\s+2\s+0\s+1/);
    expect(r.stdout).toContain('totale scarti:');
    const soloHub = await ops('scarti', '--ente', 'HUB', '--operatore', OPERATORE);
    expect(soloHub.stdout).toContain('hub.pacchetto.inoltro');
    expect(soloHub.stdout).not.toContain('inps.pacchetto.invio');
    expect(await ultimoAccesso(hub, 'scarti')).toMatchObject({ operatore_id: OPERATORE, riferimenti: { coda: 'tutte di HUB' } });
  });

  test('bad usage is refused before anything is done', async () => {
    expect((await ops('scarti')).code).toBe(2);
    expect((await ops('riprova', '--coda', 'inps.pacchetto.invio', '--operatore', OPERATORE)).code).toBe(2);
    const sconosciuta = await ops('riprova', '--coda', 'coda.inesistente', '--tutti', '--operatore', OPERATORE);
    expect(sconosciuta.code).toBe(2);
    expect(sconosciuta.stderr).toContain('non è una coda di lavoro');
    const assente = await ops('riprova', '--coda', 'inps.pacchetto.invio', '--messaggio', randomUUID(), '--operatore', OPERATORE);
    expect(assente.code).toBe(1);
    expect(assente.stderr).toContain('non è tra gli scarti');
  });
});

describe('resending a packet', () => {
  let id: string;
  let idIstruttoria: string;

  beforeAll(async () => {
    // The hub refuses every packet of this domanda (its operator is suspended there): each is RIFIUTATO, and the
    // case goes to INL, which waits for an inspector (inl.apertura manuale).
    const client = await fed.caseSystem({ id: OP_HUB, ufficio: 'INPS - sede di test' });
    idIstruttoria = (await client.presentaDomanda(scenario('conforme').domanda('INPS.OPS.2026.000002', new Date()))).idIstruttoria;
    await eventually(async () => {
      const r = await inps.query<{ stato: string; rifiutati: number }>(
        `SELECT i.stato, (SELECT count(*) FROM pacchetto p WHERE p.istruttoria_id = i.id AND p.stato = 'RIFIUTATO')::int AS rifiutati FROM istruttoria i WHERE i.id = $1`,
        [idIstruttoria],
      );
      return r.rows[0]?.stato === 'VALUTAZIONE_INL' && r.rows[0].rifiutati === 3;
    }, { what: 'every packet refused by the hub' });
    id = await pacchettoDi(idIstruttoria, 'MINLAVORO');
  });

  test('a packet the hub refused is resent once the refusal is lifted, then delivered, acked and answered', async () => {
    expect(await statoPacchetto(id)).toMatchObject({ stato: 'RIFIUTATO', correlation_id: null, tentativi_invio: 1 });
    await riattiva(hub, { tipo: 'OPERATORE', soggetto: OP_HUB, autore: 'INPS-SUP-TEST' }, new Date());
    await riavvia('minlavoro-hub');

    const r = await ops('reinvia', '--pacchetto', id, '--operatore', OPERATORE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`pacchetto ${id} per MINLAVORO (era RIFIUTATO): reinvio in coda`);

    const p = await eventually(async () => {
      const s = await statoPacchetto(id);
      return s.stato === 'RISPOSTO' ? s : undefined;
    }, { timeoutMs: 60_000, what: 'the resent packet answered' });
    expect(p).toMatchObject({ esito: 'CONFORME', tentativi_invio: 2, correlation_id: expect.any(String), stato_istruttoria: 'VALUTAZIONE_INL' });
    const eventi = (await inps.query<{ tipo: string; dettagli: Record<string, unknown> }>('SELECT tipo, dettagli FROM evento WHERE pacchetto_id = $1 ORDER BY id', [id])).rows;
    expect(eventi.map((e) => e.tipo)).toEqual(['PACCHETTO_CREATO', 'PACCHETTO_RIFIUTATO', 'PACCHETTO_REINVIATO', 'PACCHETTO_INVIATO', 'ESITO_RICEVUTO']);
    expect(eventi[2]!.dettagli).toEqual({ operatore: OPERATORE, stato: 'RIFIUTATO' });
    expect(eventi[3]!.dettagli).toMatchObject({ correlationId: p.correlation_id });
    // Acked, it was INVIATO again: its 5 days ran from this receipt (the timer the esito then cancelled).
    expect((await inps.query(`SELECT stato FROM timer WHERE tipo = 'SCADENZA_ESITO' AND chiave = $1`, [id])).rows).toEqual([{ stato: 'ANNULLATO' }]);
    // The hub took it with the correlation id INPS recorded, and forwarded it.
    await eventually(async () => {
      const inoltro = (await hub.query('SELECT stato, correlation_id FROM pacchetto_inoltro WHERE id_pacchetto = $1', [id])).rows[0];
      return inoltro?.stato === 'INOLTRATO' && inoltro.correlation_id === p.correlation_id;
    }, { what: 'the hub to record the forward with the correlation id INPS has' });
    const reinvii = await inps.query(`SELECT payload FROM outbox WHERE payload->>'idPacchetto' = $1 AND payload ? 'reinvio'`, [id]);
    expect(reinvii.rows).toEqual([{ payload: { idPacchetto: id, reinvio: true } }]);
    expect(await ultimoAccesso(inps, 'reinvia')).toMatchObject({ operatore_id: OPERATORE, esito: 'ACCETTATA', riferimenti: { idPacchetto: id, idIstruttoria } });
  });

  test('a packet already answered, or of a closed istruttoria, is not resent', async () => {
    // A domanda every archive confirms: closed on the archives once the three esiti are in.
    const altra = (await (await fed.caseSystem()).presentaDomanda(scenario('conforme').domanda('INPS.OPS.2026.000003', new Date()))).idIstruttoria;
    await eventually(async () => (await inps.query('SELECT stato FROM istruttoria WHERE id = $1', [altra])).rows[0]?.stato === 'CHIUSA', { what: 'the other istruttoria to close' });
    const chiusa = await pacchettoDi(altra, 'ANPAL');
    const tracce = async () =>
      (
        await inps.query(
          `SELECT (SELECT count(*) FROM outbox WHERE payload->>'idPacchetto' = ANY($1))::int AS outbox, (SELECT count(*) FROM evento WHERE pacchetto_id = ANY($1::uuid[]))::int AS eventi`,
          [[id, chiusa]],
        )
      ).rows[0];
    const prima = await tracce();
    const r = await ops('reinvia', '--pacchetto', id, '--operatore', OPERATORE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TRANSIZIONE_NON_AMMESSA');
    expect(r.stderr).toContain(`il pacchetto ${id} è RISPOSTO con esito CONFORME`);
    expect(await ultimoAccesso(inps, 'reinvia')).toMatchObject({ operatore_id: OPERATORE, esito: 'RIFIUTATA', codice_errore: 'TRANSIZIONE_NON_AMMESSA', riferimenti: { idPacchetto: id } });

    const c = await ops('reinvia', '--pacchetto', chiusa, '--operatore', OPERATORE);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('è chiusa');
    expect(await tracce()).toEqual(prima);

    const ignoto = await ops('reinvia', '--pacchetto', randomUUID(), '--operatore', OPERATORE);
    expect(ignoto.code).toBe(1);
    expect(ignoto.stderr).toContain('PACCHETTO_NON_TROVATO');
  });

  test("storia shows the packet's attempts, ack and esito in order, at INPS, the hub and its party, ids only", async () => {
    const { correlation_id: corr } = await statoPacchetto(id);
    const minlavoro = fed.pool('minlavoro');
    // The party marks the esito delivered when INPS's answer reaches it, after INPS applied it.
    await eventually(async () => (await minlavoro.query('SELECT stato FROM pacchetto_ricevuto WHERE id_pacchetto = $1', [id])).rows[0]?.stato === 'ESITO_CONSEGNATO', {
      what: 'MINLAVORO to record the esito delivered',
    });
    const r = await ops('storia', '--pacchetto', id, '--operatore', OPERATORE);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(CF);
    const sezione = (ente: string) => {
      const da = r.stdout.indexOf(`== ${ente} ==`);
      expect(da).toBeGreaterThanOrEqual(0);
      const a = r.stdout.indexOf('\n== ', da + 1);
      return r.stdout.slice(da, a < 0 ? undefined : a);
    };
    const [intestazione, cronologia] = sezione('INPS').split('cronologia');
    expect(intestazione).toMatch(/stato\s+RISPOSTO, esito CONFORME/);
    expect(intestazione).toMatch(new RegExp(`correlation id\\s+${corr}`));
    expect(intestazione).toMatch(/tentativi invio\s+2/);
    const righe = cronologia!.split('\n');
    const posizione = (...parti: string[]) => {
      const i = righe.findIndex((l) => parti.every((p) => l.includes(p)));
      expect({ voce: parti, trovata: i >= 0 }).toEqual({ voce: parti, trovata: true });
      return i;
    };
    const ordine = [
      posizione('evento', 'PACCHETTO_CREATO'),
      posizione('INVIATO VerificaPacchetto', 'RIFIUTATO OPERATORE_SOSPESO'),
      posizione('evento', 'PACCHETTO_RIFIUTATO'),
      posizione('evento', 'PACCHETTO_REINVIATO', OPERATORE),
      posizione('outbox', '(reinvio)', 'pubblicato il'),
      posizione('INVIATO VerificaPacchetto', 'ACCETTATO'),
      posizione('evento', 'PACCHETTO_INVIATO', corr!),
      posizione('RICEVUTO NotificaEsito', 'ACCETTATO', corr!),
      posizione('esito', 'da MINLAVORO', 'applicato'),
      posizione('evento', 'ESITO_RICEVUTO'),
    ];
    expect([...ordine].sort((x, y) => x - y)).toEqual(ordine);
    expect(new Set(ordine).size).toBe(ordine.length);

    const h = sezione('HUB');
    expect(h).toMatch(/stato\s+INOLTRATO/);
    expect(h).toContain(corr!);
    expect(h.indexOf('RICEVUTO VerificaPacchetto')).toBeLessThan(h.indexOf('INVIATO VerificaPacchetto'));
    const m = sezione('MINLAVORO');
    expect(m).toMatch(/stato\s+ESITO_CONSEGNATO/);
    expect(m.indexOf('RICEVUTO VerificaPacchetto')).toBeLessThan(m.indexOf('INVIATO NotificaEsito'));
    // Each service's trace records the consultation of its data.
    for (const pool of [inps, hub, minlavoro]) expect(await ultimoAccesso(pool, 'storia')).toMatchObject({ operatore_id: OPERATORE, riferimenti: { idPacchetto: id } });

    const soloHub = await ops('storia', '--pacchetto', id, '--ente', 'HUB', '--operatore', OPERATORE);
    expect(soloHub.stdout).toContain('== HUB ==');
    expect(soloHub.stdout).not.toContain('== INPS ==');
    const altrove = await ops('storia', '--pacchetto', id, '--ente', 'INAIL', '--operatore', OPERATORE);
    expect(altrove.code).toBe(1);
    expect(altrove.stderr).toContain(`nessuna traccia del pacchetto ${id} presso INAIL`);
  });
});

describe('a dead letter read and replayed (headers)', () => {
  test('RabbitMQ dead-lettering by itself (delivery limit) is told apart from a consumer giving up', () => {
    const s = descriviScarto({
      content: Buffer.from(JSON.stringify({ idPacchetto: 'p-1', codiceFiscale: CF, rapporti: [] })),
      properties: {
        messageId: 'm-1',
        headers: {
          'x-first-death-reason': 'delivery_limit',
          'x-first-death-queue': 'hub.pacchetto.inoltro',
          'x-death': [{ count: 1, reason: 'delivery_limit', queue: 'hub.pacchetto.inoltro', time: { '!': 'timestamp', value: 1_790_000_000 }, exchange: 'ape.lavoro', 'routing-keys': ['hub.pacchetto.inoltro'] }],
        },
      },
    });
    expect(s).toEqual({
      messaggio: 'm-1',
      coda: 'hub.pacchetto.inoltro',
      errore: 'RABBITMQ delivery_limit',
      motivo: 'limite di consegne superato (il consumatore non ha concluso)',
      tentativo: '1',
      primoScarto: `${new Date(1_790_000_000_000).toISOString()} delivery_limit in hub.pacchetto.inoltro`,
      riprovato: '',
      contenuto: 'idPacchetto=p-1',
    });
  });

  test("a consumer's reason quoting a codice fiscale is masked", () => {
    const s = descriviScarto({ content: Buffer.from('{}'), properties: { messageId: 'm-2', headers: { 'x-ape-errore-codice': 'DATI_INCOERENTI', 'x-ape-errore-messaggio': `lavoratore ${CF} non coerente` } } });
    expect(s.motivo).toBe('lavoratore [codice fiscale] non coerente');
    expect(s.contenuto).toBe('(2 byte)');
  });

  test('a replay drops the error and the dead-letter queue delivery count, restarts the attempts and names who replayed it', () => {
    const il = new Date('2026-03-02T10:00:00Z');
    const h = intestazioniRiprova(
      { 'x-ape-errore-codice': 'X', 'x-ape-errore-messaggio': 'y', 'x-ape-coda': 'inps.pacchetto.invio', 'x-ape-tentativo': 7, 'x-delivery-count': 3, idIstruttoria: 'i-1' },
      OPERATORE,
      il,
    );
    expect(h).toEqual({ 'x-ape-coda': 'inps.pacchetto.invio', 'x-ape-tentativo': 1, idIstruttoria: 'i-1', 'x-ape-riprovato-da': OPERATORE, 'x-ape-riprovato-il': il.toISOString() });
  });
});
