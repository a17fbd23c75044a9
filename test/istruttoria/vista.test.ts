process.env.APE_LOG_LEVEL = 'silent';

import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ManualClock } from '../../shared/clock';
import { applicaNotificaAccertamento } from '../../services/inps/core/accertamenti';
import { aggiungiOsservazione } from '../../services/inps/core/osservazione';
import { caricaVista } from '../../services/inps/core/vista';
import { bancoIstruttorie, domanda, dopo, get, giorni, nuovoLavoratore, ore, pacchetto, presaInCarico, regole, rispondi } from '../support/inps-lifecycle';

/**
 * The view of an istruttoria (StatoIstruttoria): deadlines, closing rule, checks, INL triggers and inspection,
 * riesame and timeline. Part of the INPS-side lifecycle of an istruttoria, in process against a real PostgreSQL
 * database (test/support/inps-lifecycle.ts, bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_vista');
const { protocollo, scheduler, presenta, istruttoria, presaInCaricoDiTutti, segnalazione } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
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
