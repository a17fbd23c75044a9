import { X509Certificate } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { ApeError } from '../../shared/errors';
import { correlationHeader, envelope, faultEnvelope } from '../../shared/messages/envelope';
import { parseEnvelope, validateEnvelope } from '../../shared/xml/envelope';
import { el } from '../../shared/xml/write';
import { WSA_NS, WSSE_NS, WSU_NS, responseSigner, signResponse, verifyResponse, type ResponseSigner } from '../../shared/soap/wssecurity';

/**
 * ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 on the response: what signResponse adds, that verifyResponse accepts it,
 * and that each tampering (body, RelatesTo, correlation, timestamp, signer, no signature at all) is refused with
 * RISPOSTA_NON_VALIDA or RISPOSTA_NON_FIRMATA. Tampered responses are made by editing the signed text, as an
 * intermediary would.
 */

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const NOW = new Date('2026-03-10T09:00:00.000Z');
const PROVIDER_CN = 'pdd.inps.ape-precoci.local';
const REQUEST_ID = 'urn:uuid:11111111-2222-4333-8444-555555555555';
const CORRELATION = 'CORR-0001';

let ca: KeyPairPem;
let provider: ResponseSigner;
let otherParty: ResponseSigner;
let impostor: ResponseSigner;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di test delle risposte' }, validityFrom(NOW, 365));
  const p = issueCertificate(ca, { commonName: PROVIDER_CN, dnsNames: [PROVIDER_CN] }, validityFrom(NOW, 30));
  provider = responseSigner(p.keyPem, p.certPem);
  const o = issueCertificate(ca, { commonName: 'pdd.anpal.ape-precoci.local', dnsNames: ['pdd.anpal.ape-precoci.local'] }, validityFrom(NOW, 30));
  otherParty = responseSigner(o.keyPem, o.certPem);
  // The provider's name, from a CA that is not the one registered for it.
  const foreignCa = createCertificateAuthority({ commonName: 'CA estranea' }, validityFrom(NOW, 365));
  const i = issueCertificate(foreignCa, { commonName: PROVIDER_CN, dnsNames: [PROVIDER_CN] }, validityFrom(NOW, 30));
  impostor = responseSigner(i.keyPem, i.certPem);
});

const ack = () => envelope([correlationHeader(CORRELATION)], el('pac:VerificaPacchettoRisposta', el('pac:Esito', 'ACCEPTED')));
const fault = () => faultEnvelope({ code: 'SCHEMA_NON_VALIDO', message: 'manca IdPacchetto', retryable: false, actor: 'Client' });

function signed(xml = ack(), signer = provider, o: { relatesTo?: string | null; now?: Date; ttlSeconds?: number } = {}): string {
  return signResponse(xml, signer, { relatesTo: o.relatesTo === undefined ? REQUEST_ID : o.relatesTo, now: o.now ?? NOW, ...(o.ttlSeconds && { ttlSeconds: o.ttlSeconds }) });
}

function verify(xml: string, o: { relatesTo?: string | null; required?: boolean; now?: Date } = {}) {
  return verifyResponse(xml, {
    signer: { subjectCN: PROVIDER_CN, cas: [new X509Certificate(ca.certPem)] },
    relatesTo: o.relatesTo === undefined ? REQUEST_ID : o.relatesTo,
    required: o.required ?? true,
    now: o.now ?? NOW,
  });
}

/** The refusal's code and message; fails the test when the response was accepted. */
function refused(xml: string, o: Parameters<typeof verify>[1] = {}): { code: string; message: string; retryable: boolean } {
  try {
    verify(xml, o);
  } catch (err) {
    if (!(err instanceof ApeError)) throw err;
    return { code: err.code, message: err.message, retryable: err.retryable };
  }
  throw new Error('the response was accepted');
}

const dom = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (doc: Document) => new XMLSerializer().serializeToString(doc);
const only = (doc: Document, ns: string, local: string) => doc.getElementsByTagNameNS(ns, local).item(0)!;

describe('signed response', () => {
  test('carries a Timestamp, the token, its own MessageID, RelatesTo, and signs them with the correlation and the Body', () => {
    const xml = signed();
    const doc = dom(xml);
    const security = only(doc, WSSE_NS, 'Security');
    // A consumer without WS-Security may ignore it: not mustUnderstand.
    expect(security.getAttributeNS(SOAP_NS, 'mustUnderstand')).toBe('');
    expect(only(doc, WSSE_NS, 'BinarySecurityToken').textContent).toBe(provider.cert.raw.toString('base64'));
    expect(only(doc, WSA_NS, 'RelatesTo').textContent).toBe(REQUEST_ID);
    expect(only(doc, WSA_NS, 'MessageID').textContent).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const signedIds = Array.from(doc.getElementsByTagNameNS(DS_NS, 'Reference'), (r) => r.getAttribute('URI')!.slice(1));
    const names = signedIds.map((id) => {
      const all = doc.getElementsByTagName('*');
      for (let i = 0; i < all.length; i++) if (all.item(i)!.getAttributeNS(WSU_NS, 'Id') === id) return all.item(i)!.localName;
      return null;
    });
    expect(names.sort()).toEqual(['Body', 'MessageID', 'RelatesTo', 'Timestamp', 'X-Correlation-ID']);
    const v = verify(xml);
    expect(v).toMatchObject({ relatesTo: REQUEST_ID, certificateFingerprint256: provider.cert.fingerprint256 });
    expect(v!.messageId).toBe(only(doc, WSA_NS, 'MessageID').textContent);
  });

  test('still matches the contracts (the consumer validates the envelope after the signature)', () => {
    for (const xml of [signed(), signed(fault())]) {
      const env = parseEnvelope(xml);
      expect(() => validateEnvelope(env)).not.toThrow();
    }
  });

  test('an envelope in the default namespace (as other stacks write it) is signed without a stray soap prefix', () => {
    const xml = signed(`<Envelope xmlns="${SOAP_NS}"><Body><Ack xmlns="urn:prova">OK</Ack></Body></Envelope>`);
    expect(only(dom(xml), WSSE_NS, 'Security').hasAttribute('xmlns:soap')).toBe(false);
    expect(verify(xml)).toMatchObject({ relatesTo: REQUEST_ID });
  });

  test('a Fault is signed and verified like an ack', () => {
    expect(verify(signed(fault()))).toMatchObject({ relatesTo: REQUEST_ID });
  });

  test('a Fault sent before the request could be read has no RelatesTo and is accepted; an ack without one is not', () => {
    expect(verify(signed(fault(), provider, { relatesTo: null }))).toMatchObject({ relatesTo: null });
    expect(refused(signed(ack(), provider, { relatesTo: null }))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('wsa:RelatesTo') });
  });

  test('a request sent without a MessageID (counterpart without message security) expects no RelatesTo', () => {
    expect(verify(signed(ack(), provider, { relatesTo: null }), { relatesTo: null })).toMatchObject({ relatesTo: null });
  });
});

describe('refused responses', () => {
  test('unsigned: RISPOSTA_NON_FIRMATA, retryable; accepted (null) when the counterpart need not sign', () => {
    expect(refused(ack())).toEqual({ code: 'RISPOSTA_NON_FIRMATA', message: expect.stringContaining('wsse:Security'), retryable: true });
    expect(refused(fault())).toMatchObject({ code: 'RISPOSTA_NON_FIRMATA' });
    expect(verify(ack(), { required: false })).toBeNull();
  });

  test('a Security header without a signature is unsigned', () => {
    const doc = dom(signed());
    const sig = only(doc, DS_NS, 'Signature');
    sig.parentNode!.removeChild(sig);
    expect(refused(serialize(doc))).toMatchObject({ code: 'RISPOSTA_NON_FIRMATA' });
  });

  test('a signature that is present is checked even when not required', () => {
    const xml = signed().replace('ACCEPTED</pac:Esito>', 'REJECTED</pac:Esito>');
    expect(refused(xml, { required: false })).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
  });

  test('Body altered after signing', () => {
    const xml = signed();
    expect(xml).toContain('ACCEPTED</pac:Esito>');
    expect(refused(xml.replace('ACCEPTED</pac:Esito>', 'REJECTED</pac:Esito>'))).toEqual({
      code: 'RISPOSTA_NON_VALIDA',
      message: expect.stringContaining('il digest di soap:Body non corrisponde'),
      retryable: true,
    });
  });

  test("a Fault's code altered after signing", () => {
    const xml = signed(fault());
    expect(refused(xml.replace(/SCHEMA_NON_VALIDO/g, 'SERVIZIO_NON_DISPONIBILE').replace('>false<', '>true<'))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
  });

  test('RelatesTo rewritten after signing', () => {
    const xml = signed();
    expect(refused(xml.replace(`${REQUEST_ID}</wsa:RelatesTo>`, 'urn:uuid:99999999-2222-4333-8444-555555555555</wsa:RelatesTo>'))).toMatchObject({
      code: 'RISPOSTA_NON_VALIDA',
      message: expect.stringContaining('il digest di wsa:RelatesTo'),
    });
  });

  test('a genuine response to another request (replayed)', () => {
    const other = signed(ack(), provider, { relatesTo: 'urn:uuid:99999999-2222-4333-8444-555555555555' });
    expect(refused(other)).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('non è il wsa:MessageID della richiesta') });
  });

  test('RelatesTo with another relationship than reply', () => {
    const xml = signResponse(ack(), provider, { relatesTo: REQUEST_ID, now: NOW });
    const doc = dom(xml);
    only(doc, WSA_NS, 'RelatesTo').setAttribute('RelationshipType', 'urn:altro');
    // RelatesTo is signed: the attribute breaks its digest first, and is refused on its own too.
    expect(refused(serialize(doc))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
  });

  test('RelatesTo removed from an ack', () => {
    const doc = dom(signed());
    const rel = only(doc, WSA_NS, 'RelatesTo');
    rel.parentNode!.removeChild(rel);
    expect(refused(serialize(doc))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('non esiste') });
  });

  test('X-Correlation-ID altered, or added unsigned', () => {
    expect(refused(signed().replace(`${CORRELATION}</com:X-Correlation-ID>`, 'CORR-9999</com:X-Correlation-ID>'))).toMatchObject({
      code: 'RISPOSTA_NON_VALIDA',
      message: expect.stringContaining('com:X-Correlation-ID'),
    });
    const unsigned = signed(envelope([], el('pac:VerificaPacchettoRisposta', el('pac:Esito', 'ACCEPTED'))));
    const withCorrelation = unsigned.replace('</soap:Header>', `<com:X-Correlation-ID>${CORRELATION}</com:X-Correlation-ID></soap:Header>`);
    expect(refused(withCorrelation)).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('com:X-Correlation-ID della risposta non ha wsu:Id') });
  });

  test('a second Body hidden in the header (signature wrapping)', () => {
    const xml = signed();
    const body = /<soap:Body[\s\S]*<\/soap:Body>/.exec(xml)![0];
    const wrapped = xml.replace('</soap:Header>', `<com:Extra>${body}</com:Extra></soap:Header>`);
    expect(refused(wrapped)).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('soap:Body') });
  });

  test('Timestamp expired, from the future, or too long', () => {
    const later = new Date(NOW.getTime() + 7 * 60_000);
    expect(refused(signed(), { now: later })).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('TIMESTAMP_NON_VALIDO') });
    const future = signed(ack(), provider, { now: new Date(NOW.getTime() + 5 * 60_000) });
    expect(refused(future)).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('nel futuro') });
    expect(refused(signed(ack(), provider, { ttlSeconds: 3600 }))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('oltre il massimo') });
  });

  test("signed by another party of the federation (the same CA, not the provider's name)", () => {
    expect(refused(signed(ack(), otherParty))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining(`che non è di ${PROVIDER_CN}`) });
  });

  test("signed with the provider's name by a certificate from another CA", () => {
    expect(refused(signed(ack(), impostor))).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('non emesso dalla CA registrata') });
  });

  test("the provider's token swapped into another party's signed response", () => {
    const xml = signed(ack(), otherParty);
    const swapped = xml.replace(otherParty.cert.raw.toString('base64'), provider.cert.raw.toString('base64'));
    expect(refused(swapped)).toMatchObject({ code: 'RISPOSTA_NON_VALIDA', message: expect.stringContaining('SignatureValue') });
  });

  test('not XML at all (a proxy error page)', () => {
    expect(refused('<html><body>502 Bad Gateway</body></html>')).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
    expect(refused('Bad Gateway')).toMatchObject({ code: 'RISPOSTA_NON_VALIDA' });
  });
});

test('signResponse refuses an envelope that already has the parts it adds', () => {
  const twice = signed();
  expect(() => signResponse(twice, provider, { relatesTo: REQUEST_ID, now: NOW })).toThrow(/contiene già Security/);
});
