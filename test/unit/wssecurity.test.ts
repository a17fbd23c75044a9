import { X509Certificate } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { envelope, operatoreHeader } from '../../shared/messages/envelope';
import { el } from '../../shared/xml/write';
import { ApeError } from '../../shared/errors';
import {
  ALGORITHMS,
  WSA_NS,
  WSSE_NS,
  WSU_NS,
  WsSecurityError,
  parsedCertificate,
  signEnvelope,
  verifyEnvelope,
  type SignOptions,
  type VerifyOptions,
  type WsSecurityCode,
} from '../../shared/soap/wssecurity';
import { METODI_FIRMA } from '../../shared/soap/wssecurity/metodo-firma';

/**
 * ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01: what firmaBusta produces, that verificaBusta accepts it, and that
 * every tampering, weak algorithm and wrapping trick is refused with the code a counterpart can act on.
 * Tampered messages are made by editing the signed text, as an attacker on the wire would.
 */

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const NOW = new Date('2026-03-10T09:00:00.000Z');
const TO = 'https://inps.ape-precoci.local/ape/esiti';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

let mittente: KeyPairPem;
let estraneo: KeyPairPem;

beforeAll(() => {
  const ca = createCertificateAuthority({ commonName: 'CA di test WS-Security' }, validityFrom(NOW, 365));
  mittente = issueCertificate(ca, { commonName: 'anpal.ape-precoci.local', organization: 'ANPAL' }, validityFrom(NOW, 30));
  estraneo = issueCertificate(ca, { commonName: 'estraneo.example', organization: 'Altro' }, validityFrom(NOW, 30));
});

function busta(idPacchetto = 'PKT-0001'): string {
  const payload = el('esi:NotificaEsito', [
    el('esi:IdPacchetto', idPacchetto),
    el('esi:Ente', 'ANPAL'),
    el('esi:DataEsito', NOW.toISOString()),
    el('esi:EsitiDato', el('esi:EsitoDato', [el('esi:Riferimento', 'R1'), el('esi:Dato', 'CCNL'), el('esi:Esito', 'CONFORME')])),
  ]);
  return envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio verifiche' })], payload);
}

function firma(xml = busta(), o: Partial<SignOptions> = {}): string {
  return signEnvelope(xml, { keyPem: mittente.keyPem, certPem: mittente.certPem, to: TO, messageId: 'urn:uuid:11111111-2222-4333-8444-555555555555', now: NOW, ...o });
}

function verifica(xml: string, o: Partial<VerifyOptions> = {}) {
  return verifyEnvelope(xml, { expectedTo: TO, now: NOW, ...o });
}

/** Runs verificaBusta expecting a refusal; returns the error for further checks on its message. */
function rifiutata(xml: string, code: WsSecurityCode, o: Partial<VerifyOptions> = {}): WsSecurityError {
  try {
    verifica(xml, o);
  } catch (err) {
    expect(err).toBeInstanceOf(WsSecurityError);
    expect(err).toBeInstanceOf(ApeError);
    const e = err as WsSecurityError;
    expect({ code: e.code, actor: e.actor, retryable: e.retryable, httpStatus: e.httpStatus }).toEqual({ code, actor: 'Client', retryable: false, httpStatus: 500 });
    expect(e.message).not.toBe('');
    return err as WsSecurityError;
  }
  throw new Error(`expected ${code}, the message was accepted`);
}

function dom(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

function only(doc: Document, ns: string, local: string): Element {
  const found = doc.getElementsByTagNameNS(ns, local);
  expect(found.length).toBe(1);
  return found.item(0)!;
}

function serialize(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

interface Resign {
  digest?: string;
  method?: string;
  transforms?: string[];
  /** Ids to reference; default: the ones the original signature referenced. */
  ids?: (original: string[]) => string[];
}

/**
 * Removes the signature and signs the same message again with xml-crypto directly, so the result carries a
 * cryptographically valid signature with whatever algorithms or coverage a test needs.
 */
function rifirma(signed: string, r: Resign = {}): string {
  const doc = dom(signed);
  const signature = only(doc, DS_NS, 'Signature');
  const refs = Array.from({ length: signature.getElementsByTagNameNS(DS_NS, 'Reference').length }, (_, i) =>
    signature.getElementsByTagNameNS(DS_NS, 'Reference').item(i)!.getAttribute('URI')!.slice(1),
  );
  const tokenId = only(doc, WSSE_NS, 'BinarySecurityToken').getAttributeNS(WSU_NS, 'Id');
  signature.parentNode!.removeChild(signature);
  const sig = new SignedXml({
    privateKey: mittente.keyPem,
    signatureAlgorithm: r.method ?? METODI_FIRMA.rsa,
    canonicalizationAlgorithm: ALGORITHMS.canonicalizzazione,
    getKeyInfoContent: () => `<wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}"><wsse:Reference URI="#${tokenId}"/></wsse:SecurityTokenReference>`,
  });
  for (const id of (r.ids ?? ((x) => x))(refs)) {
    sig.addReference({ xpath: `//*[@*[local-name(.)='Id']='${id}']`, transforms: r.transforms ?? [ALGORITHMS.canonicalizzazione], digestAlgorithm: r.digest ?? ALGORITHMS.digest });
  }
  sig.computeSignature(serialize(doc), { prefix: 'ds', location: { reference: `//*[local-name(.)='Security']`, action: 'append' } });
  return sig.getSignedXml();
}

function idOf(signed: string, ns: string, local: string): string {
  return only(dom(signed), ns, local).getAttributeNS(WSU_NS, 'Id')!;
}

describe('firmaBusta', () => {
  test('adds wsa:To, wsa:MessageID and a wsse:Security header as ID_AUTH_SOAP_02 and INTEGRITY_SOAP_01 ask', () => {
    const doc = dom(firma());
    const header = only(doc, SOAP_NS, 'Header');
    const security = only(doc, WSSE_NS, 'Security');
    expect(security.parentNode).toBe(header);
    expect(security.getAttributeNS(SOAP_NS, 'mustUnderstand')).toBe('1');
    expect(only(doc, WSA_NS, 'To').textContent).toBe(TO);
    expect(only(doc, WSA_NS, 'MessageID').textContent).toBe('urn:uuid:11111111-2222-4333-8444-555555555555');

    const token = only(doc, WSSE_NS, 'BinarySecurityToken');
    expect(token.getAttribute('ValueType')).toBe('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3');
    expect(token.getAttribute('EncodingType')).toBe('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary');
    expect(new X509Certificate(Buffer.from(token.textContent!, 'base64')).fingerprint256).toBe(new X509Certificate(mittente.certPem).fingerprint256);

    expect(only(doc, WSU_NS, 'Created').textContent).toBe('2026-03-10T09:00:00.000Z');
    expect(only(doc, WSU_NS, 'Expires').textContent).toBe('2026-03-10T09:05:00.000Z');

    const signature = only(doc, DS_NS, 'Signature');
    expect(signature.parentNode).toBe(security);
    expect(only(doc, DS_NS, 'CanonicalizationMethod').getAttribute('Algorithm')).toBe('http://www.w3.org/2001/10/xml-exc-c14n#');
    expect(only(doc, DS_NS, 'SignatureMethod').getAttribute('Algorithm')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const refs = signature.getElementsByTagNameNS(DS_NS, 'Reference');
    const uris = Array.from({ length: refs.length }, (_, i) => refs.item(i)!.getAttribute('URI'));
    // Every header the receiver acts on is signed with the four parts of the profiles (com:Operatore here).
    const signedIds = [[SOAP_NS, 'Body'], [WSU_NS, 'Timestamp'], [WSA_NS, 'To'], [WSA_NS, 'MessageID'], ['urn:it:ape-precoci:comune:v1', 'Operatore']].map(([ns, l]) => `#${only(doc, ns!, l!).getAttributeNS(WSU_NS, 'Id')}`);
    expect(uris.sort()).toEqual(signedIds.sort());
    for (let i = 0; i < refs.length; i++) {
      expect(refs.item(i)!.getElementsByTagNameNS(DS_NS, 'DigestMethod').item(0)!.getAttribute('Algorithm')).toBe('http://www.w3.org/2001/04/xmlenc#sha256');
    }
    const strRef = only(doc, WSSE_NS, 'Reference');
    expect((strRef.parentNode!.parentNode as Element).localName).toBe('KeyInfo');
    expect(strRef.getAttribute('URI')).toBe(`#${token.getAttributeNS(WSU_NS, 'Id')}`);
  });

  test('generates a urn:uuid MessageID when none is given', () => {
    const out = signEnvelope(busta(), { keyPem: mittente.keyPem, certPem: mittente.certPem, to: TO, now: NOW });
    expect(verifica(out).messageId).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('signs an envelope that has no Header yet, adding one before the Body', () => {
    const senzaHeader = `<soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body><esi:NotificaEsitoRisposta xmlns:esi="urn:it:ape-precoci:esiti:v1"><esi:Esito>OK</esi:Esito></esi:NotificaEsitoRisposta></soap:Body></soap:Envelope>`;
    const signed = firma(senzaHeader);
    const root = dom(signed).documentElement!;
    const kids = Array.from({ length: root.childNodes.length }, (_, i) => root.childNodes.item(i)!).filter((n) => n.nodeType === 1);
    expect(kids.map((n) => (n as Element).localName)).toEqual(['Header', 'Body']);
    expect(verifica(signed)).toMatchObject({ to: TO, messageId: 'urn:uuid:11111111-2222-4333-8444-555555555555' });
  });

  test('signs an envelope written in the default namespace, binding a prefix for mustUnderstand', () => {
    const senzaPrefisso = `<Envelope xmlns="${SOAP_NS}"><Body><r:Esito xmlns:r="urn:it:ape-precoci:esiti:v1">OK</r:Esito></Body></Envelope>`;
    const signed = firma(senzaPrefisso);
    expect(only(dom(signed), WSSE_NS, 'Security').getAttributeNS(SOAP_NS, 'mustUnderstand')).toBe('1');
    expect(() => verifica(signed)).not.toThrow();
  });

  test('refuses a key that does not match the certificate, and an envelope already carrying the headers it adds', () => {
    expect(() => signEnvelope(busta(), { keyPem: estraneo.keyPem, certPem: mittente.certPem, to: TO, now: NOW })).toThrow(/non corrisponde al certificato/);
    expect(() => firma(firma())).toThrow(/contiene già/);
  });
});

describe('verificaBusta accepts', () => {
  test('a message signed by firmaBusta, returning what the caller must still check', () => {
    const out = verifica(firma());
    const cert = new X509Certificate(mittente.certPem);
    expect(out).toEqual({
      certificatePem: cert.toString(),
      certificateFingerprint256: cert.fingerprint256,
      messageId: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      to: TO,
      created: NOW,
      expires: new Date(NOW.getTime() + 300_000),
    });
    expect(out.certificateFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('a timestamp just inside the clock skew on either side', () => {
    expect(() => verifica(firma(), { now: new Date(NOW.getTime() - 59_000) })).not.toThrow();
    expect(() => verifica(firma(), { now: new Date(NOW.getTime() + 300_000 + 59_000) })).not.toThrow();
    expect(() => verifica(firma(undefined, { ttlSeconds: 900 }))).not.toThrow();
  });

  test('wsa:To written with a default port or upper-case host', () => {
    const signed = firma(busta(), { to: 'https://INPS.ape-precoci.local:443/ape/esiti' });
    expect(verifica(signed).to).toBe('https://INPS.ape-precoci.local:443/ape/esiti');
  });

  test('other header blocks signed as well (as other ModI gateways sign wsa:Action)', () => {
    const signed = firma();
    const withAction = signed.replace(
      '</soap:Header>',
      `<wsa:Action xmlns:wsa="${WSA_NS}" xmlns:wsu="${WSU_NS}" wsu:Id="Action-1">urn:it:ape-precoci:esiti:v1:NotificaEsito</wsa:Action></soap:Header>`,
    );
    expect(() => verifica(rifirma(withAction, { ids: (ids) => [...ids, 'Action-1'] }))).not.toThrow();
  });
});

describe('verificaBusta refuses tampering', () => {
  test('the Body changed after signing', () => {
    const signed = firma();
    const err = rifiutata(signed.replace('<esi:Esito>CONFORME</esi:Esito>', '<esi:Esito>NON_CONFORME</esi:Esito>'), 'FIRMA_NON_VALIDA');
    expect(err.message).toMatch(/soap:Body/);
  });

  test('wsa:To changed after signing, and a validly signed message meant for another endpoint', () => {
    const signed = firma();
    expect(rifiutata(signed.replace(`>${TO}</wsa:To>`, '>https://evil.example/ape/esiti</wsa:To>'), 'FIRMA_NON_VALIDA').message).toMatch(/wsa:To/);
    expect(rifiutata(signed, 'DESTINATARIO_NON_VALIDO', { expectedTo: 'https://inps.ape-precoci.local/ape/istruttoria' }).message).toMatch(/istruttoria/);
  });

  test('wsa:MessageID changed after signing (a replayed message given a fresh id)', () => {
    const signed = firma();
    const err = rifiutata(signed.replace('urn:uuid:11111111-2222-4333-8444-555555555555', 'urn:uuid:99999999-2222-4333-8444-555555555555'), 'FIRMA_NON_VALIDA');
    expect(err.message).toMatch(/wsa:MessageID/);
  });

  test('an expired timestamp, one created in the future, one valid for too long, and one extended after signing', () => {
    expect(rifiutata(firma(), 'TIMESTAMP_NON_VALIDO', { now: new Date(NOW.getTime() + 300_000 + 61_000) }).message).toMatch(/scaduto/);
    expect(rifiutata(firma(), 'TIMESTAMP_NON_VALIDO', { now: new Date(NOW.getTime() - 61_000) }).message).toMatch(/futuro/);
    expect(rifiutata(firma(undefined, { ttlSeconds: 901 }), 'TIMESTAMP_NON_VALIDO').message).toMatch(/massimo/);
    expect(() => verifica(firma(undefined, { ttlSeconds: 3600 }), { maxTtlSeconds: 3600 })).not.toThrow();
    const extended = firma().replace('<wsu:Expires>2026-03-10T09:05:00.000Z', '<wsu:Expires>2026-03-10T09:14:00.000Z');
    expect(rifiutata(extended, 'FIRMA_NON_VALIDA').message).toMatch(/wsu:Timestamp/);
  });

  test('the signature removed, the Security header removed, a message never signed', () => {
    const doc = dom(firma());
    const signature = only(doc, DS_NS, 'Signature');
    signature.parentNode!.removeChild(signature);
    rifiutata(serialize(doc), 'FIRMA_ASSENTE');
    const security = only(doc, WSSE_NS, 'Security');
    security.parentNode!.removeChild(security);
    rifiutata(serialize(doc), 'FIRMA_ASSENTE');
    rifiutata(busta(), 'FIRMA_ASSENTE');
  });

  test('the BinarySecurityToken replaced by another certificate', () => {
    const signed = firma();
    const mine = new X509Certificate(mittente.certPem).raw.toString('base64');
    const other = new X509Certificate(estraneo.certPem).raw.toString('base64');
    expect(signed).toContain(mine);
    expect(rifiutata(signed.replace(mine, other), 'FIRMA_NON_VALIDA').message).toMatch(/BinarySecurityToken/);
  });

  test('a signature that leaves the Body out', () => {
    const signed = firma();
    const bodyId = idOf(signed, SOAP_NS, 'Body');
    expect(rifiutata(rifirma(signed, { ids: (ids) => ids.filter((i) => i !== bodyId) }), 'FIRMA_NON_VALIDA').message).toMatch(/non copre soap:Body/);
  });

  test('a signature over a fragment of the payload instead of the Body', () => {
    const signed = firma().replace('<esi:Ente>', `<esi:Ente xmlns:wsu="${WSU_NS}" wsu:Id="frammento">`);
    const err = rifiutata(rifirma(signed, { ids: (ids) => [...ids, 'frammento'] }), 'FIRMA_NON_VALIDA');
    expect(err.message).toMatch(/frammento/);
  });
});

describe('verificaBusta refuses algorithms other than exc-c14n, SHA-256 and RSA-SHA256', () => {
  test('a validly signed reference with a SHA-1 digest', () => {
    const err = rifiutata(rifirma(firma(), { digest: SHA1 }), 'ALGORITMO_NON_AMMESSO');
    expect(err.message).toContain(SHA1);
  });

  test('a valid rsa-sha1 signature', () => {
    const err = rifiutata(rifirma(firma(), { method: RSA_SHA1 }), 'ALGORITMO_NON_AMMESSO');
    expect(err.message).toContain(RSA_SHA1);
  });

  test('an inclusive C14N transform', () => {
    rifiutata(rifirma(firma(), { transforms: [C14N] }), 'ALGORITMO_NON_AMMESSO');
  });

  test('an algorithm swapped in the text (refused before any digest is computed)', () => {
    rifiutata(firma().replace(ALGORITHMS.digest, SHA1), 'ALGORITMO_NON_AMMESSO');
  });
});

describe('verificaBusta refuses signature wrapping', () => {
  test('a second soap:Body after the signed one', () => {
    const signed = firma();
    const forged = signed.replace('</soap:Body>', '</soap:Body><soap:Body><esi:NotificaEsitoRisposta><esi:Esito>OK</esi:Esito></esi:NotificaEsitoRisposta></soap:Body>');
    rifiutata(forged, 'FIRMA_NON_VALIDA');
  });

  test('the signed Body moved into a header block, a forged Body in its place (xml-crypto alone accepts this)', () => {
    const signed = firma();
    const doc = dom(signed);
    const body = only(doc, SOAP_NS, 'Body');
    const wrapper = doc.createElementNS('urn:attacker', 'x:Wrapper');
    only(doc, SOAP_NS, 'Header').appendChild(wrapper);
    wrapper.appendChild(body);
    const forged = doc.createElementNS(SOAP_NS, 'soap:Body');
    forged.appendChild(doc.createElementNS('urn:it:ape-precoci:esiti:v1', 'esi:NotificaEsito')).appendChild(doc.createTextNode('forged'));
    doc.documentElement!.appendChild(forged);
    const attack = serialize(doc);

    // The attack is real: the digests and signature still check out when nothing else is looked at.
    const naive = new SignedXml({ publicCert: mittente.certPem });
    naive.loadSignature(only(dom(attack), DS_NS, 'Signature'));
    expect(naive.checkSignature(attack)).toBe(true);

    rifiutata(attack, 'FIRMA_NON_VALIDA');
  });

  test('the forged Body given the signed Body\'s wsu:Id, the original kept in a wrapper under another name', () => {
    const signed = firma();
    const bodyId = idOf(signed, SOAP_NS, 'Body');
    const doc = dom(signed);
    const body = only(doc, SOAP_NS, 'Body');
    const wrapper = doc.createElementNS('urn:attacker', 'x:Wrapper');
    wrapper.setAttributeNS(WSU_NS, 'wsu:Id', bodyId);
    while (body.firstChild) wrapper.appendChild(body.firstChild);
    only(doc, SOAP_NS, 'Header').appendChild(wrapper);
    body.appendChild(doc.createTextNode('forged'));
    const err = rifiutata(serialize(doc), 'FIRMA_NON_VALIDA');
    expect(err.message).toMatch(/univoci|wrapping/);
  });

  test('a duplicated wsu:Id on another element', () => {
    const signed = firma();
    const toId = idOf(signed, WSA_NS, 'To');
    const forged = signed.replace('</soap:Header>', `<x:Extra xmlns:x="urn:attacker" xmlns:wsu="${WSU_NS}" wsu:Id="${toId}">x</x:Extra></soap:Header>`);
    expect(rifiutata(forged, 'FIRMA_NON_VALIDA').message).toMatch(/univoci/);
    const plainId = signed.replace('</soap:Header>', `<x:Extra xmlns:x="urn:attacker" Id="${toId}">x</x:Extra></soap:Header>`);
    rifiutata(plainId, 'FIRMA_NON_VALIDA');
  });

  test('a second wsa:To or wsu:Timestamp hidden in a wrapper', () => {
    const signed = firma();
    rifiutata(signed.replace('</soap:Header>', `<x:W xmlns:x="urn:attacker"><wsa:To xmlns:wsa="${WSA_NS}">https://evil.example</wsa:To></x:W></soap:Header>`), 'FIRMA_NON_VALIDA');
    rifiutata(
      signed.replace('</soap:Header>', `<x:W xmlns:x="urn:attacker"><wsu:Timestamp xmlns:wsu="${WSU_NS}"><wsu:Created>2030-01-01T00:00:00Z</wsu:Created></wsu:Timestamp></x:W></soap:Header>`),
      'FIRMA_NON_VALIDA',
    );
  });
});

describe('verificaBusta refuses processing instructions', () => {
  test('text moved into a PI, which digests like the signed text but reads differently (xml-crypto alone accepts this)', () => {
    const signed = firma(busta().replace('<esi:Esito>CONFORME</esi:Esito>', '<esi:Esito>NON_CONFORME</esi:Esito>'));
    const attack = signed.replace('<esi:Esito>NON_CONFORME</esi:Esito>', '<esi:Esito><?x NON_?>CONFORME</esi:Esito>');
    expect(only(dom(attack), 'urn:it:ape-precoci:esiti:v1', 'Esito').textContent).toBe('CONFORME');

    const naive = new SignedXml({ publicCert: mittente.certPem });
    naive.loadSignature(only(dom(attack), DS_NS, 'Signature'));
    expect(naive.checkSignature(attack)).toBe(true);

    expect(rifiutata(attack, 'FIRMA_NON_VALIDA').message).toMatch(/istruzioni di elaborazione/);
  });

  test('the XML declaration is not one; firmaBusta refuses PIs in what it is asked to sign', () => {
    const signed = firma();
    expect(signed.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(() => verifica(signed)).not.toThrow();
    rifiutata(signed.replace('<soap:Envelope', '<?xml-stylesheet href="x"?><soap:Envelope'), 'FIRMA_NON_VALIDA');
    expect(() => firma(busta().replace('<esi:Ente>', '<?x y?><esi:Ente>'))).toThrow(/istruzioni di elaborazione/);
  });
});

describe('verificaBusta refuses documents it must not parse', () => {
  test('a DOCTYPE, with or without entities', () => {
    const signed = firma();
    const withDoctype = signed.replace('<soap:Envelope', '<!DOCTYPE soap:Envelope><soap:Envelope');
    expect(rifiutata(withDoctype, 'FIRMA_NON_VALIDA').message).toMatch(/DTD/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body>&x;</soap:Body></soap:Envelope>`;
    expect(rifiutata(xxe, 'FIRMA_NON_VALIDA').message).toMatch(/DTD/);
  });

  test('nesting deep enough to exhaust the canonicalizer\'s stack', () => {
    const deep = firma().replace('<esi:Ente>ANPAL</esi:Ente>', `<esi:Ente>ANPAL</esi:Ente>${'<x:a xmlns:x="urn:x">'.repeat(5000)}${'</x:a>'.repeat(5000)}`);
    expect(rifiutata(deep, 'FIRMA_NON_VALIDA').message).toMatch(/annidamento/);
  });

  test('malformed XML and a non-SOAP document', () => {
    rifiutata(firma().replace('</soap:Envelope>', ''), 'FIRMA_NON_VALIDA');
    rifiutata('<a/>', 'FIRMA_NON_VALIDA');
  });
});

describe('certificatoLetto: a certificate parsed once per encoding', () => {
  test('the same encoding gives the parsed certificate back without parsing again; a failed parse is not kept', () => {
    const ca = createCertificateAuthority({ commonName: 'CA di test cache' }, validityFrom(NOW, 30));
    let letture = 0;
    const leggi = () => {
      letture++;
      return new X509Certificate(ca.certPem);
    };
    const primo = parsedCertificate(ca.certPem, leggi);
    expect(parsedCertificate(ca.certPem, leggi)).toBe(primo);
    expect(letture).toBe(1);
    expect(() => parsedCertificate('non un certificato', () => new X509Certificate('non un certificato'))).toThrow();
    let riletto = false;
    expect(() => parsedCertificate('non un certificato', () => { riletto = true; throw new Error('ancora illeggibile'); })).toThrow('ancora illeggibile');
    expect(riletto).toBe(true);
  });

  test('bounded: after 256 other encodings the oldest is parsed again', () => {
    const cert = new X509Certificate(createCertificateAuthority({ commonName: 'CA di test limite' }, validityFrom(NOW, 30)).certPem);
    let letture = 0;
    parsedCertificate('chiave-vecchia', () => (letture++, cert));
    for (let i = 0; i < 256; i++) parsedCertificate(`chiave-${i}`, () => cert);
    parsedCertificate('chiave-vecchia', () => (letture++, cert));
    expect(letture).toBe(2);
  });
});
