import { ApeError } from '../../shared/errors';
import { envelope, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { readVerificaPacchetto, writeNotificaRiscontro, writeSegnalaCaso, writeSollecitaEsito, writeVerificaPacchetto } from '../../shared/messages/pacchetto';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../../shared/pki/certificates';
import { signEnvelope, verifyEnvelope } from '../../shared/soap/wssecurity';
import type { IdentityConfig } from '../../shared/config/schema';
import { firmaOrigine, verificaOrigine, type RegolaOrigine } from '../../shared/verifica-pacchetto/origine';
import { parseEnvelope, validateEnvelope } from '../../shared/xml/envelope';
import { XmlReader } from '../../shared/xml/read';
import { Xml } from '../../shared/xml/write';
import type { ContenutoPacchetto } from '../../shared/domain/types';
import { X509Certificate } from 'node:crypto';

/**
 * INPS's origin signature on what it writes (issue 14, item 8): made by INPS's dispatcher, carried unchanged inside
 * another sender's envelope, and verified by the recipient before it reads a field. Whatever the hub (or anyone
 * between) could do to a packet - write one, alter one, sign one with its own key, move the signature - is refused
 * with ORIGINE_NON_VALIDA. Tampered payloads are made by editing the signed text, as a forwarding hub would.
 */

const NOW = new Date();
const INPS_CN = 'pdd.inps.ape-precoci.local';
let inps: KeyPairPem;
let hub: KeyPairPem;
let inpsAltraCa: KeyPairPem;
let regola: RegolaOrigine;

beforeAll(() => {
  const ca = createCertificateAuthority({ commonName: 'CA di test della federazione' }, validityFrom(NOW, 365));
  const altra = createCertificateAuthority({ commonName: 'CA estranea' }, validityFrom(NOW, 365));
  inps = issueCertificate(ca, { commonName: INPS_CN, dnsNames: [INPS_CN] }, validityFrom(NOW, 30));
  hub = issueCertificate(ca, { commonName: 'hub.lavoro.ape-precoci.local', dnsNames: ['hub.lavoro.ape-precoci.local'] }, validityFrom(NOW, 30));
  inpsAltraCa = issueCertificate(altra, { commonName: INPS_CN, dnsNames: [INPS_CN] }, validityFrom(NOW, 30));
  const identity = { code: 'INPS', ente: 'INPS', subjectCN: INPS_CN } as IdentityConfig;
  regola = { identity, ca: new X509Certificate(ca.certPem) };
});

const CONTENUTO: ContenutoPacchetto = {
  idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  idIstruttoria: '7c9e6679-7425-40de-944b-e07fc1f90ae8',
  protocolloDomanda: 'INPS.APE.2026.0001',
  tipoDomanda: 'APE_SOCIALE',
  destinatario: 'INAIL',
  dataInvio: new Date('2026-03-02T09:00:00Z'),
  lavoratore: { codiceFiscale: 'RSSMRA60A01H501Q' },
  rapporti: [{ riferimento: 1, datore: { codiceFiscale: '01234567897', patInail: '12345678' }, periodo: { dal: '2010-01-01' }, categoria: 'A', vociTariffaInail: ['3110'] }],
};

const firmato = (chiave: KeyPairPem = inps, contenuto = CONTENUTO) => firmaOrigine(writeVerificaPacchetto(contenuto), chiave).text;

function busta(payload: string): string {
  return envelope([operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' }), replyToHeader('https://inps.test/ape/esiti')], new Xml(payload));
}

/** The payload of an envelope as the intake gives it to a handler (parsed, XSD-valid), then the origin check. */
function verifica(payload: string) {
  const env = parseEnvelope(busta(payload));
  validateEnvelope(env);
  return verificaOrigine(busta(payload), new XmlReader(env.payload), regola, NOW);
}

function rifiutato(payload: string, schema = true): string {
  try {
    if (schema) verifica(payload);
    else verificaOrigine(busta(payload), new XmlReader(parseEnvelope(busta(payload)).payload), regola, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(ApeError);
    expect((err as ApeError).code).toBe('ORIGINE_NON_VALIDA');
    return (err as ApeError).message;
  }
  throw new Error('accepted');
}

describe("INPS's origin signature", () => {
  test('is valid under the contract (XSD), verifies, and the content is read from what was verified', () => {
    const out = verifica(firmato());
    expect(readVerificaPacchetto(out.payload)).toEqual(CONTENUTO);
    expect(out.payload.optChild('Signature')).toBeUndefined();
    expect(out.origine.firmatario).toContain(INPS_CN);
    // What a hub forwards verifies again in the next envelope.
    expect(readVerificaPacchetto(verifica(out.origine.corpo).payload)).toEqual(CONTENUTO);
  });

  test('covers every message INPS writes and the hub forwards', () => {
    const NOW2 = new Date('2026-03-02T09:00:00Z');
    const messaggi = [
      writeSollecitaEsito({ idSollecito: '7c9e6679-7425-40de-944b-e07fc1f90aea', idPacchetto: CONTENUTO.idPacchetto, destinatario: 'INAIL', scadenza: NOW2, dataSollecito: NOW2 }),
      writeSegnalaCaso({ ...CONTENUTO, idSegnalazione: '7c9e6679-7425-40de-944b-e07fc1f90aeb', destinatario: 'INL', limiteAttesa: NOW2, datiNonVerificati: [{ ente: 'INAIL', riferimento: 1, dato: 'VOCE_TARIFFA', motivo: 'NON_VERIFICABILE' }], indici: [] }),
      writeNotificaRiscontro({ idRiscontro: '7c9e6679-7425-40de-944b-e07fc1f90aec', idIstruttoria: CONTENUTO.idIstruttoria, protocolloDomanda: CONTENUTO.protocolloDomanda, destinatario: 'ANPAL', enteRispondente: 'INAIL', esito: 'CONFORME', dataEsito: NOW2, inRitardo: false }),
    ];
    for (const m of messaggi) {
      expect(() => verifica(m.text)).toThrow(/non porta la firma d'origine/);
      expect(verifica(firmaOrigine(m, inps).text).origine.firmatario).toContain(INPS_CN);
    }
  });

  test('a packet written by someone else (no signature) is refused', () => {
    expect(rifiutato(writeVerificaPacchetto(CONTENUTO).text)).toMatch(/non porta la firma d'origine di INPS/);
  });

  test("a packet signed with the hub's key, however valid, is refused: only INPS writes packets", () => {
    expect(rifiutato(firmato(hub))).toMatch(/non di INPS \(pdd\.inps/);
  });

  test("a certificate with INPS's name from another CA is refused", () => {
    expect(rifiutato(firmato(inpsAltraCa))).toMatch(/non emesso dalla CA registrata per INPS/);
  });

  test('content altered after INPS signed it is refused (codice fiscale, recipient, a relation)', () => {
    const s = firmato();
    for (const [da, a] of [['RSSMRA60A01H501Q', 'BNCLRA70A41H501V'], ['<pac:Destinatario>INAIL', '<pac:Destinatario>ANPAL'], ['<pac:Categoria>A', '<pac:Categoria>B']] as const) {
      expect(s).toContain(da);
      expect(rifiutato(s.replace(da, a))).toMatch(/il contenuto è stato modificato dopo la firma/);
    }
  });

  test("the signature moved, duplicated, or pointing elsewhere is refused", () => {
    const s = firmato();
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(s)![0];
    const senza = s.replace(sig, '');
    // Moved first: no longer the last child (the schema refuses it too; the check does not rely on it).
    const spostata = senza.replace('<pac:IdPacchetto>', `${sig}<pac:IdPacchetto>`);
    expect(() => verifica(spostata)).toThrow(/non conforme allo schema/);
    expect(rifiutato(spostata, false)).toMatch(/ultimo elemento/);
    // Two signatures, the second INPS's own and valid.
    expect(rifiutato(s.replace('<pac:IdPacchetto>', `${sig}<pac:IdPacchetto>`), false)).toMatch(/una sola ds:Signature/);
    // Another Id on the element: the reference no longer names it.
    expect(rifiutato(s.replace(/ Id="[^"]+"/, ' Id="altro"'))).toMatch(/deve indicare l'elemento firmato stesso/);
    // The Id copied onto a second element of the message (what a wrapping attack needs).
    const id = / Id="([^"]+)"/.exec(s)![1]!;
    expect(() => verificaOrigine(busta(s).replace('<soap:Body>', `<soap:Body Id="${id}">`), new XmlReader(parseEnvelope(busta(s)).payload), regola, NOW)).toThrow(/compare più di una volta/);
  });

  test('weaker or context-dependent algorithms are refused', () => {
    const s = firmato();
    expect(rifiutato(s.replace('xmldsig-more#rsa-sha256', 'xmldsig#rsa-sha1'))).toMatch(/algoritmo di firma/);
    expect(rifiutato(s.replace('xmlenc#sha256', 'xmldsig#sha1'))).toMatch(/algoritmo di digest/);
    expect(rifiutato(s.replace(/<ds:Transform Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#enveloped-signature"\/>/, ''))).toMatch(/due trasformazioni/);
    const conLista = s.replace(
      '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
      '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="soap"/></ds:Transform>',
    );
    expect(conLista).not.toBe(s);
    expect(rifiutato(conLista)).toMatch(/non ammette parametri/);
  });

  test('KeyInfo must carry the certificate itself', () => {
    const s = firmato();
    expect(rifiutato(s.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '<ds:KeyInfo><ds:KeyName>INPS</ds:KeyName></ds:KeyInfo>'))).toMatch(/X509Certificate/);
  });

  test("the call's own WS-Security signature still verifies with INPS's signature inside the Body, and a third signature is still refused", () => {
    const signed = signEnvelope(busta(firmato()), { keyPem: hub.keyPem, certPem: hub.certPem, to: 'https://inail.test/ape/verifica', now: NOW });
    expect(verifyEnvelope(signed, { expectedTo: 'https://inail.test/ape/verifica', now: NOW }).messageId).toMatch(/^urn:uuid:/);
    const sig = /<ds:Signature xmlns:ds[\s\S]*?<\/ds:Signature>/.exec(firmato())![0];
    const terza = signEnvelope(busta(firmato()).replace('<soap:Header>', `<soap:Header><com:Extra>${sig}</com:Extra>`), { keyPem: hub.keyPem, certPem: hub.certPem, to: 'https://inail.test/ape/verifica', now: NOW });
    expect(() => verifyEnvelope(terza, { expectedTo: 'https://inail.test/ape/verifica', now: NOW })).toThrow(/ds:Signature/);
  });
});
