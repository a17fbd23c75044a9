process.env.APE_LOG_LEVEL = 'silent';

import type { Pool } from 'pg';
import { aggiungiOsservazione } from '../../services/inps/core/osservazione';
import { caricaDomandaPerIndici, segnalaStessoDatore, valutaIndici } from '../../services/inps/core/indici';
import { withTransaction, type Tx } from '../../shared/db/pool';
import { eventually } from '../support/eventually';
import { bancoIstruttorie, domanda, dopo, giorni, nuovoDatore, nuovoLavoratore, ore, rapportoEdile, regole, rispondi } from '../support/inps-lifecycle';

/**
 * The triggers INPS evaluates for INL: five workers of one employer at every submission, and those sent with the
 * case when it goes to INL. Part of the INPS-side lifecycle of an istruttoria, in process against a real
 * PostgreSQL database (test/support/inps-lifecycle.ts, bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_indici_inl');
const { protocollo, presenta, istruttoria, eventi, messaggi, presaInCaricoDiTutti, codiciIndici, portaInValutazioneInl } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
});

// ---------------------------------------------------------------------------------------------------------------

describe('f. domande from five workers of one employer (CINQUE_LAVORATORI_STESSO_DATORE)', () => {
  async function indiceStessoDatore(id: string): Promise<Array<{ codice: string; datore_cf: string }>> {
    return (await codiciIndici(id)).filter((x) => x.codice === 'CINQUE_LAVORATORI_STESSO_DATORE');
  }

  /** Submits domande naming `datore` only, each presented (and received) at the instant given. */
  const presentatore = (datore: ReturnType<typeof nuovoDatore>, r: ReturnType<typeof regole>) => (at: Date) =>
    presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: at, attestazioni: [rapportoEdile(1, datore)] }), at, r);

  /** A new employer with `n` domande, one an hour from `t0`: their istruttorie, and how to submit more. */
  async function datoreConDomande(n: number, t0: Date) {
    const r = regole();
    const datore = nuovoDatore();
    const submit = presentatore(datore, r);
    const ids: string[] = [];
    for (let k = 0; k < n; k++) ids.push(await submit(dopo(t0, ore(k))));
    return { r, datore, submit, ids };
  }

  /** Attestazioni PostgreSQL has read so far in the transaction. */
  async function attestazioniLette(tx: Tx): Promise<number> {
    const r = await tx.query<{ n: number }>("SELECT (coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0))::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'attestazione'");
    return r.rows[0]?.n ?? 0;
  }

  /** The employers' domande waiting for a pass of the rule. */
  async function inAttesa(...datori: Array<{ codiceFiscale: string }>): Promise<unknown[]> {
    return (await pool.query('SELECT 1 FROM stesso_datore_da_esaminare WHERE datore_codice_fiscale = ANY($1)', [datori.map((d) => d.codiceFiscale)])).rows;
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

  test("the rule reads the employer's domande in its window only, however long the employer's history", async () => {
    const r = regole();
    const datore = nuovoDatore();
    const submit = presentatore(datore, r);
    // Two years of history before the window (a large employer at national volume has thousands).
    const storia = new Date('2024-01-08T09:00:00Z');
    for (let k = 0; k < 40; k++) await submit(dopo(storia, giorni(k * 9)));
    const t0 = new Date('2026-03-02T09:00:00Z');
    const recenti: string[] = [];
    for (let k = 0; k < 5; k++) recenti.push(await submit(dopo(t0, giorni(k))));
    for (const id of recenti) expect(await indiceStessoDatore(id)).toHaveLength(1);
    // The attestazioni one more evaluation and one more flagging of the employer read, counted by PostgreSQL.
    const letture = await withTransaction(pool, async (tx) => {
      // The plan a table of national volume gets: this one is small enough for the planner to read it whole.
      await tx.query('SET LOCAL enable_seqscan = off');
      const d = await caricaDomandaPerIndici(tx, recenti[4]!);
      const prima = await attestazioniLette(tx);
      await valutaIndici(tx, d, r);
      await segnalaStessoDatore(tx, d, r, dopo(t0, giorni(4)));
      return (await attestazioniLette(tx)) - prima;
    });
    // The two counts each read the five attestazioni in the window, not the forty before it (135 reads before
    // inps/007, with the open istruttorie's search); the flagging reads only the domande waiting to be examined.
    expect(letture).toBeGreaterThanOrEqual(10);
    expect(letture).toBeLessThanOrEqual(12);
  });

  test('one more submission naming a large employer: a bounded count and one statement for the flags, however many domande it has open', async () => {
    const t0 = new Date('2026-04-06T09:00:00Z');
    const { r, datore, ids: aperte } = await datoreConDomande(60, t0);
    const ultima = aperte[59]!;
    for (const id of aperte) expect(await indiceStessoDatore(id)).toHaveLength(1);
    // A large employer is past the threshold among its most recent domande: the count says "at least".
    expect(String((await eventi(ultima, 'INDICE_INL_RILEVATO'))[0]!.dettagli.descrizione)).toContain('domande di almeno 50 lavoratori');

    // Every one of them examined by an earlier pass: nothing of the employer waits.
    expect(await inAttesa(datore)).toEqual([]);
    const misura = await withTransaction(pool, async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const d = await caricaDomandaPerIndici(tx, ultima);
      const prima = await attestazioniLette(tx);
      await valutaIndici(tx, d, r);
      const conteggio = (await attestazioniLette(tx)) - prima;
      let istruzioni = 0;
      const query = tx.query.bind(tx);
      const contata = Object.assign(Object.create(tx) as typeof tx, { query: (...a: Parameters<typeof tx.query>) => (istruzioni++, query(...a)) });
      const primaDelPassaggio = await attestazioniLette(tx);
      await segnalaStessoDatore(contata, d, r, dopo(t0, ore(60)));
      return { conteggio, passaggio: (await attestazioniLette(tx)) - primaDelPassaggio, istruzioni };
    });
    // The count reads the 50 most recent attestazioni of the employer's 60 in the window (60 before).
    expect(misura.conteggio).toBeLessThanOrEqual(50);
    // The pass: its count, then nothing waiting to be examined (the 60 open ones read again before: 120 reads).
    expect(misura.passaggio).toBeLessThanOrEqual(50);
    // The count and one flagging statement, nothing to flag anew (a statement per open istruttoria before).
    expect(misura.istruzioni).toBe(2);
  });

  test('two domande crossing the threshold at once: both passes succeed and every istruttoria is flagged once', async () => {
    const t0 = new Date('2026-04-20T09:00:00Z');
    const { datore, submit, ids: quattro } = await datoreConDomande(4, t0);
    const insieme = await Promise.all([submit(dopo(t0, ore(5))), submit(dopo(t0, ore(6)))]);
    for (const id of [...quattro, ...insieme]) {
      expect(await indiceStessoDatore(id)).toHaveLength(1);
      expect(await eventi(id, 'INDICE_INL_RILEVATO')).toHaveLength(1);
    }
    expect(await inAttesa(datore)).toEqual([]);
  });

  test('two domande naming the same two employers in opposite order, examined at once: both passes succeed', async () => {
    const r = regole();
    const [a, b] = [nuovoDatore(), nuovoDatore()];
    const t0 = new Date('2026-06-01T09:00:00Z');
    const submit = (k: number, attestazioni: ReturnType<typeof rapportoEdile>[]) =>
      presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: dopo(t0, ore(k)), attestazioni }), dopo(t0, ore(k)), r);
    for (let k = 0; k < 4; k++) await submit(k, [rapportoEdile(1, a)]);
    for (let k = 0; k < 4; k++) await submit(k, [rapportoEdile(1, b)]);
    const d1 = await submit(5, [rapportoEdile(1, a, '2014-01-07', '2019-12-31'), rapportoEdile(2, b, '2020-01-01')]);
    const d2 = await submit(6, [rapportoEdile(1, b, '2014-01-07', '2019-12-31'), rapportoEdile(2, a, '2020-01-01')]);
    // Both employers' domande waiting to be examined again, as when two submissions cross the threshold together.
    await pool.query(
      `INSERT INTO stesso_datore_da_esaminare SELECT DISTINCT datore_codice_fiscale, data_presentazione, domanda_id FROM attestazione
        WHERE datore_codice_fiscale = ANY($1) ON CONFLICT DO NOTHING`,
      [[a.codiceFiscale, b.codiceFiscale]],
    );
    const [c1, c2] = [await pool.connect(), await pool.connect()];
    try {
      await c1.query('BEGIN');
      await c2.query('BEGIN');
      const pid2 = (await c2.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // Each pass notices when its first employer's statement has returned (it holds that employer's rows).
      const dopoIlPrimo = (c: typeof c1, fatto: () => Promise<void>): typeof c1 => {
        let primo = true;
        const query = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
        return Object.assign(Object.create(c) as typeof c1, {
          query: async (...a: unknown[]) => {
            const esito = await query(...a);
            if (primo && String(a[0]).includes('DELETE FROM stesso_datore_da_esaminare')) {
              primo = false;
              await fatto();
            }
            return esito;
          },
        });
      };
      let rilascia!: () => void;
      const cancello = new Promise<void>((res) => (rilascia = res));
      let t1AlCancello!: () => void;
      const t1Fermo = new Promise<void>((res) => (t1AlCancello = res));
      let t2PrimoFatto = false;
      const now = dopo(t0, ore(7));
      // T1 examines its first employer and stops there until T2 holds its own first employer's rows, or waits for T1's.
      const p1 = segnalaStessoDatore(dopoIlPrimo(c1, async () => { t1AlCancello(); await cancello; }), await caricaDomandaPerIndici(c1, d1), r, now).then(() => 'ok', (e: Error) => e.message);
      await t1Fermo;
      const p2 = segnalaStessoDatore(dopoIlPrimo(c2, async () => { t2PrimoFatto = true; }), await caricaDomandaPerIndici(c2, d2), r, now).then(() => 'ok', (e: Error) => e.message);
      await eventually(async () => t2PrimoFatto || (await pool.query<{ w: string | null }>('SELECT wait_event_type AS w FROM pg_stat_activity WHERE pid = $1', [pid2])).rows[0]?.w === 'Lock', { what: 'the second pass holding or waiting' });
      rilascia();
      const e1 = await p1;
      await c1.query(e1 === 'ok' ? 'COMMIT' : 'ROLLBACK');
      const e2 = await p2;
      await c2.query(e2 === 'ok' ? 'COMMIT' : 'ROLLBACK');
      expect([e1, e2]).toEqual(['ok', 'ok']);
    } finally {
      c1.release();
      c2.release();
    }
    expect(await inAttesa(a, b)).toEqual([]);
  });

  test('a few workers filing many domande: past the bounded read, the window is counted whole', async () => {
    const r = regole();
    const datore = nuovoDatore();
    const t0 = new Date('2026-05-04T09:00:00Z');
    const quattro = [nuovoLavoratore(), nuovoLavoratore(), nuovoLavoratore(), nuovoLavoratore()];
    const submit = (at: Date, richiedente = nuovoLavoratore()) =>
      presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: at, richiedente, attestazioni: [rapportoEdile(1, datore)] }), at, r);
    // A fifth worker, 100 days before: outside the 50 most recent domande, inside the 365-day window.
    const prima = await submit(dopo(t0, giorni(-100)));
    let ultima = '';
    for (let k = 0; k < 52; k++) ultima = await submit(dopo(t0, ore(k)), quattro[k % 4]);
    expect(await indiceStessoDatore(ultima)).toHaveLength(1);
    expect(await indiceStessoDatore(prima)).toHaveLength(1);
    expect(String((await eventi(ultima, 'INDICE_INL_RILEVATO'))[0]!.dettagli.descrizione)).toContain('domande di 5 lavoratori');
  });

  test('an attestazione inserted without its submission instant (a process of the previous version) takes the domanda\'s', async () => {
    const at = new Date('2026-03-20T09:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('FIVE'), presentazione: at, attestazioni: [rapportoEdile(1, nuovoDatore())] }), at, regole());
    const { rows } = await pool.query<{ domanda_id: string }>('SELECT domanda_id FROM istruttoria WHERE id = $1', [id]);
    await pool.query(
      `INSERT INTO attestazione (domanda_id, riferimento, tipo, datore_codice_fiscale, datore_denominazione, dal, categoria, professione_istat)
       VALUES ($1, 2, 'DATORE_PRIVATO_PA', '01234567890', 'Datore', date '2000-01-01', 'A', '6.1.2.3.0')`,
      [rows[0]!.domanda_id],
    );
    const r = await pool.query<{ data_presentazione: Date }>('SELECT data_presentazione FROM attestazione WHERE domanda_id = $1 ORDER BY riferimento', [rows[0]!.domanda_id]);
    expect(r.rows.map((x) => x.data_presentazione)).toEqual([at, at]);
    // and it waits for the five-workers rule to examine it, as one the current version writes
    const attesa = await pool.query('SELECT data_presentazione FROM stesso_datore_da_esaminare WHERE domanda_id = $1 AND datore_codice_fiscale = $2', [rows[0]!.domanda_id, '01234567890']);
    expect(attesa.rows).toEqual([{ data_presentazione: at }]);
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
