import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { datiDaVerificare } from '../shared/domain/competenza';
import type { EnteVerificatore, EsitoDato } from '../shared/domain/types';
import { writeNotificaEsito } from '../shared/messages/esiti';
import { writePresentaDomanda } from '../shared/messages/istruttoria';
import type { PacchettoDaInviare } from '../services/inps/core/sql/pacchetto';
import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { postRaw, rawEnvelope, type RawResponse } from './support/raw-soap';

/**
 * The INPS esiti callback: every delivery is durably recorded, the same esito delivered twice changes state
 * once, and esiti that do not belong (wrong party, wrong correlation id, incomplete, conflicting) are refused
 * with a Fault and change nothing. Only the gateway runs; the test plays the parties.
 */
let fed: TestFederation;
let inps: Pool;

beforeAll(async () => {
  // The test plays every party with raw envelopes: PDND off for all (its vouchers are test/pdnd/'s subject).
  fed = await TestFederation.start({ name: 'esiti-idempotency', processes: ['inps-gateway'], pdnd: [] });
  inps = fed.pool('inps');
});

afterAll(async () => {
  await fed?.stop();
});

const opHeader = (ente: string) => `<com:Operatore><com:IdOperatore>SYS-${ente}</com:IdOperatore><com:Ufficio>${ente}</com:Ufficio></com:Operatore>`;

async function submit(protocollo: string): Promise<Map<EnteVerificatore, { id: string; contenuto: PacchettoDaInviare }>> {
  const body = rawEnvelope(
    '<com:Operatore><com:IdOperatore>INPS-OP-1</com:IdOperatore><com:Ufficio>Roma</com:Ufficio></com:Operatore>',
    writePresentaDomanda(scenario('conforme').domanda(protocollo, new Date())).text,
  );
  const r = await postRaw(fed.url('istruttoria'), body, { tls: fed.tlsOf('INPS_ISTRUTTORIA'), firma: true });
  expect(r.fault).toBeNull();
  const rows = await inps.query<{ id: string; destinatario: EnteVerificatore; contenuto: PacchettoDaInviare }>(
    'SELECT p.id, p.destinatario, p.contenuto FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id WHERE d.protocollo = $1',
    [protocollo],
  );
  return new Map(rows.rows.map((p) => [p.destinatario, { id: p.id, contenuto: p.contenuto }]));
}

function esitiFor(ente: EnteVerificatore, p: PacchettoDaInviare, esito: EsitoDato['esito'] = 'CONFORME'): EsitoDato[] {
  return p.rapporti.flatMap((r) => datiDaVerificare(ente, r).map((dato) => ({ riferimento: r.riferimento, dato, esito })));
}

function notify(as: string, ente: EnteVerificatore, idPacchetto: string, correlationId: string, esiti: EsitoDato[]): Promise<RawResponse> {
  const body = writeNotificaEsito({ idPacchetto, ente, dataEsito: new Date(), esitiDato: esiti }).text;
  return postRaw(fed.url('esiti'), rawEnvelope(opHeader(as) + `<com:X-Correlation-ID>${correlationId}</com:X-Correlation-ID>`, body), { tls: fed.tlsOf(as), firma: true });
}

async function packetState(id: string) {
  const r = await inps.query<{ stato: string; esito: string | null; n_dati: number; n_ricevuti: number; n_applicati: number }>(
    `SELECT p.stato, p.esito,
            (SELECT count(*) FROM esito_dato e WHERE e.pacchetto_id = p.id)::int AS n_dati,
            (SELECT count(*) FROM esito_ricevuto r WHERE r.pacchetto_id = p.id)::int AS n_ricevuti,
            (SELECT count(*) FROM esito_ricevuto r WHERE r.pacchetto_id = p.id AND r.applicato)::int AS n_applicati
       FROM pacchetto p WHERE p.id = $1`,
    [id],
  );
  return r.rows[0]!;
}

async function istruttoriaOf(packetId: string) {
  const r = await inps.query<{ stato: string; esito_verifica: string | null; completate: number }>(
    `SELECT i.stato, i.esito_verifica,
            (SELECT count(*) FROM evento e WHERE e.istruttoria_id = i.id AND e.tipo = 'VERIFICA_COMPLETATA')::int AS completate
       FROM istruttoria i JOIN pacchetto p ON p.istruttoria_id = i.id WHERE p.id = $1`,
    [packetId],
  );
  return r.rows[0]!;
}

test('the same esito delivered twice is applied once and acknowledged OK both times', async () => {
  const packets = await submit('INPS.IDEM.0001');
  const m = packets.get('MINLAVORO')!;
  const corr = randomUUID();
  const first = await notify('MINLAVORO', 'MINLAVORO', m.id, corr, esitiFor('MINLAVORO', m.contenuto));
  const second = await notify('MINLAVORO', 'MINLAVORO', m.id, corr, esitiFor('MINLAVORO', m.contenuto));
  expect(first.fault).toBeNull();
  expect(second.fault).toBeNull();
  expect(second.body).toContain('<esi:Esito>OK</esi:Esito>');
  expect(await packetState(m.id)).toEqual({ stato: 'RISPOSTO', esito: 'CONFORME', n_dati: 4, n_ricevuti: 2, n_applicati: 1 });
});

test('concurrent deliveries of one esito apply it exactly once', async () => {
  const packets = await submit('INPS.IDEM.0002');
  const a = packets.get('ANPAL')!;
  const corr = randomUUID();
  const results = await Promise.all(Array.from({ length: 10 }, () => notify('ANPAL', 'ANPAL', a.id, corr, esitiFor('ANPAL', a.contenuto))));
  expect(results.map((r) => r.fault)).toEqual(Array(10).fill(null));
  expect(await packetState(a.id)).toMatchObject({ stato: 'RISPOSTO', n_dati: 4, n_ricevuti: 10, n_applicati: 1 });
});

test('the istruttoria closes once, and duplicates after closure change nothing', async () => {
  const packets = await submit('INPS.IDEM.0003');
  const corr = new Map([...packets.keys()].map((e) => [e, randomUUID()]));
  for (const [ente, p] of packets) expect((await notify(ente, ente, p.id, corr.get(ente)!, esitiFor(ente, p.contenuto))).fault).toBeNull();
  const any = packets.get('INAIL')!;
  expect(await istruttoriaOf(any.id)).toEqual({ stato: 'CHIUSA', esito_verifica: 'CONFORME', completate: 1 });
  for (const [ente, p] of packets) expect((await notify(ente, ente, p.id, corr.get(ente)!, esitiFor(ente, p.contenuto))).fault).toBeNull();
  expect(await istruttoriaOf(any.id)).toEqual({ stato: 'CHIUSA', esito_verifica: 'CONFORME', completate: 1 });
});

describe('esiti that do not belong are refused and change nothing', () => {
  let packets: Map<EnteVerificatore, { id: string; contenuto: PacchettoDaInviare }>;
  const corr = randomUUID();

  beforeAll(async () => {
    packets = await submit('INPS.IDEM.0004');
    const inail = packets.get('INAIL')!;
    expect((await notify('INAIL', 'INAIL', inail.id, corr, esitiFor('INAIL', inail.contenuto))).fault).toBeNull();
  });

  test('a different esito for an answered packet: ESITO_GIA_REGISTRATO', async () => {
    const inail = packets.get('INAIL')!;
    const r = await notify('INAIL', 'INAIL', inail.id, corr, esitiFor('INAIL', inail.contenuto, 'NON_CONFORME'));
    expect(r.fault?.code).toBe('ESITO_GIA_REGISTRATO');
    expect(await packetState(inail.id)).toMatchObject({ esito: 'CONFORME', n_applicati: 1 });
  });

  test('an esito with another correlation id than the acknowledged one: CORRELAZIONE_NON_VALIDA', async () => {
    const inail = packets.get('INAIL')!;
    const r = await notify('INAIL', 'INAIL', inail.id, randomUUID(), esitiFor('INAIL', inail.contenuto));
    expect(r.fault?.code).toBe('CORRELAZIONE_NON_VALIDA');
  });

  test("a party notifying another party's packet: MITTENTE_NON_DESTINATARIO", async () => {
    const m = packets.get('MINLAVORO')!;
    const r = await notify('ANPAL', 'MINLAVORO', m.id, randomUUID(), esitiFor('MINLAVORO', m.contenuto));
    expect(r.fault?.code).toBe('MITTENTE_NON_DESTINATARIO');
    expect(await packetState(m.id)).toMatchObject({ stato: 'DA_INVIARE', n_dati: 0, n_ricevuti: 0 });
  });

  test('an esito missing a datum the packet asked: ESITO_INCOMPLETO', async () => {
    const m = packets.get('MINLAVORO')!;
    const r = await notify('MINLAVORO', 'MINLAVORO', m.id, randomUUID(), esitiFor('MINLAVORO', m.contenuto).slice(1));
    expect(r.fault?.code).toBe('ESITO_INCOMPLETO');
    expect(r.fault!.message).toContain('RAPPORTO_DI_LAVORO');
    expect(await packetState(m.id)).toMatchObject({ stato: 'DA_INVIARE', n_dati: 0 });
  });

  test('an esito for an unknown packet: PACCHETTO_NON_TROVATO', async () => {
    const r = await notify('ANPAL', 'ANPAL', randomUUID(), randomUUID(), [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }]);
    expect(r.fault?.code).toBe('PACCHETTO_NON_TROVATO');
  });

  test('the INPS case system may not notify esiti', async () => {
    const m = packets.get('MINLAVORO')!;
    const r = await notify('INPS_ISTRUTTORIA', 'MINLAVORO', m.id, randomUUID(), esitiFor('MINLAVORO', m.contenuto));
    expect(r.fault?.code).toBe('PARTE_NON_AUTORIZZATA');
  });
});
