import {
  COMPETENZE,
  campiEccedenti,
  competenzaInail,
  datiDaVerificare,
  entiCompetenti,
  professioneAmmessa,
  rapportiPerEnte,
  rapportoPer,
} from '../../shared/domain/competenza';
import { CATEGORIE, type Attestazione, type Categoria, type Rapporto } from '../../shared/domain/types';

/** An attestation carrying every field, so that minimisation has something to remove. */
function attestazione(over: Partial<Attestazione> = {}): Attestazione {
  return {
    riferimento: 1,
    tipo: 'DATORE_PRIVATO_PA',
    datore: { codiceFiscale: '01234567897', denominazione: 'Edilizia Rossi Srl', matricolaInps: '1234567890', patInail: '12345678' },
    periodo: { dal: '2014-01-07', al: '2020-12-31' },
    ccnl: 'F012',
    livello: '2',
    categoria: 'A',
    professioneIstat: '6.1.2.1',
    vociTariffaInail: ['3110', '3150'],
    lavoroATurni: true,
    attivitaEducativa: true,
    codiceRapportoDomestico: 'RD-2012-000451',
    ...over,
  };
}

/** Every key of an object, nested keys as a.b, sorted. */
function chiavi(o: object, prefix = ''): string[] {
  return Object.entries(o)
    .flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? chiavi(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]))
    .sort();
}

describe('COMPETENZE (protocol allegato 1)', () => {
  test.each([
    ['A', ['6.1', '8.4.1', '8.4.2'], [3, 7], null],
    ['B', ['7.4.4.1', '7.4.4.2', '7.4.4.3'], [3, 9], null],
    ['C', ['6.5.4.1'], [2], null],
    ['D', ['7.4.1.1'], [9], null],
    ['E', ['7.4.2.3'], [7, 9], null],
    ['F', ['3.2.1.1'], null, 'LAVORO_A_TURNI'],
    ['G', ['5.4.4.3'], [0], null],
    ['H', ['2.6.4.2.0'], null, 'ATTIVITA_EDUCATIVA'],
    ['I', ['8.1.3.1'], [0, 9], null],
    ['L', ['8.1.4.1.0', '8.1.4.3.0'], [0], null],
    ['M', ['8.1.4.5.0'], [0], null],
  ] as const)('category %s: ISTAT %j, INAIL grandi gruppi %j, INL %s', (categoria, istat, gruppi, inl) => {
    const c = COMPETENZE[categoria];
    expect(c.professioniIstat).toEqual(istat);
    expect(c.grandiGruppiInail).toEqual(gruppi);
    expect(c.datoInl).toBe(inl);
    expect(c.soloOperai).toBe(categoria === 'A');
  });

  test('every category is in the table', () => {
    expect(Object.keys(COMPETENZE).sort()).toEqual([...CATEGORIE].sort());
  });
});

describe('professioneAmmessa', () => {
  test('a listed code and its descendants are admitted', () => {
    expect(professioneAmmessa('A', '6.1')).toBe(true);
    expect(professioneAmmessa('A', '6.1.2')).toBe(true);
    expect(professioneAmmessa('A', '6.1.2.1.0')).toBe(true);
    expect(professioneAmmessa('A', '8.4.1.0.0')).toBe(true);
    expect(professioneAmmessa('A', '8.4.2')).toBe(true);
  });

  test('a code that merely starts with the same characters is not a descendant (6.12, 6.10 are not under 6.1)', () => {
    expect(professioneAmmessa('A', '6.12')).toBe(false);
    expect(professioneAmmessa('A', '6.10')).toBe(false);
    expect(professioneAmmessa('A', '6.10.1')).toBe(false);
    expect(professioneAmmessa('A', '8.4.10')).toBe(false);
  });

  test('an ancestor of a listed code is not admitted', () => {
    expect(professioneAmmessa('A', '6')).toBe(false);
    expect(professioneAmmessa('A', '8.4')).toBe(false);
    expect(professioneAmmessa('B', '7.4.4')).toBe(false);
  });

  test('five-level codes match exactly (H: 2.6.4.2.0; L: 8.1.4.1.0 and 8.1.4.3.0; M: 8.1.4.5.0)', () => {
    expect(professioneAmmessa('H', '2.6.4.2.0')).toBe(true);
    expect(professioneAmmessa('H', '2.6.4.2')).toBe(false);
    expect(professioneAmmessa('H', '2.6.4.2.1')).toBe(false);
    expect(professioneAmmessa('L', '8.1.4.1.0')).toBe(true);
    expect(professioneAmmessa('L', '8.1.4.3.0')).toBe(true);
    expect(professioneAmmessa('L', '8.1.4.2.0')).toBe(false);
    expect(professioneAmmessa('M', '8.1.4.5.0')).toBe(true);
  });

  test('a code of another category is not admitted', () => {
    expect(professioneAmmessa('A', '7.4.2.3')).toBe(false);
    expect(professioneAmmessa('E', '7.4.2.3')).toBe(true);
    expect(professioneAmmessa('F', '3.2.1.1')).toBe(true);
    expect(professioneAmmessa('F', '3.2.1.2')).toBe(false);
    expect(professioneAmmessa('G', '5.4.4.3')).toBe(true);
    expect(professioneAmmessa('C', '6.5.4.1')).toBe(true);
    expect(professioneAmmessa('D', '7.4.1.1')).toBe(true);
    expect(professioneAmmessa('I', '8.1.3.1')).toBe(true);
  });
});

describe('competenzaInail', () => {
  test.each(['A', 'B', 'C', 'D', 'E', 'G', 'I', 'L', 'M'] as Categoria[])('INAIL verifies category %s in firms', (categoria) => {
    expect(competenzaInail({ categoria, tipo: 'DATORE_PRIVATO_PA' })).toBe(true);
  });

  test('INAIL does not verify domestic category G (the unified contribution is paid to INPS)', () => {
    expect(competenzaInail({ categoria: 'G', tipo: 'DATORE_DOMESTICO' })).toBe(false);
  });

  test.each(['F', 'H'] as Categoria[])('INAIL has no competence for category %s', (categoria) => {
    expect(competenzaInail({ categoria, tipo: 'DATORE_PRIVATO_PA' })).toBe(false);
  });
});

describe('entiCompetenti', () => {
  test('categories with INAIL competence go to MINLAVORO, ANPAL and INAIL, in that order', () => {
    for (const categoria of ['A', 'B', 'C', 'D', 'E', 'G', 'I', 'L', 'M'] as Categoria[]) {
      expect(entiCompetenti({ categoria, tipo: 'DATORE_PRIVATO_PA' })).toEqual(['MINLAVORO', 'ANPAL', 'INAIL']);
    }
  });

  test('F and H go to MINLAVORO, ANPAL and INL (shift work, educational activity)', () => {
    expect(entiCompetenti({ categoria: 'F', tipo: 'DATORE_PRIVATO_PA' })).toEqual(['MINLAVORO', 'ANPAL', 'INL']);
    expect(entiCompetenti({ categoria: 'H', tipo: 'DATORE_PRIVATO_PA' })).toEqual(['MINLAVORO', 'ANPAL', 'INL']);
  });

  test('domestic G goes to MINLAVORO and ANPAL only', () => {
    expect(entiCompetenti({ categoria: 'G', tipo: 'DATORE_DOMESTICO' })).toEqual(['MINLAVORO', 'ANPAL']);
  });

  test('every category is verified by MINLAVORO and ANPAL', () => {
    for (const categoria of CATEGORIE) {
      expect(entiCompetenti({ categoria, tipo: 'DATORE_PRIVATO_PA' }).slice(0, 2)).toEqual(['MINLAVORO', 'ANPAL']);
    }
  });
});

describe('rapportoPer (minimisation)', () => {
  const BASE = ['categoria', 'datore.codiceFiscale', 'periodo.al', 'periodo.dal', 'riferimento'];

  test.each(['MINLAVORO', 'ANPAL'] as const)('%s receives period, CCNL, livello and ISTAT profession only', (ente) => {
    const r = rapportoPer(ente, attestazione());
    expect(chiavi(r)).toEqual([...BASE, 'ccnl', 'livello', 'professioneIstat'].sort());
    expect(r).toEqual({
      riferimento: 1,
      datore: { codiceFiscale: '01234567897' },
      periodo: { dal: '2014-01-07', al: '2020-12-31' },
      categoria: 'A',
      ccnl: 'F012',
      livello: '2',
      professioneIstat: '6.1.2.1',
    });
  });

  test('MINLAVORO and ANPAL get no ccnl or livello key when none was declared', () => {
    const r = rapportoPer('ANPAL', attestazione({ ccnl: undefined, livello: undefined }));
    expect(chiavi(r)).toEqual([...BASE, 'professioneIstat'].sort());
    expect('ccnl' in r).toBe(false);
    expect('livello' in r).toBe(false);
  });

  test('INAIL receives the PAT and the tariff voices, not CCNL, livello or profession', () => {
    const r = rapportoPer('INAIL', attestazione());
    expect(chiavi(r)).toEqual([...BASE, 'datore.patInail', 'vociTariffaInail'].sort());
    expect(r.datore).toEqual({ codiceFiscale: '01234567897', patInail: '12345678' });
    expect(r.vociTariffaInail).toEqual(['3110', '3150']);
  });

  test("INAIL's copy of the voices is not shared with the attestation", () => {
    const a = attestazione();
    const r = rapportoPer('INAIL', a);
    r.vociTariffaInail!.push('9999');
    expect(a.vociTariffaInail).toEqual(['3110', '3150']);
  });

  test('INL receives only shift work for category F', () => {
    const r = rapportoPer('INL', attestazione({ categoria: 'F', professioneIstat: '3.2.1.1' }));
    expect(chiavi(r)).toEqual([...BASE, 'lavoroATurni'].sort());
    expect(r.lavoroATurni).toBe(true);
  });

  test('INL receives only the educational activity for category H', () => {
    const r = rapportoPer('INL', attestazione({ categoria: 'H', professioneIstat: '2.6.4.2.0', attivitaEducativa: false }));
    expect(chiavi(r)).toEqual([...BASE, 'attivitaEducativa'].sort());
    expect(r.attivitaEducativa).toBe(false);
  });

  test('no party receives the employer name, the INPS matricola or the domestic relation code', () => {
    for (const ente of ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const) {
      for (const categoria of ['A', 'F', 'H', 'G'] as Categoria[]) {
        const keys = chiavi(rapportoPer(ente, attestazione({ categoria })));
        expect(keys).not.toContain('datore.denominazione');
        expect(keys).not.toContain('datore.matricolaInps');
        expect(keys).not.toContain('codiceRapportoDomestico');
        expect(keys).not.toContain('tipo');
      }
    }
  });

  test('an ongoing relation keeps no al key', () => {
    const r = rapportoPer('MINLAVORO', attestazione({ periodo: { dal: '2014-01-07' } }));
    expect(r.periodo).toEqual({ dal: '2014-01-07' });
    expect('al' in r.periodo).toBe(false);
  });
});

describe('rapportiPerEnte', () => {
  const edile = attestazione({ riferimento: 1, categoria: 'A' });
  const infermiera = attestazione({
    riferimento: 2,
    categoria: 'F',
    professioneIstat: '3.2.1.1',
    datore: { codiceFiscale: '80078750587', denominazione: 'Ospedale' },
    vociTariffaInail: [],
  });
  const badante = attestazione({
    riferimento: 3,
    tipo: 'DATORE_DOMESTICO',
    categoria: 'G',
    professioneIstat: '5.4.4.3',
    datore: { codiceFiscale: 'BRNLGU40A01H501J', denominazione: 'Bruni Luigi' },
    vociTariffaInail: [],
  });

  test('each party receives the relations of its competence, in the order of the attestations', () => {
    const m = rapportiPerEnte([edile, infermiera, badante]);
    expect([...m.keys()]).toEqual(['MINLAVORO', 'ANPAL', 'INAIL', 'INL']);
    expect(m.get('MINLAVORO')!.map((r) => r.riferimento)).toEqual([1, 2, 3]);
    expect(m.get('ANPAL')!.map((r) => r.riferimento)).toEqual([1, 2, 3]);
    expect(m.get('INAIL')!.map((r) => r.riferimento)).toEqual([1]);
    expect(m.get('INL')!.map((r) => r.riferimento)).toEqual([2]);
  });

  test('each relation is minimised for its recipient', () => {
    const m = rapportiPerEnte([edile, infermiera, badante]);
    expect(m.get('INAIL')![0]).toEqual(rapportoPer('INAIL', edile));
    expect(m.get('INL')![0]).toEqual(rapportoPer('INL', infermiera));
    expect(m.get('MINLAVORO')![2]).toEqual(rapportoPer('MINLAVORO', badante));
  });

  test('a party with no relation gets no packet at all', () => {
    const m = rapportiPerEnte([badante]);
    expect([...m.keys()]).toEqual(['MINLAVORO', 'ANPAL']);
    expect(m.has('INAIL')).toBe(false);
    expect(m.has('INL')).toBe(false);
  });

  test('no attestations means no packets', () => {
    expect(rapportiPerEnte([]).size).toBe(0);
  });
});

describe('datiDaVerificare', () => {
  test('MINLAVORO and ANPAL answer for the relation, CCNL, livello and profession', () => {
    const r = rapportoPer('MINLAVORO', attestazione());
    expect(datiDaVerificare('MINLAVORO', r)).toEqual(['RAPPORTO_DI_LAVORO', 'CCNL', 'LIVELLO_INQUADRAMENTO', 'PROFESSIONE_ISTAT']);
    expect(datiDaVerificare('ANPAL', r)).toEqual(['RAPPORTO_DI_LAVORO', 'CCNL', 'LIVELLO_INQUADRAMENTO', 'PROFESSIONE_ISTAT']);
  });

  test('an undeclared CCNL or livello is not asked about', () => {
    expect(datiDaVerificare('ANPAL', rapportoPer('ANPAL', attestazione({ ccnl: undefined })))).toEqual([
      'RAPPORTO_DI_LAVORO',
      'LIVELLO_INQUADRAMENTO',
      'PROFESSIONE_ISTAT',
    ]);
    expect(datiDaVerificare('ANPAL', rapportoPer('ANPAL', attestazione({ ccnl: undefined, livello: undefined })))).toEqual([
      'RAPPORTO_DI_LAVORO',
      'PROFESSIONE_ISTAT',
    ]);
  });

  test('INAIL answers for grande gruppo, voce and average rate', () => {
    expect(datiDaVerificare('INAIL', rapportoPer('INAIL', attestazione()))).toEqual(['GRANDE_GRUPPO_TARIFFA', 'VOCE_TARIFFA', 'TASSO_MEDIO_TARIFFA']);
  });

  test('INL answers for shift work (F) or educational activity (H)', () => {
    expect(datiDaVerificare('INL', rapportoPer('INL', attestazione({ categoria: 'F' })))).toEqual(['LAVORO_A_TURNI']);
    expect(datiDaVerificare('INL', rapportoPer('INL', attestazione({ categoria: 'H' })))).toEqual(['ATTIVITA_EDUCATIVA']);
  });
});

describe('campiEccedenti', () => {
  test('minimised packets have no excess fields', () => {
    const atts = [
      attestazione({ riferimento: 1, categoria: 'A' }),
      attestazione({ riferimento: 2, categoria: 'F', professioneIstat: '3.2.1.1' }),
      attestazione({ riferimento: 3, categoria: 'H', professioneIstat: '2.6.4.2.0' }),
      attestazione({ riferimento: 4, categoria: 'G', tipo: 'DATORE_DOMESTICO', professioneIstat: '5.4.4.3' }),
    ];
    for (const [ente, rapporti] of rapportiPerEnte(atts)) {
      expect({ ente, extra: campiEccedenti(ente, rapporti) }).toEqual({ ente, extra: [] });
    }
  });

  test('CCNL in an INAIL packet is named', () => {
    const r: Rapporto = { ...rapportoPer('INAIL', attestazione()), ccnl: 'F012' };
    expect(campiEccedenti('INAIL', [r])).toEqual(['ccnl']);
  });

  test('the PAT in an ANPAL packet is named', () => {
    const r = rapportoPer('ANPAL', attestazione());
    r.datore.patInail = '12345678';
    expect(campiEccedenti('ANPAL', [r])).toEqual(['datore.patInail']);
  });

  test('the full attestation sent to ANPAL names every field ANPAL must not see', () => {
    const extra = campiEccedenti('ANPAL', [attestazione() as unknown as Rapporto]);
    expect(extra.sort()).toEqual(['attivitaEducativa', 'codiceRapportoDomestico', 'datore.patInail', 'lavoroATurni', 'tipo', 'vociTariffaInail']);
  });

  test('a category-F relation in an INAIL packet is named as a whole relation', () => {
    const r = rapportoPer('INAIL', attestazione({ riferimento: 7, categoria: 'F' }));
    expect(campiEccedenti('INAIL', [r])).toEqual(['rapporto 7 (categoria F)']);
  });

  test('a category-A relation in an INL packet is named as a whole relation', () => {
    const r = rapportoPer('INL', attestazione({ riferimento: 2, categoria: 'A' }));
    expect(campiEccedenti('INL', [r])).toEqual(['rapporto 2 (categoria A)']);
  });

  test('keys present with an undefined value are not counted', () => {
    const r: Rapporto = { ...rapportoPer('INAIL', attestazione()), ccnl: undefined, professioneIstat: undefined };
    expect(campiEccedenti('INAIL', [r])).toEqual([]);
  });

  test('the same excess field in several relations is named once', () => {
    const r1: Rapporto = { ...rapportoPer('INAIL', attestazione({ riferimento: 1 })), livello: '2' };
    const r2: Rapporto = { ...rapportoPer('INAIL', attestazione({ riferimento: 2 })), livello: '3' };
    expect(campiEccedenti('INAIL', [r1, r2])).toEqual(['livello']);
  });
});
