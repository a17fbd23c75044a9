import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { SCENARI, scenario } from '../infra/demo/dataset';
import type { SistemaIstruttorio } from '../infra/clients/sistema-istruttorio';
import { eventually } from './support/eventually';
import { TestFederation } from './support/federation';

/**
 * The whole federation as separate processes: INPS gateway and dispatcher, the Ministero's hub and the four
 * party nodes, over mutual-TLS SOAP, RabbitMQ and PostgreSQL. Domande are submitted with node-soap, as an
 * INPS case system would, and each must close with the right esiti from the right parties.
 */
let fed: TestFederation;
let client: SistemaIstruttorio;
let inps: Pool;

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'e2e-federation' });
  client = await fed.caseSystem();
  inps = fed.pool('inps');
});

afterAll(async () => {
  await fed?.stop();
});

type Stato = Record<string, unknown> & { Stato: string; EsitoVerifica?: string };

function pacchetti(stato: Record<string, unknown>): Array<Record<string, unknown>> {
  const p = (stato.Pacchetti as Record<string, unknown> | undefined)?.Pacchetto;
  return p === undefined ? [] : ([] as Array<Record<string, unknown>>).concat(p as Array<Record<string, unknown>>);
}

function esitiDato(p: Record<string, unknown>): Array<Record<string, unknown>> {
  const e = (p.EsitiDato as Record<string, unknown> | undefined)?.EsitoDato;
  return e === undefined ? [] : ([] as Array<Record<string, unknown>>).concat(e as Array<Record<string, unknown>>);
}

/** Closed, or waiting on an inspection INL opened: nothing more happens without time passing or an inspector. */
function stabile(s: Stato): boolean {
  return s.Stato === 'CHIUSA' || (s.Stato === 'VALUTAZIONE_INL' && (s.Accertamento as { Stato?: string } | undefined)?.Stato === 'AVVIATO');
}

async function submitAndWait(chiave: string, protocollo: string): Promise<Stato> {
  const ricevuta = await client.presentaDomanda(scenario(chiave).domanda(protocollo, new Date()));
  expect(ricevuta.stato).toBe('IN_VERIFICA');
  return eventually(
    async () => {
      const s = (await client.statoIstruttoria({ IdIstruttoria: ricevuta.idIstruttoria })) as Stato;
      return stabile(s) ? s : undefined;
    },
    { timeoutMs: 60_000, what: `istruttoria of ${protocollo} to close or wait for an inspection` },
  );
}

test('a domanda every archive confirms closes CONFORME on the archives (ESITI_ARCHIVI)', async () => {
  const s = await submitAndWait('conforme', 'INPS.E2E.2026.000001');
  expect(s.Stato).toBe('CHIUSA');
  expect(s.EsitoVerifica).toBe('CONFORME');
  expect(s.RegolaChiusura).toBe('ESITI_ARCHIVI');
  const byParty: Record<string, Record<string, unknown>> = Object.fromEntries(pacchetti(s).map((p) => [p.Destinatario, p]));
  expect(Object.keys(byParty).sort()).toEqual(['ANPAL', 'INAIL', 'MINLAVORO']);
  for (const p of Object.values(byParty)) {
    expect(p.Stato).toBe('RISPOSTO');
    expect(p.Esito).toBe('CONFORME');
    expect(p.CorrelationId).toEqual(expect.any(String));
  }
  expect(esitiDato(byParty.MINLAVORO!).map((e) => e.Dato)).toEqual(['RAPPORTO_DI_LAVORO', 'CCNL', 'LIVELLO_INQUADRAMENTO', 'PROFESSIONE_ISTAT']);
  expect(esitiDato(byParty.INAIL!).map((e) => e.Dato)).toEqual(['GRANDE_GRUPPO_TARIFFA', 'VOCE_TARIFFA', 'TASSO_MEDIO_TARIFFA']);
});

test('a livello the archives contradict closes NON_CONFORME, naming the datum and the archive value', async () => {
  const s = await submitAndWait('non-conforme', 'INPS.E2E.2026.000002');
  expect(s.Stato).toBe('CHIUSA');
  expect(s.EsitoVerifica).toBe('NON_CONFORME');
  const byParty: Record<string, Record<string, unknown>> = Object.fromEntries(pacchetti(s).map((p) => [p.Destinatario, p]));
  expect(byParty.INAIL!.Esito).toBe('CONFORME');
  for (const party of ['MINLAVORO', 'ANPAL']) {
    const livello = esitiDato(byParty[party]!).find((e) => e.Dato === 'LIVELLO_INQUADRAMENTO')!;
    expect(livello.Esito).toBe('NON_CONFORME');
    expect(livello.Nota).toContain('4');
    expect(esitiDato(byParty[party]!).filter((e) => e.Esito !== 'CONFORME')).toHaveLength(1);
  }
});

test('a relation ANPAL does not hold goes to INL, which opens no inspection: closed on the self-declarations', async () => {
  const s = await submitAndWait('non-verificabile', 'INPS.E2E.2026.000003');
  expect(s.Stato).toBe('CHIUSA');
  expect(s.RegolaChiusura).toBe('AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO');
  expect(s.EsitoVerifica).toBe('NON_VERIFICABILE');
  expect(s.Accertamento).toMatchObject({ Stato: 'NON_AVVIATO' });
  const tipi = ((s.Eventi as { Evento: Array<{ Tipo: string }> }).Evento).map((e) => e.Tipo);
  expect(tipi).toEqual(expect.arrayContaining(['VALUTAZIONE_INL_AVVIATA', 'ACCERTAMENTO_NON_AVVIATO', 'VERIFICA_COMPLETATA']));
  expect(tipi.indexOf('VALUTAZIONE_INL_AVVIATA')).toBeLessThan(tipi.indexOf('ACCERTAMENTO_NON_AVVIATO'));
  const byParty: Record<string, Record<string, unknown>> = Object.fromEntries(pacchetti(s).map((p) => [p.Destinatario, p]));
  expect(byParty.ANPAL!.Esito).toBe('NON_VERIFICABILE');
  expect(esitiDato(byParty.ANPAL!).every((e) => e.Esito === 'NON_VERIFICABILE')).toBe(true);
  expect(byParty.MINLAVORO!.Esito).toBe('CONFORME');
  expect(byParty.INAIL!.Esito).toBe('CONFORME');
});

test('every demo scenario reaches the state and esito its data implies', async () => {
  const results = await Promise.all(SCENARI.map((sc, i) => submitAndWait(sc.chiave, `INPS.E2E.2026.1000${i}`)));
  results.forEach((s, i) => {
    const a = SCENARI[i]!.atteso;
    expect({ scenario: SCENARI[i]!.chiave, stato: s.Stato, esito: s.EsitoVerifica, regola: s.RegolaChiusura, accertamento: (s.Accertamento as { Stato?: string } | undefined)?.Stato }).toEqual({
      scenario: SCENARI[i]!.chiave,
      stato: a.stato,
      esito: a.esitoVerifica,
      regola: a.regola,
      accertamento: a.accertamento,
    });
  });
});

test('StatoIstruttoria answers by domanda protocol too, with the istruttoria timeline in the database', async () => {
  const s = (await client.statoIstruttoria({ ProtocolloDomanda: 'INPS.E2E.2026.000001' })) as Stato;
  expect(s.ProtocolloDomanda).toBe('INPS.E2E.2026.000001');
  const ev = await inps.query<{ tipo: string }>(
    `SELECT e.tipo FROM evento e JOIN istruttoria i ON i.id = e.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
      WHERE d.protocollo = $1 ORDER BY e.id`,
    ['INPS.E2E.2026.000001'],
  );
  const tipi = ev.rows.map((r) => r.tipo);
  expect(tipi[0]).toBe('DOMANDA_RICEVUTA');
  expect(tipi.filter((t) => t === 'PACCHETTO_CREATO')).toHaveLength(3);
  expect(tipi.filter((t) => t === 'ESITO_RICEVUTO')).toHaveLength(3);
  expect(tipi.filter((t) => t === 'VERIFICA_COMPLETATA')).toHaveLength(1);
  expect(tipi.indexOf('VERIFICA_COMPLETATA')).toBeGreaterThan(tipi.lastIndexOf('ESITO_RICEVUTO'));
  const outbox = await inps.query('SELECT count(*)::int AS n FROM outbox WHERE pubblicato_il IS NULL');
  expect(outbox.rows[0].n).toBe(0);
});

describe('minimisation: each party receives exactly the fields of its competence', () => {
  const TOP = ['dataInvio', 'destinatario', 'idIstruttoria', 'idPacchetto', 'lavoratore', 'protocolloDomanda', 'rapporti', 'tipoDomanda'];
  const BASE = ['categoria', 'datore', 'periodo', 'riferimento'];
  const EXPECTED: Record<string, Record<number, { keys: string[]; datore: string[] }>> = {
    // domestic G (1) and nursery H (2): INAIL has no competence on either; INL only on H.
    MINLAVORO: { 1: { keys: [...BASE, 'ccnl', 'livello', 'professioneIstat'], datore: ['codiceFiscale'] }, 2: { keys: [...BASE, 'ccnl', 'livello', 'professioneIstat'], datore: ['codiceFiscale'] } },
    ANPAL: { 1: { keys: [...BASE, 'ccnl', 'livello', 'professioneIstat'], datore: ['codiceFiscale'] }, 2: { keys: [...BASE, 'ccnl', 'livello', 'professioneIstat'], datore: ['codiceFiscale'] } },
    INL: { 2: { keys: [...BASE, 'attivitaEducativa'], datore: ['codiceFiscale'] } },
  };
  const protocollo = 'INPS.E2E.MIN.0001';

  beforeAll(async () => {
    await submitAndWait('domestico-e-asilo', protocollo);
  });

  async function received(schema: string, table: string): Promise<Array<Record<string, unknown>>> {
    const pool = fed.pool(schema);
    const r = await pool.query<{ contenuto: Record<string, unknown> }>(`SELECT contenuto FROM ${table} WHERE contenuto->>'protocolloDomanda' = $1`, [protocollo]);
    return r.rows.map((x) => x.contenuto);
  }

  test.each(['MINLAVORO', 'ANPAL', 'INL'])('%s receives only its relations and fields', async (ente) => {
    const [p, ...more] = await received(ente.toLowerCase(), 'pacchetto_ricevuto');
    expect(more).toHaveLength(0);
    expect(Object.keys(p!).sort()).toEqual(TOP);
    expect(p!.lavoratore).toEqual({ codiceFiscale: expect.stringMatching(/^NREFNC66B41G273.$/) });
    const rapporti = p!.rapporti as Array<Record<string, unknown>>;
    const expected = EXPECTED[ente]!;
    expect(rapporti.map((r) => r.riferimento)).toEqual(Object.keys(expected).map(Number));
    for (const r of rapporti) {
      const want = expected[r.riferimento as number]!;
      expect(Object.keys(r).sort()).toEqual([...want.keys].sort());
      expect(Object.keys(r.datore as object).sort()).toEqual(want.datore);
    }
    const text = JSON.stringify(p);
    for (const personal of ['Neri', 'Francesca', '1966-02-01', 'Bruni', 'Comune di Borgo', 'RD-2012-000451', '6789012345']) expect(text).not.toContain(personal);
  });

  test('INAIL receives no packet for domestic work and nursery teaching', async () => {
    expect(await received('inail', 'pacchetto_ricevuto')).toEqual([]);
  });

  test('INAIL receives the PAT and tariff voices of a construction worker, and nothing of CCNL, livello or profession', async () => {
    const [p] = (await received('inail', 'pacchetto_ricevuto').then(() => fed.pool('inail').query<{ contenuto: Record<string, unknown> }>(
      "SELECT contenuto FROM pacchetto_ricevuto WHERE contenuto->>'protocolloDomanda' = 'INPS.E2E.2026.000001'",
    ))).rows.map((r) => r.contenuto);
    const [r] = p!.rapporti as Array<Record<string, unknown>>;
    expect(Object.keys(r!).sort()).toEqual([...BASE, 'vociTariffaInail'].sort());
    expect(r!.datore).toEqual({ codiceFiscale: expect.any(String), patInail: '12345678' });
    expect(r!.vociTariffaInail).toEqual(['3110']);
  });

  test('the hub forwards what INPS sent, unchanged and signed by INPS, and keeps X-ReplyTo and the operator', async () => {
    const hub = fed.pool('hub');
    const inpsCert = new X509Certificate(readFileSync(fed.identity('INPS').certFile)).raw.toString('base64');
    const r = await hub.query<{ destinatario: string; contenuto: Record<string, unknown>; corpo: string; reply_to: string; operatore_id: string; correlation_id: string; stato: string }>(
      "SELECT destinatario, contenuto, corpo, reply_to, operatore_id, correlation_id, stato FROM pacchetto_inoltro WHERE contenuto->>'protocolloDomanda' = $1 ORDER BY destinatario",
      [protocollo],
    );
    expect(r.rows.map((x) => x.destinatario)).toEqual(['ANPAL', 'INL', 'MINLAVORO']);
    for (const row of r.rows) {
      expect(row.stato).toBe('INOLTRATO');
      expect(row.reply_to).toBe(fed.url('esiti'));
      expect(row.operatore_id).toBe('INPS-OP-TEST-0001');
      // What the hub forwards is the payload as INPS signed it (the party verified that signature before storing).
      expect(row.corpo).toContain(`<ds:X509Certificate>${inpsCert}</ds:X509Certificate>`);
      const atParty = await fed.pool(row.destinatario.toLowerCase()).query<{ contenuto: unknown; correlation_id: string; mittente: string }>(
        'SELECT contenuto, correlation_id, mittente FROM pacchetto_ricevuto WHERE id_pacchetto = $1',
        [row.contenuto.idPacchetto],
      );
      expect(atParty.rows[0]!.contenuto).toEqual(row.contenuto);
      expect(atParty.rows[0]!.correlation_id).toBe(row.correlation_id);
      // Forwarded by the hub, under its own identity (not the Ministero verifier's).
      expect(atParty.rows[0]!.mittente).toBe('HUB');
    }
  });

  test('every call between parties was signed (ModI ID_AUTH_SOAP_02), each with its own MessageID', async () => {
    const ricevuti = async (schema: string, controparte: string) =>
      (await fed.pool(schema).query<{ message_id: string | null }>("SELECT message_id FROM registro_messaggi WHERE direzione = 'RICEVUTO' AND controparte = $1 AND esito = 'ACCETTATO'", [controparte])).rows;
    const tutti = [...(await ricevuti('hub', 'INPS')), ...(await ricevuti('anpal', 'HUB')), ...(await ricevuti('inps', 'ANPAL')), ...(await ricevuti('inps', 'INAIL'))];
    expect(tutti.length).toBeGreaterThan(10);
    for (const m of tutti) expect(m.message_id).toMatch(/^urn:uuid:/);
    expect(new Set(tutti.map((m) => m.message_id)).size).toBe(tutti.length);
  });

  test("each art. 4 notice a party stored commits with its call's replay record (one statement, one transaction)", async () => {
    // riscontro rows are never updated: their xmin is still the transaction of the call that stored them.
    for (const schema of ['minlavoro', 'anpal', 'inail']) {
      const { rows } = await fed.pool(schema).query<{ n: number; senza_record: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM messaggio_visto v WHERE v.xmin = r.xmin))::int AS senza_record FROM riscontro r`,
      );
      expect({ schema, ...rows[0] }).toEqual({ schema, n: expect.any(Number), senza_record: 0 });
      expect(rows[0]!.n).toBeGreaterThan(0);
    }
  });

  test("each delivery's state commits with the message log entry of the call that made it (one transaction)", async () => {
    // [schema, table, delivered rows, operation of the call]: the entry is the one of that call, accepted.
    const consegne: Array<[string, string, string, string]> = [
      ['hub', 'pacchetto_inoltro', "stato = 'INOLTRATO'", "'VerificaPacchetto'"],
      ['hub', 'messaggio_inoltro', "stato = 'INOLTRATO'", 't.operazione'],
      ['anpal', 'pacchetto_ricevuto', "stato = 'ESITO_CONSEGNATO'", "'NotificaEsito'"],
      ['minlavoro', 'pacchetto_ricevuto', "stato = 'ESITO_CONSEGNATO'", "'NotificaEsito'"],
      ['inail', 'pacchetto_ricevuto', "stato = 'ESITO_CONSEGNATO'", "'NotificaEsito'"],
      ['inl', 'notifica_accertamento', 'consegnata_il IS NOT NULL', "'NotificaAccertamento'"],
      ['inps', 'messaggio_uscita', "stato = 'INVIATO'", 'NULL'],
    ];
    for (const [schema, tabella, consegnate, operazione] of consegne) {
      const { rows } = await fed.pool(schema).query<{ n: number; senza_voce: number }>(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE NOT EXISTS (
                  SELECT 1 FROM registro_messaggi r
                   WHERE r.xmin = t.xmin AND r.direzione = 'INVIATO' AND r.esito = 'ACCETTATO' AND r.operazione = COALESCE(${operazione}, r.operazione)))::int AS senza_voce
           FROM ${tabella} t WHERE ${consegnate}`,
      );
      expect({ schema, tabella, ...rows[0] }).toEqual({ schema, tabella, n: expect.any(Number), senza_voce: 0 });
      expect(rows[0]!.n).toBeGreaterThan(0);
    }
  });
});
