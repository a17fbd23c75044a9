import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { IdentityConfig } from '../../shared/config/schema';
import { pdndHeadersOf } from '../../shared/runtime/pdnd';
import type { ServiceRuntime } from '../../shared/runtime/service';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, KeyUsage, SubjectKeyIdentifier, id_ce_keyUsage, id_ce_subjectKeyIdentifier } from '@peculiar/asn1-x509';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { correlationHeader, envelope, envelopeTree, operatoreHeader } from '../../shared/messages/envelope';
import { ApeError } from '../../shared/errors';
import type { PdndRegistry } from '../../shared/pdnd/registry';
import { VoucherClient } from '../../shared/pdnd/voucher-client';
import { NS } from '../../shared/xml/namespaces';
import { el } from '../../shared/xml/write';
import { parseStrict } from '../../shared/soap/wssecurity/dom';
import { signElement, verifyElement } from '../../shared/soap/wssecurity/enveloped';
import { signElementTree } from '../../shared/soap/wssecurity/enveloped-tree';
import { METODI_FIRMA, metodoDellaChiave, valoreValido } from '../../shared/soap/wssecurity/metodo-firma';
import { WsSecurityError, responseSigner, signEnvelope, signEnvelopeTree, signResponseTree, verifyEnvelope, verifyResponse } from '../../shared/soap/wssecurity';

/**
 * ECDSA-SHA256 with an EC P-256 key, the second signature method the ModI guidelines admit for SOAP
 * (LG interoperabilità, 6.2 Signature public key SOAP): the development PKI issues such a certificate, every signer
 * signs with the method its key implies, every verifier accepts both methods, and a SignatureMethod that is not the
 * one its certificate's key implies is refused before anything is verified.
 */

const NOW = new Date('2026-03-10T09:00:00.000Z');
const TO = 'https://inps.ape-precoci.local/ape/esiti';
const MESSAGE_ID = 'urn:uuid:11111111-2222-4333-8444-555555555555';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

let ca: KeyPairPem;
let ec: KeyPairPem;
let rsa: KeyPairPem;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'CA di test ECDSA' }, validityFrom(NOW, 365));
  ec = issueCertificate(ca, { commonName: 'anpal.ape-precoci.local', dnsNames: ['anpal.ape-precoci.local'] }, validityFrom(NOW, 30), 'ECDSA-P256');
  rsa = issueCertificate(ca, { commonName: 'inail.ape-precoci.local', dnsNames: ['inail.ape-precoci.local'] }, validityFrom(NOW, 30));
});

const payload = () =>
  el('esi:NotificaEsito', [el('esi:IdPacchetto', 'PKT-0001'), el('esi:Ente', 'ANPAL'), el('esi:DataEsito', NOW.toISOString())], { 'xmlns:esi': NS.esi });
const busta = () => envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio verifiche' })], payload());
const firma = (who: KeyPairPem) => signEnvelope(busta(), { keyPem: who.keyPem, certPem: who.certPem, to: TO, messageId: MESSAGE_ID, now: NOW });
const verifica = (xml: string) => verifyEnvelope(xml, { expectedTo: TO, now: NOW });

function tag(xml: string, local: string): string {
  return new RegExp(`<ds:${local}[^>]*?(?:Algorithm="([^"]*)")?\\s*/?>(?:([^<]*)</ds:${local}>)?`).exec(xml)!.slice(1).find((v) => v !== undefined)!;
}

function refused(xml: string): WsSecurityError {
  try {
    verifica(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(WsSecurityError);
    return err as WsSecurityError;
  }
  throw new Error('the message was accepted');
}

describe('the development PKI with pki.keyType ECDSA-P256', () => {
  test('issues a P-256 certificate from the RSA CA, for TLS and signatures, with its key identifier', () => {
    const cert = new X509Certificate(ec.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkIssued(caCert) && cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(ec.keyPem))).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:anpal.ape-precoci.local');
    // An EC key signs; it never enciphers a key (keyUsage digitalSignature only), and its SKI is its own key's.
    const extensions = AsnConvert.parse(cert.raw, Certificate).tbsCertificate.extensions!;
    const value = (id: string) => extensions.find((e) => e.extnID === id)!.extnValue.buffer;
    const usage = AsnConvert.parse(value(id_ce_keyUsage), KeyUsage);
    expect([usage.toJSON()]).toEqual([['digitalSignature']]);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    const point = spki.subarray(spki.length - 65);
    const ski = Buffer.from(AsnConvert.parse(value(id_ce_subjectKeyIdentifier), SubjectKeyIdentifier).buffer);
    expect(ski.toString('hex')).toBe(createHash('sha1').update(point).digest('hex'));
  });
});

describe('signing with an EC key', () => {
  test('signEnvelope writes ECDSA-SHA256, r and s side by side (64 bytes), and verifyEnvelope accepts it', () => {
    const signed = firma(ec);
    expect(tag(signed, 'SignatureMethod')).toBe(METODI_FIRMA.ecdsa);
    expect(Buffer.from(tag(signed, 'SignatureValue'), 'base64')).toHaveLength(64);
    expect(verifica(signed).messageId).toBe(MESSAGE_ID);
  });

  test('an RSA signer still writes RSA-SHA256, and both are accepted by the same verifier', () => {
    const signed = firma(rsa);
    expect(tag(signed, 'SignatureMethod')).toBe(METODI_FIRMA.rsa);
    expect(verifica(signed).messageId).toBe(MESSAGE_ID);
    expect(verifica(firma(ec)).messageId).toBe(MESSAGE_ID);
  });

  test('signed from its trees, request and response, the same', () => {
    const request = signEnvelopeTree(envelopeTree([operatoreHeader({ id: 'OP-1', ufficio: 'U' })], payload()), { keyPem: ec.keyPem, certPem: ec.certPem, to: TO, messageId: MESSAGE_ID, now: NOW })!;
    expect(tag(request, 'SignatureMethod')).toBe(METODI_FIRMA.ecdsa);
    expect(verifica(request).messageId).toBe(MESSAGE_ID);
    const response = signResponseTree(envelopeTree([correlationHeader('CORR-1')], payload()), responseSigner(ec.keyPem, ec.certPem), { relatesTo: MESSAGE_ID, now: NOW })!;
    expect(tag(response, 'SignatureMethod')).toBe(METODI_FIRMA.ecdsa);
    const signer = { subjectCN: 'anpal.ape-precoci.local', cas: [new X509Certificate(ca.certPem)] };
    expect(() => verifyResponse(response, { signer, relatesTo: MESSAGE_ID, required: true, now: NOW })).not.toThrow();
    expect(() => verifyResponse(response.replace('PKT-0001', 'PKT-0002'), { signer, relatesTo: MESSAGE_ID, required: true, now: NOW })).toThrow();
  });

  test('an origin signature (enveloped), from the DOM and from the tree, verifies with the EC certificate', () => {
    const parsed = parseStrict(payload().text);
    if ('error' in parsed) throw new Error(parsed.error);
    signElement(parsed.doc.documentElement!, ec);
    expect(parsed.doc.getElementsByTagNameNS(DS_NS, 'SignatureMethod').item(0)!.getAttribute('Algorithm')).toBe(METODI_FIRMA.ecdsa);
    expect(verifyElement(parsed.doc.documentElement!).fingerprint256).toBe(new X509Certificate(ec.certPem).fingerprint256);

    const tree = signElementTree(payload().nodi![0]!, new Map([['esi', NS.esi]]), ec)!;
    const alone = parseStrict(tree.text);
    if ('error' in alone) throw new Error(alone.error);
    expect(verifyElement(alone.doc.documentElement!).fingerprint256).toBe(new X509Certificate(ec.certPem).fingerprint256);
    const changed = parseStrict(tree.text.replace('PKT-0001', 'PKT-0002'));
    if ('error' in changed) throw new Error(changed.error);
    expect(() => verifyElement(changed.doc.documentElement!)).toThrow(/digest/);
  });

  test('a tampered ECDSA message fails, as an RSA one does', () => {
    expect(refused(firma(ec).replace('PKT-0001', 'PKT-0002')).code).toBe('FIRMA_NON_VALIDA');
  });
});

describe('the method is the one the certificate implies: no message chooses how it is checked', () => {
  test('an EC certificate with SignatureMethod rsa-sha256 is refused before verification', () => {
    const err = refused(firma(ec).replace(METODI_FIRMA.ecdsa, METODI_FIRMA.rsa));
    expect(err.code).toBe('ALGORITMO_NON_AMMESSO');
    expect(err.message).toContain('non corrisponde alla chiave del certificato');
  });

  test('an RSA certificate with SignatureMethod ecdsa-sha256 is refused before verification', () => {
    const err = refused(firma(rsa).replace(METODI_FIRMA.rsa, METODI_FIRMA.ecdsa));
    expect(err.code).toBe('ALGORITMO_NON_AMMESSO');
    expect(err.message).toContain('non corrisponde alla chiave del certificato');
  });

  test('an origin signature whose method does not match its certificate is refused', () => {
    const parsed = parseStrict(payload().text);
    if ('error' in parsed) throw new Error(parsed.error);
    signElement(parsed.doc.documentElement!, ec);
    parsed.doc.getElementsByTagNameNS(DS_NS, 'SignatureMethod').item(0)!.setAttribute('Algorithm', METODI_FIRMA.rsa);
    expect(() => verifyElement(parsed.doc.documentElement!)).toThrow(/non corrisponde alla chiave del certificato/);
  });

  test('the method is checked against the key as soon as the certificate is read: before the digests (a tampered body does not hide it)', () => {
    const err = refused(firma(ec).replace(METODI_FIRMA.ecdsa, METODI_FIRMA.rsa).replace('PKT-0001', 'PKT-0002'));
    expect(err.code).toBe('ALGORITMO_NON_AMMESSO');
  });

  test('an origin signature with parameters under SignatureMethod is refused, as in a WS-Security header', () => {
    const parsed = parseStrict(payload().text);
    if ('error' in parsed) throw new Error(parsed.error);
    signElement(parsed.doc.documentElement!, ec);
    const method = parsed.doc.getElementsByTagNameNS(DS_NS, 'SignatureMethod').item(0)!;
    method.appendChild(parsed.doc.createElementNS(DS_NS, 'ds:HMACOutputLength')).appendChild(parsed.doc.createTextNode('8'));
    expect(() => verifyElement(parsed.doc.documentElement!)).toThrow(/non ammette parametri/);
  });

  test('other ECDSA hashes than SHA-256 are not admitted', () => {
    const err = refused(firma(ec).replace(METODI_FIRMA.ecdsa, 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384'));
    expect(err.code).toBe('ALGORITMO_NON_AMMESSO');
  });

  test('an ECDSA value in DER (as TLS and X.509 write it) is not the XML Signature encoding and does not verify', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = '<ds:SignedInfo>...</ds:SignedInfo>';
    const raw = sign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const der = sign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'der' });
    expect(valoreValido(METODI_FIRMA.ecdsa, data, publicKey, raw)).toBe(true);
    expect(valoreValido(METODI_FIRMA.ecdsa, data, publicKey, der)).toBe(false);
  });

  test.each([
    ['RSA 1024', undefined, () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
    ['RSA 2048', METODI_FIRMA.rsa, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
    ['EC P-256', METODI_FIRMA.ecdsa, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
    ['EC P-384', undefined, () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
    ['Ed25519', undefined, () => generateKeyPairSync('ed25519').publicKey],
  ])('a key %s signs with %s (undefined: not admitted)', (_name, method, key) => {
    expect(metodoDellaChiave(key())).toBe(method);
  });
});

describe('an EC key and PDND', () => {
  test("an identity whose key is EC cannot run a PDND client (its assertions are RS256): refused when the client is made, with the way out", () => {
    const make = (keyPem: string) => new VoucherClient({ registry: {} as PdndRegistry, identity: 'ANPAL', keyPem, ca: [ca.certPem] });
    let error: unknown;
    try {
      make(ec.keyPem);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApeError);
    expect(error).toMatchObject({ code: 'CONFIGURAZIONE_NON_VALIDA', retryable: false });
    expect((error as Error).message).toContain('npm run pki -- revoca --identity ANPAL --motivo superseded --rinnova');
    expect(() => make(rsa.keyPem)).not.toThrow();
  });

  test('a service running as an identity with PDND on and an EC key does not start: its PDND headers are refused when its SOAP client is made', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pdnd-ec-'));
    try {
      const keyFile = path.join(dir, 'anpal.key.pem');
      writeFileSync(keyFile, ec.keyPem);
      const rt = { log: pino({ level: 'silent' }), config: { pdnd: {} }, onShutdown: () => undefined } as unknown as ServiceRuntime;
      const identity = { code: 'ANPAL', keyFile, pdnd: { attivo: true } } as unknown as IdentityConfig;
      expect(() => pdndHeadersOf(rt, identity)).toThrow(/PDND è attivo ma la chiave dell'identità è EC/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
