import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { WSDL_DIR } from '../shared/paths';
import { argsDomanda } from '../infra/clients/sistema-istruttorio';
import { scenario } from '../infra/demo/dataset';
import type { PacchettoDaInviare } from '../services/inps/core/sql/pacchetto';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';
import { zeep } from './support/zeep';
import { readFileSync } from 'node:fs';
import { writeVerificaPacchetto } from '../shared/messages/pacchetto';
import { firmaOrigine } from '../shared/verifica-pacchetto/origine';

/**
 * Python zeep, an independent SOAP stack, uses the three contracts unchanged over mutual TLS, signing each request
 * with its own WS-Security (BinarySignature, python-xmlsec) as ModI ID_AUTH_SOAP_02 asks and verifying each
 * response, ack or Fault, with zeep's own WS-Security verification and the provider's certificate: it submits and
 * reads a domanda as the INPS case system, delivers a packet to ANPAL's node as the Ministero's hub would,
 * and reads our Faults. The INPS dispatcher does not run, so zeep plays the hub for ANPAL's packet and
 * ANPAL's node really calls INPS back.
 */
let fed: TestFederation;
let inps: Pool;

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'interop-zeep', processes: ['inps-gateway', 'agency-anpal'] });
  inps = fed.pool('inps');
});

afterAll(async () => {
  await fed?.stop();
});

/** zeep's TLS identity, and the provider whose certificate must have signed the responses. */
const tls = (code: string, provider = 'INPS') => {
  const t = fed.tlsOf(code);
  return { cert: t.certFile, key: t.keyFile, ca: t.caFile, server: fed.identity(provider).certFile };
};
const operatore = { IdOperatore: 'ZEEP-OP-1', Ufficio: 'Test di interoperabilità' };

type ZeepOut = {
  result?: Record<string, unknown>;
  fault?: { code: string; message: string; detail: Record<string, string> };
  /** What zeep's verification of each response found signed (local names). */
  verified?: string[][];
  signatureError?: string;
};
const SIGNED_ACK = ['Action', 'Body', 'MessageID', 'RelatesTo', 'Timestamp'];

test('zeep submits a domanda and reads its istruttoria', async () => {
  const d = scenario('conforme').domanda('INPS.ZEEP.0001', new Date());
  const sent = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), address: fed.url('istruttoria'), operation: 'PresentaDomanda',
    args: argsDomanda(d), headers: { Operatore: operatore }, tls: tls('INPS_ISTRUTTORIA'),
  });
  expect(sent.fault).toBeUndefined();
  expect(sent.result).toMatchObject({ ProtocolloDomanda: 'INPS.ZEEP.0001', Stato: 'IN_VERIFICA', IdIstruttoria: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  // zeep verified INPS's signature on the ack (and its RelatesTo and Timestamp) before reading it.
  expect(sent.verified).toEqual([SIGNED_ACK]);
  const read = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), address: fed.url('istruttoria'), operation: 'StatoIstruttoria',
    args: { ProtocolloDomanda: 'INPS.ZEEP.0001' }, headers: { Operatore: operatore }, tls: tls('INPS_ISTRUTTORIA'),
  });
  expect(read.verified).toEqual([SIGNED_ACK]);
  const pacchetti = (read.result!.Pacchetti as { Pacchetto: Array<{ Destinatario: string; Stato: string }> }).Pacchetto;
  expect(pacchetti.map((p) => p.Destinatario)).toEqual(['MINLAVORO', 'ANPAL', 'INAIL']);
  expect(pacchetti.every((p) => p.Stato === 'DA_INVIARE')).toBe(true);
  const op = await inps.query("SELECT operatore_id FROM domanda WHERE protocollo = 'INPS.ZEEP.0001'");
  expect(op.rows).toEqual([{ operatore_id: 'ZEEP-OP-1' }]);
  // Both calls were signed by zeep and verified: the message log holds their wsa:MessageID.
  const log = await inps.query("SELECT operazione, message_id FROM registro_messaggi WHERE direzione = 'RICEVUTO' AND controparte = 'INPS_ISTRUTTORIA' ORDER BY seq");
  expect(log.rows.map((r) => r.operazione)).toEqual(['PresentaDomanda', 'StatoIstruttoria']);
  for (const r of log.rows) expect(r.message_id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
});

test('zeep without WS-Security is told the message must be signed', async () => {
  const d = scenario('conforme').domanda('INPS.ZEEP.0003', new Date());
  const out = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), address: fed.url('istruttoria'), operation: 'PresentaDomanda',
    args: argsDomanda(d), headers: { Operatore: operatore }, tls: tls('INPS_ISTRUTTORIA'), firma: false,
  });
  expect(out.fault?.detail).toMatchObject({ Codice: 'FIRMA_ASSENTE', Ritentabile: 'false' });
});

test('zeep gets our Fault with its code and detail', async () => {
  const d = scenario('conforme').domanda('INPS.ZEEP.0002', new Date());
  d.richiedente.codiceFiscale = d.richiedente.codiceFiscale.slice(0, 15) + (d.richiedente.codiceFiscale.endsWith('A') ? 'B' : 'A');
  const out = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), address: fed.url('istruttoria'), operation: 'PresentaDomanda',
    args: argsDomanda(d), headers: { Operatore: operatore }, tls: tls('INPS_ISTRUTTORIA'),
  });
  expect(out.fault?.code).toBe('soap:Client');
  expect(out.fault?.detail).toMatchObject({ Codice: 'CODICE_FISCALE_NON_VALIDO', Ritentabile: 'false' });
  // The Fault was verified like an ack before zeep read its code.
  expect(out.verified).toEqual([SIGNED_ACK]);
});

test("zeep refuses a response not signed by the provider it expects (its verification is not a no-op)", async () => {
  const out = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), address: fed.url('istruttoria'), operation: 'StatoIstruttoria',
    args: { ProtocolloDomanda: 'INPS.ZEEP.0001' }, headers: { Operatore: operatore }, tls: tls('INPS_ISTRUTTORIA', 'ANPAL'),
  });
  expect(out.result).toBeUndefined();
  expect(out.signatureError).toBeDefined();
  expect(out.verified).toEqual([]);
});

test("zeep, as the Ministero's hub, forwards a packet INPS signed to ANPAL, whose esito reaches INPS with zeep's correlation id", async () => {
  const row = await inps.query<{ id: string; contenuto: PacchettoDaInviare }>(
    `SELECT p.id, p.contenuto FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
      WHERE d.protocollo = 'INPS.ZEEP.0001' AND p.destinatario = 'ANPAL'`,
  );
  const p = row.rows[0]!.contenuto;
  const correlationId = `zeep-${randomUUID()}`;
  // The payload as INPS's dispatcher writes and signs it (the dispatcher does not run here); zeep forwards it unchanged.
  const inpsKey = fed.identity(fed.config.services.inpsDispatcher.identity);
  const corpo = firmaOrigine(writeVerificaPacchetto({ ...p, dataInvio: new Date() }), { keyPem: readFileSync(inpsKey.keyFile, 'utf8'), certPem: readFileSync(inpsKey.certFile, 'utf8') }).text;
  const out = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'verifica-pacchetto.wsdl'), address: fed.url('ANPAL'), operation: 'VerificaPacchetto',
    args: {
      IdPacchetto: p.idPacchetto, IdIstruttoria: p.idIstruttoria, ProtocolloDomanda: p.protocolloDomanda, TipoDomanda: p.tipoDomanda,
      Destinatario: 'ANPAL', DataInvio: new Date().toISOString(), Lavoratore: { CodiceFiscale: p.lavoratore.codiceFiscale },
      Rapporti: { Rapporto: p.rapporti.map((r) => ({ Riferimento: r.riferimento, DatoreLavoro: { CodiceFiscale: r.datore.codiceFiscale }, Periodo: { Dal: r.periodo.dal }, Categoria: r.categoria, Ccnl: r.ccnl, Livello: r.livello, ProfessioneIstat: r.professioneIstat })) },
    },
    headers: { Operatore: operatore, 'X-ReplyTo': fed.url('esiti'), 'X-Correlation-ID': correlationId },
    tls: tls(fed.config.services.hub.identity, 'ANPAL'),
    corpo,
  });
  expect(out.fault).toBeUndefined();
  // ANPAL signs its ack, the correlation id included; zeep reads the id (simple content with the wsu:Id it is
  // signed by) once the signature verified.
  expect(out.verified).toEqual([[...SIGNED_ACK, 'X-Correlation-ID']]);
  expect(out.result).toMatchObject({ body: { Esito: 'ACCEPTED' }, header: { correlationId: { _value_1: correlationId } } });
  const answered = await eventually(async () => {
    const r = await inps.query<{ stato: string; esito: string; correlation_id: string }>('SELECT stato, esito, correlation_id FROM pacchetto WHERE id = $1', [row.rows[0]!.id]);
    return r.rows[0]!.stato === 'RISPOSTO' ? r.rows[0] : undefined;
  }, { what: "ANPAL's esito at INPS" });
  expect(answered).toEqual({ stato: 'RISPOSTO', esito: 'CONFORME', correlation_id: correlationId });
});

test('zeep, as the hub, writing a packet of its own from the WSDL gets ORIGINE_NON_VALIDA: only INPS writes packets', async () => {
  const out = await zeep<ZeepOut>({
    action: 'call', wsdl: path.join(WSDL_DIR, 'verifica-pacchetto.wsdl'), address: fed.url('ANPAL'), operation: 'VerificaPacchetto',
    args: {
      IdPacchetto: randomUUID(), IdIstruttoria: randomUUID(), ProtocolloDomanda: 'INPS.ZEEP.0009', TipoDomanda: 'APE_SOCIALE',
      Destinatario: 'ANPAL', DataInvio: new Date().toISOString(), Lavoratore: { CodiceFiscale: 'RSSMRA60A01H501Q' },
      Rapporti: { Rapporto: [{ Riferimento: 1, DatoreLavoro: { CodiceFiscale: '01234567897' }, Periodo: { Dal: '2010-01-01' }, Categoria: 'E', Ccnl: 'C011', Livello: '3', ProfessioneIstat: '7.4.2.3' }] },
    },
    headers: { Operatore: operatore, 'X-ReplyTo': fed.url('esiti'), 'X-Correlation-ID': `zeep-${randomUUID()}` },
    tls: tls(fed.config.services.hub.identity, 'ANPAL'),
  });
  expect(out.fault?.detail).toMatchObject({ Codice: 'ORIGINE_NON_VALIDA', Ritentabile: 'false' });
});
