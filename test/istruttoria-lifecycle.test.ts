process.env.APE_LOG_LEVEL = 'silent';

import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ManualClock, type Clock } from '../shared/clock';
import { ApeError } from '../shared/errors';
import { createLogger } from '../shared/log';
import type { Domanda, EnteVerificatore, Esito } from '../shared/domain/types';
import type { NotificaAccertamento } from '../shared/messages/esiti';
import { Scheduler } from '../shared/scheduler/timers';
import { registraDomanda } from '../services/inps/core/domande';
import { gestoriTimerInps } from '../services/inps/core/timer-inps';
import { TIMER_LIMITE_ISTRUTTORIA, TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from '../services/inps/core/aggiorna';
import { applicaNotificaAccertamento, type NotificaApplicata } from '../services/inps/core/accertamenti';
import { aggiungiOsservazione } from '../services/inps/core/osservazione';
import { caricaVista } from '../services/inps/core/vista';
import type { CorpoMessaggio } from '../services/inps/core/messaggi';
import type { RegoleInps } from '../services/inps/core/regole';
import { scenario } from '../infra/demo/dataset';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto } from '../shared/domain/stati';
import {
  DatabaseInps,
  domanda,
  dopo,
  giorni,
  nuovoDatore,
  nuovoLavoratore,
  OPERATORE,
  ore,
  pacchettiDi,
  pacchetto,
  presaInCarico,
  rapportoEdile,
  regole,
  rispondi,
  type Pacchetto,
} from './support/inps-lifecycle';

/**
 * The INPS-side lifecycle of an istruttoria (protocol art. 5), in process against a real PostgreSQL database:
 * the functions the gateway, dispatcher and scheduler call are called directly, time is a ManualClock moved by
 * hand, and the parties' acks and esiti are played by the test. Each test builds its own domande.
 */

const log = createLogger('test');
let db: DatabaseInps;
let pool: Pool;

beforeAll(async () => {
  db = await DatabaseInps.crea('lifecycle');
  pool = db.pool;
});

afterAll(async () => {
  await db?.elimina();
});

let nProtocollo = 0;
const protocollo = (tag: string) => `INPS.LC.${tag}.${String(++nProtocollo).padStart(4, '0')}`;

const scheduler = (clock: Clock, r: RegoleInps) => new Scheduler({ pool, clock, handlers: gestoriTimerInps(r), log });

async function presenta(d: Domanda, now: Date, r: RegoleInps): Promise<string> {
  const ric = await registraDomanda(pool, d, OPERATORE, now, r);
  expect(ric.stato).toBe('IN_VERIFICA');
  return ric.idIstruttoria;
}

interface RigaIstruttoria {
  stato: StatoIstruttoria;
  esito_verifica: Esito | null;
  regola_chiusura: RegolaChiusura | null;
  chiusa_il: Date | null;
  limite: Date;
  limite_motivo: string;
  riesame_il: Date | null;
  riesame_motivo: string | null;
}

async function istruttoria(id: string): Promise<RigaIstruttoria> {
  const r = await pool.query<RigaIstruttoria>(
    'SELECT stato, esito_verifica, regola_chiusura, chiusa_il, limite, limite_motivo, riesame_il, riesame_motivo FROM istruttoria WHERE id = $1',
    [id],
  );
  return r.rows[0]!;
}

async function tipiEventi(id: string): Promise<string[]> {
  const r = await pool.query<{ tipo: string }>('SELECT tipo FROM evento WHERE istruttoria_id = $1 ORDER BY id', [id]);
  return r.rows.map((x) => x.tipo);
}

async function eventi(id: string, tipo: string): Promise<Array<{ pacchetto_id: string | null; avvenuto_il: Date; dettagli: Record<string, unknown> }>> {
  const r = await pool.query<{ pacchetto_id: string | null; avvenuto_il: Date; dettagli: Record<string, unknown> }>(
    'SELECT pacchetto_id, avvenuto_il, dettagli FROM evento WHERE istruttoria_id = $1 AND tipo = $2 ORDER BY id',
    [id, tipo],
  );
  return r.rows;
}

interface RigaMessaggio {
  id: string;
  destinatario: EnteVerificatore;
  corpo: CorpoMessaggio;
  correlation_id: string | null;
  creato_il: Date;
}

async function messaggi(id: string, tipo: CorpoMessaggio['tipo']): Promise<RigaMessaggio[]> {
  const r = await pool.query<RigaMessaggio>(
    `SELECT id, destinatario, corpo, correlation_id, creato_il FROM messaggio_uscita WHERE istruttoria_id = $1 AND tipo = $2 ORDER BY creato_il, destinatario`,
    [id, tipo],
  );
  return r.rows;
}

async function timer(tipo: string, chiave: string): Promise<{ stato: string; scade_il: Date } | undefined> {
  const r = await pool.query<{ stato: string; scade_il: Date }>('SELECT stato, scade_il FROM timer WHERE tipo = $1 AND chiave = $2', [tipo, chiave]);
  return r.rows[0];
}

async function statiPacchetti(id: string): Promise<Record<string, StatoPacchetto>> {
  return Object.fromEntries([...(await pacchettiDi(pool, id))].map(([ente, p]) => [ente, p.stato]));
}

async function esitiRicevuti(idPacchetto: string): Promise<Array<{ applicato: boolean; in_ritardo: boolean; correlation_id: string }>> {
  const r = await pool.query<{ applicato: boolean; in_ritardo: boolean; correlation_id: string }>(
    'SELECT applicato, in_ritardo, correlation_id FROM esito_ricevuto WHERE pacchetto_id = $1 ORDER BY id',
    [idPacchetto],
  );
  return r.rows;
}

/** Acks every packet of the istruttoria at `at`; returns each party's correlation id and packet. */
async function presaInCaricoDiTutti(id: string, at: Date, r: RegoleInps): Promise<Map<EnteVerificatore, { p: Pacchetto; corr: string }>> {
  const out = new Map<EnteVerificatore, { p: Pacchetto; corr: string }>();
  for (const [ente, p] of await pacchettiDi(pool, id)) out.set(ente, { p, corr: await presaInCarico(pool, p, at, r) });
  return out;
}

function get<K, V>(m: ReadonlyMap<K, V>, k: K): V {
  const v = m.get(k);
  if (v === undefined) throw new Error(`missing ${String(k)}`);
  return v;
}

async function segnalazione(id: string): Promise<{ id: string; stato_accertamento: string | null; esito_accertamento: string | null; correlation_id: string | null }> {
  const r = await pool.query<{ id: string; stato_accertamento: string | null; esito_accertamento: string | null; correlation_id: string | null }>(
    'SELECT id, stato_accertamento, esito_accertamento, correlation_id FROM segnalazione_inl WHERE istruttoria_id = $1',
    [id],
  );
  expect(r.rows).toHaveLength(1);
  return r.rows[0]!;
}

async function codiciIndici(id: string): Promise<Array<{ codice: string; datore_cf: string }>> {
  const r = await pool.query<{ codice: string; datore_cf: string }>('SELECT codice, datore_cf FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [id]);
  return r.rows;
}

// ---------------------------------------------------------------------------------------------------------------

describe('a. the 5-day deadline of a packet runs on the Rome calendar, across daylight-saving changes', () => {
  async function scadenzaAttraversoCambioOra(o: { presentazione: string; ack: string; scadenza: string }) {
    const r = regole();
    const clock = new ManualClock(o.presentazione);
    const id = await presenta(domanda({ protocollo: protocollo('DST'), presentazione: clock.now() }), clock.now(), r);
    clock.set(o.ack);
    const acked = await presaInCaricoDiTutti(id, clock.now(), r);
    expect([...acked.keys()].sort()).toEqual(['ANPAL', 'INAIL', 'MINLAVORO']);
    const scadenza = new Date(o.scadenza);

    for (const { p } of acked.values()) {
      const now = await pacchetto(pool, id, p.destinatario);
      expect(now.stato).toBe('INVIATO');
      expect(now.scadenzaEsito).toEqual(scadenza);
      expect(await timer(TIMER_SCADENZA_ESITO, p.id)).toEqual({ stato: 'ATTESA', scade_il: scadenza });
    }

    const s = scheduler(clock, r);
    clock.set(new Date(scadenza.getTime() - 1));
    await s.runDue();
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'INVIATO', ANPAL: 'INVIATO', INAIL: 'INVIATO' });
    for (const { p } of acked.values()) expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.stato).toBe('ATTESA');
    expect(await messaggi(id, 'SOLLECITO')).toEqual([]);
    expect(await eventi(id, 'PACCHETTO_SCADUTO')).toEqual([]);

    clock.set(scadenza);
    await s.runDue();
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'SCADUTO', ANPAL: 'SCADUTO', INAIL: 'SCADUTO' });
    const solleciti = await messaggi(id, 'SOLLECITO');
    expect(solleciti.map((m) => m.destinatario).sort()).toEqual(['ANPAL', 'INAIL', 'MINLAVORO']);
    for (const [ente, { p, corr }] of acked) {
      const m = solleciti.find((x) => x.destinatario === ente)!;
      expect(m.correlation_id).toBe(corr);
      expect(m.corpo).toEqual({
        tipo: 'SOLLECITO',
        sollecito: { idSollecito: m.id, idPacchetto: p.id, destinatario: ente, scadenza: scadenza.toISOString(), dataSollecito: scadenza.toISOString() },
      });
      expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.stato).toBe('ESEGUITO');
      const row = (await pool.query<{ scaduto_il: Date; sollecitato_il: Date }>('SELECT scaduto_il, sollecitato_il FROM pacchetto WHERE id = $1', [p.id])).rows[0]!;
      expect(row).toEqual({ scaduto_il: scadenza, sollecitato_il: scadenza });
    }
    const scaduti = await eventi(id, 'PACCHETTO_SCADUTO');
    expect(scaduti.map((e) => e.pacchetto_id).sort()).toEqual([...acked.values()].map((x) => x.p.id).sort());
    expect(scaduti.every((e) => e.avvenuto_il.getTime() === scadenza.getTime() && e.dettagli.scadenza === scadenza.toISOString())).toBe(true);
    // Every party overdue: the data are not verifiable and the case goes to INL.
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  }

  test('a packet acked on 2026-03-24 at 10:00 Rome is due at the first instant of 2026-03-30 Rome (2026-03-29T22:00:00Z): the day of the spring change is its last day', async () => {
    await scadenzaAttraversoCambioOra({ presentazione: '2026-03-24T08:00:00Z', ack: '2026-03-24T09:00:00Z', scadenza: '2026-03-29T22:00:00.000Z' });
  });

  test('a packet acked on 2026-10-20 at 10:00 Rome is due at the first instant of 2026-10-26 Rome (2026-10-25T23:00:00Z), after the autumn change', async () => {
    await scadenzaAttraversoCambioOra({ presentazione: '2026-10-20T06:00:00Z', ack: '2026-10-20T08:00:00Z', scadenza: '2026-10-25T23:00:00.000Z' });
  });

  test('an ack at 00:30 Rome on 2026-03-25 (still 24 March in UTC) counts from the Rome day: due at 2026-03-30T22:00:00Z', async () => {
    const r = regole();
    const id = await presenta(domanda({ protocollo: protocollo('DST'), presentazione: new Date('2026-03-24T15:00:00Z') }), new Date('2026-03-24T15:00:00Z'), r);
    const p = await pacchetto(pool, id, 'MINLAVORO');
    await presaInCarico(pool, p, new Date('2026-03-24T23:30:00Z'), r);
    expect((await pacchetto(pool, id, 'MINLAVORO')).scadenzaEsito).toEqual(new Date('2026-03-30T22:00:00.000Z'));
    expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.scade_il).toEqual(new Date('2026-03-30T22:00:00.000Z'));
  });

  test('a repeated ack of the same packet (a redelivered send) keeps the deadline of the first receipt, for the packet and for its timer', async () => {
    const r = regole();
    const id = await presenta(domanda({ protocollo: protocollo('ACK2'), presentazione: new Date('2026-03-24T08:00:00Z') }), new Date('2026-03-24T08:00:00Z'), r);
    const p = await pacchetto(pool, id, 'ANPAL');
    const corr = await presaInCarico(pool, p, new Date('2026-03-24T09:00:00Z'), r);
    await presaInCarico(pool, p, new Date('2026-03-26T09:00:00Z'), r, corr);
    const prima = new Date('2026-03-29T22:00:00.000Z');
    const dopoAck = await pacchetto(pool, id, 'ANPAL');
    expect(dopoAck.correlationId).toBe(corr);
    expect(dopoAck.scadenzaEsito).toEqual(prima);
    // The timer must fall due when the packet's recorded deadline ends, not two days later.
    expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.scade_il).toEqual(prima);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * A domanda whose INAIL packet gets no answer: every party acks at T0 + 1 h, MINLAVORO and ANPAL answer CONFORME
 * at T0 + 1 day, INAIL stays silent; the clock is then moved 6 days on and the scheduler runs.
 */
async function inailSilente(t0: string) {
  const r = regole();
  const clock = new ManualClock(t0);
  const id = await presenta(domanda({ protocollo: protocollo('SIL'), presentazione: clock.now() }), clock.now(), r);
  clock.advance(ore(1));
  const parti = await presaInCaricoDiTutti(id, clock.now(), r);
  clock.advance(giorni(1));
  for (const ente of ['MINLAVORO', 'ANPAL'] as const) {
    const { p, corr } = get(parti, ente);
    expect(await rispondi(pool, p, corr, clock.now(), r)).toEqual({ applicato: true, inRitardo: false, statoIstruttoria: 'IN_VERIFICA' });
  }
  const s = scheduler(clock, r);
  clock.set(dopo(new Date(t0), giorni(6)));
  await s.runDue();
  return { r, clock, id, parti, s };
}

describe('b. a party silent for 5 days', () => {
  test('the silent packet is SCADUTO, the case goes to INL with every datum of the silent party as ESITO_NON_PERVENUTO', async () => {
    const { id, parti } = await inailSilente('2026-05-11T08:00:00Z');
    const inail = get(parti, 'INAIL');
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'RISPOSTO', ANPAL: 'RISPOSTO', INAIL: 'SCADUTO' });
    const i = await istruttoria(id);
    expect(i).toMatchObject({ stato: 'VALUTAZIONE_INL', esito_verifica: 'NON_VERIFICABILE', chiusa_il: null, regola_chiusura: null });

    const seg = await segnalazione(id);
    const msg = await messaggi(id, 'SEGNALAZIONE');
    expect(msg).toHaveLength(1);
    expect(msg[0]!.id).toBe(seg.id);
    expect(msg[0]!.destinatario).toBe('INL');
    const corpo = msg[0]!.corpo;
    if (corpo.tipo !== 'SEGNALAZIONE') throw new Error('not a SEGNALAZIONE');
    expect(corpo.segnalazione).toMatchObject({ idSegnalazione: seg.id, idIstruttoria: id, destinatario: 'INL', tipoDomanda: 'APE_SOCIALE', limiteAttesa: i.limite.toISOString() });
    expect(corpo.segnalazione.lavoratore.codiceFiscale).toBe(inail.p.contenuto.lavoratore.codiceFiscale);
    expect(corpo.segnalazione.rapporti).toHaveLength(1);
    expect(corpo.segnalazione.datiNonVerificati).toEqual([
      { ente: 'INAIL', riferimento: 1, dato: 'GRANDE_GRUPPO_TARIFFA', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'INAIL', riferimento: 1, dato: 'VOCE_TARIFFA', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'INAIL', riferimento: 1, dato: 'TASSO_MEDIO_TARIFFA', motivo: 'ESITO_NON_PERVENUTO' },
    ]);
    const solleciti = await messaggi(id, 'SOLLECITO');
    expect(solleciti.map((m) => [m.destinatario, m.correlation_id])).toEqual([['INAIL', inail.corr]]);
    expect(await tipiEventi(id)).toEqual(expect.arrayContaining(['PACCHETTO_SCADUTO', 'VALUTAZIONE_INL_AVVIATA']));
    expect((await eventi(id, 'PACCHETTO_SCADUTO')).map((e) => e.pacchetto_id)).toEqual([inail.p.id]);
  });

  test('nothing is sent to INL while the silent party is still within its 5 days', async () => {
    const r = regole();
    const clock = new ManualClock('2026-05-12T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('SIL'), presentazione: clock.now() }), clock.now(), r);
    const parti = await presaInCaricoDiTutti(id, clock.now(), r);
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(parti, ente).p, get(parti, ente).corr, clock.now(), r);
    // Due at the first instant of 2026-05-18 Rome (CEST) = 2026-05-17T22:00:00Z.
    clock.set('2026-05-17T21:59:59.999Z');
    await scheduler(clock, r).runDue();
    expect((await istruttoria(id)).stato).toBe('IN_VERIFICA');
    expect(await messaggi(id, 'SEGNALAZIONE')).toEqual([]);
    expect(await pool.query('SELECT 1 FROM segnalazione_inl WHERE istruttoria_id = $1', [id])).toMatchObject({ rowCount: 0 });
  });
});

describe('b2. a packet that cannot be delivered (its party, or the hub, down for 5 days)', () => {
  test('its delivery deadline is the end of the fifth Rome day after creation; when it passes the packet is SCADUTO, no reminder goes out, and the case goes to INL', async () => {
    const r = regole();
    const clock = new ManualClock('2026-10-21T10:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('NC'), presentazione: clock.now() }), clock.now(), r);
    const pacchetti = await pacchettiDi(pool, id);
    // MINLAVORO and ANPAL receive theirs and answer; INAIL's never gets through.
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) {
      const p = get(pacchetti, ente);
      await rispondi(pool, p, await presaInCarico(pool, p, clock.now(), r), clock.now(), r);
      expect((await timer(TIMER_SCADENZA_INVIO, p.id))?.stato).toBe('ANNULLATO');
    }
    const inail = get(pacchetti, 'INAIL');
    // Created on 21 October (Rome): deliverable until the end of 26 October, i.e. the first instant of the 27th, after the change to CET.
    expect((await timer(TIMER_SCADENZA_INVIO, inail.id))?.scade_il.toISOString()).toBe('2026-10-26T23:00:00.000Z');
    expect((await caricaVista(pool, { idIstruttoria: id })).scadenze).toEqual(
      expect.arrayContaining([expect.objectContaining({ tipo: 'CONSEGNA_PACCHETTO', idPacchetto: inail.id, stato: 'IN_CORSO' })]),
    );

    clock.set('2026-10-26T22:59:59.999Z');
    await scheduler(clock, r).runDue();
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'RISPOSTO', ANPAL: 'RISPOSTO', INAIL: 'DA_INVIARE' });
    clock.set('2026-10-26T23:00:00.000Z');
    await scheduler(clock, r).runDue();
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'RISPOSTO', ANPAL: 'RISPOSTO', INAIL: 'SCADUTO' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    expect((await eventi(id, 'PACCHETTO_NON_CONSEGNATO')).map((e) => [e.pacchetto_id, e.dettagli.destinatario])).toEqual([[inail.id, 'INAIL']]);
    expect(await messaggi(id, 'SOLLECITO')).toEqual([]);
    const seg = (await messaggi(id, 'SEGNALAZIONE'))[0]!.corpo;
    if (seg.tipo !== 'SEGNALAZIONE') throw new Error('not a SEGNALAZIONE');
    expect(seg.segnalazione.datiNonVerificati.filter((d) => d.ente === 'INAIL').map((d) => d.motivo)).toEqual(['ESITO_NON_PERVENUTO', 'ESITO_NON_PERVENUTO', 'ESITO_NON_PERVENUTO']);
    expect((await caricaVista(pool, { idIstruttoria: id })).scadenze).toEqual(
      expect.arrayContaining([expect.objectContaining({ tipo: 'CONSEGNA_PACCHETTO', idPacchetto: inail.id, stato: 'SUPERATA' })]),
    );

    // Delivered at last and answered before closure: the esito is applied, late.
    clock.set('2026-10-28T09:00:00Z');
    const corr = await presaInCarico(pool, inail, clock.now(), r);
    await rispondi(pool, inail, corr, clock.now(), r);
    expect(await esitiRicevuti(inail.id)).toEqual([{ applicato: true, in_ritardo: true, correlation_id: corr }]);
  });

  test('a packet received within the 5 days has no delivery deadline left, only its esito deadline', async () => {
    const r = regole();
    const clock = new ManualClock('2026-06-01T07:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('NC'), presentazione: clock.now() }), clock.now(), r);
    const p = get(await pacchettiDi(pool, id), 'INAIL');
    clock.set('2026-06-05T07:00:00Z');
    await presaInCarico(pool, p, clock.now(), r);
    expect(await timer(TIMER_SCADENZA_INVIO, p.id)).toMatchObject({ stato: 'ANNULLATO' });
    expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.scade_il.toISOString()).toBe('2026-06-10T22:00:00.000Z');
    clock.set('2026-06-08T07:00:00Z');
    await scheduler(clock, r).runDue();
    expect((await statiPacchetti(id)).INAIL).toBe('INVIATO');
  });
});

describe('c. an esito after its deadline, before the istruttoria closes', () => {
  test('is applied and recorded as late; the istruttoria stays VALUTAZIONE_INL', async () => {
    const { r, clock, id, parti } = await inailSilente('2026-05-18T08:00:00Z');
    const inail = get(parti, 'INAIL');
    clock.advance(giorni(1));
    const res = await rispondi(pool, inail.p, inail.corr, clock.now(), r);
    expect(res).toEqual({ applicato: true, inRitardo: true, statoIstruttoria: 'VALUTAZIONE_INL' });

    const p = await pacchetto(pool, id, 'INAIL');
    expect(p.stato).toBe('RISPOSTO');
    expect(p.inRitardo).toBe(true);
    expect(await esitiRicevuti(inail.p.id)).toEqual([{ applicato: true, in_ritardo: true, correlation_id: inail.corr }]);
    const late = await eventi(id, 'ESITO_IN_RITARDO');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ pacchetto_id: inail.p.id, dettagli: { ente: 'INAIL', esito: 'CONFORME', scadenza: p.scadenzaEsito!.toISOString() } });
    expect(await eventi(id, 'ESITO_RICEVUTO')).toHaveLength(2);
    const i = await istruttoria(id);
    expect(i).toMatchObject({ stato: 'VALUTAZIONE_INL', chiusa_il: null, regola_chiusura: null });
    // The summary is kept current: every archive has now confirmed every datum.
    expect(i.esito_verifica).toBe('CONFORME');
    // One case for INL, not a second one.
    expect(await messaggi(id, 'SEGNALAZIONE')).toHaveLength(1);
    // The other parties learn of the late esito.
    const riscontri = (await messaggi(id, 'RISCONTRO')).filter((m) => m.corpo.tipo === 'RISCONTRO' && m.corpo.riscontro.enteRispondente === 'INAIL');
    expect(riscontri.map((m) => m.destinatario).sort()).toEqual(['ANPAL', 'MINLAVORO']);
    expect(riscontri.every((m) => m.corpo.tipo === 'RISCONTRO' && m.corpo.riscontro.inRitardo)).toBe(true);
  });

  test('an esito at the deadline instant, before the scheduler has run, is late; one millisecond earlier it is in time', async () => {
    const r = regole();
    const t0 = new Date('2026-05-19T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('LATE'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, t0, r);
    const scadenza = new Date('2026-05-24T22:00:00.000Z');
    const m = get(parti, 'MINLAVORO');
    const a = get(parti, 'ANPAL');
    expect(await rispondi(pool, m.p, m.corr, new Date(scadenza.getTime() - 1), r)).toMatchObject({ applicato: true, inRitardo: false });
    expect(await rispondi(pool, a.p, a.corr, scadenza, r)).toMatchObject({ applicato: true, inRitardo: true });
    expect((await pacchetto(pool, id, 'MINLAVORO')).inRitardo).toBe(false);
    expect((await pacchetto(pool, id, 'ANPAL')).inRitardo).toBe(true);
    expect(await eventi(id, 'ESITO_IN_RITARDO')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * A domanda closed by the wait limit: MINLAVORO and ANPAL answer (CONFORME, or as given) on day 1; INAIL acks
 * only on day 28, so its 5 days are still running when the limit (end of day P+30) closes the case.
 */
async function chiusaDalLimite(t0: string, esitoArchivi: Esito = 'CONFORME') {
  const r = regole();
  const clock = new ManualClock(t0);
  const id = await presenta(domanda({ protocollo: protocollo('LIM'), presentazione: clock.now() }), clock.now(), r);
  const tutti = await pacchettiDi(pool, id);
  const corr = new Map<EnteVerificatore, string>();
  clock.advance(ore(1));
  for (const ente of ['MINLAVORO', 'ANPAL'] as const) corr.set(ente, await presaInCarico(pool, get(tutti, ente), clock.now(), r));
  clock.advance(giorni(1));
  for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(tutti, ente), get(corr, ente), clock.now(), r, ente === 'ANPAL' ? esitoArchivi : 'CONFORME');
  clock.set(dopo(new Date(t0), giorni(28)));
  corr.set('INAIL', await presaInCarico(pool, get(tutti, 'INAIL'), clock.now(), r));
  const { limite } = await istruttoria(id);
  const inail = await pacchetto(pool, id, 'INAIL');
  expect(inail.scadenzaEsito!.getTime()).toBeGreaterThan(limite.getTime());
  const s = scheduler(clock, r);
  clock.set(new Date(limite.getTime() - 1));
  await s.runDue();
  expect((await istruttoria(id)).stato).toBe('IN_VERIFICA');
  clock.set(limite);
  await s.runDue();
  return { r, clock, id, pacchetti: tutti, corr, limite, s };
}

describe('d. closure at the wait limit, and esiti arriving after it', () => {
  test('the limit closes the istruttoria on the self-declarations (AUTOCERTIFICAZIONI_TERMINE) and annuls the timers still waiting', async () => {
    const { id, pacchetti, limite } = await chiusaDalLimite('2026-06-08T07:00:00Z');
    // P = 2026-06-08 Rome; P+30 = 2026-07-08; the limit is the first instant of 2026-07-09 Rome (CEST).
    expect(limite).toEqual(new Date('2026-07-08T22:00:00.000Z'));
    const i = await istruttoria(id);
    expect(i).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', chiusa_il: limite, limite_motivo: '30 giorni dalla presentazione' });
    const raggiunto = await eventi(id, 'LIMITE_RAGGIUNTO');
    expect(raggiunto).toHaveLength(1);
    expect(raggiunto[0]).toMatchObject({ avvenuto_il: limite, dettagli: { motivo: '30 giorni dalla presentazione' } });
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
    expect((await timer(TIMER_LIMITE_ISTRUTTORIA, id))?.stato).toBe('ESEGUITO');
    for (const p of pacchetti.values()) expect(await timer(TIMER_SCADENZA_ESITO, p.id)).toMatchObject({ stato: 'ANNULLATO' });
    expect((await pacchetto(pool, id, 'INAIL')).stato).toBe('INVIATO');
    expect(await messaggi(id, 'SOLLECITO')).toEqual([]);
    // The view: the unanswered packet's deadline no longer matters; the limit was passed.
    const v = await caricaVista(pool, { idIstruttoria: id });
    const inail = get(pacchetti, 'INAIL');
    expect(v.scadenze.find((x) => x.idPacchetto === inail.id)?.stato).toBe('NON_PIU_RILEVANTE');
    expect(v.scadenze.find((x) => x.tipo === 'LIMITE_ISTRUTTORIA')?.stato).toBe('SUPERATA');
  });

  test('a NON_CONFORME esito after closure is recorded, not applied, and flags the case for riesame', async () => {
    const { r, clock, id, pacchetti, corr } = await chiusaDalLimite('2026-06-09T07:00:00Z');
    const prima = await istruttoria(id);
    expect(prima.esito_verifica).not.toBe('NON_CONFORME');
    const riscontriPrima = (await messaggi(id, 'RISCONTRO')).length;
    clock.advance(giorni(1));
    const inail = get(pacchetti, 'INAIL');
    const res = await rispondi(pool, inail, get(corr, 'INAIL'), clock.now(), r, (_r, dato) => (dato === 'TASSO_MEDIO_TARIFFA' ? 'NON_CONFORME' : 'CONFORME'));
    expect(res).toMatchObject({ applicato: false, statoIstruttoria: 'CHIUSA' });

    expect((await esitiRicevuti(inail.id)).map((e) => e.applicato)).toEqual([false]);
    expect((await pacchetto(pool, id, 'INAIL')).stato).toBe('INVIATO');
    expect((await pool.query('SELECT 1 FROM esito_dato WHERE pacchetto_id = $1', [inail.id])).rowCount).toBe(0);
    const dopoChiusura = await eventi(id, 'ESITO_DOPO_CHIUSURA');
    expect(dopoChiusura).toHaveLength(1);
    expect(dopoChiusura[0]).toMatchObject({ pacchetto_id: inail.id, dettagli: { ente: 'INAIL', esito: 'NON_CONFORME' } });

    const i = await istruttoria(id);
    expect(i).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: prima.esito_verifica, chiusa_il: prima.chiusa_il });
    expect(i.riesame_il).toEqual(clock.now());
    expect(i.riesame_motivo).toContain('NON_CONFORME');
    expect(i.riesame_motivo).toContain('INAIL');
    expect(await eventi(id, 'RIESAME_RICHIESTO')).toHaveLength(1);
    // Not applied: no notice to the other parties.
    expect(await messaggi(id, 'RISCONTRO')).toHaveLength(riscontriPrima);

    // Delivered again: recorded again, still not applied, riesame flagged once.
    clock.advance(ore(1));
    expect(await rispondi(pool, inail, get(corr, 'INAIL'), clock.now(), r, (_r, dato) => (dato === 'TASSO_MEDIO_TARIFFA' ? 'NON_CONFORME' : 'CONFORME'))).toMatchObject({ applicato: false });
    expect((await esitiRicevuti(inail.id)).map((e) => e.applicato)).toEqual([false, false]);
    expect(await eventi(id, 'RIESAME_RICHIESTO')).toHaveLength(1);
    expect((await istruttoria(id)).riesame_il).toEqual(i.riesame_il);
  });

  test('a CONFORME esito after closure is recorded, not applied, and does not flag riesame', async () => {
    const { r, clock, id, pacchetti, corr } = await chiusaDalLimite('2026-06-10T07:00:00Z');
    clock.advance(giorni(2));
    const inail = get(pacchetti, 'INAIL');
    expect(await rispondi(pool, inail, get(corr, 'INAIL'), clock.now(), r, 'CONFORME')).toMatchObject({ applicato: false, statoIstruttoria: 'CHIUSA' });
    expect((await esitiRicevuti(inail.id)).map((e) => e.applicato)).toEqual([false]);
    expect(await eventi(id, 'ESITO_DOPO_CHIUSURA')).toHaveLength(1);
    expect(await eventi(id, 'RIESAME_RICHIESTO')).toEqual([]);
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', riesame_il: null, riesame_motivo: null });
  });

  test('a NON_CONFORME esito after a closure that was already NON_CONFORME does not flag riesame', async () => {
    const { r, clock, id, pacchetti, corr } = await chiusaDalLimite('2026-06-11T07:00:00Z', 'NON_CONFORME');
    expect((await istruttoria(id)).esito_verifica).toBe('NON_CONFORME');
    clock.advance(giorni(1));
    const inail = get(pacchetti, 'INAIL');
    expect(await rispondi(pool, inail, get(corr, 'INAIL'), clock.now(), r, 'NON_CONFORME')).toMatchObject({ applicato: false });
    expect(await eventi(id, 'ESITO_DOPO_CHIUSURA')).toHaveLength(1);
    expect((await istruttoria(id)).riesame_il).toBeNull();
  });

  test('a case closed by the limit while a party had not yet answered is summarised NON_VERIFICABILE, not CONFORME', async () => {
    // MINLAVORO and ANPAL answered CONFORME; INAIL's data were never verified when the limit closed the case.
    const { id } = await chiusaDalLimite('2026-06-12T07:00:00Z');
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'RISPOSTO', ANPAL: 'RISPOSTO', INAIL: 'INVIATO' });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE' });
  });

  test('a scheduler pass that catches up past a packet deadline and the limit at once closes the case once and leaves the timers it annulled ANNULLATO', async () => {
    const r = regole();
    const t0 = new Date('2026-06-15T07:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('CATCH'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    const { limite } = await istruttoria(id);
    // The scheduler was down: it runs again only after the packets' deadlines and the limit have all passed.
    const clock = new ManualClock(dopo(limite, ore(1)));
    await scheduler(clock, r).runDue();
    const i = await istruttoria(id);
    expect(i).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE' });
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
    expect(await eventi(id, 'LIMITE_RAGGIUNTO')).toHaveLength(1);
    // Whatever fired first closed the case; every timer it annulled must stay annulled, not be recorded as fired.
    const stati = await Promise.all([timer(TIMER_LIMITE_ISTRUTTORIA, id), ...[...parti.values()].map(({ p }) => timer(TIMER_SCADENZA_ESITO, p.id))]);
    const eseguiti = stati.filter((t) => t?.stato === 'ESEGUITO');
    expect(eseguiti).toHaveLength(1);
    expect(stati.filter((t) => t?.stato === 'ANNULLATO')).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('e. the wait limit: 30 days from submission, or an earlier graduatoria cut-off', () => {
  test('each domanda closes at its own limit and not one millisecond before', async () => {
    const presentazione = new Date('2026-11-23T09:00:00Z');
    const conGraduatoria = regole({ scadenzeGraduatoria: ['2026-12-05'] });
    const senza = regole({ scadenzeGraduatoria: ['--06-30', '--10-15', '--12-31'] });
    const g = await presenta(domanda({ protocollo: protocollo('GRAD'), presentazione }), presentazione, conGraduatoria);
    const t = await presenta(domanda({ protocollo: protocollo('GRAD'), presentazione }), presentazione, senza);

    const limG = new Date('2026-12-05T23:00:00.000Z'); // first instant of 2026-12-06 Rome
    const limT = new Date('2026-12-23T23:00:00.000Z'); // first instant of 2026-12-24 Rome (P+30 = 2026-12-23)
    const ig = await istruttoria(g);
    expect(ig.limite).toEqual(limG);
    expect(ig.limite_motivo).toContain('graduatoria');
    expect(ig.limite_motivo).toContain('2026-12-05');
    expect(await timer(TIMER_LIMITE_ISTRUTTORIA, g)).toEqual({ stato: 'ATTESA', scade_il: limG });
    const it = await istruttoria(t);
    expect(it.limite).toEqual(limT);
    expect(it.limite_motivo).toBe('30 giorni dalla presentazione');
    expect(await timer(TIMER_LIMITE_ISTRUTTORIA, t)).toEqual({ stato: 'ATTESA', scade_il: limT });

    const clock = new ManualClock(presentazione);
    const s = scheduler(clock, senza);
    clock.set(new Date(limG.getTime() - 1));
    await s.runDue();
    // No packet was ever delivered: after 5 days both cases went to INL, and they wait there for the limit.
    expect((await istruttoria(g)).stato).toBe('VALUTAZIONE_INL');
    expect((await istruttoria(t)).stato).toBe('VALUTAZIONE_INL');

    clock.set(limG);
    await s.runDue();
    expect(await istruttoria(g)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', chiusa_il: limG, esito_verifica: 'NON_VERIFICABILE' });
    expect((await eventi(g, 'LIMITE_RAGGIUNTO'))[0]?.dettagli.motivo).toBe('scadenza graduatoria del 2026-12-05');
    expect((await istruttoria(t)).stato).toBe('VALUTAZIONE_INL');

    clock.set(new Date(limT.getTime() - 1));
    await s.runDue();
    expect((await istruttoria(t)).stato).toBe('VALUTAZIONE_INL');

    clock.set(limT);
    await s.runDue();
    expect(await istruttoria(t)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', chiusa_il: limT });
    expect(await eventi(t, 'LIMITE_RAGGIUNTO')).toHaveLength(1);
    expect(await eventi(g, 'LIMITE_RAGGIUNTO')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('f. domande from five workers of one employer (CINQUE_LAVORATORI_STESSO_DATORE)', () => {
  async function indiceStessoDatore(id: string): Promise<Array<{ codice: string; datore_cf: string }>> {
    return (await codiciIndici(id)).filter((x) => x.codice === 'CINQUE_LAVORATORI_STESSO_DATORE');
  }

  test('four workers stay unflagged; the fifth flags itself and the four open ones; an earlier domanda outside the 365-day window is neither counted nor flagged', async () => {
    const r = regole();
    const datore = nuovoDatore();
    const submit = async (at: string) => {
      const presentazione = new Date(at);
      return presenta(domanda({ protocollo: protocollo('FIVE'), presentazione, attestazioni: [rapportoEdile(1, datore)] }), presentazione, r);
    };
    const vecchia = await submit('2025-01-10T09:00:00Z'); // more than 365 days before the others
    const quattro: string[] = [];
    for (const at of ['2026-02-02T09:00:00Z', '2026-02-03T09:00:00Z', '2026-02-04T09:00:00Z', '2026-02-05T09:00:00Z']) {
      quattro.push(await submit(at));
      for (const id of [vecchia, ...quattro]) expect(await indiceStessoDatore(id)).toEqual([]);
    }
    const quinta = await submit('2026-02-10T09:00:00Z');
    for (const id of [...quattro, quinta]) {
      expect(await indiceStessoDatore(id)).toEqual([{ codice: 'CINQUE_LAVORATORI_STESSO_DATORE', datore_cf: datore.codiceFiscale }]);
      const ev = await eventi(id, 'INDICE_INL_RILEVATO');
      expect(ev).toHaveLength(1);
      expect(ev[0]!.dettagli).toMatchObject({ codice: 'CINQUE_LAVORATORI_STESSO_DATORE' });
      expect(String(ev[0]!.dettagli.descrizione)).toContain('5 lavoratori');
      expect(ev[0]!.avvenuto_il).toEqual(new Date('2026-02-10T09:00:00Z'));
    }
    expect(await indiceStessoDatore(vecchia)).toEqual([]);
    expect(await eventi(vecchia, 'INDICE_INL_RILEVATO')).toEqual([]);
  });

  test('a domanda of that employer already CHIUSA counts among the five but is not flagged', async () => {
    const r = regole();
    const datore = nuovoDatore();
    const submit = async (at: Date) => presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: at, attestazioni: [rapportoEdile(1, datore)] }), at, r);
    const t0 = new Date('2026-02-16T09:00:00Z');
    const chiusa = await submit(t0);
    const parti = await presaInCaricoDiTutti(chiusa, dopo(t0, ore(1)), r);
    for (const { p, corr } of parti.values()) await rispondi(pool, p, corr, dopo(t0, ore(2)), r);
    expect((await istruttoria(chiusa)).stato).toBe('CHIUSA');

    const aperte: string[] = [];
    for (let k = 1; k <= 4; k++) aperte.push(await submit(dopo(t0, giorni(k))));
    for (const id of aperte) expect(await indiceStessoDatore(id)).toHaveLength(1);
    expect(await indiceStessoDatore(chiusa)).toEqual([]);
  });

  test('the same worker filing twice counts once', async () => {
    const r = regole();
    const datore = nuovoDatore();
    const ripetente = nuovoLavoratore();
    const ids: string[] = [];
    const t0 = new Date('2026-02-23T09:00:00Z');
    for (const [k, richiedente] of [ripetente, ripetente, nuovoLavoratore(), nuovoLavoratore(), nuovoLavoratore()].entries()) {
      const at = dopo(t0, giorni(k));
      ids.push(await presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: at, richiedente, attestazioni: [rapportoEdile(1, datore)] }), at, r));
    }
    for (const id of ids) expect(await indiceStessoDatore(id)).toEqual([]);
  });

  test('the 365-day window is counted in Rome calendar days: a domanda filed at 00:30 Rome on its first day counts', async () => {
    const r = regole();
    const datore = nuovoDatore();
    const submit = async (at: string) => {
      const presentazione = new Date(at);
      return presenta(domanda({ protocollo: protocollo('FIVE'), presentazione, attestazioni: [rapportoEdile(1, datore)] }), presentazione, r);
    };
    // The fifth domanda is filed on 2026-03-10 Rome: the window starts on 2025-03-10 Rome. The first one was filed
    // on 2025-03-10 at 00:30 Rome (CET), which is still 9 March in UTC.
    const primo = await submit('2025-03-09T23:30:00Z');
    for (const at of ['2026-03-02T09:00:00Z', '2026-03-03T09:00:00Z', '2026-03-04T09:00:00Z']) await submit(at);
    const quinta = await submit('2026-03-10T10:00:00Z');
    expect(await indiceStessoDatore(quinta)).toEqual([{ codice: 'CINQUE_LAVORATORI_STESSO_DATORE', datore_cf: datore.codiceFiscale }]);
    expect(await indiceStessoDatore(primo)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Acks every packet and answers: MINLAVORO and INAIL CONFORME, ANPAL NON_VERIFICABILE on the ISTAT profession. */
async function portaInValutazioneInl(id: string, t0: Date, r: RegoleInps): Promise<void> {
  const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
  let ultimo: StatoIstruttoria | undefined;
  for (const [ente, { p, corr }] of parti) {
    const res = await rispondi(pool, p, corr, dopo(t0, giorni(1)), r, (_r, dato) => (ente === 'ANPAL' && dato === 'PROFESSIONE_ISTAT' ? 'NON_VERIFICABILE' : 'CONFORME'));
    ultimo = res.statoIstruttoria;
  }
  expect(ultimo).toBe('VALUTAZIONE_INL');
}

describe('g. the triggers INPS sends to INL with the case', () => {
  test('three employers in the seven-year window, a ceased employer and the applicant on the watch list all reach the SEGNALAZIONE', async () => {
    const r = regole();
    const t0 = new Date('2026-07-06T08:00:00Z');
    const richiedente = nuovoLavoratore('Osservato');
    const a = nuovoDatore('Alfa Costruzioni Srl');
    const b = nuovoDatore('Beta Scavi Srl');
    const c = nuovoDatore('Gamma Edile Srl');
    await pool.query("INSERT INTO datore_stato (cf_datore, cessata_il, fonte) VALUES ($1, '2023-06-30', 'test')", [b.codiceFiscale]);
    await aggiungiOsservazione(pool, { tipo: 'RICHIEDENTE', codiceFiscale: richiedente.codiceFiscale, motivo: 'rapporti di lavoro fittizi ricorrenti', autore: 'INL-SUP-1', ente: 'INL' }, t0);
    const id = await presenta(
      domanda({
        protocollo: protocollo('IND'),
        presentazione: t0,
        richiedente,
        decorrenza: '2027-01-01',
        attestazioni: [rapportoEdile(1, a, '2018-03-01', '2020-12-31'), rapportoEdile(2, b, '2021-01-01', '2023-06-30'), rapportoEdile(3, c, '2023-07-01')],
      }),
      t0,
      r,
    );
    // Triggers are evaluated when the case goes to INL, not at submission.
    expect(await codiciIndici(id)).toEqual([]);
    await portaInValutazioneInl(id, t0, r);

    const msg = await messaggi(id, 'SEGNALAZIONE');
    expect(msg).toHaveLength(1);
    const corpo = msg[0]!.corpo;
    if (corpo.tipo !== 'SEGNALAZIONE') throw new Error('not a SEGNALAZIONE');
    const indici = corpo.segnalazione.indici;
    expect(indici.map((i) => i.codice).sort()).toEqual(['IMPRESA_CESSATA', 'INDICE_ELUSIVO', 'TRE_DATORI_PERIODO_RILEVANTE']);
    expect(indici.find((i) => i.codice === 'IMPRESA_CESSATA')).toMatchObject({ datore: b.codiceFiscale, descrizione: expect.stringContaining('Beta Scavi Srl') as unknown as string });
    expect(indici.find((i) => i.codice === 'INDICE_ELUSIVO')?.datore).toBeUndefined();
    expect(indici.find((i) => i.codice === 'TRE_DATORI_PERIODO_RILEVANTE')?.descrizione).toContain('3 datori');
    expect(corpo.segnalazione.datiNonVerificati).toEqual([
      { ente: 'ANPAL', riferimento: 1, dato: 'PROFESSIONE_ISTAT', motivo: 'NON_VERIFICABILE' },
      { ente: 'ANPAL', riferimento: 2, dato: 'PROFESSIONE_ISTAT', motivo: 'NON_VERIFICABILE' },
      { ente: 'ANPAL', riferimento: 3, dato: 'PROFESSIONE_ISTAT', motivo: 'NON_VERIFICABILE' },
    ]);
    expect(corpo.segnalazione.rapporti.map((x) => x.datore.codiceFiscale)).toEqual([a.codiceFiscale, b.codiceFiscale, c.codiceFiscale]);

    expect((await codiciIndici(id)).map((x) => x.codice).sort()).toEqual(['IMPRESA_CESSATA', 'INDICE_ELUSIVO', 'TRE_DATORI_PERIODO_RILEVANTE']);
    expect(await eventi(id, 'INDICE_INL_RILEVATO')).toHaveLength(3);
    expect((await eventi(id, 'VALUTAZIONE_INL_AVVIATA'))[0]?.dettagli).toMatchObject({ indici: 3 });
  });

  test('a case with no trigger reaches INL with an empty list of triggers', async () => {
    const r = regole();
    const t0 = new Date('2026-07-07T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('IND'), presentazione: t0 }), t0, r);
    await portaInValutazioneInl(id, t0, r);
    const corpo = (await messaggi(id, 'SEGNALAZIONE'))[0]!.corpo;
    expect(corpo.tipo === 'SEGNALAZIONE' && corpo.segnalazione.indici).toEqual([]);
    expect(await eventi(id, 'INDICE_INL_RILEVATO')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("h. INL's answers on a case (NotificaAccertamento)", () => {
  const INL_OP = { id: 'INL-ISP-7', ufficio: 'ITL Roma' };

  /** A case in VALUTAZIONE_INL whose SEGNALAZIONE the dispatcher sent with correlation id `corr`. */
  async function casoInl(t0: string) {
    const r = regole();
    const clock = new ManualClock(t0);
    const id = await presenta(domanda({ protocollo: protocollo('INL'), presentazione: clock.now() }), clock.now(), r);
    await portaInValutazioneInl(id, clock.now(), r);
    clock.advance(giorni(2));
    const seg = await segnalazione(id);
    const corr = randomUUID();
    await pool.query('UPDATE segnalazione_inl SET correlation_id = $2, inviata_il = $3 WHERE id = $1', [seg.id, corr, clock.now()]);
    const notifica = (n: Omit<NotificaAccertamento, 'idSegnalazione' | 'dataEvento'>, correlationId = corr): Promise<NotificaApplicata> =>
      applicaNotificaAccertamento(pool, { idSegnalazione: seg.id, dataEvento: clock.now(), ...n }, { correlationId, operatore: INL_OP, now: clock.now(), regole: r });
    return { r, clock, id, idSegnalazione: seg.id, notifica };
  }

  async function notifiche(idSegnalazione: string): Promise<Array<{ stato: string; applicata: boolean; dopo_chiusura: boolean }>> {
    return (
      await pool.query<{ stato: string; applicata: boolean; dopo_chiusura: boolean }>(
        'SELECT stato, applicata, dopo_chiusura FROM notifica_accertamento WHERE segnalazione_id = $1 ORDER BY id',
        [idSegnalazione],
      )
    ).rows;
  }

  test('NON_AVVIATO closes the istruttoria on the self-declarations (AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO)', async () => {
    const { id, clock, idSegnalazione, notifica } = await casoInl('2026-08-03T08:00:00Z');
    expect(await notifica({ stato: 'NON_AVVIATO' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', esito_verifica: 'NON_VERIFICABILE', chiusa_il: clock.now() });
    expect(await segnalazione(id)).toMatchObject({ id: idSegnalazione, stato_accertamento: 'NON_AVVIATO', esito_accertamento: null });
    expect(await tipiEventi(id)).toEqual(expect.arrayContaining(['ACCERTAMENTO_NON_AVVIATO', 'VERIFICA_COMPLETATA']));
    expect((await timer(TIMER_LIMITE_ISTRUTTORIA, id))?.stato).toBe('ANNULLATO');
  });

  test('AVVIATO then CONCLUSO with REQUISITI_NON_CONFERMATI before the limit closes on the inspection outcome, NON_CONFORME', async () => {
    const { id, clock, notifica } = await casoInl('2026-08-04T08:00:00Z');
    const idAccertamento = randomUUID();
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toEqual({ applicata: true, statoIstruttoria: 'VALUTAZIONE_INL', riesame: false });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'AVVIATO' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    clock.advance(giorni(10));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_NON_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITO_ACCERTAMENTO', esito_verifica: 'NON_CONFORME', chiusa_il: clock.now(), riesame_il: null });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_NON_CONFERMATI' });
    expect(await tipiEventi(id)).toEqual(expect.arrayContaining(['ACCERTAMENTO_AVVIATO', 'ACCERTAMENTO_CONCLUSO', 'VERIFICA_COMPLETATA']));
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toEqual([]);
  });

  test('AVVIATO, then the limit passes: closed AUTOCERTIFICAZIONI_TERMINE; the outcome REQUISITI_NON_CONFERMATI arriving after closure is recorded and flags riesame', async () => {
    const { r, id, clock, idSegnalazione, notifica } = await casoInl('2026-08-05T08:00:00Z');
    await notifica({ stato: 'AVVIATO', idAccertamento: randomUUID() });
    const { limite } = await istruttoria(id);
    const s = scheduler(clock, r);
    clock.set(new Date(limite.getTime() - 1));
    await s.runDue();
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    clock.set(limite);
    await s.runDue();
    const chiusa = await istruttoria(id);
    expect(chiusa).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE', chiusa_il: limite });

    clock.advance(giorni(3));
    expect(await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_NON_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: true });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_NON_CONFERMATI' });
    expect(await notifiche(idSegnalazione)).toEqual([
      { stato: 'AVVIATO', applicata: true, dopo_chiusura: false },
      { stato: 'CONCLUSO', applicata: true, dopo_chiusura: true },
    ]);
    const i = await istruttoria(id);
    // The closure stands; the case is flagged for re-examination.
    expect(i).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE', chiusa_il: limite, riesame_il: clock.now() });
    expect(i.riesame_motivo).toContain('REQUISITI_NON_CONFERMATI');
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toHaveLength(1);
    expect(await eventi(id, 'RIESAME_RICHIESTO')).toHaveLength(1);
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
  });

  test('an outcome confirming the requisites after a NON_VERIFICABILE closure does not flag riesame', async () => {
    const { r, id, clock, notifica } = await casoInl('2026-08-06T08:00:00Z');
    await notifica({ stato: 'AVVIATO' });
    clock.set((await istruttoria(id)).limite);
    await scheduler(clock, r).runDue();
    expect((await istruttoria(id)).stato).toBe('CHIUSA');
    clock.advance(giorni(1));
    expect(await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toHaveLength(1);
    expect((await istruttoria(id)).riesame_il).toBeNull();
  });

  test('the same notice delivered twice changes state once', async () => {
    const { id, clock, idSegnalazione, notifica } = await casoInl('2026-08-07T08:00:00Z');
    const idAccertamento = randomUUID();
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toMatchObject({ applicata: true });
    clock.advance(ore(1));
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toEqual({ applicata: false, statoIstruttoria: 'VALUTAZIONE_INL', riesame: false });
    expect(await eventi(id, 'ACCERTAMENTO_AVVIATO')).toHaveLength(1);
    clock.advance(ore(1));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_CONFERMATI' })).toMatchObject({ applicata: true, statoIstruttoria: 'CHIUSA' });
    const chiusa = await istruttoria(id);
    clock.advance(ore(1));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_CONFERMATI' })).toEqual({ applicata: false, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toEqual(chiusa);
    expect(await eventi(id, 'ACCERTAMENTO_CONCLUSO')).toHaveLength(1);
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
    expect((await notifiche(idSegnalazione)).map((n) => [n.stato, n.applicata])).toEqual([
      ['AVVIATO', true],
      ['AVVIATO', false],
      ['CONCLUSO', true],
      ['CONCLUSO', false],
    ]);
  });

  test('CONCLUSO without Esito is refused with DATI_INCOERENTI and changes nothing', async () => {
    const { id, idSegnalazione, notifica } = await casoInl('2026-08-10T08:00:00Z');
    await expect(notifica({ stato: 'CONCLUSO' })).rejects.toMatchObject({ name: 'ApeError', code: 'DATI_INCOERENTI' });
    await expect(notifica({ stato: 'AVVIATO', esito: 'REQUISITI_CONFERMATI' })).rejects.toBeInstanceOf(ApeError);
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: null });
    expect(await notifiche(idSegnalazione)).toEqual([]);
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  });

  test('a transition from CONCLUSO is refused with TRANSIZIONE_NON_AMMESSA', async () => {
    const { id, notifica } = await casoInl('2026-08-11T08:00:00Z');
    await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITO_ACCERTAMENTO', esito_verifica: 'CONFORME' });
    await expect(notifica({ stato: 'AVVIATO' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    await expect(notifica({ stato: 'NON_AVVIATO' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    await expect(notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_NON_CONFERMATI' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_CONFERMATI' });
    expect((await istruttoria(id)).riesame_il).toBeNull();
  });

  test('a notice with another correlation id than the case was sent with is refused', async () => {
    const { id, notifica } = await casoInl('2026-08-12T08:00:00Z');
    await expect(notifica({ stato: 'NON_AVVIATO' }, randomUUID())).rejects.toMatchObject({ code: 'CORRELAZIONE_NON_VALIDA' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  });

  test('the first notice on a case whose correlation id is not yet recorded sets it', async () => {
    const r = regole();
    const t0 = new Date('2026-08-13T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('INL'), presentazione: t0 }), t0, r);
    await portaInValutazioneInl(id, t0, r);
    const seg = await segnalazione(id);
    expect(seg.correlation_id).toBeNull();
    const corr = randomUUID();
    const now = dopo(t0, giorni(2));
    await applicaNotificaAccertamento(pool, { idSegnalazione: seg.id, stato: 'AVVIATO', dataEvento: now }, { correlationId: corr, operatore: INL_OP, now, regole: r });
    expect((await segnalazione(id)).correlation_id).toBe(corr);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('i. each applied esito is notified to the other parties (RISCONTRO)', () => {
  function riscontri(ms: RigaMessaggio[], da: EnteVerificatore) {
    return ms.filter((m) => m.corpo.tipo === 'RISCONTRO' && m.corpo.riscontro.enteRispondente === da);
  }

  test('one RISCONTRO per other party with a packet, none for the answering party or for INL without a packet; a duplicate creates none', async () => {
    const r = regole();
    const t0 = new Date('2026-09-01T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('RIS'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    const m = get(parti, 'MINLAVORO');
    const at = dopo(t0, ore(5));
    await rispondi(pool, m.p, m.corr, at, r);
    let ms = await messaggi(id, 'RISCONTRO');
    expect(ms.map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'INAIL']);
    for (const x of ms) {
      expect(x.corpo).toEqual({
        tipo: 'RISCONTRO',
        riscontro: {
          idRiscontro: x.id,
          idIstruttoria: id,
          protocolloDomanda: m.p.contenuto.protocolloDomanda,
          destinatario: x.destinatario,
          enteRispondente: 'MINLAVORO',
          esito: 'CONFORME',
          dataEsito: at.toISOString(),
          inRitardo: false,
        },
      });
    }

    // The same esito again: recorded as a duplicate, nobody notified again.
    expect(await rispondi(pool, m.p, m.corr, dopo(at, ore(1)), r)).toMatchObject({ applicato: false });
    expect(await messaggi(id, 'RISCONTRO')).toHaveLength(2);
    expect(await eventi(id, 'ESITO_DUPLICATO')).toHaveLength(1);

    const a = get(parti, 'ANPAL');
    await rispondi(pool, a.p, a.corr, dopo(at, ore(2)), r, (_r, dato) => (dato === 'LIVELLO_INQUADRAMENTO' ? 'NON_CONFORME' : 'CONFORME'));
    const i = get(parti, 'INAIL');
    await rispondi(pool, i.p, i.corr, dopo(at, ore(3)), r);
    ms = await messaggi(id, 'RISCONTRO');
    expect(ms).toHaveLength(6);
    expect(riscontri(ms, 'ANPAL').map((x) => x.destinatario).sort()).toEqual(['INAIL', 'MINLAVORO']);
    expect(riscontri(ms, 'ANPAL').every((x) => x.corpo.tipo === 'RISCONTRO' && x.corpo.riscontro.esito === 'NON_CONFORME')).toBe(true);
    expect(riscontri(ms, 'INAIL').map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'MINLAVORO']);
    expect(ms.some((x) => x.destinatario === 'INL')).toBe(false);
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITI_ARCHIVI', esito_verifica: 'NON_CONFORME' });
  });

  test('with a packet for INL (category F, shift work) INL is notified and INAIL, which has no packet, is not', async () => {
    const r = regole();
    const t0 = new Date('2026-09-02T08:00:00Z');
    const id = await presenta(scenario('turni-inl').domanda(protocollo('RIS'), t0), t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    expect([...parti.keys()].sort()).toEqual(['ANPAL', 'INL', 'MINLAVORO']);
    const inl = get(parti, 'INL');
    await rispondi(pool, inl.p, inl.corr, dopo(t0, ore(2)), r);
    expect((await messaggi(id, 'RISCONTRO')).map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'MINLAVORO']);
    const m = get(parti, 'MINLAVORO');
    await rispondi(pool, m.p, m.corr, dopo(t0, ore(3)), r);
    expect(riscontri(await messaggi(id, 'RISCONTRO'), 'MINLAVORO').map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'INL']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('j. the view of an istruttoria (StatoIstruttoria)', () => {
  test('a case closed at the limit shows both kinds of deadlines, the closing rule, INPS checks, INL triggers and inspection, the riesame and the timeline in order', async () => {
    const r = regole();
    const t0 = new Date('2026-09-07T08:00:00Z');
    const clock = new ManualClock(t0);
    const richiedente = nuovoLavoratore('Vista');
    await aggiungiOsservazione(pool, { tipo: 'RICHIEDENTE', codiceFiscale: richiedente.codiceFiscale, motivo: 'domande ripetute con datori diversi', autore: 'INPS-SUP-2', ente: 'INPS' }, t0);
    const id = await presenta(domanda({ protocollo: protocollo('VISTA'), presentazione: t0, richiedente, tipo: 'APE_SOCIALE' }), t0, r);
    clock.advance(ore(1));
    const parti = await presaInCaricoDiTutti(id, clock.now(), r);
    clock.advance(giorni(1));
    await rispondi(pool, get(parti, 'MINLAVORO').p, get(parti, 'MINLAVORO').corr, clock.now(), r);
    clock.advance(giorni(1));
    await rispondi(pool, get(parti, 'ANPAL').p, get(parti, 'ANPAL').corr, clock.now(), r, (_r, dato) => (dato === 'CCNL' ? 'NON_VERIFICABILE' : 'CONFORME'));
    const s = scheduler(clock, r);
    clock.set(dopo(t0, giorni(6)));
    await s.runDue(); // INAIL overdue: the case goes to INL
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    clock.advance(giorni(1));
    await rispondi(pool, get(parti, 'INAIL').p, get(parti, 'INAIL').corr, clock.now(), r); // late
    clock.advance(giorni(1));
    const seg = await segnalazione(id);
    const idAccertamento = randomUUID();
    await applicaNotificaAccertamento(pool, { idSegnalazione: seg.id, stato: 'AVVIATO', idAccertamento, dataEvento: clock.now() }, { correlationId: 'corr-inl-vista', operatore: { id: 'INL-ISP-3', ufficio: 'ITL Milano' }, now: clock.now(), regole: r });
    const { limite } = await istruttoria(id);
    clock.set(limite);
    await s.runDue();
    clock.advance(giorni(2));
    const riesameIl = clock.now();
    await applicaNotificaAccertamento(
      pool,
      { idSegnalazione: seg.id, stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_NON_CONFERMATI', dataEvento: clock.now() },
      { correlationId: 'corr-inl-vista', operatore: { id: 'INL-ISP-3', ufficio: 'ITL Milano' }, now: clock.now(), regole: r },
    );

    const v = await caricaVista(pool, { idIstruttoria: id });
    expect(v).toMatchObject({
      idIstruttoria: id,
      tipoDomanda: 'APE_SOCIALE',
      stato: 'CHIUSA',
      regolaChiusura: 'AUTOCERTIFICAZIONI_TERMINE',
      esitoVerifica: 'NON_VERIFICABILE',
      dataChiusura: limite,
      limite,
    });
    expect((await caricaVista(pool, { protocolloDomanda: v.protocolloDomanda })).idIstruttoria).toBe(id);

    // Deadlines: one per acked packet, and the wait limit.
    const perPacchetto = new Map(v.pacchetti.map((p) => [p.idPacchetto, p.destinatario]));
    const esitoPacchetto = v.scadenze.filter((x) => x.tipo === 'ESITO_PACCHETTO').map((x) => [perPacchetto.get(x.idPacchetto!), x.stato]);
    expect(esitoPacchetto).toEqual([
      ['MINLAVORO', 'RISPETTATA'],
      ['ANPAL', 'RISPETTATA'],
      ['INAIL', 'SUPERATA'],
    ]);
    const inailScadenza = new Date('2026-09-12T22:00:00.000Z');
    expect(v.scadenze.find((x) => perPacchetto.get(x.idPacchetto ?? '') === 'INAIL')?.scadeIl).toEqual(inailScadenza);
    const lim = v.scadenze.filter((x) => x.tipo === 'LIMITE_ISTRUTTORIA');
    expect(lim).toHaveLength(1);
    expect(lim[0]).toMatchObject({ scadeIl: limite, stato: 'SUPERATA' });
    expect(lim[0]!.descrizione).toContain('30 giorni');
    expect(v.scadenze.every((x) => x.descrizione.length > 0)).toBe(true);

    const inail = v.pacchetti.find((p) => p.destinatario === 'INAIL')!;
    expect(inail).toMatchObject({ stato: 'RISPOSTO', inRitardo: true, scadenzaEsito: inailScadenza, sollecitatoIl: dopo(t0, giorni(6)) });
    expect(v.pacchetti.find((p) => p.destinatario === 'ANPAL')?.esitiDato.filter((e) => e.esito === 'NON_VERIFICABILE').map((e) => e.dato)).toEqual(['CCNL']);

    expect(v.controlliInps.map((c) => c.requisito).sort()).toEqual(['CONTINUITA_ATTIVITA', 'ETA_APE_SOCIALE']);
    expect(v.controlliInps.every((c) => c.esito.length > 0 && c.dettaglio.length > 0)).toBe(true);
    expect(v.indiciInl).toEqual([expect.objectContaining({ codice: 'INDICE_ELUSIVO', descrizione: expect.stringContaining('domande ripetute') as unknown as string })]);
    expect(v.accertamento).toMatchObject({ idSegnalazione: seg.id, stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_NON_CONFERMATI' });
    expect(v.riesame?.richiestoIl).toEqual(riesameIl);
    expect(v.riesame?.motivo).toContain('REQUISITI_NON_CONFERMATI');

    expect(v.eventi.map((e) => e.tipo)).toEqual([
      'DOMANDA_RICEVUTA',
      'CONTROLLI_INPS',
      'PACCHETTO_CREATO',
      'PACCHETTO_CREATO',
      'PACCHETTO_CREATO',
      'PACCHETTO_INVIATO',
      'PACCHETTO_INVIATO',
      'PACCHETTO_INVIATO',
      'ESITO_RICEVUTO',
      'ESITO_RICEVUTO',
      'PACCHETTO_SCADUTO',
      'INDICE_INL_RILEVATO',
      'VALUTAZIONE_INL_AVVIATA',
      'ESITO_IN_RITARDO',
      'ACCERTAMENTO_AVVIATO',
      'LIMITE_RAGGIUNTO',
      'VERIFICA_COMPLETATA',
      'ACCERTAMENTO_CONCLUSO',
      'ACCERTAMENTO_DOPO_CHIUSURA',
      'RIESAME_RICHIESTO',
    ]);
    for (let k = 1; k < v.eventi.length; k++) expect(v.eventi[k]!.avvenutoIl.getTime()).toBeGreaterThanOrEqual(v.eventi[k - 1]!.avvenutoIl.getTime());
    for (const e of v.eventi) {
      expect(e.descrizione.trim().length).toBeGreaterThan(0);
      expect(e.descrizione).not.toBe(e.tipo);
      expect(e.descrizione).not.toContain('undefined');
    }
    expect(v.eventi[0]!.descrizione).toContain(v.protocolloDomanda);
    expect(v.eventi.find((e) => e.tipo === 'PACCHETTO_SCADUTO')?.descrizione).toContain('sollecito');
  });

  test('a case closed on the archives shows every deadline RISPETTATA, the PRECOCI checks, and no inspection or riesame', async () => {
    const r = regole();
    const t0 = new Date('2026-09-08T08:00:00Z');
    const d = domanda({ protocollo: protocollo('VISTA'), presentazione: t0, tipo: 'PRECOCI', richiedente: { ...nuovoLavoratore(), dataNascita: '1966-04-10' } });
    const id = await presenta(d, t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    for (const { p, corr } of parti.values()) await rispondi(pool, p, corr, dopo(t0, giorni(2)), r);
    const v = await caricaVista(pool, { idIstruttoria: id });
    expect(v).toMatchObject({ stato: 'CHIUSA', regolaChiusura: 'ESITI_ARCHIVI', esitoVerifica: 'CONFORME', tipoDomanda: 'PRECOCI' });
    expect(v.scadenze.map((x) => [x.tipo, x.stato])).toEqual([
      ['ESITO_PACCHETTO', 'RISPETTATA'],
      ['ESITO_PACCHETTO', 'RISPETTATA'],
      ['ESITO_PACCHETTO', 'RISPETTATA'],
      ['LIMITE_ISTRUTTORIA', 'RISPETTATA'],
    ]);
    expect(v.controlliInps.map((c) => c.requisito).sort()).toEqual(['CONTINUITA_ATTIVITA', 'LAVORO_PRIMA_19_ANNI']);
    expect(v.indiciInl).toEqual([]);
    expect(v.accertamento).toBeUndefined();
    expect(v.riesame).toBeUndefined();
    expect(v.eventi[0]?.tipo).toBe('DOMANDA_RICEVUTA');
    expect(v.eventi[v.eventi.length - 1]?.tipo).toBe('VERIFICA_COMPLETATA');
  });

  test('an open case shows its deadlines IN_CORSO', async () => {
    const r = regole();
    const t0 = new Date('2026-09-09T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('VISTA'), presentazione: t0 }), t0, r);
    await presaInCarico(pool, await pacchetto(pool, id, 'INAIL'), dopo(t0, ore(1)), r);
    const v = await caricaVista(pool, { idIstruttoria: id });
    expect(v.stato).toBe('IN_VERIFICA');
    // INAIL received its packet (its esito is due); MINLAVORO's and ANPAL's are still to be delivered.
    expect(v.scadenze.map((x) => [x.tipo, x.stato, v.pacchetti.find((p) => p.idPacchetto === x.idPacchetto)?.destinatario])).toEqual([
      ['CONSEGNA_PACCHETTO', 'IN_CORSO', 'MINLAVORO'],
      ['CONSEGNA_PACCHETTO', 'IN_CORSO', 'ANPAL'],
      ['ESITO_PACCHETTO', 'IN_CORSO', 'INAIL'],
      ['LIMITE_ISTRUTTORIA', 'IN_CORSO', undefined],
    ]);
    expect(v.regolaChiusura).toBeUndefined();
    expect(v.dataChiusura).toBeUndefined();
  });
});
