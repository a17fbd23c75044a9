import { admit, AdmissionControl } from '../../shared/soap/intake/admission';
import { fakeResponse, refusal } from '../support/intake';

/** Admission: calls in progress are counted per party; over the limit a call is refused at once, with Retry-After. */

function call(control: AdmissionControl, party: string) {
  const req = { resumed: false, resume() { this.resumed = true; } };
  const res = fakeResponse();
  return { code: refusal(() => admit(control, party, req, res)), resumed: req.resumed, retryAfter: res.headers['retry-after'] };
}

test('up to the limit per party calls are admitted; the next is SERVIZIO_NON_DISPONIBILE with Retry-After and its body drained', () => {
  const control = new AdmissionControl(2);
  expect(call(control, 'ANPAL').code).toBeNull();
  expect(call(control, 'ANPAL').code).toBeNull();
  expect(call(control, 'ANPAL')).toEqual({ code: 'SERVIZIO_NON_DISPONIBILE', resumed: true, retryAfter: '1' });
});

test("one party's calls do not count against another's", () => {
  const control = new AdmissionControl(1);
  expect(call(control, 'ANPAL').code).toBeNull();
  expect(call(control, 'ANPAL').code).toBe('SERVIZIO_NON_DISPONIBILE');
  expect(call(control, 'INAIL')).toEqual({ code: null, resumed: false, retryAfter: undefined });
});

test('a refused call holds its count until it leaves like any other; after the calls leave the party is admitted again', () => {
  const control = new AdmissionControl(1);
  expect(call(control, 'ANPAL').code).toBeNull();
  expect(call(control, 'ANPAL').code).toBe('SERVIZIO_NON_DISPONIBILE');
  control.leave('ANPAL');
  // The refused call has not left yet: still two minus one in progress.
  expect(call(control, 'ANPAL').code).toBe('SERVIZIO_NON_DISPONIBILE');
  control.leave('ANPAL');
  control.leave('ANPAL');
  expect(call(control, 'ANPAL').code).toBeNull();
});

test('without a configured limit every call is admitted', () => {
  const control = new AdmissionControl(Infinity);
  for (let i = 0; i < 1000; i++) expect(control.enter('ANPAL')).toBe(true);
});
