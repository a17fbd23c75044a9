import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { Pool } from 'pg';
import pino from 'pino';
import { ApeError, RemoteFaultError } from '../shared/errors';
import { envelope, operatoreHeader } from '../shared/messages/envelope';
import { writeStatoIstruttoria } from '../shared/messages/istruttoria';
import { issueCertificate, validityFrom, createCertificateAuthority } from '../shared/pki/certificates';
import { issueCrl } from '../shared/pki/crl';
import { CrlStore } from '../shared/pki/crl-store';
import { PROJECT_ROOT } from '../shared/paths';
import { SoapClient } from '../shared/soap/client';
import { signEnvelope } from '../shared/soap/wssecurity';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';
import { postRaw, type RawTls } from './support/raw-soap';

/**
 * TLS suites and certificate revocation on a running federation (issue 14, items 6 and 7).
 * TLS: every endpoint (SOAP gateway, a party's node, the web console) and our client accept TLS 1.3 and TLS 1.2
 * with ECDHE + AEAD only. Revocation: `npm run pki -- revoca` while the services run; the gateway re-reads the CRL
 * (pki.crlCheckSeconds: 1 here) and refuses the revoked certificate for TLS and for signatures, our client refuses a
 * server whose certificate is revoked, and a tampered or older CRL leaves the one in force in place.
 */
let fed: TestFederation;
let inps: Pool;
let istruttoria: string;
const OPERATORE = { id: 'INPS-OP-TLS-0001', ufficio: 'Sede di test' };
const STATO = 'urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria';

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'tls-revoca',
    processes: ['inps-gateway', 'inps-console', 'agency-anpal'],
    fileClock: true,
    mutaConfig: (json) => {
      // A case system of its own, revoked by the first test (the others keep theirs).
      json.identities.INPS_PROVA = { ente: 'INPS', description: 'Sistema istruttorio di prova', subjectCN: 'prova.inps.ape-precoci.local', allowedIps: ['127.0.0.1', '::1'] };
      json.pki.crlCheckSeconds = 1;
    },
  });
  inps = fed.pool('inps');
  istruttoria = fed.url('istruttoria');
  // The federation's first CRL (number 1, empty), kept before any test revokes: the "older" CRL of a test below.
  copyFileSync(fed.config.pki.crl[0]!.crlFile, path.join(fed.dir, 'crl-1.pem'));
}, 120_000);

afterAll(async () => {
  await fed?.stop();
});

const pki = (...args: string[]) =>
  execFileSync('node', [path.join(PROJECT_ROOT, 'dist', 'infra', 'scripts', 'pki.js'), ...args], { env: { ...process.env, APE_CONFIG: fed.configFile }, encoding: 'utf8' });

const statoBody = () => envelope([operatoreHeader(OPERATORE)], writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-999999' }));

/** A StatoIstruttoria for a domanda that does not exist: ISTRUTTORIA_NON_TROVATA means the call went through the intake. */
async function stato(client: SoapClient): Promise<string> {
  try {
    await client.call({ url: istruttoria, soapAction: STATO, headers: [operatoreHeader(OPERATORE)], body: writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-999999' }) });
    return 'OK';
  } catch (err) {
    if (err instanceof RemoteFaultError || err instanceof ApeError) return err.code;
    throw err;
  }
}

const caseSystemTls = (): RawTls => fed.tlsOf('INPS_ISTRUTTORIA');
const gatewayLog = () => (fed.logs.get('inps-gateway') ?? []).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } });

describe('TLS: 1.3, and 1.2 with ECDHE + AEAD suites only', () => {
  /** The outcome of a handshake with the given client options: the protocol and suite agreed, or the failure. */
  function handshake(url: string, o: tls.ConnectionOptions): Promise<string> {
    const u = new URL(url);
    const id = fed.tlsOf('INPS_ISTRUTTORIA');
    return new Promise((resolve) => {
      const s = tls.connect({ host: u.hostname, port: Number(u.port), servername: 'localhost', ca: readFileSync(id.caFile), key: readFileSync(id.keyFile), cert: readFileSync(id.certFile), ...o });
      s.once('secureConnect', () => {
        resolve(`${s.getProtocol()} ${s.getCipher().standardName}`);
        s.destroy();
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(`rifiutata: ${err.code ?? err.message}`));
    });
  }
  const endpoints = () => [
    ['the INPS gateway', istruttoria],
    ["a party's node", fed.url('ANPAL')],
    ['the web console', fed.config.services.inpsConsole!.publicUrl],
  ];

  test.each(['AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-GCM-SHA256'])('a client offering only %s is refused by every endpoint', async (suite) => {
    for (const [, url] of endpoints()) {
      expect(await handshake(url!, { ciphers: suite, maxVersion: 'TLSv1.2' })).toMatch(/^rifiutata: /);
    }
  });

  test('a client offering only TLS 1.1 is refused by every endpoint', async () => {
    for (const [, url] of endpoints()) {
      expect(await handshake(url!, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toMatch(/^rifiutata: /);
    }
  });

  test('TLS 1.3, and TLS 1.2 with ECDHE-RSA AES-GCM or ChaCha20-Poly1305, are accepted by every endpoint', async () => {
    for (const [, url] of endpoints()) {
      expect(await handshake(url!, {})).toMatch(/^TLSv1\.3 TLS_AES_256_GCM_SHA384$/);
      expect(await handshake(url!, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
      expect(await handshake(url!, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' })).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
      expect(await handshake(url!, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' })).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
    }
  });

  test("OpenSSL's own client agrees (a second opinion, outside Node): AES128-SHA and ECDHE-RSA-AES128-SHA refused, ECDHE-RSA-AES128-GCM-SHA256 agreed", () => {
    const u = new URL(istruttoria);
    const sClient = (...args: string[]) =>
      spawnSync('/usr/bin/openssl', ['s_client', '-connect', `${u.hostname}:${u.port}`, '-servername', 'localhost', '-tls1_2', ...args], { input: '', encoding: 'utf8', timeout: 15_000 });
    for (const weak of ['AES128-SHA', 'ECDHE-RSA-AES128-SHA']) {
      const r = sClient('-cipher', weak);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/handshake failure|no cipher/i);
    }
    const ok = sClient('-cipher', 'ECDHE-RSA-AES128-GCM-SHA256');
    expect(ok.stdout).toMatch(/Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
  });

  test("a TLS 1.2 client is given the server's preferred suite (AES-256-GCM), whatever it lists first", async () => {
    expect(await handshake(istruttoria, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' })).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  });

  test('our SOAP client does not talk to a server that offers only a weak suite, and does to one that follows the policy', async () => {
    const inpsId = fed.identity('INPS');
    const serve = (o: tls.TlsOptions) =>
      new Promise<https.Server>((resolve) => {
        const s = https.createServer({ key: readFileSync(inpsId.keyFile), cert: readFileSync(inpsId.certFile), ...o }, (_req, res) => res.writeHead(404).end('niente'));
        s.listen(0, '127.0.0.1', () => resolve(s));
      });
    const client = fed.soapAs('INPS_ISTRUTTORIA');
    const outcome = async (o: tls.TlsOptions) => {
      const server = await serve(o);
      try {
        const port = (server.address() as { port: number }).port;
        await client.call({ url: `https://127.0.0.1:${port}/ape/istruttoria`, soapAction: STATO, headers: [], body: writeStatoIstruttoria({ protocolloDomanda: 'X' }) });
        return 'OK';
      } catch (err) {
        return (err as ApeError).code === 'CONTROPARTE_NON_RAGGIUNGIBILE' ? `non raggiungibile: ${(err as Error).message}` : (err as ApeError).code;
      } finally {
        server.closeAllConnections();
        server.close();
      }
    };
    expect(await outcome({ ciphers: 'AES128-SHA', maxVersion: 'TLSv1.2' })).toMatch(/^non raggiungibile: .*(handshake|no cipher|alert)/i);
    expect(await outcome({ ciphers: 'ECDHE-RSA-AES128-SHA', maxVersion: 'TLSv1.2' })).toMatch(/^non raggiungibile: .*(handshake|no cipher|alert)/i);
    expect(await outcome({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toMatch(/^non raggiungibile: /);
    // The control: the same server with a suite of the policy is reached (and answers 404, not SOAP).
    expect(await outcome({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).toBe('RISPOSTA_NON_VALIDA');
  });
});

describe('revocation (CRL), while the federation runs', () => {
  test("a party's certificate revoked with `npm run pki -- revoca`: its next call is refused, on its open connection too, without a restart", async () => {
    const client = fed.soapAs('INPS_PROVA');
    expect(await stato(client)).toBe('ISTRUTTORIA_NON_TROVATA');
    const pid = fed.procs.get('inps-gateway')!.child.pid;

    const out = pki('revoca', '--identity', 'INPS_PROVA', '--motivo', 'keyCompromise');
    expect(out).toMatch(/^revocato .*prova\.inps\.ape-precoci\.local.* \(numero di serie [0-9A-F]+, motivo keyCompromise\): CRL .* numero 2, 1 revocati/m);

    // The same client, its kept-alive connection: refused from the next call the CRL reaches.
    await eventually(async () => ((await stato(client)) === 'CERTIFICATO_REVOCATO' ? true : null), { what: 'the revoked certificate refused', timeoutMs: 15_000 });
    // A new connection too, as a SOAP Fault a counterpart can read.
    const r = await postRaw(istruttoria, signEnvelope(statoBody(), { keyPem: readFileSync(fed.identity('INPS_PROVA').keyFile, 'utf8'), certPem: readFileSync(fed.identity('INPS_PROVA').certFile, 'utf8'), to: istruttoria, now: new Date() }), { tls: fed.tlsOf('INPS_PROVA'), soapAction: `"${STATO}"` });
    expect(r.status).toBe(403);
    expect(r.fault).toMatchObject({ code: 'CERTIFICATO_REVOCATO', faultcode: 'soap:Client', retryable: 'false' });
    expect(r.fault!.message).toMatch(/^il certificato client ".*prova\.inps\.ape-precoci\.local.*" \(numero di serie [0-9A-F]+\) è stato revocato da .* \(motivo: keyCompromise, CRL numero 2\)/);
    // A revoked certificate identifies no party: its refusals are traced like every caller without an identity, one
    // record per address and minute naming the certificate and the code (a stolen key cannot grow the chain by flooding).
    fed.advanceClock(61_000);
    // (Summed over the records: the two refusals may fall on either side of a minute.)
    const aggregati = await eventually(async () => {
      const { rows } = await inps.query<{ esito: string; riferimenti: { rifiutiAggregati?: { codici: Record<string, number>; certificati: string[] } } }>(
        "SELECT esito, riferimenti FROM registro_accessi WHERE riferimenti ? 'rifiutiAggregati' ORDER BY seq",
      );
      const revocati = rows.filter((r) => (r.riferimenti.rifiutiAggregati?.codici.CERTIFICATO_REVOCATO ?? 0) > 0);
      return revocati.reduce((n, r) => n + r.riferimenti.rifiutiAggregati!.codici.CERTIFICATO_REVOCATO!, 0) >= 2 ? revocati : null;
    }, { what: 'the revoked certificate in the refusals records', timeoutMs: 15_000 });
    for (const a of aggregati) {
      expect(a.esito).toBe('RIFIUTATA');
      expect(a.riferimenti.rifiutiAggregati!.certificati.join(' ')).toContain('prova.inps.ape-precoci.local');
    }
    // Others are unaffected; the gateway is the same process.
    expect(await stato(fed.soapAs('INPS_ISTRUTTORIA'))).toBe('ISTRUTTORIA_NON_TROVATA');
    expect(fed.procs.get('inps-gateway')!.child.pid).toBe(pid);
    expect(gatewayLog().some((l) => l.msg === 'CRL reloaded' && l.crlNumber === 2)).toBe(true);
  });

  test('a tampered CRL, an older one or one from another CA is refused loudly by the running gateway, and the CRL in force stays', async () => {
    const crlFile = fed.config.pki.crl[0]!.crlFile;
    const inForce = readFileSync(crlFile);
    const foreign = createCertificateAuthority({ commonName: 'APE Precoci - CA di sviluppo della federazione' }, validityFrom(new Date(), 30));
    const forged = issueCrl(foreign, new X509Certificate(foreign.certPem), { number: 99, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000), revoked: [] });
    const der = Buffer.from(inForce.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[70] = der[70]! ^ 0x01;
    const tampered = `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`;
    const older = readFileSync(path.join(fed.dir, 'crl-1.pem'));
    try {
      for (const [what, content] of [['forged', forged], ['tampered', tampered], ['older', older]] as const) {
        const before = gatewayLog().filter((l) => l.msg === 'CRL refused: the CRL read before stays in force').length;
        writeFileSync(crlFile, content);
        await eventually(async () => (gatewayLog().filter((l) => l.msg === 'CRL refused: the CRL read before stays in force').length > before ? true : null), { what: `the ${what} CRL refused`, timeoutMs: 15_000 });
        expect(await stato(fed.soapAs('INPS_PROVA'))).toBe('CERTIFICATO_REVOCATO');
      }
      expect(gatewayLog().filter((l) => l.msg === 'CRL refused: the CRL read before stays in force').at(-1)).toMatchObject({ level: 'error', crlNumber: 2 });
    } finally {
      // The CA's genuine CRL back, for the tests that revoke further.
      writeFileSync(crlFile, inForce);
    }
  });

  test('a message signed with a revoked certificate is refused, though the TLS certificate is valid', async () => {
    // A second certificate of the case system (a key being replaced), signing while TLS uses the registered one.
    const ca = { certPem: readFileSync(fed.config.pki.caCertFile, 'utf8'), keyPem: readFileSync(path.join(fed.config.pki.dir, 'ca.key.pem'), 'utf8') };
    const subjectCN = fed.identity('INPS_ISTRUTTORIA').subjectCN;
    const second = issueCertificate(ca, { commonName: subjectCN, dnsNames: ['localhost', subjectCN] }, validityFrom(new Date(), 30));
    const secondFile = path.join(fed.dir, 'istruttoria-seconda.cert.pem');
    writeFileSync(secondFile, second.certPem);
    const signedBy = (pair: { keyPem: string; certPem: string }) => postRaw(istruttoria, signEnvelope(statoBody(), { ...pair, to: istruttoria, now: new Date() }), { tls: caseSystemTls(), soapAction: `"${STATO}"` });
    expect((await signedBy(second)).fault?.code).toBe('ISTRUTTORIA_NON_TROVATA');

    pki('revoca', '--certificato', secondFile, '--motivo', 'superseded');
    const refused = await eventually(async () => {
      const r = await signedBy(second);
      return r.fault?.code === 'CERTIFICATO_REVOCATO' ? r : null;
    }, { what: 'the message signed with the revoked certificate refused', timeoutMs: 15_000 });
    expect(refused.fault!.message).toMatch(/^il certificato di firma di INPS_ISTRUTTORIA \(istruttoria\.inps\.ape-precoci\.local\) \(numero di serie [0-9A-F]+\) è stato revocato .*motivo: superseded/);
    const own = { keyPem: readFileSync(fed.identity('INPS_ISTRUTTORIA').keyFile, 'utf8'), certPem: readFileSync(fed.identity('INPS_ISTRUTTORIA').certFile, 'utf8') };
    expect((await signedBy(own)).fault?.code).toBe('ISTRUTTORIA_NON_TROVATA');
  });

  test("a server whose certificate is revoked is not called by our client: the call fails, not retryable, before anything is sent", async () => {
    const store = new CrlStore(fed.config.pki.crl, { log: pino({ level: 'silent' }) });
    const t = fed.tlsOf('INPS_ISTRUTTORIA');
    const client = new SoapClient({ ...t, timeoutMs: 10_000, revocations: store });
    try {
      expect(await stato(client)).toBe('ISTRUTTORIA_NON_TROVATA');
      const accessi = async () => (await inps.query<{ n: number }>('SELECT count(*)::int AS n FROM registro_accessi')).rows[0]!.n;
      const before = await accessi();
      // The gateway's own certificate (identity INPS) is revoked; the client learns it from the CRL file.
      pki('revoca', '--identity', 'INPS', '--motivo', 'keyCompromise');
      store.refresh();
      let err: unknown;
      try {
        await client.call({ url: istruttoria, soapAction: STATO, headers: [operatoreHeader(OPERATORE)], body: writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-999999' }) });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApeError);
      expect(err).toMatchObject({ code: 'CERTIFICATO_REVOCATO', retryable: false });
      expect((err as Error).message).toMatch(new RegExp(`^il certificato server di ${istruttoria.replace(/[.]/g, '\\.')} \\(numero di serie [0-9A-F]+\\) è stato revocato`));
      // A new connection of the same client resumes the TLS session it had (Node then skips checkServerIdentity): refused.
      (client as unknown as { agent: https.Agent }).agent.destroy();
      expect(await stato(client)).toBe('CERTIFICATO_REVOCATO');
      // A new client, full handshake: refused.
      const fresh = new SoapClient({ ...t, timeoutMs: 10_000, revocations: store });
      try {
        expect(await stato(fresh)).toBe('CERTIFICATO_REVOCATO');
      } finally {
        fresh.close();
      }
      expect(await accessi()).toBe(before);
    } finally {
      client.close();
    }
  });
});
