import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRemoteJWKSet, UnsecuredJWT } from 'jose';
import type { ApeError } from '../../shared/errors';
import type { Pool } from 'pg';
import { VoucherVistiPostgres } from '../../shared/audit/voucher-visti';
import { PdndEndpointGuard, type PdndCall } from '../../shared/pdnd/guard';
import { evidenceHash } from '../../shared/pdnd/tracking-evidence';
import { TestDatabase } from '../support/database';
import { refusalOf } from '../support/intake';
import { PdndBench } from '../support/pdnd';

/**
 * What an endpoint makes of the PDND credentials of a caller PDND is on for (INAIL here), one hostile case each:
 * every voucher is minted with the authorization server's own key unless the case is about the key, so each
 * refusal is for the one thing the case changes. The jti store is the real one, in PostgreSQL.
 */
let bench: PdndBench;
let db: TestDatabase;
let pool: Pool;
let guard: PdndEndpointGuard;

const OPERATORE = { id: 'SYS-INAIL-VERIFICA', ufficio: 'INAIL - Direzione centrale rapporto assicurativo' };
const ALTRO = { id: 'INAIL-OP-0042', ufficio: 'INAIL - sede di Torino' };

beforeAll(async () => {
  bench = await PdndBench.start((json) => {
    // A purpose of INAIL's under a suspended agreement, on the same e-service.
    json.pdnd.finalita.push({ purposeId: 'finalita-inail-sospesa', eservice: 'inps-esiti', fruitore: 'INAIL', accordo: 'SOSPESO' });
  });
  db = await TestDatabase.create('pdnd_hostile', 'inps', ['audit']);
  pool = db.pool('inps');
  guard = newGuard();
});

afterAll(async () => {
  await bench?.stop();
  await db?.drop();
});

function newGuard(): PdndEndpointGuard {
  return new PdndEndpointGuard(bench.registry, Object.values(bench.config.identities), { replay: new VoucherVistiPostgres(pool), caFiles: [bench.config.pki.caCertFile], jwksCooldownMs: 0 });
}

/** A call as INAIL would make it to INPS's esiti: a voucher bound to the evidence, for OPERATORE. */
async function boundPair(operatore = OPERATORE, claims: Record<string, unknown> = {}) {
  const evidence = await bench.evidence('INAIL', operatore);
  const voucher = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: evidence.hash }, ...claims });
  return { voucher, evidence: evidence.token };
}

function call(voucher: string | undefined, evidence: string | undefined, o: Partial<PdndCall> = {}): PdndCall {
  return { authorization: voucher === undefined ? undefined : `Bearer ${voucher}`, evidence, audience: bench.esiti, caller: 'INAIL', operatoreId: OPERATORE.id, ...o };
}

const now = () => Math.floor(Date.now() / 1000);

test('PDND is required of the identities it is on for only', () => {
  expect(guard.requires('INAIL')).toBe(true);
  expect(guard.requires('MINLAVORO')).toBe(false);
});

test('a voucher the authorization server issued, bound to the operator\'s evidence, is accepted; its claims and hash are returned for the access record', async () => {
  const headers = await bench.voucherClient('INAIL').headersFor(bench.esiti, OPERATORE);
  const token = headers.Authorization!.slice('Bearer '.length);
  const evidenza = await guard.check(call(token, headers['Agid-JWT-TrackingEvidence']));
  expect(evidenza).toMatchObject({ iss: 'client-inail', aud: bench.esiti, userID: OPERATORE.id, userLocation: OPERATORE.ufficio, LoA: 'LoA3', purposeId: 'finalita-inail-inps-esiti', hash: evidenceHash(headers['Agid-JWT-TrackingEvidence']!) });
  // The holder reuses it for its next call: the same voucher, the same evidence, accepted again.
  await expect(guard.check(call(token, headers['Agid-JWT-TrackingEvidence']))).resolves.toMatchObject({ jti: evidenza.jti });
});

test('no voucher: VOUCHER_ASSENTE; a scheme other than Bearer is none either', async () => {
  const { evidence } = await boundPair();
  expect(await refusalOf(guard.check(call(undefined, evidence)))).toBe('VOUCHER_ASSENTE');
  expect(await refusalOf(guard.check(call(undefined, evidence, { authorization: 'Basic aW5haWw6eA==' })))).toBe('VOUCHER_ASSENTE');
});

test('expired: VOUCHER_SCADUTO', async () => {
  const { voucher, evidence } = await boundPair(OPERATORE, { iat: now() - 1200, nbf: now() - 1200, exp: now() - 600 });
  expect(await refusalOf(guard.check(call(voucher, evidence)))).toBe('VOUCHER_SCADUTO');
});

test('not yet valid (nbf, or iat, beyond the skew): VOUCHER_NON_ANCORA_VALIDO', async () => {
  const a = await boundPair(OPERATORE, { nbf: now() + 600 });
  expect(await refusalOf(guard.check(call(a.voucher, a.evidence)))).toBe('VOUCHER_NON_ANCORA_VALIDO');
  const b = await boundPair(OPERATORE, { iat: now() + 600 });
  expect(await refusalOf(guard.check(call(b.voucher, b.evidence)))).toBe('VOUCHER_NON_ANCORA_VALIDO');
});

test('wrong aud (another e-service): VOUCHER_DESTINATARIO_ERRATO', async () => {
  const { voucher, evidence } = await boundPair(OPERATORE, { aud: bench.registry.eservices.get('inps-istruttoria')!.audience });
  expect(await refusalOf(guard.check(call(voucher, evidence)))).toBe('VOUCHER_DESTINATARIO_ERRATO');
});

test('wrong purpose, another consumer\'s purpose, or a suspended agreement: VOUCHER_FINALITA_NON_VALIDA', async () => {
  for (const purposeId of ['finalita-inesistente', 'finalita-anpal-inps-esiti', 'finalita-inail-sospesa', 'finalita-inps-hub-verifica']) {
    const { voucher, evidence } = await boundPair(OPERATORE, { purposeId });
    expect([purposeId, await refusalOf(guard.check(call(voucher, evidence)))]).toEqual([purposeId, 'VOUCHER_FINALITA_NON_VALIDA']);
  }
});

test('another client\'s voucher (ANPAL\'s, genuinely issued) presented on INAIL\'s TLS channel: VOUCHER_CLIENT_NON_CORRISPONDENTE', async () => {
  const anpal = await bench.voucherClient('ANPAL').headersFor(bench.esiti, OPERATORE);
  expect(await refusalOf(guard.check(call(anpal.Authorization!.slice(7), anpal['Agid-JWT-TrackingEvidence'])))).toBe('VOUCHER_CLIENT_NON_CORRISPONDENTE');
  // Nor may a voucher name one client in sub and another in client_id.
  const { voucher, evidence } = await boundPair(OPERATORE, { sub: 'client-anpal' });
  expect(await refusalOf(guard.check(call(voucher, evidence)))).toBe('VOUCHER_NON_VALIDO');
});

test('tampered payload (exp pushed a day on after signing): VOUCHER_NON_VALIDO', async () => {
  const { voucher, evidence } = await boundPair();
  const [h, p, s] = voucher.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
  payload.exp = (payload.exp as number) + 86_400;
  const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  expect(await refusalOf(guard.check(call(tampered, evidence)))).toBe('VOUCHER_NON_VALIDO');
});

test('alg none: VOUCHER_NON_VALIDO', async () => {
  const e = await bench.evidence('INAIL', OPERATORE);
  const client = bench.registry.clientOf('INAIL')!;
  const unsigned = new UnsecuredJWT({ client_id: client.clientId, purposeId: 'finalita-inail-inps-esiti', digest: { alg: 'SHA256', value: e.hash } })
    .setIssuer(bench.config.pdnd!.issuer).setSubject(client.clientId).setAudience(bench.esiti).setJti('jti-none').setIssuedAt().setNotBefore(now()).setExpirationTime('10m').encode();
  expect(await refusalOf(guard.check(call(unsigned, e.token)))).toBe('VOUCHER_NON_VALIDO');
});

test('HS256 signed with the authorization server\'s public key as the secret: VOUCHER_NON_VALIDO', async () => {
  const e = await bench.evidence('INAIL', OPERATORE);
  const publicPem = readFileSync(bench.config.pki.dir + '/pdnd.cert.pem');
  const forged = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: e.hash } }, { alg: 'HS256', key: new Uint8Array(publicPem) });
  expect(await refusalOf(guard.check(call(forged, e.token)))).toBe('VOUCHER_NON_VALIDO');
});

test('unknown kid (a key the authorization server never published): VOUCHER_NON_VALIDO, after fetching the JWKS again', async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const e = await bench.evidence('INAIL', OPERATORE);
  const forged = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: e.hash } }, { key: privateKey, kid: 'chiave-sconosciuta' });
  expect(await refusalOf(guard.check(call(forged, e.token)))).toBe('VOUCHER_NON_VALIDO');
  // Nor does a known kid make a foreign key's signature good.
  const withKnownKid = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: e.hash } }, { key: privateKey });
  expect(await refusalOf(guard.check(call(withKnownKid, e.token)))).toBe('VOUCHER_NON_VALIDO');
});

test('key rotation: a voucher under the authorization server\'s new kid is accepted (the unknown kid refreshes the cached JWKS once)', async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = await bench.as.rotate(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const e = await bench.evidence('INAIL', OPERATORE);
  const rotated = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: e.hash } }, { key: privateKey, kid });
  await expect(guard.check(call(rotated, e.token))).resolves.toMatchObject({ userID: OPERATORE.id });
  // The previous key is still published: what it signed before the rotation stays good until it expires.
  const before = await boundPair();
  await expect(guard.check(call(before.voucher, before.evidence))).resolves.toMatchObject({ userID: OPERATORE.id });
});

test('a jti replayed with another binding is VOUCHER_RIPETUTO, also for another instance of the endpoint (the store is durable)', async () => {
  const first = await boundPair();
  const jti = JSON.parse(Buffer.from(first.voucher.split('.')[1]!, 'base64url').toString('utf8')).jti as string;
  await guard.check(call(first.voucher, first.evidence));
  // Same jti, bound to other evidence (another operator's): a voucher no server would issue twice.
  const second = await boundPair(ALTRO, { jti });
  expect(await refusalOf(guard.check(call(second.voucher, second.evidence, { operatoreId: ALTRO.id })))).toBe('VOUCHER_RIPETUTO');
  expect(await refusalOf(newGuard().check(call(second.voucher, second.evidence, { operatoreId: ALTRO.id })))).toBe('VOUCHER_RIPETUTO');
  const { rows } = await pool.query<{ mittente: string }>('SELECT mittente FROM voucher_visto WHERE jti = $1', [jti]);
  expect(rows).toEqual([{ mittente: 'INAIL' }]);
});

test('evidence missing: EVIDENZA_ASSENTE', async () => {
  const { voucher } = await boundPair();
  expect(await refusalOf(guard.check(call(voucher, undefined)))).toBe('EVIDENZA_ASSENTE');
});

test('evidence not bound to the voucher (another evidence, or a voucher without digest): EVIDENZA_NON_VINCOLATA', async () => {
  const { voucher } = await boundPair();
  const other = await bench.evidence('INAIL', OPERATORE);
  expect(await refusalOf(guard.check(call(voucher, other.token)))).toBe('EVIDENZA_NON_VINCOLATA');
  const unbound = await bench.mint('INAIL');
  expect(await refusalOf(guard.check(call(unbound, other.token)))).toBe('EVIDENZA_NON_VINCOLATA');
});

test('evidence of another operator than com:Operatore: OPERATORE_NON_CORRISPONDENTE', async () => {
  const { voucher, evidence } = await boundPair(ALTRO);
  expect(await refusalOf(guard.check(call(voucher, evidence)))).toBe('OPERATORE_NON_CORRISPONDENTE');
});

test('evidence signed with another key, for another audience, expired, or too long-lived: EVIDENZA_NON_VALIDA', async () => {
  const cases = [
    await bench.evidence('INAIL', OPERATORE, { key: bench.keyOf('ANPAL') }),
    await bench.evidence('INAIL', OPERATORE, { audience: bench.registry.eservices.get('inps-istruttoria')!.audience }),
    await bench.evidence('INAIL', OPERATORE, { now: new Date(Date.now() - 3_600_000) }),
    await bench.evidence('INAIL', OPERATORE, { validitySeconds: 3600 }),
  ];
  for (const [i, e] of cases.entries()) {
    const voucher = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: e.hash } });
    expect([i, await refusalOf(guard.check(call(voucher, e.token)))]).toEqual([i, 'EVIDENZA_NON_VALIDA']);
  }
});

test('a JWT the authorization server signed that is not an access token (typ other than at+jwt): VOUCHER_NON_VALIDO', async () => {
  const { evidence, hash } = await bench.evidence('INAIL', OPERATORE).then((e) => ({ evidence: e.token, hash: e.hash }));
  const voucher = await bench.mint('INAIL', { digest: { alg: 'SHA256', value: hash } }, { typ: 'JWT' });
  expect(await refusalOf(guard.check(call(voucher, evidence)))).toBe('VOUCHER_NON_VALIDO');
});

test('a voucher or an evidence that is not a JWT at all is the caller\'s fault (not retryable), never "keys unavailable"', async () => {
  const { voucher, evidence } = await boundPair();
  for (const garbage of ['garbage', 'a.b', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln']) {
    expect([garbage, await refusalOf(guard.check(call(garbage, evidence)))]).toEqual([garbage, 'VOUCHER_NON_VALIDO']);
    expect([garbage, await refusalOf(guard.check(call(voucher, garbage)))]).toEqual([garbage, 'EVIDENZA_NON_VALIDA']);
  }
});

test('keys the endpoint cannot fetch (authorization server down, or answering 503) are SERVIZIO_NON_DISPONIBILE, retryable, not the caller\'s fault', async () => {
  const down = http.createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
  const port = (down.address() as { port: number }).port;
  const { voucher, evidence } = await boundPair();
  try {
    const guard503 = new PdndEndpointGuard(bench.registry, Object.values(bench.config.identities), { replay: new VoucherVistiPostgres(pool), jwks: createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/jwks`)) });
    const err = await guard503.check(call(voucher, evidence)).catch((e: unknown) => e);
    expect([(err as ApeError).code, (err as ApeError).retryable]).toEqual(['SERVIZIO_NON_DISPONIBILE', true]);
  } finally {
    await new Promise((resolve) => down.close(resolve));
  }
  const guardDown = new PdndEndpointGuard(bench.registry, Object.values(bench.config.identities), { replay: new VoucherVistiPostgres(pool), jwks: createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/jwks`)) });
  expect(await refusalOf(guardDown.check(call(voucher, evidence)))).toBe('SERVIZIO_NON_DISPONIBILE');
});

