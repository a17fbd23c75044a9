process.env.APE_LOG_LEVEL = 'silent';

import type { Pool } from 'pg';
import { ManualClock } from '../../shared/clock';
import type { EnteVerificatore, Esito } from '../../shared/domain/types';
import { TIMER_LIMITE_ISTRUTTORIA, TIMER_SCADENZA_ESITO } from '../../services/inps/core/aggiorna';
import { caricaVista } from '../../services/inps/core/vista';
import { bancoIstruttorie, calendarioPratica, domanda, dopo, get, giorni, ore, pacchettiDi, pacchetto, presaInCarico, regole, rispondi } from '../support/inps-lifecycle';

/**
 * The wait limit of an istruttoria (30 days from submission, or an earlier graduatoria cut-off): the closure it
 * causes, and esiti arriving after it. Part of the INPS-side lifecycle of an istruttoria, in process against a real
 * PostgreSQL database (test/support/inps-lifecycle.ts, bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_chiusura');
const { protocollo, scheduler, presenta, istruttoria, eventi, messaggi, timer, statiPacchetti, esitiRicevuti, presaInCaricoDiTutti } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * A domanda closed by the wait limit: every party acks within the hour; MINLAVORO and ANPAL answer (CONFORME, or as
 * given) on day 1; INAIL never answers, so its 5 days pass, its data count as not verifiable and the case goes to INL
 * (art. 5 c), which reports nothing: the limit (end of day P+30) closes it on the self-declarations.
 */
async function chiusaDalLimite(t0: string, esitoArchivi: Esito = 'CONFORME') {
  const r = regole();
  const clock = new ManualClock(t0);
  const id = await presenta(domanda({ protocollo: protocollo('LIM'), presentazione: clock.now() }), clock.now(), r);
  const tutti = await pacchettiDi(pool, id);
  const corr = new Map<EnteVerificatore, string>();
  clock.advance(ore(1));
  for (const ente of ['MINLAVORO', 'ANPAL', 'INAIL'] as const) corr.set(ente, await presaInCarico(pool, get(tutti, ente), clock.now(), r));
  clock.advance(giorni(1));
  for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(tutti, ente), get(corr, ente), clock.now(), r, ente === 'ANPAL' ? esitoArchivi : 'CONFORME');
  const s = scheduler(clock, r);
  clock.advance(giorni(6));
  await s.runDue();
  expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  const { limite } = await istruttoria(id);
  clock.set(new Date(limite.getTime() - 1));
  await s.runDue();
  expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  clock.set(limite);
  await s.runDue();
  return { r, clock, id, pacchetti: tutti, corr, limite, s };
}

describe('d. closure at the wait limit, and esiti arriving after it', () => {
  test('the limit closes an istruttoria waiting on INL on the self-declarations (AUTOCERTIFICAZIONI_TERMINE)', async () => {
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
    const inail = get(pacchetti, 'INAIL');
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) expect(await timer(TIMER_SCADENZA_ESITO, get(pacchetti, ente).id)).toMatchObject({ stato: 'ANNULLATO' });
    expect(await timer(TIMER_SCADENZA_ESITO, inail.id)).toMatchObject({ stato: 'ESEGUITO' });
    expect((await pacchetto(pool, id, 'INAIL')).stato).toBe('SCADUTO');
    expect(await messaggi(id, 'SEGNALAZIONE')).toHaveLength(1);
    // The view: INAIL's deadline was passed, and so was the limit.
    const v = await caricaVista(pool, { idIstruttoria: id });
    expect(v.scadenze.find((x) => x.idPacchetto === inail.id && x.tipo === 'ESITO_PACCHETTO')?.stato).toBe('SUPERATA');
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
    expect((await pacchetto(pool, id, 'INAIL')).stato).toBe('SCADUTO');
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

  test('a case closed by the limit after a party let its days pass unanswered is summarised NON_VERIFICABILE, not CONFORME', async () => {
    // MINLAVORO and ANPAL answered CONFORME; INAIL's data were never verified when the limit closed the case.
    const { id } = await chiusaDalLimite('2026-06-12T07:00:00Z');
    expect(await statiPacchetti(id)).toEqual({ MINLAVORO: 'RISPOSTO', ANPAL: 'RISPOSTO', INAIL: 'SCADUTO' });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE' });
  });

  test('a scheduler pass that catches up past the packets\' deadlines and the limit at once closes the case once and leaves the timer it annulled ANNULLATO', async () => {
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
    // The parties' deadlines fired (the limit does not cut them short); the last sent the case to INL, which the
    // passed limit closed at once. The limit's timer it annulled must stay annulled, not be recorded as fired.
    expect(await messaggi(id, 'SEGNALAZIONE')).toHaveLength(1);
    for (const { p } of parti.values()) expect((await timer(TIMER_SCADENZA_ESITO, p.id))?.stato).toBe('ESEGUITO');
    expect((await timer(TIMER_LIMITE_ISTRUTTORIA, id))?.stato).toBe('ANNULLATO');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('e. the wait limit: 30 days from presentation, or the earlier graduatoria of the domanda\'s window', () => {
  test('each domanda closes at its own limit and not one millisecond before', async () => {
    const presentazione = new Date('2026-11-23T09:00:00Z');
    // A decree's tight calendar: the window closing 30 November has its graduatoria by 5 December.
    const conGraduatoria = regole({ calendario: { '2026': [{ chiusura: '2026-11-30', graduatoria: '2026-12-05' }] } });
    // The calendar seen in practice: that window's graduatoria (31 December) is after day 30.
    const senza = regole({ calendario: calendarioPratica(2026, 2027) });
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
