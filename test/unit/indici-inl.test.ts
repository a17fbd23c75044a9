import {
  indiceStessoDatore,
  indiceTreDatori,
  indiciElusivi,
  indiciImpreseCessate,
  periodoRilevante,
  type VoceOsservazione,
} from '../../services/inps/core/indici-inl';
import { conCifraDiControllo, conControllo } from '../../shared/domain/codice-fiscale';
import type { Attestazione, Periodo } from '../../shared/domain/types';

/** INL triggers (protocol art. 5 c) as pure rules over the data they need. */

const RICHIEDENTE = conControllo('BLUPLA62H12L736');
const ALTRO_RICHIEDENTE = conControllo('VRDLCU63E50L219');
const DATORE_A = conCifraDiControllo('0111111111');
const DATORE_B = conCifraDiControllo('0222222222');
const DATORE_C = conCifraDiControllo('0333333333');
const DATORE_D = conCifraDiControllo('0444444444');

function att(riferimento: number, datore: string, periodo: Periodo, denominazione = `Impresa ${datore}`): Attestazione {
  return {
    riferimento,
    tipo: 'DATORE_PRIVATO_PA',
    datore: { codiceFiscale: datore, denominazione },
    periodo,
    categoria: 'A',
    professioneIstat: '6.1.2.1',
    vociTariffaInail: ['3110'],
  };
}

describe('periodoRilevante', () => {
  test('is the seven years before the decorrenza, the day before it included', () => {
    expect(periodoRilevante('2027-01-01')).toEqual({ dal: '2020-01-01', al: '2026-12-31' });
  });

  test('a decorrenza in the middle of a month', () => {
    expect(periodoRilevante('2026-05-15')).toEqual({ dal: '2019-05-15', al: '2026-05-14' });
  });

  test('a decorrenza on 29 February starts the period on 28 February seven years earlier', () => {
    expect(periodoRilevante('2028-02-29')).toEqual({ dal: '2021-02-28', al: '2028-02-28' });
  });

  test('a decorrenza on 1 March ends the period on the last day of February', () => {
    expect(periodoRilevante('2028-03-01')).toEqual({ dal: '2021-03-01', al: '2028-02-29' });
  });
});

describe('indiceTreDatori', () => {
  const DECORRENZA = '2027-01-01'; // relevant period 2020-01-01 .. 2026-12-31

  test('three employers whose periods overlap the seven-year window match', () => {
    const i = indiceTreDatori(
      [
        att(1, DATORE_A, { dal: '2018-03-01', al: '2020-12-31' }),
        att(2, DATORE_B, { dal: '2021-01-01', al: '2023-06-30' }),
        att(3, DATORE_C, { dal: '2023-07-01' }),
      ],
      DECORRENZA,
      3,
    );
    expect(i).not.toBeNull();
    expect(i!.codice).toBe('TRE_DATORI_PERIODO_RILEVANTE');
    expect(i!.datore).toBeUndefined();
    expect(i!.descrizione).toContain('3 datori');
    expect(i!.descrizione).toContain('2020-01-01/2026-12-31');
  });

  test('a third employer whose period ended before the window does not count', () => {
    expect(
      indiceTreDatori(
        [
          att(1, DATORE_A, { dal: '2012-01-01', al: '2019-12-31' }),
          att(2, DATORE_B, { dal: '2020-01-01', al: '2023-06-30' }),
          att(3, DATORE_C, { dal: '2023-07-01' }),
        ],
        DECORRENZA,
        3,
      ),
    ).toBeNull();
  });

  test('a period touching the window on its first day counts', () => {
    expect(
      indiceTreDatori(
        [
          att(1, DATORE_A, { dal: '2012-01-01', al: '2020-01-01' }),
          att(2, DATORE_B, { dal: '2020-01-02', al: '2023-06-30' }),
          att(3, DATORE_C, { dal: '2023-07-01' }),
        ],
        DECORRENZA,
        3,
      ),
    ).not.toBeNull();
  });

  test('a period starting on or after the decorrenza is outside the window', () => {
    expect(
      indiceTreDatori(
        [att(1, DATORE_A, { dal: '2019-01-01', al: '2022-12-31' }), att(2, DATORE_B, { dal: '2023-01-01', al: '2026-12-31' }), att(3, DATORE_C, { dal: '2027-01-01' })],
        DECORRENZA,
        3,
      ),
    ).toBeNull();
  });

  test('the same employer twice (a change of relation) counts once', () => {
    expect(
      indiceTreDatori(
        [
          att(1, DATORE_A, { dal: '2019-01-01', al: '2021-12-31' }),
          att(2, DATORE_B, { dal: '2022-01-01', al: '2023-12-31' }),
          att(3, DATORE_A, { dal: '2024-01-01' }),
        ],
        DECORRENZA,
        3,
      ),
    ).toBeNull();
  });

  test('the threshold is a parameter: two employers match a threshold of 2; three do not match a threshold of 4', () => {
    const due = [att(1, DATORE_A, { dal: '2019-01-01', al: '2021-12-31' }), att(2, DATORE_B, { dal: '2022-01-01' })];
    expect(indiceTreDatori(due, DECORRENZA, 3)).toBeNull();
    expect(indiceTreDatori(due, DECORRENZA, 2)?.descrizione).toContain('soglia 2');
    const tre = [...due, att(3, DATORE_C, { dal: '2020-06-01', al: '2020-12-31' })];
    expect(indiceTreDatori(tre, DECORRENZA, 3)).not.toBeNull();
    expect(indiceTreDatori(tre, DECORRENZA, 4)).toBeNull();
    const quattro = [...tre, att(4, DATORE_D, { dal: '2021-01-01', al: '2021-03-31' })];
    expect(indiceTreDatori(quattro, DECORRENZA, 4)?.descrizione).toContain('4 datori');
  });
});

describe('indiceStessoDatore', () => {
  test('below the threshold: no match', () => {
    expect(indiceStessoDatore(DATORE_A, 4, 5, 365)).toBeNull();
    expect(indiceStessoDatore(DATORE_A, 0, 5, 365)).toBeNull();
  });

  test('at the threshold ("almeno cinque"): a match naming the employer', () => {
    expect(indiceStessoDatore(DATORE_A, 5, 5, 365)).toEqual({
      codice: 'CINQUE_LAVORATORI_STESSO_DATORE',
      datore: DATORE_A,
      descrizione: expect.stringContaining('5 lavoratori') as unknown as string,
    });
  });

  test('above the threshold still matches; the description names the window and the threshold', () => {
    const i = indiceStessoDatore(DATORE_B, 7, 5, 365)!;
    expect(i.datore).toBe(DATORE_B);
    expect(i.descrizione).toContain('7 lavoratori');
    expect(i.descrizione).toContain('365 giorni');
    expect(i.descrizione).toContain('soglia 5');
  });

  test('the threshold is a parameter', () => {
    expect(indiceStessoDatore(DATORE_A, 2, 3, 180)).toBeNull();
    expect(indiceStessoDatore(DATORE_A, 3, 3, 180)?.descrizione).toContain('180 giorni');
  });
});

describe('indiciImpreseCessate', () => {
  test('one trigger per ceased employer, even when it appears in several relations', () => {
    const attestazioni = [
      att(1, DATORE_A, { dal: '2015-01-01', al: '2018-12-31' }, 'Alfa Srl'),
      att(2, DATORE_B, { dal: '2019-01-01', al: '2020-12-31' }, 'Beta Spa'),
      att(3, DATORE_A, { dal: '2021-01-01' }, 'Alfa Srl'),
    ];
    const cessate = new Map([[DATORE_A, '2022-03-31']]);
    expect(indiciImpreseCessate(attestazioni, cessate)).toEqual([
      { codice: 'IMPRESA_CESSATA', datore: DATORE_A, descrizione: 'Alfa Srl risulta cessata dal 2022-03-31' },
    ]);
  });

  test('several ceased employers: one each, in the order of the attestations', () => {
    const attestazioni = [att(1, DATORE_C, { dal: '2015-01-01', al: '2018-12-31' }), att(2, DATORE_B, { dal: '2019-01-01' })];
    const out = indiciImpreseCessate(attestazioni, new Map([[DATORE_B, '2020-01-01'], [DATORE_C, '2019-01-01']]));
    expect(out.map((i) => i.datore)).toEqual([DATORE_C, DATORE_B]);
  });

  test('no ceased employer: no trigger; ceased employers not declared are ignored', () => {
    expect(indiciImpreseCessate([att(1, DATORE_A, { dal: '2015-01-01' })], new Map([[DATORE_D, '2020-01-01']]))).toEqual([]);
    expect(indiciImpreseCessate([att(1, DATORE_A, { dal: '2015-01-01' })], new Map())).toEqual([]);
  });
});

describe('indiciElusivi', () => {
  const attestazioni = [att(1, DATORE_A, { dal: '2015-01-01', al: '2018-12-31' }), att(2, DATORE_B, { dal: '2019-01-01' })];
  const voce = (tipo: VoceOsservazione['tipo'], codiceFiscale: string, ente: VoceOsservazione['ente'] = 'INL'): VoceOsservazione => ({
    tipo,
    codiceFiscale,
    motivo: 'assunzioni fittizie ricorrenti',
    ente,
  });

  test('the applicant on the watch list matches, without an employer', () => {
    expect(indiciElusivi(RICHIEDENTE, attestazioni, [voce('RICHIEDENTE', RICHIEDENTE, 'INPS')])).toEqual([
      { codice: 'INDICE_ELUSIVO', descrizione: 'richiedente in lista di osservazione INPS: assunzioni fittizie ricorrenti' },
    ]);
  });

  test('an employer of the domanda on the watch list matches, naming the employer', () => {
    expect(indiciElusivi(RICHIEDENTE, attestazioni, [voce('DATORE', DATORE_B)])).toEqual([
      { codice: 'INDICE_ELUSIVO', datore: DATORE_B, descrizione: 'datore di lavoro in lista di osservazione INL: assunzioni fittizie ricorrenti' },
    ]);
  });

  test('unrelated entries are ignored: another applicant, an employer not declared, a code listed under the other kind', () => {
    const lista = [
      voce('RICHIEDENTE', ALTRO_RICHIEDENTE),
      voce('DATORE', DATORE_C),
      // The applicant's code listed as an employer, and an employer's code listed as an applicant.
      voce('DATORE', RICHIEDENTE),
      voce('RICHIEDENTE', DATORE_A),
    ];
    expect(indiciElusivi(RICHIEDENTE, attestazioni, lista)).toEqual([]);
  });

  test('applicant and employer both listed: one trigger each', () => {
    const out = indiciElusivi(RICHIEDENTE, attestazioni, [voce('DATORE', DATORE_A), voce('RICHIEDENTE', ALTRO_RICHIEDENTE), voce('RICHIEDENTE', RICHIEDENTE)]);
    expect(out).toHaveLength(2);
    expect(out.map((i) => i.datore ?? null)).toEqual([DATORE_A, null]);
  });

  test('an empty watch list matches nothing', () => {
    expect(indiciElusivi(RICHIEDENTE, attestazioni, [])).toEqual([]);
  });
});
