import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WSDL_DIR } from '../shared/paths';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../shared/pki/certificates';
import { envelope, operatoreHeader } from '../shared/messages/envelope';
import { el } from '../shared/xml/write';
import { WSA_NS, WSU_NS, WsSecurityError, signEnvelope, verifyEnvelope, type WsSecurityCode } from '../shared/soap/wssecurity';
import { wsseZeep } from './support/zeep';

/**
 * ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 against an independent implementation: Python zeep's
 * BinarySignature (over python-xmlsec / libxmlsec1) signs a NotificaEsito built by zeep from our WSDL, and
 * verificaBusta must accept it; firmaBusta's messages must be verified by zeep and by libxmlsec1 restricted to
 * exclusive C14N, SHA-256 and RSA-SHA256. Tampered messages must fail on both sides (the checks are not no-ops).
 */

const TO = 'https://inps.ape-precoci.local/ape/esiti';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

let dir: string;
let mittente: KeyPairPem;
let keyFile: string;
let certFile: string;
let mittenteEc: KeyPairPem;
let ecKeyFile: string;
let ecCertFile: string;

beforeAll(() => {
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'CA interop WS-Security' }, validityFrom(now, 30));
  mittente = issueCertificate(ca, { commonName: 'anpal.ape-precoci.local', organization: 'ANPAL' }, validityFrom(now, 30));
  dir = mkdtempSync(path.join(os.tmpdir(), 'wsse-zeep-'));
  keyFile = path.join(dir, 'key.pem');
  certFile = path.join(dir, 'cert.pem');
  writeFileSync(keyFile, mittente.keyPem, { mode: 0o600 });
  writeFileSync(certFile, mittente.certPem);
  mittenteEc = issueCertificate(ca, { commonName: 'anpal.ape-precoci.local', organization: 'ANPAL' }, validityFrom(now, 30), 'ECDSA-P256');
  ecKeyFile = path.join(dir, 'ec-key.pem');
  ecCertFile = path.join(dir, 'ec-cert.pem');
  writeFileSync(ecKeyFile, mittenteEc.keyPem, { mode: 0o600 });
  writeFileSync(ecCertFile, mittenteEc.certPem);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const python = wsseZeep;

interface Verdict {
  zeep: { valid: boolean; error?: string };
  xmlsec: { valid: boolean; error?: string };
  signed: string[];
  tokenMatchesCert: boolean;
  c14n: string;
  signatureMethod: string;
  digestMethods: string[];
  transforms: string[];
}

const verifyInPython = (xml: string, cert = certFile) => python<Verdict>({ action: 'verify', xml, cert });

async function signedByZeep(o: { messageId: string; algorithms?: 'auto' | 'sha256' | 'ecdsa-sha256' | 'zeep-default'; createdOffsetSeconds?: number; inclusivePrefixes?: string[]; ec?: boolean }): Promise<string> {
  const out = await python<{ xml: string }>({
    action: 'sign',
    wsdl: path.join(WSDL_DIR, 'inps-esiti.wsdl'),
    operation: 'NotificaEsito',
    args: {
      IdPacchetto: 'PKT-ZEEP-0001',
      Ente: 'ANPAL',
      DataEsito: new Date().toISOString(),
      EsitiDato: { EsitoDato: [{ Riferimento: 'R1', Dato: 'CCNL', Esito: 'CONFORME', Nota: 'verificato & conforme <ok>' }] },
    },
    headers: { Operatore: { IdOperatore: 'ZEEP-OP-1', Ufficio: 'Interoperabilità' }, 'X-Correlation-ID': 'zeep-corr-1' },
    key: o.ec ? ecKeyFile : keyFile,
    cert: o.ec ? ecCertFile : certFile,
    to: TO,
    messageId: o.messageId,
    algorithms: o.algorithms ?? 'auto',
    createdOffsetSeconds: o.createdOffsetSeconds ?? 0,
    inclusivePrefixes: o.inclusivePrefixes ?? [],
  });
  return out.xml;
}

function ourMessage(withHeader = true): string {
  const payload = el('esi:NotificaEsito', [
    el('esi:IdPacchetto', 'PKT-TS-0001'),
    el('esi:Ente', 'ANPAL'),
    el('esi:DataEsito', new Date().toISOString()),
    el('esi:EsitiDato', el('esi:EsitoDato', [el('esi:Riferimento', 'R1'), el('esi:Dato', 'CCNL'), el('esi:Esito', 'CONFORME'), el('esi:Nota', 'àèìòù & <>')])),
  ]);
  return envelope(withHeader ? [operatoreHeader({ id: 'OP-1', ufficio: 'Verifiche' })] : [], payload);
}

function refusedCode(xml: string): WsSecurityCode | 'accepted' {
  try {
    verifyEnvelope(xml, { expectedTo: TO, now: new Date() });
    return 'accepted';
  } catch (err) {
    if (err instanceof WsSecurityError) return err.code;
    throw err;
  }
}

describe('zeep signs, verificaBusta verifies', () => {
  test("zeep's BinarySignature (RSA-SHA256, SHA-256) over Body, Timestamp, wsa:To, wsa:MessageID and the com:* headers is accepted", async () => {
    const messageId = `urn:uuid:${randomUUID()}`;
    const xml = await signedByZeep({ messageId });
    // zeep's layout differs from ours: Signature before the token, no mustUnderstand, ns0-style prefixes,
    // default-namespace ds elements with line breaks, Created with a +00:00 offset and whole seconds.
    expect(xml).toMatch(/<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature><wsse:BinarySecurityToken/);
    expect(xml).toMatch(/<wsu:Created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00<\/wsu:Created>/);

    const out = verifyEnvelope(xml, { expectedTo: TO, now: new Date() });
    expect(out).toMatchObject({ messageId, to: TO, certificateFingerprint256: new X509Certificate(mittente.certPem).fingerprint256 });
    expect(out.expires.getTime() - out.created.getTime()).toBe(300_000);

    // The same message passes zeep's and libxmlsec1's own verification.
    const verdict = await verifyInPython(xml);
    expect(verdict).toMatchObject({ zeep: { valid: true }, xmlsec: { valid: true } });
  });

  test('with an InclusiveNamespaces PrefixList on every exclusive C14N, as WSS4J-based gateways (GovWay, CXF) send', async () => {
    const messageId = `urn:uuid:${randomUUID()}`;
    const xml = await signedByZeep({ messageId, inclusivePrefixes: ['soap-env', 'wsse', 'wsa'] });
    // SignedInfo's and seven references': Body, Timestamp, wsa:To, wsa:MessageID, wsa:Action (zeep adds it from the
    // WSDL's wsam:Action), com:Operatore, com:X-Correlation-ID.
    expect(xml.match(/PrefixList="soap-env wsse wsa"/g)).toHaveLength(8);
    expect(verifyEnvelope(xml, { expectedTo: TO, now: new Date() }).messageId).toBe(messageId);
    expect(await verifyInPython(xml)).toMatchObject({ zeep: { valid: true }, xmlsec: { valid: true } });
  });

  test('#default in the PrefixList, with a default namespace declared on the Envelope (as WSS4J sends it), is accepted', async () => {
    // The payload in the Envelope's default namespace: exclusive C14N with #default renders that declaration on
    // every signed part. libxmlsec1 signs; the digests only match if #default is canonicalized as the spec says.
    const text = `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns="urn:it:ape-precoci:esiti:v1" xmlns:com="urn:it:ape-precoci:comune:v1">` +
      '<soap:Header><com:Operatore><com:IdOperatore>WSS4J-OP-1</com:IdOperatore><com:Ufficio>Verifiche</com:Ufficio></com:Operatore></soap:Header>' +
      `<soap:Body><NotificaEsito><IdPacchetto>PKT-DEFAULT-1</IdPacchetto><Ente>ANPAL</Ente><DataEsito>${new Date().toISOString()}</DataEsito>` +
      '<EsitiDato><EsitoDato><Riferimento>1</Riferimento><Dato>CCNL</Dato><Esito>CONFORME</Esito></EsitoDato></EsitiDato></NotificaEsito></soap:Body></soap:Envelope>';
    const messageId = `urn:uuid:${randomUUID()}`;
    const { xml } = await python<{ xml: string }>({ action: 'sign-xml', xml: text, key: keyFile, cert: certFile, to: TO, messageId, inclusivePrefixes: ['#default', 'soap'] });
    expect(xml.match(/PrefixList="#default soap"/g)!.length).toBeGreaterThanOrEqual(5);
    expect(await verifyInPython(xml)).toMatchObject({ zeep: { valid: true }, xmlsec: { valid: true } });
    expect(verifyEnvelope(xml, { expectedTo: TO, now: new Date() }).messageId).toBe(messageId);
    // And the digests do depend on it: the payload moved out of the default namespace no longer verifies.
    expect(refusedCode(xml.replace('<NotificaEsito>', '<NotificaEsito xmlns="urn:altro">'))).toBe('FIRMA_NON_VALIDA');
  });

  test("zeep's message tampered in the Body or in wsa:To, or past its Expires, is refused", async () => {
    const xml = await signedByZeep({ messageId: `urn:uuid:${randomUUID()}` });
    expect(refusedCode(xml.replace('<ns0:Esito>CONFORME</ns0:Esito>', '<ns0:Esito>NON_CONFORME</ns0:Esito>'))).toBe('FIRMA_NON_VALIDA');
    expect(refusedCode(xml.replace(`>${TO}</wsa:To>`, '>https://evil.example/ape/esiti</wsa:To>'))).toBe('FIRMA_NON_VALIDA');
    const old = await signedByZeep({ messageId: `urn:uuid:${randomUUID()}`, createdOffsetSeconds: -3600 });
    expect(refusedCode(old)).toBe('TIMESTAMP_NON_VALIDO');
  });

  test("zeep's defaults (RSA-SHA1 and SHA-1) are refused as algorithms not allowed", async () => {
    const xml = await signedByZeep({ messageId: `urn:uuid:${randomUUID()}`, algorithms: 'zeep-default' });
    expect(xml).toContain('http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    expect(refusedCode(xml)).toBe('ALGORITMO_NON_AMMESSO');
  });
});

describe('firmaBusta signs, zeep and libxmlsec1 verify', () => {
  test('a message with headers is verified, covering Body, Timestamp, wsa:To, wsa:MessageID and com:Operatore with the allowed algorithms only', async () => {
    const xml = signEnvelope(ourMessage(), { keyPem: mittente.keyPem, certPem: mittente.certPem, to: TO, now: new Date() });
    const verdict = await verifyInPython(xml);
    expect(verdict).toEqual({
      zeep: { valid: true },
      xmlsec: { valid: true },
      signed: expect.arrayContaining([`{${SOAP_NS}}Body`, `{${WSU_NS}}Timestamp`, `{${WSA_NS}}To`, `{${WSA_NS}}MessageID`, '{urn:it:ape-precoci:comune:v1}Operatore']),
      tokenMatchesCert: true,
      c14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      digestMethods: ['http://www.w3.org/2001/04/xmlenc#sha256'],
      transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    expect(verdict.signed).toHaveLength(5);
  });

  test('a message that had no Header is verified too', async () => {
    const xml = signEnvelope(ourMessage(false), { keyPem: mittente.keyPem, certPem: mittente.certPem, to: TO, now: new Date() });
    expect(await verifyInPython(xml)).toMatchObject({ zeep: { valid: true }, xmlsec: { valid: true }, tokenMatchesCert: true });
  });

  test('the same message tampered after signing fails in zeep and in libxmlsec1', async () => {
    const xml = signEnvelope(ourMessage(), { keyPem: mittente.keyPem, certPem: mittente.certPem, to: TO, now: new Date() });
    const verdict = await verifyInPython(xml.replace('<esi:Esito>CONFORME</esi:Esito>', '<esi:Esito>NON_CONFORME</esi:Esito>'));
    expect(verdict).toMatchObject({ zeep: { valid: false }, xmlsec: { valid: false } });
  });
});

describe('with an EC P-256 key: ECDSA-SHA256 both ways (ModI LG 6.2)', () => {
  test("the Python example's plugin, given the EC certificate, signs ECDSA-SHA256 with zeep's BinarySignature: accepted, and its tampered copy refused", async () => {
    const messageId = `urn:uuid:${randomUUID()}`;
    // No method given: ModISignature (examples/python) reads it from the certificate's key.
    const xml = await signedByZeep({ messageId, ec: true });
    expect(xml).toContain('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    expect(verifyEnvelope(xml, { expectedTo: TO, now: new Date() })).toMatchObject({ messageId, certificateFingerprint256: new X509Certificate(mittenteEc.certPem).fingerprint256 });
    expect(refusedCode(xml.replace('<ns0:Esito>CONFORME</ns0:Esito>', '<ns0:Esito>NON_CONFORME</ns0:Esito>'))).toBe('FIRMA_NON_VALIDA');
  });

  test("zeep's ECDSA message declaring RSA-SHA256 instead: the method is not the certificate key's, refused before any verification", async () => {
    const xml = await signedByZeep({ messageId: `urn:uuid:${randomUUID()}`, algorithms: 'ecdsa-sha256', ec: true });
    const declared = xml.replace('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(refusedCode(declared)).toBe('ALGORITMO_NON_AMMESSO');
  });

  test('firmaBusta with the EC key is verified by zeep and by libxmlsec1, and fails there once tampered', async () => {
    const xml = signEnvelope(ourMessage(), { keyPem: mittenteEc.keyPem, certPem: mittenteEc.certPem, to: TO, now: new Date() });
    expect(await verifyInPython(xml, ecCertFile)).toMatchObject({ zeep: { valid: true }, xmlsec: { valid: true }, tokenMatchesCert: true, signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' });
    const tampered = xml.replace('<esi:Esito>CONFORME</esi:Esito>', '<esi:Esito>NON_CONFORME</esi:Esito>');
    expect(await verifyInPython(tampered, ecCertFile)).toMatchObject({ zeep: { valid: false }, xmlsec: { valid: false } });
  });
});
