import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { verificaRegistro } from '../../shared/audit/catena';
import { RemoteFaultError } from '../../shared/errors';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito } from '../../shared/messages/esiti';
import { PdndRegistry } from '../../shared/pdnd/registry';
import { VoucherClient } from '../../shared/pdnd/voucher-client';
import { scenario } from '../../infra/demo/dataset';
import { eventually } from '../support/eventually';
import { TestFederation } from '../support/federation';
import { postRaw, rawEnvelope } from '../support/raw-soap';

/**
 * The federation with PDND on for INAIL and for the Ministero's hub: the hub's packets to INAIL and INAIL's esiti to
 * INPS carry vouchers from the local authorization server and the operator's tracking evidence; the endpoints
 * accept them and keep the evidence's claims and hash in the access records; each party's client asks for one
 * voucher per operator and validity, not one per call. A call without them is refused before its handler.
 */
let fed: TestFederation;
let inps: Pool;
let inail: Pool;
const DOMANDE = ['INPS.PDND.2026.000001', 'INPS.PDND.2026.000002', 'INPS.PDND.2026.000003'];

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'pdnd-federation',
    processes: ['inps-gateway', 'inps-dispatcher', 'minlavoro-hub', 'agency-inail'],
    mutaConfig: (json) => {
      json.identities.HUB.pdnd.attivo = true;
    },
  });
  inps = fed.pool('inps');
  inail = fed.pool('inail');
  const client = await fed.caseSystem();
  for (const p of DOMANDE) await client.presentaDomanda(scenario('conforme').domanda(p, new Date()));
});

afterAll(async () => {
  await fed?.stop();
});

interface Accesso {
  operatore_id: string;
  esito: string;
  riferimenti: { evidenzaTracciamento?: Record<string, unknown> };
}

test('INAIL\'s esiti reach INPS with a voucher and tracking evidence, whose claims and hash each access record keeps', async () => {
  const rows = await eventually(
    async () => {
      const r = await inps.query<Accesso>("SELECT operatore_id, esito, riferimenti FROM registro_accessi WHERE identita = 'INAIL' AND operazione = 'NotificaEsito' ORDER BY seq");
      return r.rows.length >= DOMANDE.length ? r.rows : undefined;
    },
    { timeoutMs: 60_000, what: "INAIL's three esiti at INPS" },
  );
  const esiti = fed.url('esiti');
  for (const row of rows) {
    expect(row.esito).toBe('ACCETTATA');
    const e = row.riferimenti.evidenzaTracciamento!;
    expect(e).toMatchObject({ iss: 'client-inail', aud: esiti, userID: row.operatore_id, LoA: 'LoA3', purposeId: 'finalita-inail-inps-esiti' });
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(e.exp as number).toBeGreaterThan(e.iat as number);
    // The evidence as sent (its hash is the record's) and the voucher it was bound to: checkable again later.
    expect(createHash('sha256').update(e.token as string, 'ascii').digest('hex')).toBe(e.hash);
    expect(e.voucher).toMatchObject({ jti: expect.any(String), clientId: 'client-inail', purposeId: 'finalita-inail-inps-esiti' });
  }
  // One operator (INAIL's automated verification) within one validity: one voucher, one evidence for all three calls.
  expect(new Set(rows.map((r) => r.riferimenti.evidenzaTracciamento!.hash)).size).toBe(1);
  // The evidence is part of each record's chained hash, and reads back as it was hashed.
  expect(await verificaRegistro(inps, 'registro_accessi')).toMatchObject({ integro: true });
});

test('the hub\'s forwarded packets reach INAIL with the hub\'s voucher and the evidence of the operator they name', async () => {
  const rows = await eventually(
    async () => {
      const r = await inail.query<Accesso>("SELECT operatore_id, esito, riferimenti FROM registro_accessi WHERE identita = 'HUB' AND operazione = 'VerificaPacchetto' ORDER BY seq");
      return r.rows.length >= DOMANDE.length ? r.rows : undefined;
    },
    { timeoutMs: 60_000, what: 'the three packets at INAIL' },
  );
  for (const row of rows) {
    expect(row.esito).toBe('ACCETTATA');
    expect(row.riferimenti.evidenzaTracciamento).toMatchObject({ iss: 'client-hub', aud: fed.url('INAIL'), userID: row.operatore_id, purposeId: 'finalita-hub-inail-verifica' });
  }
});

async function metric(process: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${fed.opsUrl(process)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('N calls, one token request: INAIL\'s and the hub\'s clients reuse their voucher', async () => {
  // Calls made (a miss waits for the one request in flight, so concurrent first calls are misses too), tokens asked for.
  const calls = async (process: string) => (await metric(process, 'ape_pdnd_cache_voucher_totale', 'esito="hit"')) + (await metric(process, 'ape_pdnd_cache_voucher_totale', 'esito="miss"'));
  // INAIL calls one e-service (INPS's esiti) for one operator: one voucher for its three esiti.
  expect(await calls('agency-inail')).toBeGreaterThanOrEqual(DOMANDE.length);
  expect(await metric('agency-inail', 'ape_pdnd_richieste_voucher_totale', 'esito="ottenuto"')).toBe(1);
  // The hub forwards to three e-services (MINLAVORO's and ANPAL's nodes are down here, so it keeps trying them) what
  // two operators caused: the case officer's packets, INPS's system operator's notices. At most one voucher per
  // e-service and operator, however many calls.
  const hubCalls = await calls('minlavoro-hub');
  const hubTokens = await metric('minlavoro-hub', 'ape_pdnd_richieste_voucher_totale', 'esito="ottenuto"');
  expect(hubCalls).toBeGreaterThanOrEqual(3 * DOMANDE.length);
  expect(hubTokens).toBeLessThanOrEqual(3 * 2);
  expect(hubTokens).toBeLessThan(hubCalls);
});

test('a call of INAIL without a voucher, or with the evidence of another operator, is refused before its handler and traced', async () => {
  const body = (operatore: string) =>
    rawEnvelope(
      `<com:Operatore><com:IdOperatore>${operatore}</com:IdOperatore><com:Ufficio>INAIL</com:Ufficio></com:Operatore><com:X-Correlation-ID>c-pdnd</com:X-Correlation-ID>`,
      writeNotificaEsito({ idPacchetto: '00000000-0000-4000-8000-000000000000', ente: 'INAIL', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'GRANDE_GRUPPO_TARIFFA', esito: 'CONFORME' }] }).text,
    );
  const tls = fed.tlsOf('INAIL');
  const nudo = await postRaw(fed.url('esiti'), body('INAIL-OP-1'), { tls, firma: true });
  expect([nudo.status, nudo.fault?.code]).toEqual([401, 'VOUCHER_ASSENTE']);
  expect(nudo.headers['www-authenticate']).toContain('error="invalid_request"');

  const client = new VoucherClient({ registry: await PdndRegistry.of(fed.config), identity: 'INAIL', keyPem: readFileSync(fed.identity('INAIL').keyFile, 'utf8'), ca: [readFileSync(fed.config.pki.caCertFile)] });
  try {
    const headers = await client.headersFor(fed.url('esiti'), { id: 'INAIL-OP-2', ufficio: 'INAIL' });
    const altro = await postRaw(fed.url('esiti'), body('INAIL-OP-1'), { tls, firma: true, headers });
    expect([altro.status, altro.fault?.code]).toEqual([403, 'OPERATORE_NON_CORRISPONDENTE']);
    const r = await inps.query<Accesso & { codice_errore: string }>("SELECT operatore_id, esito, codice_errore, riferimenti FROM registro_accessi WHERE identita = 'INAIL' AND esito = 'RIFIUTATA' ORDER BY seq");
    expect(r.rows.map((x) => [x.operatore_id, x.codice_errore])).toEqual([
      ['INAIL-OP-1', 'VOUCHER_ASSENTE'],
      ['INAIL-OP-1', 'OPERATORE_NON_CORRISPONDENTE'],
    ]);
    // Nothing reached the handler: no esito received, no message logged (only calls that reach their handler are).
    expect((await inps.query("SELECT 1 FROM esito_ricevuto WHERE correlation_id = 'c-pdnd'")).rows).toEqual([]);
    expect((await inps.query("SELECT 1 FROM registro_messaggi WHERE correlation_id = 'c-pdnd'")).rows).toEqual([]);
  } finally {
    client.close();
  }
});

test('our own client as INAIL (fed.soapAs, what the fault suite\'s doubles use) sends vouchers like INAIL\'s node: the handler answers', async () => {
  const err = await fed
    .soapAs('INAIL')
    .call({
      url: fed.url('esiti'),
      soapAction: OPERATIONS.NotificaEsito.soapAction,
      headers: [operatoreHeader({ id: 'INAIL-OP-3', ufficio: 'INAIL' }), correlationHeader('c-pdnd-2')],
      body: writeNotificaEsito({ idPacchetto: '00000000-0000-4000-8000-000000000000', ente: 'INAIL', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'GRANDE_GRUPPO_TARIFFA', esito: 'CONFORME' }] }),
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteFaultError);
  expect((err as RemoteFaultError).code).toBe('PACCHETTO_NON_TROVATO');
  const r = await inps.query<Accesso>("SELECT operatore_id, esito, riferimenti FROM registro_accessi WHERE operatore_id = 'INAIL-OP-3'");
  expect(r.rows.map((x) => x.riferimenti.evidenzaTracciamento?.userID)).toEqual(['INAIL-OP-3']);
});
