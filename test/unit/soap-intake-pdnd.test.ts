import { ApeError, type ErrorCode } from '../../shared/errors';
import { metrics } from '../../shared/metrics/metrics';
import type { PdndCall, PdndGuard } from '../../shared/pdnd/guard';
import type { EvidenzaTracciamento } from '../../shared/pdnd/tracking-evidence';
import { checkPdnd } from '../../shared/soap/intake/pdnd';
import { startRequest } from '../../shared/soap/intake/context';
import { systemClock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { fakeResponse, refusalOf } from '../support/intake';

/**
 * The PDND stage: only callers PDND is on for are checked; what the guard returns goes into the access record; a
 * refusal is counted by reason, and a voucher refusal carries WWW-Authenticate (RFC 6750).
 */
const EVIDENZA: EvidenzaTracciamento = { iss: 'client-inail', aud: 'https://x/ape/esiti', jti: 'j', iat: 1, nbf: 1, exp: 2, purposeId: 'p', userID: 'OP-1', userLocation: 'sede', LoA: 'LoA3', hash: 'a'.repeat(64) };

function guard(refuse: ErrorCode | null, seen: PdndCall[] = []): PdndGuard {
  return {
    requires: (identity) => identity === 'INAIL',
    check: async (call) => {
      seen.push(call);
      if (refuse) throw new ApeError(refuse, 'rifiutato');
      return EVIDENZA;
    },
  };
}

const ctx = () => startRequest({ url: '/ape/esiti', socket: { remoteAddress: '127.0.0.1' } as never }, systemClock, createLogger('test'));
const headers = { authorization: 'Bearer abc', 'agid-jwt-trackingevidence': 'ev' };

test('a caller PDND is off for passes untouched; one it is on for has its headers checked and its evidence recorded', async () => {
  const seen: PdndCall[] = [];
  const off = ctx();
  await checkPdnd(off, guard(null, seen), { headers, audience: 'https://x/ape/esiti', caller: 'ANPAL', operatoreId: 'OP-1' }, fakeResponse());
  expect(seen).toEqual([]);
  expect(off.access.evidenza).toBeUndefined();
  const on = ctx();
  await checkPdnd(on, guard(null, seen), { headers, audience: 'https://x/ape/esiti', caller: 'INAIL', operatoreId: 'OP-1' }, fakeResponse());
  expect(seen).toEqual([{ authorization: 'Bearer abc', evidence: 'ev', audience: 'https://x/ape/esiti', caller: 'INAIL', operatoreId: 'OP-1' }]);
  expect(on.access.evidenza).toEqual(EVIDENZA);
});

test('a server without a guard checks nobody', async () => {
  expect(await refusalOf(checkPdnd(ctx(), undefined, { headers: {}, audience: 'a', caller: 'INAIL', operatoreId: 'OP-1' }, fakeResponse()))).toBeNull();
});

test.each([
  ['VOUCHER_ASSENTE', 'Bearer realm="pdnd", error="invalid_request", error_description="VOUCHER_ASSENTE"'],
  ['VOUCHER_SCADUTO', 'Bearer realm="pdnd", error="invalid_token", error_description="VOUCHER_SCADUTO"'],
  ['VOUCHER_CLIENT_NON_CORRISPONDENTE', 'Bearer realm="pdnd", error="insufficient_scope", error_description="VOUCHER_CLIENT_NON_CORRISPONDENTE"'],
  ['EVIDENZA_NON_VINCOLATA', undefined],
  ['OPERATORE_NON_CORRISPONDENTE', undefined],
] as const)('%s is thrown as it is, counted by reason, with WWW-Authenticate %s', async (code, challenge) => {
  const res = fakeResponse();
  const before = (await metrics().pdndRifiuti.get()).values.find((v) => v.labels.motivo === code)?.value ?? 0;
  expect(await refusalOf(checkPdnd(ctx(), guard(code), { headers, audience: 'a', caller: 'INAIL', operatoreId: 'OP-1' }, res))).toBe(code);
  expect(res.headers['www-authenticate']).toBe(challenge);
  const after = (await metrics().pdndRifiuti.get()).values.find((v) => v.labels.motivo === code && v.labels.chiamante === 'INAIL')!.value;
  expect(after - before).toBe(1);
});

test('the HTTP status of each refusal: 401 for a voucher to obtain again, 403 for one of another client or purpose, 400 for the evidence', () => {
  const status = (code: ErrorCode) => new ApeError(code, 'x').httpStatus;
  expect(['VOUCHER_ASSENTE', 'VOUCHER_NON_VALIDO', 'VOUCHER_SCADUTO', 'VOUCHER_NON_ANCORA_VALIDO', 'VOUCHER_DESTINATARIO_ERRATO', 'VOUCHER_RIPETUTO'].map((c) => status(c as ErrorCode))).toEqual([401, 401, 401, 401, 401, 401]);
  expect([status('VOUCHER_FINALITA_NON_VALIDA'), status('VOUCHER_CLIENT_NON_CORRISPONDENTE'), status('OPERATORE_NON_CORRISPONDENTE')]).toEqual([403, 403, 403]);
  expect([status('EVIDENZA_ASSENTE'), status('EVIDENZA_NON_VALIDA'), status('EVIDENZA_NON_VINCOLATA')]).toEqual([400, 400, 400]);
});
