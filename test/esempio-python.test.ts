import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Pool } from 'pg';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../shared/paths';
import { envelope, operatoreHeader } from '../shared/messages/envelope';
import { writeStatoIstruttoria } from '../shared/messages/istruttoria';
import { signEnvelope } from '../shared/soap/wssecurity';
import { TestFederation } from './support/federation';
import { postRaw } from './support/raw-soap';
import { wsseZeep } from './support/zeep';

/**
 * The Python example a counterpart's developers get (examples/python: zeep, python-xmlsec, its own ModI plugin, no
 * project code), run as they would run it against a federation: the contract read from the endpoint (GET ?wsdl over
 * mutual TLS), the committed example domanda submitted, its istruttoria read, every response's signature verified.
 */
let fed: TestFederation;
let inps: Pool;

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'esempio-python', processes: ['inps-gateway'] });
  inps = fed.pool('inps');
});

afterAll(async () => {
  await fed?.stop();
});

const CLIENTE = path.join(PROJECT_ROOT, 'examples', 'python', 'cliente_ape.py');

/** Runs the example as a shell would; resolves with its exit code and the JSON line it printed. */
function cliente(args: string[], { as = 'INPS_ISTRUTTORIA', provider = 'INPS' } = {}): Promise<{ code: number; out: Record<string, any> }> {
  const t = fed.tlsOf(as);
  const common = ['--endpoint', fed.url('istruttoria'), '--cert', t.certFile, '--key', t.keyFile, '--ca', t.caFile, '--cert-fornitore', fed.identity(provider).certFile, '--operatore', 'ESEMPIO-OP-1', '--ufficio', 'Sede di prova'];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [CLIENTE, ...common, ...args], { timeout: 60_000, cwd: path.dirname(CLIENTE) }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      try {
        resolve({ code, out: JSON.parse(stdout) as Record<string, any> });
      } catch {
        reject(new Error(`the example printed no JSON (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

const SIGNED = ['Action', 'Body', 'MessageID', 'RelatesTo', 'Timestamp'];

test('the example submits the committed example domanda and reads its istruttoria, verifying each signed response', async () => {
  const sent = await cliente(['presenta', '--domanda', path.join(PROJECT_ROOT, 'examples', 'python', 'domanda-esempio.json'), '--presentata-ora']);
  expect(sent).toMatchObject({ code: 0, out: { risposta: { ProtocolloDomanda: 'INPS.ESEMPIO.0001', Stato: 'IN_VERIFICA' }, firmaVerificata: SIGNED } });
  const op = await inps.query("SELECT operatore_id FROM domanda WHERE protocollo = 'INPS.ESEMPIO.0001'");
  expect(op.rows).toEqual([{ operatore_id: 'ESEMPIO-OP-1' }]);

  const read = await cliente(['stato', '--protocollo', 'INPS.ESEMPIO.0001']);
  expect(read).toMatchObject({ code: 0, out: { risposta: { ProtocolloDomanda: 'INPS.ESEMPIO.0001' }, firmaVerificata: SIGNED } });
  expect(read.out.risposta.Pacchetti.Pacchetto.map((p: { Destinatario: string }) => p.Destinatario)).toEqual(['MINLAVORO', 'ANPAL', 'INAIL']);
});

test("the example reads a Fault's code, description and whether to retry", async () => {
  const r = await cliente(['stato', '--protocollo', 'INPS.NON.ESISTE']);
  expect(r).toMatchObject({ code: 0, out: { fault: { faultcode: 'soap:Client', codice: 'ISTRUTTORIA_NON_TROVATA', ritentabile: false }, firmaVerificata: SIGNED } });
  expect(r.out.fault.descrizione).toContain('INPS.NON.ESISTE');
});

test("the example refuses a response signed by anyone but the provider it pins: its verification is not a no-op", async () => {
  const r = await cliente(['stato', '--protocollo', 'INPS.NON.ESISTE'], { provider: 'ANPAL' });
  expect(r.code).toBe(2);
  expect(r.out.erroreFirmaRisposta).toBeTruthy();
});

test("the example's check of a response refuses signature wrapping: a forged Body in place of the signed one, moved into a header", async () => {
  const url = fed.url('istruttoria');
  const id = fed.identity('INPS_ISTRUTTORIA');
  const request = signEnvelope(envelope([operatoreHeader({ id: 'ESEMPIO-OP-1', ufficio: 'Sede di prova' })], writeStatoIstruttoria({ protocolloDomanda: 'INPS.NON.ESISTE' })), {
    keyPem: readFileSync(id.keyFile, 'utf8'), certPem: readFileSync(id.certFile, 'utf8'), to: url, now: new Date(),
  });
  const sentMessageId = /<wsa:MessageID[^>]*>([^<]+)<\/wsa:MessageID>/.exec(request)![1]!;
  const r = await postRaw(url, request, { tls: fed.tlsOf('INPS_ISTRUTTORIA'), soapAction: '"urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria"' });
  expect(r.fault?.code).toBe('ISTRUTTORIA_NON_TROVATA');
  const verifica = (xml: string) => wsseZeep<{ valid: boolean; error?: string; verified?: string[] }>({ action: 'verify-response', xml, cert: fed.identity('INPS').certFile, sentMessageId });

  // The response as it came: accepted.
  expect(await verifica(r.body)).toEqual({ valid: true, verified: ['Action', 'Body', 'MessageID', 'RelatesTo', 'Timestamp'] });

  // The signed Body moved into a header block, a forged Body (an ack of the attacker's choosing) in its place: every
  // reference still resolves and digests, so zeep's own verify_envelope passes; the plugin must see that the Body
  // zeep would read is not the one signed.
  const body = /<soap:Body[\s\S]*<\/soap:Body>/.exec(r.body)![0];
  const forged = '<soap:Body><ist:StatoIstruttoriaRisposta xmlns:ist="urn:it:ape-precoci:istruttoria:v1"><ist:ProtocolloDomanda>INPS.NON.ESISTE</ist:ProtocolloDomanda></ist:StatoIstruttoriaRisposta></soap:Body>';
  const wrapped = r.body.replace(body, forged).replace('</soap:Header>', `<x:Involucro xmlns:x="urn:attacco">${body.replace(/^<soap:Body/, '<soap:Body xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"')}</x:Involucro></soap:Header>`);
  const refused = await verifica(wrapped);
  expect(refused.valid).toBe(false);
  expect(refused.error).toMatch(/soap:Body occurs 2 times|does not cover \['Body'\]/);

  // The same with the moved Body renamed, so that only one soap:Body is left: still refused, it is not the one signed.
  const renamed = r.body.replace(body, forged).replace('</soap:Header>', `<x:Involucro xmlns:x="urn:attacco">${body.replace(/^<soap:Body/, '<x:Corpo').replace(/<\/soap:Body>$/, '</x:Corpo>')}</x:Involucro></soap:Header>`);
  const refused2 = await verifica(renamed);
  expect(refused2.valid).toBe(false);
});
