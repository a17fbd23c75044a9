import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { Pool } from 'pg';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../shared/pki/certificates';
import { writePresentaDomanda } from '../shared/messages/istruttoria';
import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';
import { firmato, OPERATORE, postRaw, rawEnvelope, type RawTls } from './support/raw-soap';

/**
 * Bad callers and bad input get a SOAP Fault with a code and a reason a counterpart can act on, and nothing
 * is stored. Only the INPS gateway runs: refusals never get further than its intake.
 */
let fed: TestFederation;
let inps: Pool;
let caseSystem: RawTls;
let url: string;

beforeAll(async () => {
  // Two requests at once per party at most, so the admission test can fill the gateway; the others send one at a time.
  fed = await TestFederation.start({ name: 'gateway-refusals', processes: ['inps-gateway'], mutaConfig: (json) => { json.soap = { ...json.soap, maxRichiesteInCorso: 2 }; } });
  inps = fed.pool('inps');
  caseSystem = fed.tlsOf('INPS_ISTRUTTORIA');
  url = fed.url('istruttoria');
});

afterAll(async () => {
  await fed?.stop();
});

const domandaXml = (protocollo: string, mutate: (xml: string) => string = (x) => x) =>
  mutate(writePresentaDomanda(scenario('conforme').domanda(protocollo, new Date('2026-11-20T09:00:00Z'))).text);

async function storedCounts(): Promise<Record<string, number>> {
  const r = await inps.query<{ d: number; i: number; p: number; o: number; e: number }>(
    `SELECT (SELECT count(*) FROM domanda)::int AS d, (SELECT count(*) FROM istruttoria)::int AS i, (SELECT count(*) FROM pacchetto)::int AS p,
            (SELECT count(*) FROM outbox)::int AS o, (SELECT count(*) FROM evento)::int AS e`,
  );
  return r.rows[0]!;
}

const NOTHING = { d: 0, i: 0, p: 0, o: 0, e: 0 };

describe('callers', () => {
  test('a certificate from the federation CA whose subject is not a registered party is refused', async () => {
    const ca = { certPem: readFileSync(fed.config.pki.caCertFile, 'utf8'), keyPem: readFileSync(path.join(fed.config.pki.dir, 'ca.key.pem'), 'utf8') };
    const stranger = issueCertificate(ca, { commonName: 'sconosciuto.ape-precoci.local', dnsNames: ['localhost'] }, validityFrom(new Date(), 30));
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0001')), { tls: { key: stranger.keyPem, cert: stranger.certPem, caFile: caseSystem.caFile } });
    expect(r.fault).toMatchObject({ code: 'PARTE_NON_RICONOSCIUTA', faultcode: 'soap:Client', retryable: 'false' });
    expect(r.fault!.message).toContain('sconosciuto.ape-precoci.local');
    expect(await storedCounts()).toEqual(NOTHING);
  });

  test('a certificate from a foreign CA is refused even with a registered subject', async () => {
    const foreignCa = createCertificateAuthority({ commonName: 'CA estranea' }, validityFrom(new Date(), 30));
    const impostor = issueCertificate(foreignCa, { commonName: fed.identity('INPS_ISTRUTTORIA').subjectCN, dnsNames: ['localhost'] }, validityFrom(new Date(), 30));
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0002')), { tls: { key: impostor.keyPem, cert: impostor.certPem, caFile: caseSystem.caFile } });
    expect(r.fault?.code).toBe('CERTIFICATO_NON_VALIDO');
    expect(r.status).toBe(403);
    expect(await storedCounts()).toEqual(NOTHING);
  });

  test('a call without a client certificate is refused', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0003')), { tls: { caFile: caseSystem.caFile } });
    expect(r.fault?.code).toBe('CERTIFICATO_ASSENTE');
    expect(await storedCounts()).toEqual(NOTHING);
  });

  /** A raw mutual-TLS connection to the gateway as the case system, once its handshake is done. */
  async function connessioneGrezza(o: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    const files = caseSystem as { keyFile: string; certFile: string; caFile: string };
    const u = new URL(url);
    const s = tls.connect({
      host: u.hostname, port: Number(u.port), servername: 'localhost',
      key: readFileSync(files.keyFile), cert: readFileSync(files.certFile), ca: readFileSync(files.caFile), ...o,
    });
    await new Promise<void>((resolve, reject) => s.once('secureConnect', resolve).once('error', reject));
    // The refusals under test end the connection; what the tests check is how, not an 'error' event.
    s.on('error', () => undefined);
    return s;
  }

  test('a connection refuses TLS renegotiation once its certificate has been read, so the caller it names cannot change', async () => {
    const u = new URL(url);
    const socket = await connessioneGrezza({ maxVersion: 'TLSv1.2' });
    const chiusa = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    let risposta = '';
    socket.setEncoding('utf8');
    const primaRisposta = new Promise<void>((resolve) => socket.on('data', (d: string) => { risposta += d; if (risposta.includes('</wsdl:definitions>')) resolve(); }));
    socket.write(`GET ${u.pathname}?wsdl HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
    await primaRisposta;
    expect(risposta).toMatch(/^HTTP\/1\.1 200/);
    // Refused: the server drops the connection instead of completing the handshake.
    const esito = await new Promise<string>((resolve) => {
      void chiusa.then(() => resolve('connessione chiusa'));
      if (!socket.renegotiate({ rejectUnauthorized: true }, (err) => resolve(err ? `errore: ${err.message}` : 'rinegoziata'))) resolve('non avviata');
    });
    expect(esito).not.toBe('rinegoziata');
    await chiusa;
    expect(socket.destroyed).toBe(true);
  });

  test("beyond a party's requests in progress the gateway refuses that party at once, retryable, admits the others, and takes calls again when they end", async () => {
    const u = new URL(url);
    // Two calls that hold the gateway: headers and half of a body whose end never comes.
    const lente = await Promise.all([0, 1].map(async () => {
      const s = await connessioneGrezza();
      s.write(`POST ${u.pathname} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: 4000\r\n\r\n<soap:Envelope`);
      return s;
    }));
    const richiesta = () => postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0099')), { tls: caseSystem });
    const rifiutata = await eventually(async () => {
      const r = await richiesta();
      return r.fault?.code === 'SERVIZIO_NON_DISPONIBILE' ? r : null;
    }, { what: 'a refusal while two calls are in progress', timeoutMs: 10_000 });
    expect(rifiutata.status).toBe(503);
    expect(rifiutata.headers['retry-after']).toBe('1');
    expect(rifiutata.fault).toMatchObject({ faultcode: 'soap:Server', retryable: 'true' });
    expect(rifiutata.fault!.message).toContain('INPS_ISTRUTTORIA ha già 2 richieste in corso');
    expect(await storedCounts()).toEqual(NOTHING);
    // Another party is admitted meanwhile (and then refused for what it asks: not its operation).
    const altra = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0098')), { tls: fed.tlsOf('ANPAL') });
    expect(altra.fault?.code).toBe('PARTE_NON_AUTORIZZATA');
    for (const s of lente) s.destroy();
    // Once they end, the same call gets past admission (refused later, for what it is: unsigned).
    const dopo = await eventually(async () => {
      const r = await richiesta();
      return r.fault?.code !== 'SERVIZIO_NON_DISPONIBILE' ? r : null;
    }, { what: 'admission after the held calls ended', timeoutMs: 10_000 });
    expect(dopo.fault?.code).toBe('FIRMA_ASSENTE');
    expect(await storedCounts()).toEqual(NOTHING);
  });

  test('a registered party may not call an operation that is not its own', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0004')), { tls: fed.tlsOf('ANPAL') });
    expect(r.fault?.code).toBe('PARTE_NON_AUTORIZZATA');
    expect(r.fault!.message).toContain('ANPAL');
    expect(await storedCounts()).toEqual(NOTHING);
  });
});

describe('input', () => {
  const cases: Array<[string, () => string, string, Record<string, string>?]> = [
    ['malformed XML', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0101')).replace('</soap:Body>', ''), 'XML_MALFORMATO'],
    ['a DTD with entities', () => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${rawEnvelope(OPERATORE, domandaXml('INPS.REF.0102'))}`, 'DTD_NON_AMMESSA'],
    ['a category outside A..M', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0103', (x) => x.replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'))), 'SCHEMA_NON_VALIDO'],
    ['a missing required element', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0104', (x) => x.replace(/<ist:DataDecorrenza>[^<]*<\/ist:DataDecorrenza>/, ''))), 'SCHEMA_NON_VALIDO'],
    ['a codice fiscale with a wrong check character', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0105', (x) => x.replace('RSSMRA60A01H501Q', 'RSSMRA60A01H501X'))), 'CODICE_FISCALE_NON_VALIDO'],
    ['an employer codice fiscale with a wrong check digit', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0106', (x) => x.replace('01234567897', '01234567890'))), 'CODICE_FISCALE_NON_VALIDO'],
    ['no Operatore header', () => rawEnvelope('', domandaXml('INPS.REF.0107')), 'OPERATORE_ASSENTE'],
    ['an operation this endpoint does not have', () => rawEnvelope(OPERATORE, '<esi:NotificaEsito/>'), 'OPERAZIONE_SCONOSCIUTA'],
    [
      'a SOAP 1.2 envelope',
      () => `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:ist="urn:it:ape-precoci:istruttoria:v1"><e:Body>${domandaXml('INPS.REF.0108')}</e:Body></e:Envelope>`,
      'SOAP_NON_VALIDO',
    ],
    // Namespace well-formedness (Namespaces in XML 1.0): a prefix no declaration binds names no namespace at all.
    ['a prefix never declared', () => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${domandaXml('INPS.REF.0111')}</soap:Body></soap:Envelope>`, 'XML_MALFORMATO'],
    ['two payloads in the Body', () => rawEnvelope(OPERATORE, domandaXml('INPS.REF.0109') + domandaXml('INPS.REF.0110')), 'SOAP_NON_VALIDO'],
  ];

  // Refusals that come after the WS-Security check need a signed message to get that far.
  const DOPO_FIRMA = new Set(['CODICE_FISCALE_NON_VALIDO', 'OPERATORE_ASSENTE']);

  test.each(cases)('%s gets a Fault with its code and nothing is stored', async (_what, body, code) => {
    const r = await postRaw(url, body(), { tls: caseSystem, firma: DOPO_FIRMA.has(code) });
    expect(r.fault?.code).toBe(code);
    expect(r.fault!.faultcode).toBe('soap:Client');
    expect(r.fault!.message.length).toBeGreaterThan(10);
    expect(await storedCounts()).toEqual(NOTHING);
  });

  test('the Fault for an invalid codice fiscale says which field and what check character was expected', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0111', (x) => x.replace('RSSMRA60A01H501Q', 'RSSMRA60A01H501X'))), { tls: caseSystem, firma: true });
    expect(r.fault!.message).toMatch(/Richiedente\/CodiceFiscale: carattere di controllo errato: atteso Q, trovato X/);
  });

  test('a schema Fault quotes the validator on the offending element', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0112', (x) => x.replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>'))), { tls: caseSystem });
    expect(r.fault!.message).toContain('Categoria');
    expect(r.fault!.message).toContain("'J'");
  });

  test('a wrong content type is refused before the body is read', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0113')), { tls: caseSystem, contentType: 'application/json' });
    expect(r.status).toBe(415);
    expect(r.fault?.code).toBe('CONTENT_TYPE_NON_VALIDO');
  });

  test('a body over the size limit is refused', async () => {
    const big = rawEnvelope(OPERATORE, domandaXml('INPS.REF.0114')).replace('<soap:Header>', `<soap:Header><!--${'x'.repeat(fed.config.soap.maxBodyBytes)}-->`);
    const r = await postRaw(url, big, { tls: caseSystem });
    expect(r.status).toBe(413);
    expect(r.fault?.code).toBe('MESSAGGIO_TROPPO_GRANDE');
    expect(await storedCounts()).toEqual(NOTHING);
  });

  test('after all the refusals the gateway still accepts a good domanda', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0200')), { tls: caseSystem, firma: true });
    expect(r.status).toBe(200);
    expect(r.fault).toBeNull();
    // Events: domanda received, INPS-side checks, three packets created.
    expect(await storedCounts()).toEqual({ d: 1, i: 1, p: 3, o: 3, e: 5 });
  });
});

describe('resubmission', () => {
  test('the same domanda submitted again gets the same receipt and is stored once', async () => {
    const first = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0300')), { tls: caseSystem, firma: true });
    const again = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0300')), { tls: caseSystem, firma: true });
    const id = (r: typeof first) => ((r.json.Envelope as Record<string, Record<string, Record<string, string>>>).Body!.PresentaDomandaRisposta!.IdIstruttoria);
    expect(id(again)).toBe(id(first));
    const n = await inps.query("SELECT count(*)::int AS n FROM domanda WHERE protocollo = 'INPS.REF.0300'");
    expect(n.rows[0].n).toBe(1);
  });

  test('the same protocol with different content is refused as DOMANDA_DUPLICATA', async () => {
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.REF.0300', (x) => x.replace('<ist:Livello>2</ist:Livello>', '<ist:Livello>3</ist:Livello>'))), { tls: caseSystem, firma: true });
    expect(r.fault?.code).toBe('DOMANDA_DUPLICATA');
    const lv = await inps.query("SELECT a.livello FROM attestazione a JOIN domanda d ON d.id = a.domanda_id WHERE d.protocollo = 'INPS.REF.0300'");
    expect(lv.rows).toEqual([{ livello: '2' }]);
  });
});

describe('message security of the request (issue 14)', () => {
  const firmata = (body: string) => firmato(url, body, caseSystem);
  const send = (body: string, tls: RawTls = caseSystem) => postRaw(url, body, { tls });
  const stored = async (protocollo: string) =>
    (await inps.query<{ operatore_id: string; cognome: string }>('SELECT operatore_id, cognome FROM domanda WHERE protocollo = $1', [protocollo])).rows;

  test('the operator replaced in a signed request is refused (it is inside the signature) and nothing is stored', async () => {
    const signed = firmata(rawEnvelope(OPERATORE, domandaXml('INPS.SIG.0001')));
    const r = await send(signed.replace('INPS-OP-TEST', 'INPS-OP-FALSO'));
    expect(r.fault?.code).toBe('FIRMA_NON_VALIDA');
    expect(r.fault!.message).toContain('com:Operatore');
    expect(await stored('INPS.SIG.0001')).toEqual([]);
  });

  test('an Operatore, X-ReplyTo, X-Correlation-ID or wsa:Action added outside the signature is INTESTAZIONE_NON_FIRMATA naming it', async () => {
    const cases: Array<[string, string, string]> = [
      ['com:Operatore', '', OPERATORE],
      ['com:X-ReplyTo', OPERATORE, '<com:X-ReplyTo>https://evil.example/esiti</com:X-ReplyTo>'],
      ['com:X-Correlation-ID', OPERATORE, '<com:X-Correlation-ID>corr-falso-1</com:X-Correlation-ID>'],
      ['wsa:Action', OPERATORE, '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:altro</wsa:Action>'],
    ];
    for (const [name, signedHeaders, added] of cases) {
      const protocollo = `INPS.SIG.01${cases.findIndex(([n]) => n === name)}`;
      const signed = firmata(rawEnvelope(signedHeaders, domandaXml(protocollo)));
      const r = await send(signed.replace('</soap:Header>', `${added}</soap:Header>`));
      expect({ name, code: r.fault?.code, names: r.fault?.message.includes(name) }).toEqual({ name, code: 'INTESTAZIONE_NON_FIRMATA', names: true });
      expect(await stored(protocollo)).toEqual([]);
    }
  });

  test('X-ReplyTo and X-Correlation-ID signed, then rewritten, are refused', async () => {
    const headers = `${OPERATORE}<com:X-ReplyTo>https://inps.example/esiti</com:X-ReplyTo><com:X-Correlation-ID>corr-vero-1</com:X-Correlation-ID>`;
    const signed = firmata(rawEnvelope(headers, domandaXml('INPS.SIG.0201')));
    for (const forged of [signed.replace('https://inps.example/esiti', 'https://evil.example/esiti'), signed.replace('corr-vero-1', 'corr-falso-1')]) {
      const r = await send(forged);
      expect(r.fault?.code).toBe('FIRMA_NON_VALIDA');
    }
    expect(await stored('INPS.SIG.0201')).toEqual([]);
  });

  test('signed text rewritten as a CDATA section after signing is read exactly as it was signed', async () => {
    // Signed: the characters A&lt;b&gt; (escaped once more in the XML). The CDATA section holds the same characters,
    // so the signature still verifies; what is stored must be those characters, not A<b>.
    const signed = firmata(rawEnvelope(OPERATORE, domandaXml('INPS.SIG.0301', (x) => x.replace('<ist:Cognome>Rossi<', '<ist:Cognome>A&amp;lt;b&amp;gt;<'))));
    const r = await send(signed.replace('<ist:Cognome>A&amp;lt;b&amp;gt;<', '<ist:Cognome><![CDATA[A&lt;b&gt;]]><'));
    if (r.fault === null) expect((await stored('INPS.SIG.0301')).map((d) => d.cognome)).toEqual(['A&lt;b&gt;']);
    else expect(await stored('INPS.SIG.0301')).toEqual([]);
  });

  test('a WS-Addressing 2004/08 header is refused naming the namespace to use', async () => {
    const signed = firmata(rawEnvelope(OPERATORE, domandaXml('INPS.SIG.0401')));
    const r = await send(signed.replace('</soap:Header>', '<wsa4:ReplyTo xmlns:wsa4="http://schemas.xmlsoap.org/ws/2004/08/addressing"><wsa4:Address>x</wsa4:Address></wsa4:ReplyTo></soap:Header>'));
    expect(r.fault?.code).toBe('DESTINATARIO_NON_VALIDO');
    expect(r.fault!.message).toContain('http://www.w3.org/2005/08/addressing');
  });

  test('a message for another address is refused saying that wsa:To must be the address served in the WSDL', async () => {
    const other = firmato('https://inps.ape-precoci.local/ape/istruttoria', rawEnvelope(OPERATORE, domandaXml('INPS.SIG.0501')), caseSystem);
    const r = await send(other);
    expect(r.fault?.code).toBe('DESTINATARIO_NON_VALIDO');
    expect(r.fault!.message).toContain(`${url}?wsdl`);
  });

  test('a caller none of the service operations admits gets 403 before its body is read: a body that never ends is answered at once', async () => {
    const anpal = fed.tlsOf('ANPAL') as { keyFile: string; certFile: string; caFile: string };
    const u = new URL(url);
    const s = tls.connect({ host: u.hostname, port: Number(u.port), servername: 'localhost', key: readFileSync(anpal.keyFile), cert: readFileSync(anpal.certFile), ca: readFileSync(anpal.caFile) });
    await new Promise<void>((resolve, reject) => s.once('secureConnect', resolve).once('error', reject));
    s.on('error', () => undefined);
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const started = Date.now();
    // Chunked, so no length tells the server when it ends; the first chunk is an attribute bomb's start.
    s.write(`POST ${u.pathname} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body${' a="b"'.repeat(1000)}`;
    s.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
    await eventually(async () => (answer.includes('</soap:Envelope>') ? true : null), { what: 'an answer to the unauthorised call', timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    expect(answer).toContain('PARTE_NON_AUTORIZZATA');
    expect(answer.toLowerCase()).toContain('connection: close');
    // The server closes the connection instead of reading the rest of the body.
    await closed;
    expect(s.destroyed).toBe(true);
  });
});

describe('limits on the shape of the XML (issue 14)', () => {
  const cases: Array<[string, (x: string) => string, string]> = [
    ['30,000 attributes on one element', (x) => x.replace('<ist:Cognome>', `<ist:Cognome${Array.from({ length: 30_000 }, (_, i) => ` x${i.toString(36)}=""`).join('')}>`), 'maxAttributes'],
    ['nesting 100 elements deep', (x) => x.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome>${'<a>'.repeat(100)}Rossi${'</a>'.repeat(100)}</ist:Cognome>`), 'maxDepth'],
    ['an element name of 300 characters', (x) => x.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome><${'n'.repeat(300)}/>Rossi</ist:Cognome>`), 'maxNameLength'],
    ['a text of 100,000 characters', (x) => x.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome>${'R'.repeat(100_000)}</ist:Cognome>`), 'maxTextLength'],
    ['60,000 empty elements', (x) => x.replace('<ist:Cognome>Rossi</ist:Cognome>', `<ist:Cognome>${'<a/>'.repeat(60_000)}Rossi</ist:Cognome>`), 'maxNodes'],
  ];
  test.each(cases)('%s is XML_TROPPO_COMPLESSO naming the limit, answered at once, nothing stored', async (_what, mutate, limit) => {
    const started = Date.now();
    const r = await postRaw(url, rawEnvelope(OPERATORE, domandaXml('INPS.LIM.0001', mutate)), { tls: caseSystem });
    expect(r.fault?.code).toBe('XML_TROPPO_COMPLESSO');
    expect(r.fault!.message).toContain(limit);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await inps.query("SELECT count(*)::int AS n FROM domanda WHERE protocollo = 'INPS.LIM.0001'")).rows[0].n).toBe(0);
  });
});
