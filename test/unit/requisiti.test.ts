import { SCENARI, scenario } from '../../infra/demo/dataset';
import { continuita, controlliInps, etaApeSociale, lavoroPrima19Anni, type EsitoContinuita } from '../../shared/domain/requisiti';
import type { Domanda, Periodo } from '../../shared/domain/types';

/** Decorrenza used by most continuity cases: six years 2021-2026, seventh year 2020 (leap, 366 days). */
const DECORRENZA = '2027-01-01';
const FINESTRE_2027 = {
  seiAnni: { dal: '2021-01-01', al: '2026-12-31' },
  settimoAnno: { dal: '2020-01-01', al: '2020-12-31' },
  limiteInterruzioniGiorni: 365,
} as const;
/** Days of 2021-01-01..2026-12-31 (2024 is leap). */
const GIORNI_SEI_ANNI_2027 = 6 * 365 + 1;

function cont(periodi: Periodo[], decorrenza = DECORRENZA): EsitoContinuita {
  return continuita(periodi, decorrenza);
}

describe('continuita (DL 50/2017 art. 53)', () => {
  it('continuous work: SODDISFATTA with 0 interruptions, the whole 7th year worked', () => {
    expect(cont([{ dal: '2015-03-01' }])).toEqual({
      esito: 'SODDISFATTA',
      ...FINESTRE_2027,
      interruzioniGiorni: 0,
      settimoAnnoGiorni: 366,
    });
  });

  it('a 10-month gap compensated by the whole 7th year: SODDISFATTA', () => {
    // Gap 2022-03-01..2022-12-31 = 306 days.
    expect(cont([{ dal: '2019-06-01', al: '2022-02-28' }, { dal: '2023-01-01' }])).toEqual({
      esito: 'SODDISFATTA',
      ...FINESTRE_2027,
      interruzioniGiorni: 306,
      settimoAnnoGiorni: 366,
    });
  });

  it('a 10-month gap compensated by exactly as many days in the 7th year: SODDISFATTA; one day less: NON_SODDISFATTA', () => {
    // 7th year worked 2020-03-01..2020-12-31 = 306 days.
    const pari = cont([{ dal: '2020-03-01', al: '2022-02-28' }, { dal: '2023-01-01' }]);
    expect(pari).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 306, settimoAnnoGiorni: 306 });
    const meno = cont([{ dal: '2020-03-02', al: '2022-02-28' }, { dal: '2023-01-01' }]);
    expect(meno).toMatchObject({ esito: 'NON_SODDISFATTA', interruzioniGiorni: 306, settimoAnnoGiorni: 305 });
  });

  it('the same 10-month gap without compensation in the 7th year: NON_SODDISFATTA', () => {
    // 7th year worked only 2020-10-01..2020-12-31 = 92 days.
    expect(cont([{ dal: '2020-10-01', al: '2022-02-28' }, { dal: '2023-01-01' }])).toEqual({
      esito: 'NON_SODDISFATTA',
      ...FINESTRE_2027,
      interruzioniGiorni: 306,
      settimoAnnoGiorni: 92,
    });
  });

  it('a 13-month gap: NON_SODDISFATTA even with the whole 7th year worked', () => {
    // Gap 2022-01-01..2023-01-31 = 365 + 31 days.
    expect(cont([{ dal: '2010-01-01', al: '2021-12-31' }, { dal: '2023-02-01' }])).toEqual({
      esito: 'NON_SODDISFATTA',
      ...FINESTRE_2027,
      interruzioniGiorni: 396,
      settimoAnnoGiorni: 366,
    });
  });

  it('exactly 12 months of gap is admitted, 12 months and one day is not', () => {
    expect(cont([{ dal: '2010-01-01', al: '2021-12-31' }, { dal: '2023-01-01' }])).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 365 });
    expect(cont([{ dal: '2010-01-01', al: '2021-12-31' }, { dal: '2023-01-02' }])).toMatchObject({ esito: 'NON_SODDISFATTA', interruzioniGiorni: 366 });
  });

  it('several gaps add up', () => {
    // Gaps 2021-06-01..2021-08-31 (92) and 2025-01-01..2025-03-31 (90) = 182; 7th year 2020-07-03..2020-12-31 = 182.
    const periodi = [{ dal: '2020-07-03', al: '2021-05-31' }, { dal: '2021-09-01', al: '2024-12-31' }, { dal: '2025-04-01' }];
    expect(cont(periodi)).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 182, settimoAnnoGiorni: 182 });
    periodi[0] = { dal: '2020-07-04', al: '2021-05-31' };
    expect(cont(periodi)).toMatchObject({ esito: 'NON_SODDISFATTA', interruzioniGiorni: 182, settimoAnnoGiorni: 181 });
  });

  it('overlapping and duplicate periods count each day once', () => {
    expect(
      cont([
        { dal: '2019-01-01', al: '2024-06-30' },
        { dal: '2023-01-01', al: '2026-12-31' },
        { dal: '2019-01-01', al: '2024-06-30' },
      ]),
    ).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 0, settimoAnnoGiorni: 366 });
    // Two relations at once in the 7th year and inside the six years: still 366 and a 365-day gap.
    expect(
      cont([
        { dal: '2020-01-01', al: '2021-12-31' },
        { dal: '2020-02-01', al: '2020-11-30' },
        { dal: '2021-06-01', al: '2021-12-31' },
        { dal: '2023-01-01' },
      ]),
    ).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 365, settimoAnnoGiorni: 366 });
  });

  it('adjacent periods leave no gap', () => {
    expect(cont([{ dal: '2020-01-01', al: '2023-05-31' }, { dal: '2023-06-01' }])).toMatchObject({ interruzioniGiorni: 0 });
  });

  it('an open period lasts until the day before the decorrenza', () => {
    // Gap 2023-01-01..2023-06-30 = 181 days, then an open relation.
    expect(cont([{ dal: '2019-01-01', al: '2022-12-31' }, { dal: '2023-07-01' }])).toMatchObject({
      esito: 'SODDISFATTA',
      interruzioniGiorni: 181,
      settimoAnnoGiorni: 366,
    });
    // Open relation started 2024-01-01 only: 2021, 2022, 2023 are interruption.
    expect(cont([{ dal: '2024-01-01' }])).toMatchObject({ esito: 'NON_SODDISFATTA', interruzioniGiorni: 1095, settimoAnnoGiorni: 0 });
    // An open relation starting on the last day of the window counts for that one day.
    expect(cont([{ dal: '2026-12-31' }])).toMatchObject({ interruzioniGiorni: GIORNI_SEI_ANNI_2027 - 1, settimoAnnoGiorni: 0 });
  });

  it('an open period starting on or after the decorrenza contributes nothing (and is no error)', () => {
    expect(cont([{ dal: '2020-01-01', al: '2026-12-31' }, { dal: '2027-01-01' }, { dal: '2027-03-01' }])).toMatchObject({
      esito: 'SODDISFATTA',
      interruzioniGiorni: 0,
      settimoAnnoGiorni: 366,
    });
  });

  it('a closed period running past the decorrenza counts only up to the day before it', () => {
    expect(cont([{ dal: '2020-01-01', al: '2030-12-31' }])).toMatchObject({ esito: 'SODDISFATTA', interruzioniGiorni: 0, settimoAnnoGiorni: 366 });
  });

  it('periods entirely outside the 7-year window are ignored', () => {
    expect(cont([{ dal: '2000-01-01', al: '2019-12-31' }, { dal: '2027-01-01', al: '2030-12-31' }])).toEqual({
      esito: 'NON_SODDISFATTA',
      ...FINESTRE_2027,
      interruzioniGiorni: GIORNI_SEI_ANNI_2027,
      settimoAnnoGiorni: 0,
    });
    // Together with a relation covering the window, they change nothing.
    expect(cont([{ dal: '2000-01-01', al: '2019-12-31' }, { dal: '2020-01-01' }, { dal: '2027-01-01', al: '2030-12-31' }])).toMatchObject({
      esito: 'SODDISFATTA',
      interruzioniGiorni: 0,
      settimoAnnoGiorni: 366,
    });
  });

  it('no declared period: every day of the six years is an interruption', () => {
    expect(cont([])).toMatchObject({ esito: 'NON_SODDISFATTA', interruzioniGiorni: GIORNI_SEI_ANNI_2027, settimoAnnoGiorni: 0 });
  });

  it('window boundaries are exact', () => {
    // A period ending the day before the six-year window starts counts only for the 7th year
    // (2020-06-01..2020-12-31 = 214 days); 2021-01-01 is then a one-day interruption.
    expect(cont([{ dal: '2020-06-01', al: '2020-12-31' }, { dal: '2021-01-02' }])).toMatchObject({
      esito: 'SODDISFATTA',
      interruzioniGiorni: 1,
      settimoAnnoGiorni: 214,
    });
    // A period ending the day before the 7th year starts counts nowhere.
    expect(cont([{ dal: '2019-01-01', al: '2019-12-31' }, { dal: '2021-01-01' }])).toMatchObject({
      esito: 'SODDISFATTA', // no interruption: nothing is required of the 7th year
      interruzioniGiorni: 0,
      settimoAnnoGiorni: 0,
    });
    // One day on each edge of the 7th year.
    expect(cont([{ dal: '2020-01-01', al: '2020-01-01' }, { dal: '2020-12-31', al: '2020-12-31' }])).toMatchObject({ settimoAnnoGiorni: 2 });
    // One day on each edge of the six years.
    expect(cont([{ dal: '2021-01-01', al: '2021-01-01' }, { dal: '2026-12-31', al: '2026-12-31' }])).toMatchObject({
      interruzioniGiorni: GIORNI_SEI_ANNI_2027 - 2,
      settimoAnnoGiorni: 0,
    });
  });

  it('decorrenza in the middle of the year', () => {
    // The first 12 months, 2019-06-01..2020-05-31, contain 2020-02-29.
    expect(cont([{ dal: '2015-01-01' }], '2025-06-01')).toEqual({
      esito: 'SODDISFATTA',
      seiAnni: { dal: '2019-06-01', al: '2025-05-31' },
      settimoAnno: { dal: '2018-06-01', al: '2019-05-31' },
      interruzioniGiorni: 0,
      limiteInterruzioniGiorni: 366,
      settimoAnnoGiorni: 365,
    });
    expect(cont([{ dal: '2015-01-01' }], '2024-06-01')).toMatchObject({
      seiAnni: { dal: '2018-06-01', al: '2024-05-31' },
      settimoAnno: { dal: '2017-06-01', al: '2018-05-31' },
      limiteInterruzioniGiorni: 365,
      settimoAnnoGiorni: 365,
    });
  });

  describe('leap years in the windows', () => {
    it('the 12 months are 366 days when they contain a 29 February (decorrenza 2030-01-01)', () => {
      // Six years 2024-2029 (2024 and 2028 leap), 7th year 2023 (365 days).
      const r = cont([{ dal: '2015-01-01' }], '2030-01-01');
      expect(r).toEqual({
        esito: 'SODDISFATTA',
        seiAnni: { dal: '2024-01-01', al: '2029-12-31' },
        settimoAnno: { dal: '2023-01-01', al: '2023-12-31' },
        interruzioniGiorni: 0,
        limiteInterruzioniGiorni: 366,
        settimoAnnoGiorni: 365,
      });
    });

    it('a 366-day gap is within the 12 months but a 365-day 7th year cannot compensate it', () => {
      // Gap = the whole of 2024 (366 days).
      expect(cont([{ dal: '2015-01-01', al: '2023-12-31' }, { dal: '2025-01-01' }], '2030-01-01')).toMatchObject({
        esito: 'NON_SODDISFATTA',
        interruzioniGiorni: 366,
        limiteInterruzioniGiorni: 366,
        settimoAnnoGiorni: 365,
      });
      // Gap 2024-01-02..2024-12-31 (365 days): compensated.
      expect(cont([{ dal: '2015-01-01', al: '2024-01-01' }, { dal: '2025-01-01' }], '2030-01-01')).toMatchObject({
        esito: 'SODDISFATTA',
        interruzioniGiorni: 365,
        settimoAnnoGiorni: 365,
      });
    });

    it('decorrenza 2029-03-01: the first 12 months span 2024-02-29', () => {
      expect(cont([{ dal: '2015-01-01' }], '2029-03-01')).toMatchObject({
        seiAnni: { dal: '2023-03-01', al: '2029-02-28' },
        settimoAnno: { dal: '2022-03-01', al: '2023-02-28' },
        limiteInterruzioniGiorni: 366,
        settimoAnnoGiorni: 365,
      });
    });

    it('decorrenza on 29 February: years back land on 28 February, so the six years are one day longer', () => {
      const r = cont([], '2028-02-29');
      expect(r).toMatchObject({
        seiAnni: { dal: '2022-02-28', al: '2028-02-28' },
        settimoAnno: { dal: '2021-02-28', al: '2022-02-27' },
        limiteInterruzioniGiorni: 365,
        settimoAnnoGiorni: 0,
      });
      // 2022-02-28..2028-02-28: six years (one leap day, 2024-02-29) plus one day.
      expect(r.interruzioniGiorni).toBe(6 * 365 + 1 + 1);
    });
  });

  it('rejects a period ending before it starts and malformed dates', () => {
    expect(() => cont([{ dal: '2022-01-02', al: '2022-01-01' }])).toThrow(RangeError);
    expect(() => cont([{ dal: '2022-02-30' }])).toThrow(RangeError);
    expect(() => cont([{ dal: '2022-01-01' }], '01/01/2027')).toThrow(RangeError);
  });
});

describe('lavoroPrima19Anni (precoci)', () => {
  // Born 1990-06-15: 19th birthday 2009-06-15; the 12 months before it are 2008-06-15..2009-06-14 = 365 days.
  const NASCITA = '1990-06-15';

  it('exactly 12 months before the 19th birthday: SODDISFATTO', () => {
    expect(lavoroPrima19Anni([{ dal: '2008-06-15', al: '2009-06-14' }], NASCITA)).toEqual({ esito: 'SODDISFATTO', giorniPrima19Anni: 365, richiestiGiorni: 365 });
  });

  it('one day less: NON_DIMOSTRATO', () => {
    expect(lavoroPrima19Anni([{ dal: '2008-06-16', al: '2009-06-14' }], NASCITA)).toEqual({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 364, richiestiGiorni: 365 });
  });

  it('the 19th birthday itself is not before 19', () => {
    expect(lavoroPrima19Anni([{ dal: '2008-06-16', al: '2009-06-15' }], NASCITA)).toMatchObject({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 364 });
  });

  it('the work need not be continuous nor in the last year: any declared days before 19 add up', () => {
    // 2005-07-01..2005-09-30 (92) + 2007-01-01..2007-09-30 (273) = 365.
    expect(lavoroPrima19Anni([{ dal: '2005-07-01', al: '2005-09-30' }, { dal: '2007-01-01', al: '2007-09-30' }], NASCITA)).toEqual({
      esito: 'SODDISFATTO',
      giorniPrima19Anni: 365,
      richiestiGiorni: 365,
    });
  });

  it('a period straddling the 19th birthday counts only up to the day before it', () => {
    // 2009-01-01..2009-06-14 = 165 days.
    expect(lavoroPrima19Anni([{ dal: '2009-01-01', al: '2012-12-31' }], NASCITA)).toMatchObject({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 165 });
  });

  it('an open period counts up to the day before the 19th birthday', () => {
    expect(lavoroPrima19Anni([{ dal: '2008-06-15' }], NASCITA)).toMatchObject({ esito: 'SODDISFATTO', giorniPrima19Anni: 365 });
    expect(lavoroPrima19Anni([{ dal: '2009-06-15' }], NASCITA)).toMatchObject({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 0 });
  });

  it('work after 19 does not count; overlaps count once; days before birth are ignored', () => {
    expect(lavoroPrima19Anni([{ dal: '2009-06-15', al: '2020-12-31' }], NASCITA)).toMatchObject({ giorniPrima19Anni: 0 });
    expect(lavoroPrima19Anni([{ dal: '2008-06-15', al: '2009-06-14' }, { dal: '2008-09-01', al: '2008-12-31' }], NASCITA)).toMatchObject({ giorniPrima19Anni: 365 });
    expect(lavoroPrima19Anni([{ dal: '1989-01-01', al: '1990-06-15' }], NASCITA)).toMatchObject({ giorniPrima19Anni: 1 });
  });

  it('no declared period: NON_DIMOSTRATO with 0 days', () => {
    expect(lavoroPrima19Anni([], NASCITA)).toEqual({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 0, richiestiGiorni: 365 });
  });

  it('366 days are required when a 29 February falls in the 12 months before the 19th birthday', () => {
    // Born 1989-03-10: 19 on 2008-03-10; 2007-03-10..2008-03-09 contains 2008-02-29.
    expect(lavoroPrima19Anni([{ dal: '2007-03-10', al: '2008-03-09' }], '1989-03-10')).toEqual({ esito: 'SODDISFATTO', giorniPrima19Anni: 366, richiestiGiorni: 366 });
    expect(lavoroPrima19Anni([{ dal: '2007-03-10', al: '2008-03-08' }], '1989-03-10')).toEqual({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 365, richiestiGiorni: 366 });
  });

  it('born on 29 February: 19 on 28 February of a common year', () => {
    // Born 1988-02-29: 19 on 2007-02-28; 12 months before: 2006-02-28..2007-02-27 = 365 days.
    expect(lavoroPrima19Anni([{ dal: '2006-02-28', al: '2007-02-27' }], '1988-02-29')).toEqual({ esito: 'SODDISFATTO', giorniPrima19Anni: 365, richiestiGiorni: 365 });
    expect(lavoroPrima19Anni([{ dal: '2006-03-01', al: '2007-02-28' }], '1988-02-29')).toMatchObject({ esito: 'NON_DIMOSTRATO', giorniPrima19Anni: 364 });
  });
});

describe('etaApeSociale (63 anni alla decorrenza)', () => {
  it.each([
    ['1964-01-01', '2027-01-01', 'SODDISFATTO', 63], // 63rd birthday on the decorrenza day
    ['1964-01-02', '2027-01-01', 'NON_SODDISFATTO', 62], // decorrenza one day before the 63rd birthday
    ['1963-12-31', '2027-01-01', 'SODDISFATTO', 63],
    ['1960-01-01', '2027-01-01', 'SODDISFATTO', 67],
    ['1964-02-29', '2027-02-28', 'SODDISFATTO', 63], // born on 29 February: birthday on 28 February in a common year
    ['1964-02-29', '2027-02-27', 'NON_SODDISFATTO', 62],
    ['1964-02-29', '2028-02-29', 'SODDISFATTO', 64],
    ['1965-02-28', '2028-02-28', 'SODDISFATTO', 63],
    ['1965-03-01', '2028-02-29', 'NON_SODDISFATTO', 62],
  ])('born %s, decorrenza %s: %s at %i', (nascita, decorrenza, esito, eta) => {
    expect(etaApeSociale(nascita, decorrenza)).toEqual({ esito, etaAnni: eta });
  });

  it('rejects malformed dates', () => {
    expect(() => etaApeSociale('1964-13-01', '2027-01-01')).toThrow(RangeError);
  });
});

describe('controlliInps', () => {
  const PRESENTAZIONE = new Date('2026-11-20T10:00:00Z');
  const CONTINUITA_DEMO =
    'interruzioni 0 giorni su 365 ammessi nei sei anni dal 2021-01-01 al 2026-12-31; 7° anno (dal 2020-01-01 al 2020-12-31) 366 giorni, richiesti almeno 0';

  it('APE sociale (demo "conforme", Mario Rossi born 1960-01-01): continuity and age', () => {
    const d = scenario('conforme').domanda('INPS.T.1', PRESENTAZIONE);
    expect(d.dataDecorrenza).toBe('2027-01-01');
    expect(controlliInps(d)).toEqual([
      { requisito: 'CONTINUITA_ATTIVITA', esito: 'SODDISFATTA', dettaglio: CONTINUITA_DEMO },
      { requisito: 'ETA_APE_SOCIALE', esito: 'SODDISFATTO', dettaglio: 'età alla decorrenza 2027-01-01: 67 anni, richiesti almeno 63' },
    ]);
  });

  it('APE sociale failing both checks', () => {
    const base = scenario('conforme').domanda('INPS.T.2', PRESENTAZIONE);
    const d: Domanda = {
      ...base,
      richiedente: { ...base.richiedente, dataNascita: '1964-01-02' },
      attestazioni: base.attestazioni.map((a) => ({ ...a, periodo: { dal: '2023-01-01' } })),
    };
    expect(controlliInps(d)).toEqual([
      {
        requisito: 'CONTINUITA_ATTIVITA',
        esito: 'NON_SODDISFATTA',
        dettaglio:
          'interruzioni 730 giorni su 365 ammessi nei sei anni dal 2021-01-01 al 2026-12-31; 7° anno (dal 2020-01-01 al 2020-12-31) 0 giorni, richiesti almeno 730',
      },
      { requisito: 'ETA_APE_SOCIALE', esito: 'NON_SODDISFATTO', dettaglio: 'età alla decorrenza 2027-01-01: 62 anni, richiesti almeno 63' },
    ]);
  });

  it('PRECOCI (demo "tasso-inail", Lucia Verdi born 1963-05-10): continuity and work before 19, not shown by the attestations', () => {
    const d = scenario('tasso-inail').domanda('INPS.T.3', PRESENTAZIONE);
    expect(d.tipo).toBe('PRECOCI');
    expect(controlliInps(d)).toEqual([
      { requisito: 'CONTINUITA_ATTIVITA', esito: 'SODDISFATTA', dettaglio: CONTINUITA_DEMO },
      {
        requisito: 'LAVORO_PRIMA_19_ANNI',
        esito: 'NON_DIMOSTRATO',
        dettaglio: "lavoro dichiarato prima dei 19 anni (compiuti il 1982-05-10): 0 giorni su 365 richiesti; da verificare sull'estratto contributivo",
      },
    ]);
  });

  it('PRECOCI with a declared year of work before 19: SODDISFATTO, every attestation counted', () => {
    const base = scenario('tasso-inail').domanda('INPS.T.4', PRESENTAZIONE);
    const prima = base.attestazioni[0]!;
    const d: Domanda = { ...base, attestazioni: [...base.attestazioni, { ...prima, riferimento: 2, periodo: { dal: '1981-05-10', al: '1982-05-09' } }] };
    expect(controlliInps(d)).toEqual([
      { requisito: 'CONTINUITA_ATTIVITA', esito: 'SODDISFATTA', dettaglio: CONTINUITA_DEMO },
      { requisito: 'LAVORO_PRIMA_19_ANNI', esito: 'SODDISFATTO', dettaglio: 'lavoro dichiarato prima dei 19 anni (compiuti il 1982-05-10): 365 giorni su 365 richiesti' },
    ]);
  });

  it('PRECOCI with two attestations (demo "domestico-e-asilo", Francesca Neri born 1966-02-01): a leap year before 19', () => {
    const d = scenario('domestico-e-asilo').domanda('INPS.T.5', PRESENTAZIONE);
    expect(controlliInps(d)).toEqual([
      { requisito: 'CONTINUITA_ATTIVITA', esito: 'SODDISFATTA', dettaglio: CONTINUITA_DEMO },
      {
        requisito: 'LAVORO_PRIMA_19_ANNI',
        esito: 'NON_DIMOSTRATO',
        dettaglio: "lavoro dichiarato prima dei 19 anni (compiuti il 1985-02-01): 0 giorni su 366 richiesti; da verificare sull'estratto contributivo",
      },
    ]);
  });

  it('every demo scenario gets continuity plus exactly the check of its type', () => {
    for (const s of SCENARI) {
      const d = s.domanda(`INPS.T.${s.chiave}`, PRESENTAZIONE);
      const requisiti = controlliInps(d).map((c) => c.requisito);
      expect(requisiti).toEqual(['CONTINUITA_ATTIVITA', d.tipo === 'APE_SOCIALE' ? 'ETA_APE_SOCIALE' : 'LAVORO_PRIMA_19_ANNI']);
    }
  });
});
