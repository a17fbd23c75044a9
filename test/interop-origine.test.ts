import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../shared/paths';
import type { IdentityConfig } from '../shared/config/schema';
import { envelope, envelopeTree, operatoreHeader } from '../shared/messages/envelope';
import { readVerificaPacchetto, writeVerificaPacchetto } from '../shared/messages/pacchetto';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../shared/pki/certificates';
import { signEnvelope, signEnvelopeTree, verifyEnvelope } from '../shared/soap/wssecurity';
import { firmaOrigine, verificaOrigine } from '../shared/verifica-pacchetto/origine';
import { parseEnvelope, validateEnvelope } from '../shared/xml/envelope';
import { XmlReader } from '../shared/xml/read';
import { Xml } from '../shared/xml/write';
import type { ContenutoPacchetto } from '../shared/domain/types';

/**
 * INPS's origin signature is plain XML-DSig, not a dialect of ours: libxmlsec1 (Debian's python3-xmlsec), knowing
 * only the profile written in wsdl/xsd/pacchetto.xsd, verifies the signature INPS's dispatcher makes, inside the
 * envelope the hub forwards it in (signed by the hub); it refuses it once the content is altered; and a signature
 * libxmlsec1 makes with that profile is accepted by our recipients' check.
 */

const NOW = new Date();
const INPS_CN = 'pdd.inps.ape-precoci.local';
let dir: string;
let inps: KeyPairPem;
let hub: KeyPairPem;
let ca: KeyPairPem;
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text, { mode: 0o600 });
  return f;
};

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA interop origine' }, validityFrom(NOW, 30));
  inps = issueCertificate(ca, { commonName: INPS_CN, dnsNames: [INPS_CN] }, validityFrom(NOW, 30));
  hub = issueCertificate(ca, { commonName: 'hub.lavoro.ape-precoci.local' }, validityFrom(NOW, 30));
  dir = mkdtempSync(path.join(os.tmpdir(), 'origine-xmlsec-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function python<T>(command: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [path.join(PROJECT_ROOT, 'test', 'interop', 'origine_xmlsec.py')], { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`origine_xmlsec.py failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as T);
    });
    child.stdin!.end(JSON.stringify(command));
  });
}

const CONTENUTO: ContenutoPacchetto = {
  idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  idIstruttoria: '7c9e6679-7425-40de-944b-e07fc1f90ae8',
  protocolloDomanda: 'INPS.APE.2026.0001',
  tipoDomanda: 'PRECOCI',
  destinatario: 'ANPAL',
  dataInvio: new Date('2026-03-02T09:00:00Z'),
  lavoratore: { codiceFiscale: 'RSSMRA60A01H501Q' },
  rapporti: [{ riferimento: 1, datore: { codiceFiscale: '01234567897' }, periodo: { dal: '2010-01-01', al: '2015-12-31' }, categoria: 'E', ccnl: 'C011', livello: '3', professioneIstat: '7.4.2.3' }],
};

/** The envelope the hub sends a party: INPS's signed payload inside, the whole signed by the hub (ID_AUTH_SOAP_02). */
function inoltrata(payload: string): string {
  return signEnvelope(envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], new Xml(payload)), { keyPem: hub.keyPem, certPem: hub.certPem, to: 'https://anpal.test/ape/verifica', now: NOW });
}

type Verdetto = { valid: boolean; error?: string; certMatches: boolean; reference: string; payloadId: string };

test("libxmlsec1 verifies INPS's origin signature inside the hub's envelope, and refuses it once the content is altered", async () => {
  const xml = inoltrata(firmaOrigine(writeVerificaPacchetto(CONTENUTO), inps).text);
  const ok = await python<Verdetto>({ action: 'verify', xml, cert: file('inps.cert.pem', inps.certPem) });
  expect(ok).toMatchObject({ valid: true, certMatches: true });
  expect(ok.reference).toBe(`#${ok.payloadId}`);

  const alterata = await python<Verdetto>({ action: 'verify', xml: xml.replace('RSSMRA60A01H501Q', 'BNCLRA70A41H501V'), cert: file('inps.cert.pem', inps.certPem) });
  expect(alterata.valid).toBe(false);
});

test("what the hub keeps and forwards (the payload in canonical form, its own signature made without a parse): libxmlsec1 verifies INPS's signature in it", async () => {
  const daInps = envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], firmaOrigine(writeVerificaPacchetto(CONTENUTO), inps));
  const regola = { identity: { code: 'INPS', subjectCN: INPS_CN } as IdentityConfig, ca: new X509Certificate(ca.certPem) };
  const { origine } = verificaOrigine(daInps, new XmlReader(parseEnvelope(daInps).payload), regola, NOW);
  const opts = { keyPem: hub.keyPem, certPem: hub.certPem, to: 'https://anpal.test/ape/verifica', now: NOW };
  const xml = signEnvelopeTree(envelopeTree([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], Xml.canonico(origine.corpo)), opts)!;
  expect(xml).not.toBeNull();
  expect(verifyEnvelope(xml, { expectedTo: opts.to, now: NOW }).messageId).toMatch(/^urn:uuid:/);
  const ok = await python<Verdetto>({ action: 'verify', xml, cert: file('inps.cert.pem', inps.certPem) });
  expect(ok).toMatchObject({ valid: true, certMatches: true });
  const alterata = await python<Verdetto>({ action: 'verify', xml: xml.replace('RSSMRA60A01H501Q', 'BNCLRA70A41H501V'), cert: file('inps.cert.pem', inps.certPem) });
  expect(alterata.valid).toBe(false);
});

test("a signature libxmlsec1 makes with the contract's profile is accepted by a recipient's check", async () => {
  const unsigned = envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], writeVerificaPacchetto(CONTENUTO));
  const { xml } = await python<{ xml: string }>({ action: 'sign', xml: unsigned, key: file('inps.key.pem', inps.keyPem), cert: file('inps.cert.pem', inps.certPem), id: 'pkt-xmlsec-1' });
  const env = parseEnvelope(xml);
  expect(() => validateEnvelope(env)).not.toThrow();
  const regola = { identity: { code: 'INPS', subjectCN: INPS_CN } as IdentityConfig, ca: new X509Certificate(ca.certPem) };
  const out = verificaOrigine(xml, new XmlReader(env.payload), regola, NOW);
  expect(readVerificaPacchetto(out.payload)).toEqual(CONTENUTO);
});

test('a text holding NEL or LINE SEPARATOR, signed by libxmlsec1 (an XML 1.0 parser), is read and verified as signed', async () => {
  // XML 1.0 keeps both characters as they are; a parser that turned them into line feeds, as XML 1.1 does, would
  // digest another text and refuse a valid signature.
  const unsigned = envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' })], writeVerificaPacchetto(CONTENUTO)).replace('INPS.APE.2026.0001', 'INPS.APE\u2028.2026\u0085.0001');
  const { xml } = await python<{ xml: string }>({ action: 'sign', xml: unsigned, key: file('inps.key.pem', inps.keyPem), cert: file('inps.cert.pem', inps.certPem), id: 'pkt-xmlsec-2' });
  const regola = { identity: { code: 'INPS', subjectCN: INPS_CN } as IdentityConfig, ca: new X509Certificate(ca.certPem) };
  const out = verificaOrigine(xml, new XmlReader(parseEnvelope(xml).payload), regola, NOW);
  expect(out.payload.text('ProtocolloDomanda')).toBe('INPS.APE\u2028.2026\u0085.0001');
});
