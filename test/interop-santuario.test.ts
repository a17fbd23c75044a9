import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { PROJECT_ROOT } from '../shared/paths';
import { createCertificateAuthority, validityFrom } from '../shared/pki/certificates';
import { envelope, operatoreHeader } from '../shared/messages/envelope';
import { writePresentaDomanda } from '../shared/messages/istruttoria';
import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { postRaw } from './support/raw-soap';

/**
 * A stock Java stack joins from the contract alone: examples/java (Java 17, Apache Santuario from Debian's
 * libxml-security-java, the JDK's DOM, TLS and HTTP client; no project code) is compiled with javac and run as the
 * INPS case system against a federation's INPS gateway. Santuario's XMLSignature signs each request as ModI
 * ID_AUTH_SOAP_02 asks and verifies INPS's signed response; the gateway accepts the request and the Java
 * verification refuses what it must (a tampered or misdirected response), so it is not a no-op; a request whose
 * com:Operatore is rewritten after Santuario signed it is refused by the gateway, so the operator is inside the
 * signature. Written as WSS4J writes it ("#default" in every exclusive C14N PrefixList under a default namespace),
 * the request is accepted too (issue 14 found it refused).
 */
const JAVA_DIR = path.join(PROJECT_ROOT, 'examples', 'java');
const CLASSPATH = readFileSync(path.join(JAVA_DIR, 'classpath.txt'), 'utf8').trim();
const PASSWORD = 'segreto-di-prova';

let fed: TestFederation;
let inps: Pool;
let dir: string;
let classes: string;
let keystore: string;

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && code === -1) reject(new Error(`${file} failed: ${err.message}\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'santuario-'));
  classes = path.join(dir, 'classes');
  const sources = readdirSync(path.join(JAVA_DIR, 'src', 'esempio')).filter((f) => f.endsWith('.java')).map((f) => path.join(JAVA_DIR, 'src', 'esempio', f));
  const [javac, federation] = await Promise.all([
    run('javac', ['--release', '17', '-d', classes, '-cp', CLASSPATH, ...sources]),
    TestFederation.start({ name: 'interop-santuario', processes: ['inps-gateway'] }),
  ]);
  fed = federation;
  if (javac.code !== 0) throw new Error(`javac failed:\n${javac.stderr}`);
  inps = fed.pool('inps');
  keystore = await keystoreOf(fed, 'sistema-istruttorio.p12');
}, 180_000);

/** The case system's PEM files as its Java developers would turn them into a keystore (README). */
async function keystoreOf(f: TestFederation, name: string): Promise<string> {
  const tls = f.tlsOf('INPS_ISTRUTTORIA');
  const file = path.join(dir, name);
  const p12 = await run('openssl', ['pkcs12', '-export', '-in', tls.certFile, '-inkey', tls.keyFile, '-name', 'sistema-istruttorio', '-out', file, '-passout', `pass:${PASSWORD}`]);
  if (p12.code !== 0) throw new Error(`openssl pkcs12 failed:\n${p12.stderr}`);
  return file;
}

afterAll(async () => {
  await fed?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  operazione?: string;
  messageId?: string;
  firmaRichiesta?: string[];
  http?: number;
  firmaRisposta?: { valida: boolean; parti?: string[]; firmatario?: string; relatesTo?: string; errore?: string };
  esito?: 'ACK' | 'FAULT' | 'RIFIUTATA';
  risposta?: Record<string, string>;
  fault?: Record<string, string>;
  errore?: string;
}

/** Runs the Java client; the exit code is returned with the JSON line it printed. */
async function java(args: string[]): Promise<Outcome & { exit: number }> {
  const r = await run('java', ['-cp', `${classes}:${CLASSPATH}`, 'esempio.ClienteModI', ...args], { ...process.env, APE_KEYSTORE_PASSWORD: PASSWORD });
  try {
    return { ...(JSON.parse(r.stdout) as Outcome), exit: r.code };
  } catch {
    throw new Error(`the Java client printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A call as the INPS case system (its keystore, the federation CA), to the served address of the istruttoria service. */
const callTo = (f: TestFederation, ks: string, command: 'stato' | 'presenta', args: string[]) =>
  java([command, '--endpoint', f.url('istruttoria'), '--keystore', ks, '--ca', f.config.pki.caCertFile, '--operatore', 'JAVA-OP-1', '--ufficio', 'Sede Java', ...args]);
const call = (command: 'stato' | 'presenta', args: string[]) => callTo(fed, keystore, command, args);

const SIGNED_REQUEST = ['Timestamp', 'To', 'MessageID', 'Action', 'Operatore', 'Body'];
const SIGNED_RESPONSE = ['Action', 'Body', 'MessageID', 'RelatesTo', 'Timestamp'];

test("Santuario's signed StatoIstruttoria is accepted; the coded Fault comes back signed by INPS and verified in Java", async () => {
  const out = await call('stato', ['--protocollo', 'INPS.JAVA.NESSUNA']);
  expect(out).toMatchObject({
    exit: 0, operazione: 'StatoIstruttoria', http: 500, esito: 'FAULT',
    firmaRichiesta: SIGNED_REQUEST,
    fault: { faultcode: 'soap:Client', Codice: 'ISTRUTTORIA_NON_TROVATA', Ritentabile: 'false' },
    firmaRisposta: { valida: true, parti: SIGNED_RESPONSE, relatesTo: out.messageId },
  });
  expect(out.messageId).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  // Signed by INPS's gateway identity, the certificate its TLS server presented.
  expect(out.firmaRisposta!.firmatario).toContain(`CN=${fed.identity('INPS').subjectCN}`);
  // The gateway verified the request's signature: its message log holds the MessageID Java chose.
  const log = await inps.query("SELECT operazione, message_id FROM registro_messaggi WHERE direzione = 'RICEVUTO' AND message_id = $1", [out.messageId]);
  expect(log.rows).toEqual([{ operazione: 'StatoIstruttoria', message_id: out.messageId }]);
});

test('a PresentaDomanda built and signed in Java is stored with its operator, and its state read back', async () => {
  const sent = await call('presenta', ['--protocollo', 'INPS.JAVA.0001']);
  expect(sent).toMatchObject({
    exit: 0, http: 200, esito: 'ACK', firmaRichiesta: SIGNED_REQUEST,
    firmaRisposta: { valida: true, parti: SIGNED_RESPONSE, relatesTo: sent.messageId },
    risposta: { elemento: 'PresentaDomandaRisposta', ProtocolloDomanda: 'INPS.JAVA.0001', Stato: 'IN_VERIFICA', IdIstruttoria: expect.stringMatching(/^[0-9a-f-]{36}$/) },
  });
  const stored = await inps.query("SELECT operatore_id FROM domanda WHERE protocollo = 'INPS.JAVA.0001'");
  expect(stored.rows).toEqual([{ operatore_id: 'JAVA-OP-1' }]);
  const read = await call('stato', ['--protocollo', 'INPS.JAVA.0001']);
  expect(read).toMatchObject({
    exit: 0, http: 200, esito: 'ACK', firmaRisposta: { valida: true, parti: SIGNED_RESPONSE },
    risposta: { elemento: 'StatoIstruttoriaRisposta', IdIstruttoria: sent.risposta!.IdIstruttoria, Stato: 'IN_VERIFICA' },
  });
});

test('as WSS4J writes it: a default namespace on soap:Envelope and "#default" in every exclusive C14N PrefixList, accepted', async () => {
  const request = path.join(dir, 'richiesta-wss4j.xml');
  const sent = await call('presenta', ['--protocollo', 'INPS.JAVA.WSS4J', '--stile', 'wss4j', '--salva-richiesta', request]);
  expect(sent).toMatchObject({ exit: 0, http: 200, esito: 'ACK', risposta: { ProtocolloDomanda: 'INPS.JAVA.WSS4J', Stato: 'IN_VERIFICA' }, firmaRisposta: { valida: true } });
  const xml = readFileSync(request, 'utf8');
  // What made the difference: the Body's content in the default namespace, and Santuario's canonical form of each
  // part carrying xmlns="…istruttoria:v1" because "#default" is in the list, which the gateway must reproduce.
  expect(xml).toMatch(/^<soap:Envelope [^>]*xmlns="urn:it:ape-precoci:istruttoria:v1"/);
  expect(xml).toContain('<PresentaDomanda><ProtocolloDomanda>INPS.JAVA.WSS4J</ProtocolloDomanda>');
  expect(xml.match(/PrefixList="#default"/g)).toHaveLength(SIGNED_REQUEST.length + 1);
  const read = await call('stato', ['--protocollo', 'INPS.JAVA.WSS4J', '--stile', 'wss4j']);
  expect(read).toMatchObject({ exit: 0, esito: 'ACK', risposta: { Stato: 'IN_VERIFICA' } });
});

test('a PresentaDomanda read from a file, as npm start writes var/demo/domanda-esempio.xml, is signed and accepted with its own protocol', async () => {
  const file = path.join(dir, 'domanda-esempio.xml');
  const d = scenario('non-conforme').domanda('INPS.JAVA.FILE.1', new Date());
  writeFileSync(file, envelope([operatoreHeader({ id: 'ALTRO-OP', ufficio: 'ignorato' })], writePresentaDomanda(d)));
  const out = await call('presenta', ['--domanda', file]);
  expect(out).toMatchObject({ exit: 0, http: 200, esito: 'ACK', risposta: { ProtocolloDomanda: 'INPS.JAVA.FILE.1', Stato: 'IN_VERIFICA' }, firmaRisposta: { valida: true } });
  // Only the file's ist:PresentaDomanda is taken: the operator is the one Java was given, in its signed header.
  const stored = await inps.query("SELECT operatore_id FROM domanda WHERE protocollo = 'INPS.JAVA.FILE.1'");
  expect(stored.rows).toEqual([{ operatore_id: 'JAVA-OP-1' }]);
});

describe("the Java verification is not a no-op", () => {
  let saved: string;
  let messageId: string;
  const verify = (file: string, o: { messageId?: string; provider?: string; ca?: string } = {}) =>
    java(['verifica', '--risposta', file, '--message-id', o.messageId ?? messageId, '--ca', o.ca ?? fed.config.pki.caCertFile,
      ...(o.provider === 'nessuno' ? [] : ['--certificato-fornitore', fed.identity(o.provider ?? 'INPS').certFile])]);
  const tampered = (name: string, edit: (xml: string) => string) => {
    const xml = readFileSync(saved, 'utf8');
    const changed = edit(xml);
    expect(changed).not.toBe(xml);
    const file = path.join(dir, name);
    writeFileSync(file, changed);
    return file;
  };

  beforeAll(async () => {
    saved = path.join(dir, 'risposta.xml');
    const out = await call('stato', ['--protocollo', 'INPS.JAVA.0001', '--salva-risposta', saved]);
    expect(out).toMatchObject({ exit: 0, esito: 'ACK' });
    messageId = out.messageId!;
  });

  test('the saved response verifies offline as it came', async () => {
    expect(await verify(saved)).toMatchObject({ exit: 0, esito: 'ACK', firmaRisposta: { valida: true, parti: SIGNED_RESPONSE } });
  });

  test('a response whose Body was changed after INPS signed it is refused, and its content not read', async () => {
    const file = tampered('corpo.xml', (x) => x.replace('>IN_VERIFICA<', '>CHIUSA<'));
    const out = await verify(file);
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: expect.stringContaining('firma non valida') } });
    expect(out.risposta).toBeUndefined();
  });

  test('a response answering another request (wsa:RelatesTo) is refused', async () => {
    const out = await verify(saved, { messageId: 'urn:uuid:00000000-0000-4000-8000-000000000000' });
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: expect.stringContaining('wsa:RelatesTo') } });
  });

  test("a response signed by a certificate other than the provider's expected one is refused", async () => {
    const out = await verify(saved, { provider: 'ANPAL' });
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: expect.stringContaining('non è quello atteso') } });
  });

  test('without a pinned certificate, one not issued by the federation CA given is refused', async () => {
    expect(await verify(saved, { provider: 'nessuno' })).toMatchObject({ exit: 0, firmaRisposta: { valida: true } });
    const other = path.join(dir, 'altra-ca.pem');
    writeFileSync(other, createCertificateAuthority({ commonName: 'CA estranea' }, validityFrom(new Date(), 30)).certPem);
    const out = await verify(saved, { provider: 'nessuno', ca: other });
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: expect.stringContaining('non emesso dalla CA della federazione') } });
  });

  test('an unsigned response is refused', async () => {
    const file = tampered('senza-firma.xml', (x) => x.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, ''));
    const out = await verify(file);
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: expect.stringContaining('manca wsse:Security') } });
  });

  test('a response whose signature leaves out wsa:RelatesTo is refused', async () => {
    // The Reference to RelatesTo removed: the rest of SignedInfo no longer matches its SignatureValue either,
    // but the parts check comes first and says what is missing.
    const file = tampered('senza-relates.xml', (x) => x.replace(/<ds:Reference URI="#REL-[^"]+">[\s\S]*?<\/ds:Reference>/, ''));
    const out = await verify(file);
    expect(out).toMatchObject({ exit: 3, esito: 'RIFIUTATA', firmaRisposta: { valida: false, errore: 'la firma non copre RelatesTo' } });
  });
});

test("the operator is inside Santuario's signature: a request whose com:Operatore was rewritten after signing is refused and stores nothing", async () => {
  const request = path.join(dir, 'richiesta.xml');
  const out = await call('presenta', ['--protocollo', 'INPS.JAVA.0002', '--salva-richiesta', request]);
  expect(out).toMatchObject({ exit: 0, esito: 'ACK' });
  const forged = readFileSync(request, 'utf8').replace('>JAVA-OP-1<', '>FALSO-OP-9<');
  const r = await postRaw(fed.url('istruttoria'), forged, { tls: fed.tlsOf('INPS_ISTRUTTORIA') });
  expect(r.fault).toMatchObject({ code: 'FIRMA_NON_VALIDA', retryable: 'false' });
  const stored = await inps.query("SELECT protocollo, operatore_id FROM domanda WHERE protocollo LIKE 'INPS.JAVA.000%' ORDER BY protocollo");
  expect(stored.rows).toEqual([{ protocollo: 'INPS.JAVA.0001', operatore_id: 'JAVA-OP-1' }, { protocollo: 'INPS.JAVA.0002', operatore_id: 'JAVA-OP-1' }]);
  // The refusal is traced without an operator: the forged one, unsigned, is nobody's.
  const traced = await inps.query("SELECT operazione, operatore_id FROM registro_accessi WHERE codice_errore = 'FIRMA_NON_VALIDA' OR operatore_id = 'FALSO-OP-9'");
  expect(traced.rows).toEqual([{ operazione: 'PresentaDomanda', operatore_id: null }]);
});

describe('with EC P-256 keys (pki.keyType ECDSA-P256): Santuario signs ECDSA-SHA256 and verifies INPS\'s ECDSA-SHA256 response', () => {
  let ec: TestFederation;
  let ecKeystore: string;

  beforeAll(async () => {
    ec = await TestFederation.start({ name: 'interop-santuario-ecdsa', processes: ['inps-gateway'], mutaConfig: (json) => void (json.pki.keyType = 'ECDSA-P256') });
    ecKeystore = await keystoreOf(ec, 'sistema-istruttorio-ec.p12');
  }, 180_000);

  afterAll(async () => {
    await ec?.stop();
  });

  test('a PresentaDomanda signed in Java with the EC key is stored, and the response INPS signed with its EC key verifies in Java', async () => {
    const request = path.join(dir, 'richiesta-ecdsa.xml');
    const sent = await callTo(ec, ecKeystore, 'presenta', ['--protocollo', 'INPS.JAVA.ECDSA', '--salva-richiesta', request]);
    expect(sent).toMatchObject({
      exit: 0, http: 200, esito: 'ACK', firmaRichiesta: SIGNED_REQUEST,
      firmaRisposta: { valida: true, parti: SIGNED_RESPONSE, relatesTo: sent.messageId },
      risposta: { elemento: 'PresentaDomandaRisposta', ProtocolloDomanda: 'INPS.JAVA.ECDSA', Stato: 'IN_VERIFICA' },
    });
    expect(readFileSync(request, 'utf8')).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"');
    const stored = await ec.pool('inps').query("SELECT operatore_id FROM domanda WHERE protocollo = 'INPS.JAVA.ECDSA'");
    expect(stored.rows).toEqual([{ operatore_id: 'JAVA-OP-1' }]);
  });
});
