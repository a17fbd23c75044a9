process.env.APE_LOG_LEVEL = 'silent';

import type { Pool } from 'pg';
import { ManualClock } from '../../shared/clock';
import type { Attestazione } from '../../shared/domain/types';
import { TIMER_LIMITE_ISTRUTTORIA, TIMER_SCADENZA_ESITO } from '../../services/inps/core/aggiorna';
import { registraDomanda } from '../../services/inps/core/domande';
import { caricaVista } from '../../services/inps/core/vista';
import { bancoIstruttorie, calendarioPratica, domanda, dopo, get, giorni, nuovoDatore, OPERATORE, ore, pacchettiDi, pacchetto, presaInCarico, regole, rispondi } from '../support/inps-lifecycle';

/**
 * Issue 13, protocol art. 5 "Definizione dell'istruttoria", as an outside integrator found it broken: each test
 * failed on the code before the issue. The parties owe their answers within their days and INPS completes on them
 * (a, b); the 30-day limit, shortened by the graduatoria of the domanda's own window, bounds only INPS's wait for
 * INL's inspections (c). Every date a domanda carries is checked against the instant INPS received it.
 */

const banco = bancoIstruttorie('lc_articolo5');
const { protocollo, scheduler, presenta, istruttoria, eventi, messaggi, timer, statiPacchetti, esitiRicevuti, presaInCaricoDiTutti } = banco;
let pool: Pool;
beforeAll(() => {
  pool = banco.pool;
});

const r = regole({ calendario: calendarioPratica(2025, 2026, 2027, 2028) });

/** The istruttoria's graduatoria window as stored. */
async function finestra(id: string) {
  const q = await pool.query<{ anno: number | null; numero: number | null; graduatoria: string | null }>(
    `SELECT finestra_anno AS anno, finestra_numero AS numero, to_char(finestra_graduatoria, 'YYYY-MM-DD') AS graduatoria FROM istruttoria WHERE id = $1`,
    [id],
  );
  return q.rows[0]!;
}

describe('1. the archives\' answers are never dropped because the wait limit passed', () => {
  // Presented 1 November 2026 (third window, graduatoria 31 December): day 30 ends on 1 December. INPS receives it
  // on 2 December, with the limit already passed.
  const presentazione = new Date('2026-11-01T09:00:00Z');
  const ricevuta = new Date('2026-12-02T15:33:27.640Z');

  test('fully conforming data received after the limit close on the archives (ESITI_ARCHIVI), every answer applied', async () => {
    const id = await presenta(domanda({ protocollo: protocollo('A5CONF'), presentazione }), ricevuta, r);
    const { limite } = await istruttoria(id);
    expect(limite.getTime()).toBeLessThan(ricevuta.getTime());
    // The scheduler fires the limit's timer at once: nothing happens while the parties' days run.
    const clock = new ManualClock(dopo(ricevuta, 200));
    await scheduler(clock, r).runDue();
    expect(await istruttoria(id)).toMatchObject({ stato: 'IN_VERIFICA', regola_chiusura: null });

    const parti = await presaInCaricoDiTutti(id, dopo(ricevuta, 300), r);
    for (const { p, corr } of parti.values()) expect((await rispondi(pool, p, corr, dopo(ricevuta, 400), r, 'CONFORME')).applicato).toBe(true);
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITI_ARCHIVI', esito_verifica: 'CONFORME' });
    for (const { p } of parti.values()) expect((await esitiRicevuti(p.id)).map((e) => e.applicato)).toEqual([true]);
    expect(await messaggi(id, 'SEGNALAZIONE')).toEqual([]);
    expect(await eventi(id, 'ESITO_DOPO_CHIUSURA')).toEqual([]);
  });

  test('a datum no archive holds, after the limit: the case still goes to INL, and INPS closes at once on the self-declarations', async () => {
    const id = await presenta(domanda({ protocollo: protocollo('A5INL'), presentazione }), ricevuta, r);
    const parti = await presaInCaricoDiTutti(id, dopo(ricevuta, 300), r);
    const at = dopo(ricevuta, giorni(1));
    for (const [ente, { p, corr }] of parti) await rispondi(pool, p, corr, at, r, (_r, dato) => (ente === 'ANPAL' && dato === 'PROFESSIONE_ISTAT' ? 'NON_VERIFICABILE' : 'CONFORME'));
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE', chiusa_il: at });
    // INL got the case: its outcome may come later and ask a riesame (art. 5, last paragraph).
    expect(await messaggi(id, 'SEGNALAZIONE')).toHaveLength(1);
    expect(await eventi(id, 'VALUTAZIONE_INL_AVVIATA')).toHaveLength(1);
    expect(await eventi(id, 'LIMITE_RAGGIUNTO')).toHaveLength(1);
    expect((await timer(TIMER_LIMITE_ISTRUTTORIA, id))?.stato).not.toBe('ATTESA');
  });

  test('a graduatoria that falls before a party\'s day 5: its answer on the last second of day 5 is applied in time', async () => {
    // A decree's tight calendar: the window closing 30 November ranks by 3 December. Presented and received on
    // 28 November, INAIL receives its packet on 29 November: it may answer until the end of 4 December (Rome).
    const stretto = regole({ calendario: { '2026': [{ chiusura: '2026-11-30', graduatoria: '2026-12-03' }] } });
    const t0 = new Date('2026-11-28T09:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5STRETTO'), presentazione: t0 }), t0, stretto);
    expect((await istruttoria(id)).limite).toEqual(new Date('2026-12-03T23:00:00.000Z'));
    const tutti = await pacchettiDi(pool, id);
    const ricezione = new Date('2026-11-29T10:00:00Z');
    const corr = new Map([...tutti].map(([ente]) => [ente, '']));
    for (const [ente, p] of tutti) corr.set(ente, await presaInCarico(pool, p, ricezione, stretto));
    const inail = get(tutti, 'INAIL');
    expect((await pacchetto(pool, id, 'INAIL')).scadenzaEsito).toEqual(new Date('2026-12-04T23:00:00.000Z'));
    // The view says what happens to INAIL's answer while the limit is before its deadline.
    const v = await caricaVista(pool, { idIstruttoria: id }, stretto);
    expect(v.scadenze.find((s) => s.tipo === 'LIMITE_ISTRUTTORIA')?.descrizione).toContain("il limite precede la scadenza dell'esito di MINLAVORO, ANPAL, INAIL: la risposta è attesa fino alla sua scadenza e applicata");
    const s = scheduler(new ManualClock(new Date('2026-12-04T12:00:00Z')), stretto);
    await s.runDue();
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(tutti, ente), get(corr, ente), new Date('2026-12-04T12:00:00Z'), stretto, 'CONFORME');
    expect((await istruttoria(id)).stato).toBe('IN_VERIFICA');
    // 23:59:59.999 of 4 December in Rome (CET): in time, applied, not late.
    const res = await rispondi(pool, inail, get(corr, 'INAIL'), new Date('2026-12-04T22:59:59.999Z'), stretto, 'CONFORME');
    expect(res).toMatchObject({ applicato: true, inRitardo: false, statoIstruttoria: 'CHIUSA' });
    expect(await istruttoria(id)).toMatchObject({ regola_chiusura: 'ESITI_ARCHIVI', esito_verifica: 'CONFORME' });
  });

  test('one millisecond after day 5 the answer is late, and still applied while the istruttoria is open', async () => {
    const t0 = new Date('2026-10-05T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5TARDI'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, new Date('2026-10-05T09:00:00Z'), r);
    // Received 5 October (CEST): day 5 ends at 10 October 23:59:59.999 Rome = 21:59:59.999Z.
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(parti, ente).p, get(parti, ente).corr, new Date('2026-10-06T09:00:00Z'), r);
    const inail = get(parti, 'INAIL');
    expect((await pacchetto(pool, id, 'INAIL')).scadenzaEsito).toEqual(new Date('2026-10-10T22:00:00.000Z'));
    const res = await rispondi(pool, inail.p, inail.corr, new Date('2026-10-10T22:00:00.000Z'), r);
    expect(res).toMatchObject({ applicato: true, inRitardo: true, statoIstruttoria: 'CHIUSA' });
    expect(await istruttoria(id)).toMatchObject({ regola_chiusura: 'ESITI_ARCHIVI' });
  });
});

describe('2. the graduatoria of the window the domanda belongs to', () => {
  test.each([
    // presented, received, window year/number, its graduatoria, the limit's reason
    ['2026-03-31T21:59:59Z', '2026-04-01T08:00:00Z', 2026, 1, '2026-06-30', '30 giorni dalla presentazione'], // 23:59:59 Rome on 31 March
    ['2026-03-31T22:00:00Z', '2026-04-01T08:00:00Z', 2026, 2, '2026-10-15', '30 giorni dalla presentazione'], // 00:00 Rome on 1 April
    ['2026-06-20T08:00:00Z', '2026-06-22T08:00:00Z', 2026, 2, '2026-10-15', '30 giorni dalla presentazione'], // not 30 June, the first window's
    ['2026-07-16T08:00:00Z', '2026-07-16T08:00:00Z', 2026, 3, '2026-12-31', '30 giorni dalla presentazione'],
    ['2026-12-02T08:00:00Z', '2026-12-02T08:00:00Z', 2027, 1, '2027-06-30', '30 giorni dalla presentazione'], // not 31 December: that window is closed
    ['2026-12-31T22:59:59Z', '2027-01-01T08:00:00Z', 2027, 1, '2027-06-30', '30 giorni dalla presentazione'],
    ['2028-02-29T10:00:00Z', '2028-02-29T10:00:00Z', 2028, 1, '2028-06-30', '30 giorni dalla presentazione'],
  ])('presented %s, received %s: window %i/%i, graduatoria %s', async (presentata, ricevuta, anno, numero, graduatoria, motivo) => {
    const id = await presenta(domanda({ protocollo: protocollo('A5FIN'), presentazione: new Date(presentata) }), new Date(ricevuta), r);
    expect(await finestra(id)).toEqual({ anno, numero, graduatoria });
    expect((await istruttoria(id)).limite_motivo).toBe(motivo);
    const v = await caricaVista(pool, { idIstruttoria: id });
    expect(v.finestra).toMatchObject({ anno, numero, graduatoria });
  });

  test('a window\'s graduatoria earlier than day 30 shortens the limit, and says which', async () => {
    const stretto = regole({ calendario: { '2026': [{ chiusura: '2026-11-30', graduatoria: '2026-12-10' }] } });
    const t0 = new Date('2026-11-20T10:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5GRAD'), presentazione: t0 }), t0, stretto);
    expect(await istruttoria(id)).toMatchObject({ limite: new Date('2026-12-10T23:00:00.000Z'), limite_motivo: 'scadenza graduatoria del 2026-12-10' });
  });
});

describe('3. dates checked against the receipt', () => {
  test('a presentation date in the future is refused: DATA_PRESENTAZIONE_FUTURA, nothing stored', async () => {
    const p = protocollo('A5FUT');
    const d = domanda({ protocollo: p, presentazione: new Date('2035-06-20T08:00:00Z') });
    await expect(registraDomanda(pool, d, OPERATORE, new Date('2026-12-02T10:00:00Z'), r)).rejects.toMatchObject({ code: 'DATA_PRESENTAZIONE_FUTURA' });
    expect((await pool.query('SELECT 1 FROM domanda WHERE protocollo = $1', [p])).rowCount).toBe(0);
  });

  test('a domanda received after its window\'s graduatoria is refused: DOMANDA_FUORI_FINESTRA', async () => {
    const p = protocollo('A5OLD');
    const d = domanda({ protocollo: p, presentazione: new Date('2026-06-20T08:00:00Z') });
    await expect(registraDomanda(pool, d, OPERATORE, new Date('2026-12-02T15:33:27.640Z'), r)).rejects.toMatchObject({
      code: 'DOMANDA_FUORI_FINESTRA',
      message: expect.stringContaining('2ª finestra 2026'),
    });
    expect((await pool.query('SELECT 1 FROM domanda WHERE protocollo = $1', [p])).rowCount).toBe(0);
  });

  test('the same domanda sent again after its window\'s graduatoria gets its first receipt (a sender\'s retry)', async () => {
    const d = domanda({ protocollo: protocollo('A5RETRY'), presentazione: new Date('2026-06-20T08:00:00Z') });
    const prima = await registraDomanda(pool, d, OPERATORE, new Date('2026-06-20T09:00:00Z'), r);
    const ancora = await registraDomanda(pool, d, OPERATORE, new Date('2026-12-02T10:00:00Z'), r);
    expect(ancora).toEqual(prima);
  });
});

describe('4. INL\'s own verification packets have the configured term, labelled as such', () => {
  const turni = (datore: Attestazione['datore']): Attestazione => ({
    riferimento: 1,
    tipo: 'DATORE_PRIVATO_PA',
    datore,
    periodo: { dal: '2014-01-07' },
    ccnl: 'S041',
    livello: 'D',
    categoria: 'F',
    professioneIstat: '3.2.1.1.1',
    vociTariffaInail: [],
    lavoroATurni: true,
  });

  test('INL answers by the end of day D+10 when 10 days are configured; MINLAVORO and ANPAL keep art. 5\'s 5 days', async () => {
    const conInl = regole({ calendario: calendarioPratica(2026, 2027), esitoInlGiorni: 10 });
    const t0 = new Date('2026-09-01T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5TURNI'), presentazione: t0, attestazioni: [turni(nuovoDatore())] }), t0, conInl);
    const parti = await presaInCaricoDiTutti(id, new Date('2026-09-01T09:00:00Z'), conInl);
    expect([...parti.keys()].sort()).toEqual(['ANPAL', 'INL', 'MINLAVORO']);
    expect((await pacchetto(pool, id, 'INL')).scadenzaEsito).toEqual(new Date('2026-09-11T22:00:00.000Z'));
    expect((await pacchetto(pool, id, 'ANPAL')).scadenzaEsito).toEqual(new Date('2026-09-06T22:00:00.000Z'));
    const v = await caricaVista(pool, { idIstruttoria: id }, conInl);
    const inl = v.scadenze.find((s) => s.tipo === 'ESITO_PACCHETTO' && s.idPacchetto === get(parti, 'INL').p.id);
    expect(inl?.descrizione).toBe("esito di INL entro 10 giorni solari (termine configurato per INL: l'art. 5 non ne fissa uno) dalla ricezione");
    expect(v.scadenze.find((s) => s.tipo === 'ESITO_PACCHETTO' && s.idPacchetto === get(parti, 'ANPAL').p.id)?.descrizione).toBe('esito di ANPAL entro 5 giorni solari dalla ricezione');

    // MINLAVORO and ANPAL answer; on day 6 INL's data are not yet "non verificabile": its term runs until day 10.
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(parti, ente).p, get(parti, ente).corr, new Date('2026-09-02T09:00:00Z'), conInl);
    const s = scheduler(new ManualClock(new Date('2026-09-07T09:00:00Z')), conInl);
    await s.runDue();
    expect(await statiPacchetti(id)).toMatchObject({ INL: 'INVIATO' });
    expect((await istruttoria(id)).stato).toBe('IN_VERIFICA');
    // When INL's configured term passes, its data count as not verifiable like the others'.
    const s2 = scheduler(new ManualClock(new Date('2026-09-11T22:00:00.000Z')), conInl);
    await s2.runDue();
    expect(await statiPacchetti(id)).toMatchObject({ INL: 'SCADUTO' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    expect((await timer(TIMER_SCADENZA_ESITO, get(parti, 'INL').p.id))?.stato).toBe('ESEGUITO');
  });
});

describe('5. the whole view from one snapshot', () => {
  /**
   * A pool whose first statement, whether run on the pool or on a connection taken from it, is followed by another
   * transaction's commit before the next one: what a concurrent writer does between two reads.
   */
  function poolConUnaScrittura(base: Pool, scrittura: () => Promise<void>): Pool {
    let fatta = false;
    const dopoLaPrima = async <T>(q: Promise<T>): Promise<T> => {
      const res = await q;
      if (!fatta) {
        fatta = true;
        await scrittura();
      }
      return res;
    };
    return new Proxy(base, {
      get(target, prop, receiver) {
        if (prop === 'query') return (...args: unknown[]) => dopoLaPrima((target.query as (...a: unknown[]) => Promise<unknown>)(...args));
        if (prop === 'connect') {
          return async () => {
            const client = await target.connect();
            const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
            let inizio = true;
            (client as unknown as { query: unknown }).query = (...a: unknown[]) => {
              // BEGIN is not a read: the interference comes after the first statement of the transaction.
              if (inizio) {
                inizio = false;
                return query(...a);
              }
              return dopoLaPrima(query(...a));
            };
            return client;
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  }

  test('an inspection concluded and the riesame committed with it are both in the view or neither', async () => {
    const t0 = new Date('2026-09-21T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5SNAP'), presentazione: t0 }), t0, r);
    await banco.portaInValutazioneInl(id, t0, r);
    const vistoPrima = await caricaVista(pool, { idIstruttoria: id });
    expect(vistoPrima.accertamento?.stato).toBeUndefined();
    expect(vistoPrima.riesame).toBeUndefined();
    // INL's outcome and the riesame it causes commit together, between the view's first and second reads.
    const commit = async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`UPDATE segnalazione_inl SET stato_accertamento = 'CONCLUSO', esito_accertamento = 'REQUISITI_NON_CONFERMATI', aggiornata_il = now() WHERE istruttoria_id = $1`, [id]);
        await c.query(`UPDATE istruttoria SET riesame_il = now(), riesame_motivo = 'prova' WHERE id = $1`, [id]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    const v = await caricaVista(poolConUnaScrittura(pool, commit), { idIstruttoria: id });
    // Before the fix the istruttoria row came from before the commit and INL's case from after it.
    expect({ accertamento: v.accertamento?.stato, riesame: v.riesame !== undefined }).toEqual({ accertamento: undefined, riesame: false });
    const dopoIlCommit = await caricaVista(pool, { idIstruttoria: id });
    expect({ accertamento: dopoIlCommit.accertamento?.stato, riesame: dopoIlCommit.riesame !== undefined }).toEqual({ accertamento: 'CONCLUSO', riesame: true });
  });
});

describe('6. an answer that arrives after closure shows as received and not applied, with its time', () => {
  test('the late esito is in the view beside a packet that never answered in time', async () => {
    const t0 = new Date('2026-09-14T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('A5TARDIVO'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    for (const ente of ['MINLAVORO', 'ANPAL'] as const) await rispondi(pool, get(parti, ente).p, get(parti, ente).corr, dopo(t0, giorni(1)), r);
    const { limite } = await istruttoria(id);
    await scheduler(new ManualClock(dopo(limite, 1)), r).runDue();
    expect((await istruttoria(id)).stato).toBe('CHIUSA');
    const tardi = dopo(limite, giorni(2));
    const inail = get(parti, 'INAIL');
    expect(await rispondi(pool, inail.p, inail.corr, tardi, r, 'CONFORME')).toMatchObject({ applicato: false });
    const v = await caricaVista(pool, { idIstruttoria: id }, r);
    const p = v.pacchetti.find((x) => x.destinatario === 'INAIL')!;
    expect(p.stato).toBe('SCADUTO');
    expect(p.esitiDato).toEqual([]);
    expect(p.esitoNonApplicato).toEqual({
      ricevutoIl: tardi,
      esito: 'CONFORME',
      esitiDato: expect.arrayContaining([expect.objectContaining({ dato: 'TASSO_MEDIO_TARIFFA', esito: 'CONFORME' })]),
    });
    // Packets answered in time show none.
    expect(v.pacchetti.find((x) => x.destinatario === 'ANPAL')!.esitoNonApplicato).toBeUndefined();
  });
});
