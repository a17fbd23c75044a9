import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { ApeError } from '../../shared/errors';
import { metrics } from '../../shared/metrics/metrics';
import { evidenceHash } from '../../shared/pdnd/tracking-evidence';
import { PdndBench } from '../support/pdnd';

/**
 * The local authorization server as PDND's spec describes it, and each party's voucher client: vouchers are asked
 * for with a client assertion, carry the claims PDND's vouchers carry, and are cached (one token request per
 * purpose, operator and validity, never one per call).
 */
let bench: PdndBench;
const OPERATORE = { id: 'SYS-INAIL-VERIFICA', ufficio: 'INAIL - Direzione centrale rapporto assicurativo' };

beforeAll(async () => {
  bench = await PdndBench.start((json) => {
    json.pdnd.evidenzaDurataSecondi = 40;
    json.pdnd.anticipoRinnovoSecondi = 30;
    json.pdnd.finalita.push({ purposeId: 'finalita-anpal-sospesa', eservice: 'inps-istruttoria', fruitore: 'ANPAL', accordo: 'SOSPESO' });
  });
});

afterAll(async () => {
  await bench?.stop();
});

function postToken(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(bench.config.pdnd!.tokenEndpoint, { method: 'POST', ca: readFileSync(bench.config.pki.caCertFile), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function assertion(identity: string, claims: Record<string, unknown> = {}, key = bench.keyOf(identity)): Promise<string> {
  const client = bench.registry.clientOf(identity)!;
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: client.clientId, sub: client.clientId, aud: bench.config.pdnd!.tokenEndpoint, jti: randomUUID(), iat, exp: iat + 120, purposeId: `finalita-${identity.toLowerCase()}-inps-esiti`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: client.kid, typ: 'JWT' })
    .sign(key);
}

const form = (clientAssertion: string) => ({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion });

test('a voucher carries PDND\'s claims: iss, sub = client_id, aud = the e-service, purposeId, jti, iat, nbf, short exp, the evidence\'s digest; header kid and typ', async () => {
  const headers = await bench.voucherClient('INAIL').headersFor(bench.esiti, OPERATORE);
  const voucher = headers.Authorization!.replace(/^Bearer /, '');
  const claims = decodeJwt(voucher);
  expect(decodeProtectedHeader(voucher)).toEqual({ alg: 'RS256', kid: bench.asKid, typ: 'at+jwt' });
  expect(claims).toMatchObject({ iss: bench.config.pdnd!.issuer, sub: 'client-inail', aud: bench.esiti, client_id: 'client-inail', purposeId: 'finalita-inail-inps-esiti', digest: { alg: 'SHA256', value: evidenceHash(headers['Agid-JWT-TrackingEvidence']!) } });
  expect(claims.exp! - claims.iat!).toBe(600);
  expect(claims.nbf).toBe(claims.iat);
  expect(claims.jti).toEqual(expect.any(String));
  const evidence = decodeJwt(headers['Agid-JWT-TrackingEvidence']!);
  expect(evidence).toMatchObject({ iss: 'client-inail', aud: bench.esiti, userID: OPERATORE.id, userLocation: OPERATORE.ufficio, LoA: 'LoA3', purposeId: 'finalita-inail-inps-esiti' });
  expect(decodeProtectedHeader(headers['Agid-JWT-TrackingEvidence']!)).toEqual({ alg: 'RS256', kid: bench.registry.clientOf('INAIL')!.kid, typ: 'JWT' });
});

test('N calls of one operator make one token request; concurrent ones share it; another operator gets its own', async () => {
  const client = bench.voucherClient('MINLAVORO');
  const before = bench.as.issued;
  const hitsBefore = (await metrics().pdndCacheVoucher.get()).values.find((v) => v.labels.esito === 'hit')?.value ?? 0;
  const first = await Promise.all([1, 2, 3].map(() => client.headersFor(bench.esiti, OPERATORE)));
  for (let i = 0; i < 5; i++) expect(await client.headersFor(bench.esiti, OPERATORE)).toEqual(first[0]);
  expect(new Set(first.map((h) => h.Authorization)).size).toBe(1);
  expect(bench.as.issued - before).toBe(1);
  const hits = (await metrics().pdndCacheVoucher.get()).values.find((v) => v.labels.esito === 'hit')!.value;
  expect(hits - hitsBefore).toBe(5);
  const other = await client.headersFor(bench.esiti, { id: 'MIN-OP-7', ufficio: 'Ministero - DG' });
  expect(other.Authorization).not.toBe(first[0]!.Authorization);
  expect(bench.as.issued - before).toBe(2);
});

test('shortly before the evidence or the voucher expires, a new pair is obtained', async () => {
  let offset = 0;
  const client = bench.voucherClient('INL', () => new Date(Date.now() + offset));
  const before = bench.as.issued;
  const a = await client.headersFor(bench.esiti, OPERATORE);
  // Evidence valid 40 s, renewed 30 s before (at +10 s): still held at +5 s. Its iat is in whole seconds, so up to a
  // second of the renewal's margin is gone before the test starts; +9 s left too little for a slow machine.
  offset = 5_000;
  expect(await client.headersFor(bench.esiti, OPERATORE)).toEqual(a);
  offset = 11_000;
  const b = await client.headersFor(bench.esiti, OPERATORE);
  expect(b.Authorization).not.toBe(a.Authorization);
  expect(bench.as.issued - before).toBe(2);
});

test('a pair the counterpart refused is dropped: the next call obtains a new one', async () => {
  const client = bench.voucherClient('INAIL');
  const before = bench.as.issued;
  const a = await client.headersFor(bench.esiti, OPERATORE);
  expect(await client.headersFor(bench.esiti, OPERATORE)).toEqual(a);
  client.forget(bench.esiti, OPERATORE);
  const b = await client.headersFor(bench.esiti, OPERATORE);
  expect(b.Authorization).not.toBe(a.Authorization);
  expect(bench.as.issued - before).toBe(2);
});

test('a client with no purpose for the e-service called gets no voucher, and is told why', async () => {
  const err = await bench.voucherClient('INAIL').headersFor(bench.registry.eservices.get('hub-verifica')!.audience, OPERATORE).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApeError);
  expect((err as ApeError).code).toBe('VOUCHER_NON_OTTENUTO');
  expect((err as ApeError).retryable).toBe(false);
});

test('the token endpoint refuses a replayed, foreign-signed, misaddressed, expired client assertion, or one whose sub is not its iss (invalid_client, 401)', async () => {
  const good = await assertion('INAIL');
  expect((await postToken(form(good))).status).toBe(200);
  const replay = await postToken(form(good));
  expect([replay.status, replay.body.error]).toEqual([401, 'invalid_client']);
  for (const bad of [
    await assertion('INAIL', {}, bench.keyOf('ANPAL')),
    await assertion('INAIL', { aud: 'https://altro.example/token' }),
    await assertion('INAIL', { iss: 'client-inail', sub: 'client-anpal' }),
    await assertion('INAIL', { exp: Math.floor(Date.now() / 1000) - 300 }),
  ]) {
    const r = await postToken(form(bad));
    expect([r.status, r.body.error]).toEqual([401, 'invalid_client']);
  }
});

test('the token endpoint issues nothing for another consumer\'s purpose or a suspended agreement (400), nor without client_credentials', async () => {
  for (const purposeId of ['finalita-minlavoro-inps-esiti', 'finalita-anpal-sospesa', 'finalita-inesistente']) {
    const r = await postToken(form(await assertion('ANPAL', { purposeId })));
    expect([purposeId, r.status, r.body.error]).toEqual([purposeId, 400, 'invalid_request']);
  }
  const r = await postToken({ ...form(await assertion('ANPAL')), grant_type: 'password' });
  expect([r.status, r.body.error]).toEqual([400, 'unsupported_grant_type']);
  const digest = await postToken(form(await assertion('ANPAL', { digest: { alg: 'MD5', value: 'x' } })));
  expect([digest.status, digest.body.error]).toEqual([400, 'invalid_request']);
});

test('JWKS: the signing key, public only', async () => {
  const body = await new Promise<Record<string, any>>((resolve, reject) => {
    https.get(bench.config.pdnd!.jwksUrl, { ca: readFileSync(bench.config.pki.caCertFile) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>));
    }).on('error', reject);
  });
  expect(body.keys).toEqual([expect.objectContaining({ kty: 'RSA', kid: bench.asKid, alg: 'RS256', use: 'sig' })]);
  expect(body.keys[0].d).toBeUndefined();
});

test("a configured client-assertion audience (as PDND's back office shows it) is what clients send and what the server requires", async () => {
  const altro = await PdndBench.start((json) => {
    json.pdnd.audienceClientAssertion = 'auth.locale.ape-precoci/client-assertion';
  });
  try {
    const headers = await altro.voucherClient('INAIL').headersFor(altro.esiti, OPERATORE);
    expect(headers.Authorization).toMatch(/^Bearer /);
    // An assertion addressed to the token endpoint, as before, is refused there now.
    const client = altro.registry.clientOf('INAIL')!;
    const iat = Math.floor(Date.now() / 1000);
    const vecchia = await new SignJWT({ iss: client.clientId, sub: client.clientId, aud: altro.config.pdnd!.tokenEndpoint, jti: randomUUID(), iat, exp: iat + 120, purposeId: 'finalita-inail-inps-esiti' })
      .setProtectedHeader({ alg: 'RS256', kid: client.kid, typ: 'JWT' })
      .sign(altro.keyOf('INAIL'));
    const text = new URLSearchParams(form(vecchia)).toString();
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(altro.config.pdnd!.tokenEndpoint, { method: 'POST', ca: readFileSync(altro.config.pki.caCertFile), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(text);
    });
    expect(status).toBe(401);
  } finally {
    await altro.stop();
  }
});
