process.env.APE_LOG_LEVEL = 'silent';

import type { Pool } from 'pg';
import { ManualClock } from '../../shared/clock';
import { TIMER_SCADENZA_ESITO, TIMER_SCADENZA_INVIO } from '../../services/inps/core/aggiorna';
import { caricaVista } from '../../services/inps/core/vista';
import { bancoIstruttorie, domanda, dopo, get, giorni, ore, pacchettiDi, pacchetto, presaInCarico, regole, rispondi } from '../support/inps-lifecycle';

/**
 * The 5-day deadline of each packet (protocol art. 5) at INPS: when it falls on the Rome calendar, what a silent
 * party or an undeliverable packet leads to, and an esito after its deadline. Part of the INPS-side lifecycle of
 * an istruttoria, in process against a real PostgreSQL database (test/support/inps-lifecycle.ts, bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_scadenze');
const { protocollo, scheduler, presenta, istruttoria, tipiEventi, eventi, messaggi, timer, statiPacchetti, esitiRicevuti, presaInCaricoDiTutti, segnalazione } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
});

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
