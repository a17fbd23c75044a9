import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { correlationHeader, envelope } from '../../shared/messages/envelope';
import { writeNotificaEsitoRisposta } from '../../shared/messages/esiti';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { requestMessageId, signedReply } from '../../shared/soap/intake/reply';
import { WSA_NS, responseSigner, verifyResponse, type ResponseSigner } from '../../shared/soap/wssecurity';
import type { XmlNode } from '../../shared/xml/tree';

/** The answer as it leaves the server: signed, naming the request it answers; a document as it is. */

let ca: KeyPairPem;
let signer: ResponseSigner;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di prova' }, validityFrom(new Date(), 30));
  const p = issueCertificate(ca, { commonName: 'pdd.prova.local', dnsNames: ['pdd.prova.local'] }, validityFrom(new Date(), 30));
  signer = responseSigner(p.keyPem, p.certPem);
});

const header = (ns: string, local: string, text: string): XmlNode => ({ ns, local, text, children: [], attrs: {} });

describe('requestMessageId', () => {
  test("the request's one wsa:MessageID, trimmed", () => {
    expect(requestMessageId([header('urn:altro', 'MessageID', 'no'), header(WSA_NS, 'MessageID', ' urn:uuid:1 ')])).toBe('urn:uuid:1');
  });

  test('none when absent, empty, repeated or longer than 1024 characters (not echoed)', () => {
    expect(requestMessageId([])).toBeNull();
    expect(requestMessageId([header(WSA_NS, 'MessageID', '  ')])).toBeNull();
    expect(requestMessageId([header(WSA_NS, 'MessageID', 'a'), header(WSA_NS, 'MessageID', 'b')])).toBeNull();
    expect(requestMessageId([header(WSA_NS, 'MessageID', 'x'.repeat(1024))])).toBe('x'.repeat(1024));
    expect(requestMessageId([header(WSA_NS, 'MessageID', 'x'.repeat(1025))])).toBeNull();
  });
});

describe('signedReply', () => {
  const log = pino({ level: 'silent' });
  const ack = envelope([correlationHeader('CORR-1')], writeNotificaEsitoRisposta());

  test('an ack is signed and names the request', () => {
    const reply = signedReply({ relatesTo: 'urn:uuid:1', log, unidentified: false, access: { faultCode: null } as never }, signer, { status: 200, body: ack });
    expect(reply.status).toBe(200);
    const v = verifyResponse(reply.body, { signer: { subjectCN: 'pdd.prova.local', cas: [new X509Certificate(ca.certPem)] }, relatesTo: 'urn:uuid:1', required: true, now: new Date() });
    expect(v).toMatchObject({ relatesTo: 'urn:uuid:1' });
  });

  test('a caller without an identity over its admission limit gets its 429 unsigned: a flood must not buy an RSA signature per call', () => {
    const refusal = { status: 429, body: ack };
    expect(signedReply({ relatesTo: null, log, unidentified: true, access: { faultCode: 'TROPPE_RICHIESTE' } as never }, signer, refusal)).toBe(refusal);
    // Within the limit its refusal is signed like any other answer.
    expect(signedReply({ relatesTo: null, log, unidentified: true, access: { faultCode: 'PARTE_NON_RICONOSCIUTA' } as never }, signer, refusal).body).toContain('<ds:SignatureValue>');
  });

  test('a WSDL or XSD document goes as it is', () => {
    const doc = { status: 200, body: '<wsdl:definitions/>', document: true as const };
    expect(signedReply({ relatesTo: null, log, unidentified: false, access: { faultCode: null } as never }, signer, doc)).toBe(doc);
  });

  test('what cannot be signed (only a bug) goes unsigned and is logged as an error', () => {
    const errors: unknown[] = [];
    const spy = { error: (o: unknown) => void errors.push(o) } as unknown as typeof log;
    const reply = { status: 500, body: 'not xml' };
    expect(signedReply({ relatesTo: null, log: spy, unidentified: false, access: { faultCode: null } as never }, signer, reply)).toBe(reply);
    expect(errors).toHaveLength(1);
  });
});
