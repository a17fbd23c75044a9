import {
  ZONA_LEGALE,
  aggiungiGiorni,
  dataRoma,
  entroScadenza,
  inizioGiornoRoma,
  limiteIstruttoria,
  scadenzaEsito,
} from '../../shared/domain/scadenze';

const iso = (d: Date): string => d.toISOString();
const at = (s: string): Date => new Date(s);

describe('ZONA_LEGALE', () => {
  it('is Europe/Rome', () => {
    expect(ZONA_LEGALE).toBe('Europe/Rome');
  });
});

describe('dataRoma', () => {
  it.each([
    ['2026-01-15T10:00:00.000Z', '2026-01-15'], // CET
    ['2026-01-15T22:59:59.999Z', '2026-01-15'], // 23:59:59.999 Rome
    ['2026-01-15T23:00:00.000Z', '2026-01-16'], // 00:00 Rome, still the 15th in UTC
    ['2026-07-10T21:59:59.999Z', '2026-07-10'], // CEST: 23:59:59.999 Rome
    ['2026-07-10T22:00:00.000Z', '2026-07-11'], // CEST: 00:00 Rome
    ['2026-03-29T00:59:59.999Z', '2026-03-29'], // 01:59:59.999 CET, just before the spring change
    ['2026-03-29T01:00:00.000Z', '2026-03-29'], // 03:00 CEST, just after it
    ['2026-10-25T00:30:00.000Z', '2026-10-25'], // 02:30 CEST, first pass of the repeated hour
    ['2026-10-25T01:30:00.000Z', '2026-10-25'], // 02:30 CET, second pass
    ['2026-12-31T23:00:00.000Z', '2027-01-01'], // New Year in Rome, not yet in UTC
  ])('%s is %s in Rome', (instant, data) => {
    expect(dataRoma(at(instant))).toBe(data);
  });

  it('rejects an invalid Date', () => {
    expect(() => dataRoma(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('inizioGiornoRoma', () => {
  it.each([
    ['2026-01-15', '2026-01-14T23:00:00.000Z'], // CET
    ['2026-07-10', '2026-07-09T22:00:00.000Z'], // CEST
    ['2026-03-29', '2026-03-28T23:00:00.000Z'], // day of the spring change starts in CET (23 hours long)
    ['2026-03-30', '2026-03-29T22:00:00.000Z'], // next day starts in CEST
    ['2026-10-25', '2026-10-24T22:00:00.000Z'], // day of the autumn change starts in CEST (25 hours long)
    ['2026-10-26', '2026-10-25T23:00:00.000Z'], // next day starts in CET
    ['2027-01-01', '2026-12-31T23:00:00.000Z'],
    ['2028-02-29', '2028-02-28T23:00:00.000Z'],
  ])('%s starts at %s', (data, istante) => {
    expect(iso(inizioGiornoRoma(data))).toBe(istante);
  });

  it('round-trips with dataRoma', () => {
    expect(dataRoma(inizioGiornoRoma('2026-03-29'))).toBe('2026-03-29');
    expect(dataRoma(inizioGiornoRoma('2026-10-25'))).toBe('2026-10-25');
    expect(dataRoma(new Date(inizioGiornoRoma('2026-10-26').getTime() - 1))).toBe('2026-10-25');
  });

  it.each(['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '2026-01-01T00:00', ''])('rejects "%s"', (data) => {
    expect(() => inizioGiornoRoma(data)).toThrow(RangeError);
  });
});

describe('aggiungiGiorni', () => {
  it.each([
    ['2026-01-15', 5, '2026-01-20'],
    ['2026-12-28', 5, '2027-01-02'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2026-03-28', 2, '2026-03-30'], // across the spring change
    ['2026-10-24', 2, '2026-10-26'], // across the autumn change
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-15', 0, '2026-01-15'],
  ])('%s + %i = %s', (data, giorni, atteso) => {
    expect(aggiungiGiorni(data, giorni)).toBe(atteso);
  });

  it('rejects a fractional number of days and a malformed date', () => {
    expect(() => aggiungiGiorni('2026-01-15', 1.5)).toThrow(RangeError);
    expect(() => aggiungiGiorni('2026-02-29', 1)).toThrow(RangeError);
  });
});

describe('scadenzaEsito (5 giorni solari, day of receipt not counted)', () => {
  it('winter (CET, UTC+1): received 2026-01-15 -> by the end of 2026-01-20 Rome', () => {
    expect(iso(scadenzaEsito(at('2026-01-15T10:00:00Z')))).toBe('2026-01-20T23:00:00.000Z');
  });

  it('summer (CEST, UTC+2): received 2026-07-10 -> by the end of 2026-07-15 Rome', () => {
    expect(iso(scadenzaEsito(at('2026-07-10T08:00:00Z')))).toBe('2026-07-15T22:00:00.000Z');
  });

  it('any time of the same Rome day gives the same deadline', () => {
    const atteso = '2026-01-20T23:00:00.000Z';
    expect(iso(scadenzaEsito(at('2026-01-14T23:00:00.000Z')))).toBe(atteso); // 00:00 Rome on the 15th
    expect(iso(scadenzaEsito(at('2026-01-15T22:59:59.999Z')))).toBe(atteso); // 23:59:59.999 Rome on the 15th
  });

  it('23:59 Rome vs 00:01 Rome the next day fall on different days D', () => {
    expect(iso(scadenzaEsito(at('2026-01-15T22:59:00Z')))).toBe('2026-01-20T23:00:00.000Z'); // 23:59 Rome, 15th
    expect(iso(scadenzaEsito(at('2026-01-15T23:01:00Z')))).toBe('2026-01-21T23:00:00.000Z'); // 00:01 Rome, 16th
    expect(iso(scadenzaEsito(at('2026-07-10T21:59:00Z')))).toBe('2026-07-15T22:00:00.000Z'); // 23:59 CEST, 10th
    expect(iso(scadenzaEsito(at('2026-07-10T22:01:00Z')))).toBe('2026-07-16T22:00:00.000Z'); // 00:01 CEST, 11th
  });

  it('a receipt just before midnight UTC is already the next day in Rome', () => {
    // 23:30 UTC on 10 July is 01:30 CEST on 11 July: D = 2026-07-11.
    expect(iso(scadenzaEsito(at('2026-07-10T23:30:00Z')))).toBe('2026-07-16T22:00:00.000Z');
    // 23:59:59.999 UTC on 15 January is 00:59:59.999 CET on 16 January: D = 2026-01-16.
    expect(iso(scadenzaEsito(at('2026-01-15T23:59:59.999Z')))).toBe('2026-01-21T23:00:00.000Z');
  });

  it('deadline on the day before the spring change ends at midnight CET', () => {
    // Received 2026-03-23 -> last day 2026-03-28 -> bound 2026-03-29 00:00 CET.
    expect(iso(scadenzaEsito(at('2026-03-23T12:00:00Z')))).toBe('2026-03-28T23:00:00.000Z');
  });

  it('deadline on the day of the spring change (2026-03-29, 23 hours) ends at the next midnight, now CEST', () => {
    // Received 2026-03-24 -> last day 2026-03-29 -> bound 2026-03-30 00:00 CEST.
    const scadenza = scadenzaEsito(at('2026-03-24T12:00:00Z'));
    expect(iso(scadenza)).toBe('2026-03-29T22:00:00.000Z');
    // The last day lasted 23 hours, not 24.
    expect(scadenza.getTime() - inizioGiornoRoma('2026-03-29').getTime()).toBe(23 * 3600_000);
  });

  it('deadline on the day after the spring change', () => {
    // Received 2026-03-25 -> last day 2026-03-30 -> bound 2026-03-31 00:00 CEST.
    expect(iso(scadenzaEsito(at('2026-03-25T12:00:00Z')))).toBe('2026-03-30T22:00:00.000Z');
  });

  it('receipt in CET, deadline in CEST: 5 days + 23 hours of wall time between local midnights', () => {
    // Received 2026-03-27 (CET) -> last day 2026-04-01 -> bound 2026-04-02 00:00 CEST.
    expect(iso(scadenzaEsito(at('2026-03-27T09:00:00Z')))).toBe('2026-04-01T22:00:00.000Z');
  });

  it('deadline on the day before the autumn change ends at midnight CEST', () => {
    // Received 2026-10-19 -> last day 2026-10-24 -> bound 2026-10-25 00:00 CEST.
    expect(iso(scadenzaEsito(at('2026-10-19T12:00:00Z')))).toBe('2026-10-24T22:00:00.000Z');
  });

  it('deadline on the day of the autumn change (2026-10-25, 25 hours) ends at the next midnight, now CET', () => {
    // Received 2026-10-20 -> last day 2026-10-25 -> bound 2026-10-26 00:00 CET.
    const scadenza = scadenzaEsito(at('2026-10-20T12:00:00Z'));
    expect(iso(scadenza)).toBe('2026-10-25T23:00:00.000Z');
    expect(scadenza.getTime() - inizioGiornoRoma('2026-10-25').getTime()).toBe(25 * 3600_000);
  });

  it('receipt during the repeated hour of the autumn change counts as that Rome day', () => {
    // 02:30 CEST and 02:30 CET on 2026-10-25 are both D = 2026-10-25 -> bound 2026-10-31 00:00 CET.
    expect(iso(scadenzaEsito(at('2026-10-25T00:30:00Z')))).toBe('2026-10-30T23:00:00.000Z');
    expect(iso(scadenzaEsito(at('2026-10-25T01:30:00Z')))).toBe('2026-10-30T23:00:00.000Z');
  });

  it('across year end: received 2026-12-28 -> by the end of 2027-01-02', () => {
    expect(iso(scadenzaEsito(at('2026-12-28T15:00:00Z')))).toBe('2027-01-02T23:00:00.000Z');
    // Received at 00:30 Rome on 1 January (still 31 December in UTC).
    expect(iso(scadenzaEsito(at('2026-12-31T23:30:00Z')))).toBe('2027-01-06T23:00:00.000Z');
  });

  it('leap day 2028-02-29 is a day like any other', () => {
    // Received 2028-02-24 -> last day 2028-02-29.
    expect(iso(scadenzaEsito(at('2028-02-24T10:00:00Z')))).toBe('2028-02-29T23:00:00.000Z');
    // Received 2028-02-25 -> last day 2028-03-01 (the leap day is one of the 5).
    expect(iso(scadenzaEsito(at('2028-02-25T10:00:00Z')))).toBe('2028-03-01T23:00:00.000Z');
    // Received on the leap day -> last day 2028-03-05.
    expect(iso(scadenzaEsito(at('2028-02-29T10:00:00Z')))).toBe('2028-03-05T23:00:00.000Z');
    // Same receipt date in a common year: received 2027-02-24 -> last day 2027-03-01.
    expect(iso(scadenzaEsito(at('2027-02-24T10:00:00Z')))).toBe('2027-03-01T23:00:00.000Z');
  });

  it('takes another number of days', () => {
    expect(iso(scadenzaEsito(at('2026-01-15T10:00:00Z'), 0))).toBe('2026-01-15T23:00:00.000Z'); // end of D
    expect(iso(scadenzaEsito(at('2026-01-15T10:00:00Z'), 1))).toBe('2026-01-16T23:00:00.000Z');
    expect(iso(scadenzaEsito(at('2026-01-15T10:00:00Z'), 10))).toBe('2026-01-25T23:00:00.000Z');
  });

  it('rejects a negative or fractional number of days and an invalid instant', () => {
    expect(() => scadenzaEsito(at('2026-01-15T10:00:00Z'), -1)).toThrow(RangeError);
    expect(() => scadenzaEsito(at('2026-01-15T10:00:00Z'), 2.5)).toThrow(RangeError);
    expect(() => scadenzaEsito(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('entroScadenza', () => {
  const scadenza = scadenzaEsito(at('2026-01-15T10:00:00Z')); // 2026-01-20T23:00:00.000Z

  it('is false at exactly the bound', () => {
    expect(entroScadenza(at('2026-01-20T23:00:00.000Z'), scadenza)).toBe(false);
  });

  it('is true one millisecond before', () => {
    expect(entroScadenza(at('2026-01-20T22:59:59.999Z'), scadenza)).toBe(true);
  });

  it('is true at the moment of receipt and false after the bound', () => {
    expect(entroScadenza(at('2026-01-15T10:00:00Z'), scadenza)).toBe(true);
    expect(entroScadenza(at('2026-01-21T08:00:00Z'), scadenza)).toBe(false);
  });

  it('on the 23-hour day of the spring change, 23:59:59.999 CEST is still in time', () => {
    const s = scadenzaEsito(at('2026-03-24T12:00:00Z'));
    expect(entroScadenza(at('2026-03-29T21:59:59.999Z'), s)).toBe(true);
    expect(entroScadenza(at('2026-03-29T22:00:00.000Z'), s)).toBe(false);
  });

  it('on the 25-hour day of the autumn change, 23:59:59.999 CET is still in time', () => {
    const s = scadenzaEsito(at('2026-10-20T12:00:00Z'));
    expect(entroScadenza(at('2026-10-25T22:59:59.999Z'), s)).toBe(true);
    expect(entroScadenza(at('2026-10-25T23:00:00.000Z'), s)).toBe(false);
  });
});

describe('limiteIstruttoria', () => {
  // The window a domanda belongs to decides its cut-off (graduatorie.ts); these take the window as given.
  const TERZA_2026 = { graduatoria: '2026-12-31' };

  it('30 days when the window\'s graduatoria is later: end of Rome day presentation + 30', () => {
    // Presented 2026-04-10 (2nd window, graduatoria 15 October) -> end of 2026-05-10 (CEST).
    expect(limiteIstruttoria(at('2026-04-10T09:00:00Z'), { finestra: { graduatoria: '2026-10-15' } })).toEqual({
      limite: at('2026-05-10T22:00:00.000Z'),
      motivo: 'TRENTA_GIORNI',
    });
  });

  it('30 days when the domanda has no configured window', () => {
    expect(limiteIstruttoria(at('2026-01-15T10:00:00Z'), { finestra: null })).toEqual({
      limite: at('2026-02-14T23:00:00.000Z'),
      motivo: 'TRENTA_GIORNI',
    });
  });

  it('the window\'s cut-off when it comes earlier (a decree\'s tighter calendar)', () => {
    // Presented 2026-11-30: 30 days would end 2026-12-30; a graduatoria by 10 December comes first.
    const r = limiteIstruttoria(at('2026-11-30T10:00:00Z'), { finestra: { graduatoria: '2026-12-10' } });
    expect(r).toEqual({ limite: at('2026-12-10T23:00:00.000Z'), motivo: 'GRADUATORIA', scadenzaGraduatoria: '2026-12-10' });
  });

  it('a cut-off on the presentation day itself: INPS waits until the end of that day', () => {
    const r = limiteIstruttoria(at('2026-12-10T15:00:00Z'), { finestra: { graduatoria: '2026-12-10' } });
    expect(r).toEqual({ limite: at('2026-12-10T23:00:00.000Z'), motivo: 'GRADUATORIA', scadenzaGraduatoria: '2026-12-10' });
  });

  it('a cut-off on day 30 itself gives the same instant and is reported as TRENTA_GIORNI', () => {
    // Presented 2026-12-01 -> day 30 is 2026-12-31, the cut-off day.
    const r = limiteIstruttoria(at('2026-12-01T10:00:00Z'), { finestra: TERZA_2026 });
    expect(r).toEqual({ limite: at('2026-12-31T23:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
    // One day later the cut-off is day 29: GRADUATORIA.
    const r2 = limiteIstruttoria(at('2026-12-02T10:00:00Z'), { finestra: TERZA_2026 });
    expect(r2).toEqual({ limite: at('2026-12-31T23:00:00.000Z'), motivo: 'GRADUATORIA', scadenzaGraduatoria: '2026-12-31' });
  });

  it('a presentation at 00:30 Rome on 1 April (still 31 March in UTC) counts from 1 April', () => {
    const r = limiteIstruttoria(at('2026-03-31T22:30:00Z'), { finestra: { graduatoria: '2026-10-15' } });
    expect(r).toEqual({ limite: at('2026-05-01T22:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
  });

  it('30-day limit crossing the spring change: presented in CET, ends in CEST', () => {
    const r = limiteIstruttoria(at('2026-03-10T10:00:00Z'), { finestra: null });
    expect(r).toEqual({ limite: at('2026-04-09T22:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
  });

  it('30-day limit from the days of the changes themselves', () => {
    // 29 March 2026 (23-hour day) -> end of 28 April (CEST); 25 October 2026 (25-hour day) -> end of 24 November (CET).
    expect(limiteIstruttoria(at('2026-03-29T10:00:00Z'), { finestra: null }).limite).toEqual(at('2026-04-28T22:00:00.000Z'));
    expect(limiteIstruttoria(at('2026-10-25T10:00:00Z'), { finestra: null }).limite).toEqual(at('2026-11-24T23:00:00.000Z'));
  });

  it('30-day limit crossing the autumn change: presented in CEST, ends in CET', () => {
    const r = limiteIstruttoria(at('2026-10-10T10:00:00Z'), { finestra: null });
    expect(r).toEqual({ limite: at('2026-11-09T23:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
  });

  it('30-day limit crossing year end', () => {
    // Presented 2026-12-15 -> end of 2027-01-14; its window (the first of 2027) has its graduatoria in June.
    const r = limiteIstruttoria(at('2026-12-15T10:00:00Z'), { finestra: { graduatoria: '2027-06-30' } });
    expect(r).toEqual({ limite: at('2027-01-14T23:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
  });

  it('30-day limit across a leap February', () => {
    expect(limiteIstruttoria(at('2028-02-10T10:00:00Z'), { finestra: null }).limite).toEqual(at('2028-03-11T23:00:00.000Z'));
    expect(limiteIstruttoria(at('2027-02-10T10:00:00Z'), { finestra: null }).limite).toEqual(at('2027-03-12T23:00:00.000Z'));
    // Presented on 29 February 2028 -> end of 30 March 2028 (CEST since 26 March).
    expect(limiteIstruttoria(at('2028-02-29T10:00:00Z'), { finestra: null }).limite).toEqual(at('2028-03-30T22:00:00.000Z'));
  });

  it('takes another number of days', () => {
    const r = limiteIstruttoria(at('2026-04-10T09:00:00Z'), { giorni: 10, finestra: { graduatoria: '2026-10-15' } });
    expect(r).toEqual({ limite: at('2026-04-20T22:00:00.000Z'), motivo: 'TRENTA_GIORNI' });
  });

  it('rejects a malformed cut-off date and a bad number of days', () => {
    expect(() => limiteIstruttoria(at('2026-04-10T09:00:00Z'), { finestra: { graduatoria: '2026-02-30' } })).toThrow(RangeError);
    expect(() => limiteIstruttoria(at('2026-04-10T09:00:00Z'), { finestra: { graduatoria: '31/03/2026' } })).toThrow(RangeError);
    expect(() => limiteIstruttoria(at('2026-04-10T09:00:00Z'), { giorni: -1, finestra: null })).toThrow(RangeError);
  });
});
