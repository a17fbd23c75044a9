process.env.APE_LOG_LEVEL = 'silent';

import type { Pool } from 'pg';
import type { EnteVerificatore } from '../../shared/domain/types';
import { scenario } from '../../infra/demo/dataset';
import { bancoIstruttorie, domanda, dopo, get, ore, regole, type RigaMessaggio, rispondi } from '../support/inps-lifecycle';

/**
 * Each applied esito notified to the other parties of the istruttoria (RISCONTRO, protocol art. 4). Part of the
 * INPS-side lifecycle of an istruttoria, in process against a real PostgreSQL database
 * (test/support/inps-lifecycle.ts, bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_riscontri');
const { protocollo, presenta, istruttoria, eventi, messaggi, presaInCaricoDiTutti } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
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

  test('the notices of an esito, and the outbox rows that send them, are one statement whatever the number of parties', async () => {
    // Two notices were four INSERTs (a message, then its outbox row, for each) after the query of the parties: at
    // three esiti per domanda, nine round trips to PostgreSQL (issue 17, eighth round).
    const r = regole();
    const t0 = new Date('2026-09-03T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('RIS'), presentazione: t0 }), t0, r);
    const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
    const testi: string[] = [];
    let contando = true;
    const contati = new WeakSet<object>();
    const contante = Object.assign(Object.create(pool) as Pool, {
      connect: async () => {
        const c = await pool.connect();
        if (!contati.has(c)) {
          contati.add(c);
          const query = c.query.bind(c) as (...a: unknown[]) => unknown;
          (c as unknown as { query: unknown }).query = (...a: unknown[]) => {
            if (contando && typeof a[0] === 'string' && /messaggio_uscita|outbox/.test(a[0])) testi.push(a[0]);
            return query(...a);
          };
        }
        return c;
      },
    });
    const m = get(parti, 'MINLAVORO');
    await rispondi(contante, m.p, m.corr, dopo(t0, ore(2)), r);
    contando = false;
    expect((await messaggi(id, 'RISCONTRO')).map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'INAIL']);
    expect(testi).toHaveLength(1);
    expect(testi[0]).toMatch(/INSERT INTO messaggio_uscita[\s\S]*INSERT INTO outbox/);
    const uscite = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE payload->>'idMessaggio' = ANY($1)", [(await messaggi(id, 'RISCONTRO')).map((x) => x.id)]);
    expect(uscite.rows[0]!.n).toBe(2);
  });
});
