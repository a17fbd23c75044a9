import { ApeError } from '../../shared/errors';
import { controllaPresentazione, descriviFinestra, finestraDi, finestre, problemiCalendario, type CalendarioGraduatorie } from '../../shared/domain/graduatorie';

const at = (s: string): Date => new Date(s);

/** The calendar seen in practice (DOMAIN.md, "Graduatoria"), three years so that windows cross years. */
const CALENDARIO: CalendarioGraduatorie = {
  '2026': [
    { chiusura: '2026-03-31', graduatoria: '2026-06-30' },
    { chiusura: '2026-07-15', graduatoria: '2026-10-15' },
    { chiusura: '2026-11-30', graduatoria: '2026-12-31' },
  ],
  '2027': [
    { chiusura: '2027-03-31', graduatoria: '2027-06-30' },
    { chiusura: '2027-07-15', graduatoria: '2027-10-15' },
    { chiusura: '2027-11-30', graduatoria: '2027-12-31' },
  ],
  '2028': [{ chiusura: '2028-03-31', graduatoria: '2028-06-30' }],
};

const numero = (data: string) => {
  const f = finestraDi(data, CALENDARIO);
  return f && `${f.anno}/${f.numero} ${f.graduatoria}`;
};

describe('finestraDi: the window a presentation date belongs to', () => {
  it.each([
    ['2026-01-01', '2026/1 2026-06-30'], // the first configured window opens on 1 January of its year
    ['2026-03-31', '2026/1 2026-06-30'], // last day of the first window
    ['2026-04-01', '2026/2 2026-10-15'], // first day of the second
    ['2026-07-15', '2026/2 2026-10-15'],
    ['2026-07-16', '2026/3 2026-12-31'],
    ['2026-11-30', '2026/3 2026-12-31'],
    ['2026-12-01', '2027/1 2027-06-30'], // after 30 November: the first window of the next year
    ['2026-12-31', '2027/1 2027-06-30'],
    ['2027-01-01', '2027/1 2027-06-30'],
    ['2028-02-29', '2028/1 2028-06-30'], // leap day
    ['2028-03-31', '2028/1 2028-06-30'],
  ])('%s -> window %s', (data, atteso) => {
    expect(numero(data)).toBe(atteso);
  });

  it('null outside the calendar: before its first window and after its last', () => {
    expect(numero('2025-12-31')).toBeNull();
    expect(numero('2028-04-01')).toBeNull();
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expect(() => finestraDi('2026-02-30', CALENDARIO)).toThrow(RangeError);
  });

  it('describes a window for people', () => {
    expect(descriviFinestra(finestraDi('2026-05-02', CALENDARIO)!)).toBe('2ª finestra 2026 (01/04/2026–15/07/2026, graduatoria entro il 15/10/2026)');
    expect(finestre(CALENDARIO)).toHaveLength(7);
  });
});

describe('problemiCalendario', () => {
  it('a valid calendar has none', () => {
    expect(problemiCalendario(CALENDARIO)).toEqual([]);
  });

  it('names each problem with its place', () => {
    expect(
      problemiCalendario({
        '26': [{ chiusura: '2026-03-31', graduatoria: '2026-06-30' }],
        '2026': [
          { chiusura: '2026-07-15', graduatoria: '2026-06-30' },
          { chiusura: '2026-03-31', graduatoria: '2026-10-15' },
          { chiusura: '2027-11-30', graduatoria: '2027-12-31' },
          { chiusura: '2026-12-31', graduatoria: '2026-02-30' },
        ],
        '2027': [],
      }),
    ).toEqual([
      "2026[0].graduatoria: 2026-06-30 precede la chiusura della finestra 2026-07-15",
      '2026[1].chiusura: 2026-03-31 non segue la chiusura di 2026[0] (2026-07-15)',
      "2026[2].chiusura: 2027-11-30 non è nell'anno 2026",
      '2026[3].graduatoria: "2026-02-30" non è una data AAAA-MM-GG valida',
      '2027: nessuna finestra',
      "26: l'anno deve essere di quattro cifre",
    ]);
  });
});

describe('controllaPresentazione: every date checked against the receipt', () => {
  const opts = { calendario: CALENDARIO, tolleranzaMs: 120_000 };
  const rifiuto = (presentata: string, ricevuta: string): string | null => {
    try {
      controllaPresentazione(at(presentata), at(ricevuta), opts);
      return null;
    } catch (err) {
      return (err as ApeError).code;
    }
  };

  it('a presentation after the receipt beyond the tolerance is refused: DATA_PRESENTAZIONE_FUTURA', () => {
    // A 2035 date would otherwise set the limit in 2035.
    expect(rifiuto('2035-06-20T10:00:00Z', '2026-12-02T10:00:00Z')).toBe('DATA_PRESENTAZIONE_FUTURA');
    expect(rifiuto('2026-12-02T10:02:00.001Z', '2026-12-02T10:00:00Z')).toBe('DATA_PRESENTAZIONE_FUTURA');
    // Within the tolerance (clocks of INPS's systems a little apart): accepted.
    expect(rifiuto('2026-12-02T10:02:00.000Z', '2026-12-02T10:00:00Z')).toBeNull();
  });

  it('a domanda received after its window\'s graduatoria day is refused: DOMANDA_FUORI_FINESTRA', () => {
    // Presented 20 June 2026 (2nd window, graduatoria by 15 October), received 2 December.
    expect(rifiuto('2026-06-20T08:00:00Z', '2026-12-02T16:33:27Z')).toBe('DOMANDA_FUORI_FINESTRA');
    // The last second of 15 October in Rome (CEST) is still in time; the first of 16 October is not.
    expect(rifiuto('2026-06-20T08:00:00Z', '2026-10-15T21:59:59Z')).toBeNull();
    expect(rifiuto('2026-06-20T08:00:00Z', '2026-10-15T22:00:00Z')).toBe('DOMANDA_FUORI_FINESTRA');
  });

  it('the message says which window and why', () => {
    expect(() => controllaPresentazione(at('2026-06-20T08:00:00Z'), at('2026-12-02T16:33:27Z'), opts)).toThrow(
      'la domanda presentata il 2026-06-20 appartiene alla 2ª finestra 2026 (01/04/2026–15/07/2026, graduatoria entro il 15/10/2026), la cui graduatoria è già stata predisposta: ricevuta il 2026-12-02',
    );
  });

  it('a presentation one second before and after midnight in Rome belongs to different windows', () => {
    // 31 March 2026 23:59:59 Rome (CEST) is the first window; 1 April 00:00:00 the second.
    expect(controllaPresentazione(at('2026-03-31T21:59:59Z'), at('2026-04-01T10:00:00Z'), opts).finestra?.numero).toBe(1);
    expect(controllaPresentazione(at('2026-03-31T22:00:00Z'), at('2026-04-01T10:00:00Z'), opts).finestra?.numero).toBe(2);
    // 30 November 23:59:59 Rome (CET) is the third window of 2026; 1 December 00:00:00 the first of 2027.
    expect(controllaPresentazione(at('2026-11-30T22:59:59Z'), at('2026-12-01T10:00:00Z'), opts).finestra).toMatchObject({ anno: 2026, numero: 3 });
    expect(controllaPresentazione(at('2026-11-30T23:00:00Z'), at('2026-12-01T10:00:00Z'), opts).finestra).toMatchObject({ anno: 2027, numero: 1 });
  });

  it('31 December -> 1 January: both belong to the first window of the new year', () => {
    expect(controllaPresentazione(at('2026-12-31T22:59:59Z'), at('2027-01-01T08:00:00Z'), opts).finestra).toMatchObject({ anno: 2027, numero: 1 });
    expect(controllaPresentazione(at('2026-12-31T23:00:00Z'), at('2027-01-01T08:00:00Z'), opts).finestra).toMatchObject({ anno: 2027, numero: 1 });
  });

  it('on the daylight-saving days the Rome date decides', () => {
    // 29 March 2026 01:59:59 CET / 03:00 CEST; 25 October 2026 02:30 twice.
    expect(controllaPresentazione(at('2026-03-29T00:59:59Z'), at('2026-03-29T05:00:00Z'), opts).finestra?.numero).toBe(1);
    expect(controllaPresentazione(at('2026-10-25T01:30:00Z'), at('2026-10-25T05:00:00Z'), opts).finestra?.numero).toBe(3);
  });

  it('a date with no configured window is accepted without one (the 30 days alone apply)', () => {
    expect(controllaPresentazione(at('2028-05-02T10:00:00Z'), at('2028-05-02T10:00:00Z'), opts)).toEqual({ finestra: null });
  });
});
