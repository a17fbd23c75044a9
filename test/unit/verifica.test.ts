import { periodiScoperti, verificaRapporto, type DatiArchivio, type RecordRapporto, type VocePat } from '../../services/ente/verifica';
import { datiDaVerificare } from '../../shared/domain/competenza';
import type { DatoVerificato, EnteVerificatore, Esito, EsitoDato, Rapporto } from '../../shared/domain/types';

const OGGI = '2026-03-10';
const CF_DATORE = '01234567897';
const ALTRO_DATORE = '80078750587';

function archivio(rapporti: RecordRapporto[] = [], vociPat: VocePat[] = []): DatiArchivio {
  return { rapporti, vociPat };
}

/** The esito of one datum, failing when the datum is not answered exactly once. */
function esitoDi(esiti: EsitoDato[], dato: DatoVerificato): EsitoDato {
  const found = esiti.filter((e) => e.dato === dato);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function esitiPerDato(esiti: EsitoDato[]): Partial<Record<DatoVerificato, Esito>> {
  return Object.fromEntries(esiti.map((e) => [e.dato, e.esito]));
}

/** Verification must answer exactly the data the packet asks about, in datiDaVerificare's order. */
function verifica(ente: EnteVerificatore, r: Rapporto, a: DatiArchivio, oggi = OGGI): EsitoDato[] {
  const esiti = verificaRapporto(ente, r, a, oggi);
  expect(esiti.map((e) => e.dato)).toEqual(datiDaVerificare(ente, r));
  for (const e of esiti) expect(e.riferimento).toBe(r.riferimento);
  return esiti;
}

describe('periodiScoperti', () => {
  test('with no records the whole period is uncovered', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [])).toEqual([{ dal: '2020-01-01', al: '2020-12-31' }]);
  });

  test('one open-ended record starting before the period covers it all', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2019-05-01' }])).toEqual([]);
  });

  test('a record matching the period exactly covers it', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2020-01-01', al: '2020-12-31' }])).toEqual([]);
  });

  test('two adjacent records leave no gap', () => {
    const records = [
      { dal: '2020-07-01' },
      { dal: '2020-01-01', al: '2020-06-30' },
    ];
    expect(periodiScoperti('2020-01-01', '2020-12-31', records)).toEqual([]);
  });

  test('adjacency across a leap day is recognised (28 Feb, 1 Mar leaves 29 Feb uncovered)', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2020-01-01', al: '2020-02-28' }, { dal: '2020-03-01' }])).toEqual([
      { dal: '2020-02-29', al: '2020-02-29' },
    ]);
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2020-01-01', al: '2020-02-29' }, { dal: '2020-03-01' }])).toEqual([]);
  });

  test('a gap in the middle is reported with its exact first and last day', () => {
    const records = [
      { dal: '2020-01-01', al: '2020-03-31' },
      { dal: '2020-05-01', al: '2020-12-31' },
    ];
    expect(periodiScoperti('2020-01-01', '2020-12-31', records)).toEqual([{ dal: '2020-04-01', al: '2020-04-30' }]);
  });

  test('uncovered head and tail are reported', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2020-03-01', al: '2020-10-31' }])).toEqual([
      { dal: '2020-01-01', al: '2020-02-29' },
      { dal: '2020-11-01', al: '2020-12-31' },
    ]);
  });

  test('several gaps are reported in order', () => {
    const records = [
      { dal: '2020-02-01', al: '2020-02-15' },
      { dal: '2020-03-01', al: '2020-03-10' },
    ];
    expect(periodiScoperti('2020-01-01', '2020-03-31', records)).toEqual([
      { dal: '2020-01-01', al: '2020-01-31' },
      { dal: '2020-02-16', al: '2020-02-29' },
      { dal: '2020-03-11', al: '2020-03-31' },
    ]);
  });

  test('a record starting after the period end leaves the whole period uncovered', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2021-01-01' }])).toEqual([{ dal: '2020-01-01', al: '2020-12-31' }]);
    // The gap ends with the period, not the day before the record starts.
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2022-03-01', al: '2022-12-31' }])).toEqual([{ dal: '2020-01-01', al: '2020-12-31' }]);
  });

  test('a record ending before the period start covers nothing', () => {
    expect(periodiScoperti('2020-01-01', '2020-12-31', [{ dal: '2018-01-01', al: '2019-12-31' }])).toEqual([{ dal: '2020-01-01', al: '2020-12-31' }]);
  });

  test('overlapping records count once, and the tail after the last one is uncovered', () => {
    const records = [
      { dal: '2020-01-01', al: '2020-12-31' },
      { dal: '2020-06-01', al: '2021-03-31' },
      { dal: '2020-02-01', al: '2020-04-30' },
    ];
    expect(periodiScoperti('2020-01-01', '2021-06-30', records)).toEqual([{ dal: '2021-04-01', al: '2021-06-30' }]);
  });

  test('a record nested inside an earlier one does not move the cover back', () => {
    const records = [
      { dal: '2020-01-01', al: '2020-09-30' },
      { dal: '2020-03-01', al: '2020-04-30' },
    ];
    expect(periodiScoperti('2020-01-01', '2020-12-31', records)).toEqual([{ dal: '2020-10-01', al: '2020-12-31' }]);
  });

  test('a one-day period is covered by a record of that day', () => {
    expect(periodiScoperti('2020-05-05', '2020-05-05', [{ dal: '2020-05-05', al: '2020-05-05' }])).toEqual([]);
    expect(periodiScoperti('2020-05-05', '2020-05-05', [{ dal: '2020-05-06' }])).toEqual([{ dal: '2020-05-05', al: '2020-05-05' }]);
  });
});

describe('verificaRapporto: MINLAVORO and ANPAL (comunicazioni obbligatorie)', () => {
  const rapporto: Rapporto = {
    riferimento: 3,
    datore: { codiceFiscale: CF_DATORE },
    periodo: { dal: '2014-01-07' },
    categoria: 'A',
    ccnl: 'F012',
    livello: '2',
    professioneIstat: '6.1.2.1',
  };
  const record: RecordRapporto = { dal: '2014-01-07', ccnl: 'F012', livello: '2', professioneIstat: '6.1.2.1', qualifica: 'OPERAIO' };

  test.each(['MINLAVORO', 'ANPAL'] as const)('%s: a full match is CONFORME on every datum, without notes', (ente) => {
    const esiti = verifica(ente, rapporto, archivio([record]));
    expect(esiti).toEqual([
      { riferimento: 3, dato: 'RAPPORTO_DI_LAVORO', esito: 'CONFORME' },
      { riferimento: 3, dato: 'CCNL', esito: 'CONFORME' },
      { riferimento: 3, dato: 'LIVELLO_INQUADRAMENTO', esito: 'CONFORME' },
      { riferimento: 3, dato: 'PROFESSIONE_ISTAT', esito: 'CONFORME' },
    ]);
  });

  test('no record at all makes every datum NON_VERIFICABILE', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([]));
    expect(esiti.every((e) => e.esito === 'NON_VERIFICABILE')).toBe(true);
    expect(esiti[0]!.nota).toMatch(/nessun rapporto in archivio/);
  });

  test('records outside the declared period make every datum NON_VERIFICABILE', () => {
    const r: Rapporto = { ...rapporto, periodo: { dal: '2014-01-07', al: '2016-12-31' } };
    const esiti = verifica('MINLAVORO', r, archivio([{ ...record, dal: '2010-01-01', al: '2013-12-31' }, { ...record, dal: '2017-01-01' }]));
    expect(esitiPerDato(esiti)).toEqual({
      RAPPORTO_DI_LAVORO: 'NON_VERIFICABILE',
      CCNL: 'NON_VERIFICABILE',
      LIVELLO_INQUADRAMENTO: 'NON_VERIFICABILE',
      PROFESSIONE_ISTAT: 'NON_VERIFICABILE',
    });
  });

  test('a wrong CCNL is NON_CONFORME and the note gives the archive value', () => {
    const esiti = verifica('MINLAVORO', rapporto, archivio([{ ...record, ccnl: 'F013' }]));
    expect(esitoDi(esiti, 'CCNL')).toEqual({ riferimento: 3, dato: 'CCNL', esito: 'NON_CONFORME', nota: 'CCNL in archivio: F013' });
    expect(esitoDi(esiti, 'LIVELLO_INQUADRAMENTO').esito).toBe('CONFORME');
  });

  test('a wrong livello is NON_CONFORME and the note gives the archive value', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, livello: '3S' }]));
    expect(esitoDi(esiti, 'LIVELLO_INQUADRAMENTO')).toEqual({ riferimento: 3, dato: 'LIVELLO_INQUADRAMENTO', esito: 'NON_CONFORME', nota: 'livello in archivio: 3S' });
    expect(esitoDi(esiti, 'CCNL').esito).toBe('CONFORME');
  });

  test('a livello that changed during the period is NON_CONFORME, naming every archive value', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, al: '2017-12-31' }, { ...record, dal: '2018-01-01', livello: '3' }]));
    expect(esitoDi(esiti, 'RAPPORTO_DI_LAVORO').esito).toBe('CONFORME');
    expect(esitoDi(esiti, 'LIVELLO_INQUADRAMENTO')).toMatchObject({ esito: 'NON_CONFORME', nota: 'livello in archivio: 2, 3' });
  });

  test('a CCNL missing from the archive is NON_VERIFICABILE, while the other data are still checked', () => {
    const { ccnl: _omit, ...senzaCcnl } = record;
    const esiti = verifica('MINLAVORO', rapporto, archivio([senzaCcnl]));
    expect(esitoDi(esiti, 'CCNL')).toMatchObject({ esito: 'NON_VERIFICABILE', nota: 'dato non presente in archivio' });
    expect(esitoDi(esiti, 'RAPPORTO_DI_LAVORO').esito).toBe('CONFORME');
    expect(esitoDi(esiti, 'LIVELLO_INQUADRAMENTO').esito).toBe('CONFORME');
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT').esito).toBe('CONFORME');
  });

  test('an archive ISTAT code more specific than the declared one is compatible', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, professioneIstat: '6.1.2.1.0' }]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT').esito).toBe('CONFORME');
  });

  test('an archive ISTAT code that differs from the declared one is NON_CONFORME, naming it', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, professioneIstat: '6.1.3.1' }]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT')).toMatchObject({ esito: 'NON_CONFORME', nota: 'professione in archivio: 6.1.3.1' });
  });

  test('an archive ISTAT code sharing only a textual prefix (6.1.2.10 vs 6.1.2.1) is not compatible', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, professioneIstat: '6.1.2.10' }]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT').esito).toBe('NON_CONFORME');
  });

  test('an ISTAT code outside the category is NON_CONFORME even when the archive agrees with the declaration', () => {
    const r: Rapporto = { ...rapporto, professioneIstat: '7.4.2.3' };
    const esiti = verifica('MINLAVORO', r, archivio([{ ...record, professioneIstat: '7.4.2.3' }]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT')).toMatchObject({ esito: 'NON_CONFORME', nota: 'professione 7.4.2.3 non rientra nella categoria A' });
  });

  test('category A with qualifica IMPIEGATO is NON_CONFORME on the profession (operai only)', () => {
    const esiti = verifica('MINLAVORO', rapporto, archivio([{ ...record, qualifica: 'IMPIEGATO' }]));
    const e = esitoDi(esiti, 'PROFESSIONE_ISTAT');
    expect(e.esito).toBe('NON_CONFORME');
    expect(e.nota).toContain('IMPIEGATO');
    expect(e.nota).toContain('solo gli operai');
  });

  test('the operai-only rule applies to category A only', () => {
    const r: Rapporto = { ...rapporto, categoria: 'E', professioneIstat: '7.4.2.3' };
    const esiti = verifica('MINLAVORO', r, archivio([{ ...record, professioneIstat: '7.4.2.3', qualifica: 'IMPIEGATO' }]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT').esito).toBe('CONFORME');
  });

  test('an archive with no ISTAT code makes the profession NON_VERIFICABILE', () => {
    const { professioneIstat: _omit, ...senza } = record;
    const esiti = verifica('MINLAVORO', rapporto, archivio([senza]));
    expect(esitoDi(esiti, 'PROFESSIONE_ISTAT').esito).toBe('NON_VERIFICABILE');
  });

  test('an uncovered sub-period makes the relation NON_CONFORME, naming the gap', () => {
    const r: Rapporto = { ...rapporto, periodo: { dal: '2014-01-07', al: '2020-12-31' } };
    const esiti = verifica('ANPAL', r, archivio([{ ...record, al: '2017-06-30' }, { ...record, dal: '2018-01-01' }]));
    expect(esitoDi(esiti, 'RAPPORTO_DI_LAVORO')).toEqual({
      riferimento: 3,
      dato: 'RAPPORTO_DI_LAVORO',
      esito: 'NON_CONFORME',
      nota: 'periodo non coperto in archivio: 2017-07-01/2017-12-31',
    });
    expect(esitoDi(esiti, 'CCNL').esito).toBe('CONFORME');
  });

  test('an ongoing relation is checked up to today', () => {
    const esiti = verifica('ANPAL', rapporto, archivio([{ ...record, al: '2025-12-31' }]), OGGI);
    expect(esitoDi(esiti, 'RAPPORTO_DI_LAVORO')).toMatchObject({ esito: 'NON_CONFORME', nota: `periodo non coperto in archivio: 2026-01-01/${OGGI}` });
  });

  test('without declared CCNL or livello only the relation and the profession are answered', () => {
    const r: Rapporto = { riferimento: 3, datore: rapporto.datore, periodo: rapporto.periodo, categoria: 'A', professioneIstat: '6.1.2.1' };
    const esiti = verifica('MINLAVORO', r, archivio([record]));
    expect(esiti.map((e) => e.esito)).toEqual(['CONFORME', 'CONFORME']);
  });
});

describe('verificaRapporto: INAIL', () => {
  const rapporto: Rapporto = {
    riferimento: 1,
    datore: { codiceFiscale: CF_DATORE, patInail: '12345678' },
    periodo: { dal: '2014-01-07' },
    categoria: 'A',
    vociTariffaInail: ['3110', '3150'],
  };
  const voce = (v: string, grandeGruppo: number, tassoPerMille: number, cfDatore = CF_DATORE): VocePat => ({ cfDatore, voce: v, grandeGruppo, tassoPerMille });
  const vociEdilizia = [voce('3110', 3, 62), voce('3150', 3, 48)];

  test('voices applied on the PAT, in the right grande gruppo and above 17 per mille are CONFORME', () => {
    expect(verifica('INAIL', rapporto, archivio([], vociEdilizia))).toEqual([
      { riferimento: 1, dato: 'GRANDE_GRUPPO_TARIFFA', esito: 'CONFORME' },
      { riferimento: 1, dato: 'VOCE_TARIFFA', esito: 'CONFORME' },
      { riferimento: 1, dato: 'TASSO_MEDIO_TARIFFA', esito: 'CONFORME' },
    ]);
  });

  test('an unknown PAT makes every datum NON_VERIFICABILE', () => {
    const esiti = verifica('INAIL', rapporto, archivio([], []));
    expect(esiti.map((e) => e.esito)).toEqual(['NON_VERIFICABILE', 'NON_VERIFICABILE', 'NON_VERIFICABILE']);
    expect(esiti[0]!.nota).toBe('PAT 12345678 non presente in archivio');
  });

  test('an undeclared PAT makes every datum NON_VERIFICABILE', () => {
    const r: Rapporto = { ...rapporto, datore: { codiceFiscale: CF_DATORE } };
    const esiti = verifica('INAIL', r, archivio([], vociEdilizia));
    expect(esiti.map((e) => e.esito)).toEqual(['NON_VERIFICABILE', 'NON_VERIFICABILE', 'NON_VERIFICABILE']);
    expect(esiti[0]!.nota).toBe('PAT non dichiarata');
  });

  test("a PAT registered to another employer makes every datum NON_CONFORME", () => {
    const esiti = verifica('INAIL', rapporto, archivio([], [voce('3110', 3, 62, ALTRO_DATORE), voce('3150', 3, 48, ALTRO_DATORE)]));
    expect(esiti.map((e) => e.esito)).toEqual(['NON_CONFORME', 'NON_CONFORME', 'NON_CONFORME']);
    expect(esiti[0]!.nota).toContain('intestata ad altro datore di lavoro');
  });

  test('a declared voice not applied on the PAT is NON_CONFORME on the voice; the others are judged on the applied ones', () => {
    const esiti = verifica('INAIL', rapporto, archivio([], [voce('3110', 3, 62), voce('3200', 3, 10)]));
    expect(esitoDi(esiti, 'VOCE_TARIFFA')).toMatchObject({ esito: 'NON_CONFORME', nota: 'voci non applicate sulla PAT: 3150' });
    expect(esitoDi(esiti, 'GRANDE_GRUPPO_TARIFFA').esito).toBe('CONFORME');
    // 3200 (10 per mille) was not declared: the average is over 3110 only.
    expect(esitoDi(esiti, 'TASSO_MEDIO_TARIFFA').esito).toBe('CONFORME');
  });

  test('no declared voice applied on the PAT: voce NON_CONFORME, grande gruppo and rate NON_VERIFICABILE', () => {
    const esiti = verifica('INAIL', rapporto, archivio([], [voce('9121', 9, 45)]));
    expect(esitiPerDato(esiti)).toEqual({ VOCE_TARIFFA: 'NON_CONFORME', GRANDE_GRUPPO_TARIFFA: 'NON_VERIFICABILE', TASSO_MEDIO_TARIFFA: 'NON_VERIFICABILE' });
  });

  test('no declared voice at all is NON_CONFORME on the voice', () => {
    const esiti = verifica('INAIL', { ...rapporto, vociTariffaInail: [] }, archivio([], vociEdilizia));
    expect(esitoDi(esiti, 'VOCE_TARIFFA')).toMatchObject({ esito: 'NON_CONFORME', nota: 'voci non applicate sulla PAT: (nessuna dichiarata)' });
  });

  test('a grande gruppo outside the category is NON_CONFORME, naming it and the admitted ones', () => {
    const r: Rapporto = { ...rapporto, vociTariffaInail: ['3110', '9121'] };
    const esiti = verifica('INAIL', r, archivio([], [voce('3110', 3, 62), voce('9121', 9, 45)]));
    expect(esitoDi(esiti, 'GRANDE_GRUPPO_TARIFFA')).toMatchObject({ esito: 'NON_CONFORME', nota: 'grande gruppo 9 non previsto per la categoria A (3, 7)' });
    expect(esitoDi(esiti, 'VOCE_TARIFFA').esito).toBe('CONFORME');
  });

  test('an average rate of exactly 17 per mille is NON_CONFORME (it must be above 17)', () => {
    const r: Rapporto = { ...rapporto, vociTariffaInail: ['3110'] };
    const esiti = verifica('INAIL', r, archivio([], [voce('3110', 3, 17)]));
    expect(esitoDi(esiti, 'TASSO_MEDIO_TARIFFA')).toMatchObject({ esito: 'NON_CONFORME', nota: 'tasso medio 17.00 per mille non superiore a 17' });
  });

  test('an average rate of 17.01 per mille is CONFORME', () => {
    const r: Rapporto = { ...rapporto, vociTariffaInail: ['3110'] };
    expect(esitoDi(verifica('INAIL', r, archivio([], [voce('3110', 3, 17.01)])), 'TASSO_MEDIO_TARIFFA').esito).toBe('CONFORME');
  });

  test('the rate is the average of the declared voices (10 and 24 average exactly 17)', () => {
    const esiti = verifica('INAIL', rapporto, archivio([], [voce('3110', 3, 10), voce('3150', 3, 24)]));
    expect(esitoDi(esiti, 'TASSO_MEDIO_TARIFFA').esito).toBe('NON_CONFORME');
    const sopra = verifica('INAIL', rapporto, archivio([], [voce('3110', 3, 10), voce('3150', 3, 24.1)]));
    expect(esitoDi(sopra, 'TASSO_MEDIO_TARIFFA').esito).toBe('CONFORME');
  });
});

describe('verificaRapporto: INL (inspection records)', () => {
  const turni: Rapporto = { riferimento: 1, datore: { codiceFiscale: ALTRO_DATORE }, periodo: { dal: '2009-10-01' }, categoria: 'F', lavoroATurni: true };
  const asilo: Rapporto = { riferimento: 2, datore: { codiceFiscale: ALTRO_DATORE }, periodo: { dal: '2016-09-01' }, categoria: 'H', attivitaEducativa: true };

  test('shift work confirmed by the archive is CONFORME', () => {
    expect(verifica('INL', turni, archivio([{ dal: '2009-10-01', lavoroATurni: true }]))).toEqual([{ riferimento: 1, dato: 'LAVORO_A_TURNI', esito: 'CONFORME' }]);
  });

  test('shift work denied by the archive is NON_CONFORME', () => {
    const [e] = verifica('INL', turni, archivio([{ dal: '2009-10-01', lavoroATurni: false }]));
    expect(e).toEqual({ riferimento: 1, dato: 'LAVORO_A_TURNI', esito: 'NON_CONFORME', nota: 'lavoro a turni in archivio: no' });
  });

  test('shift work confirmed only for part of the relation is NON_CONFORME', () => {
    const [e] = verifica('INL', turni, archivio([{ dal: '2009-10-01', al: '2015-12-31', lavoroATurni: true }, { dal: '2016-01-01', lavoroATurni: false }]));
    expect(e!.esito).toBe('NON_CONFORME');
  });

  test('a relation the archive holds without shift information is NON_VERIFICABILE', () => {
    const [e] = verifica('INL', turni, archivio([{ dal: '2009-10-01' }]));
    expect(e).toMatchObject({ dato: 'LAVORO_A_TURNI', esito: 'NON_VERIFICABILE' });
  });

  test('a relation the archive does not hold is NON_VERIFICABILE', () => {
    const [e] = verifica('INL', turni, archivio([]));
    expect(e).toMatchObject({ dato: 'LAVORO_A_TURNI', esito: 'NON_VERIFICABILE' });
  });

  test('a declared lack of shift work confirmed by the archive is CONFORME on the datum', () => {
    const [e] = verifica('INL', { ...turni, lavoroATurni: false }, archivio([{ dal: '2009-10-01', lavoroATurni: false }]));
    expect(e!.esito).toBe('CONFORME');
  });

  test('educational activity is checked the same way for category H', () => {
    expect(verifica('INL', asilo, archivio([{ dal: '2016-09-01', attivitaEducativa: true }]))).toEqual([{ riferimento: 2, dato: 'ATTIVITA_EDUCATIVA', esito: 'CONFORME' }]);
    expect(verifica('INL', asilo, archivio([{ dal: '2016-09-01', attivitaEducativa: false }]))[0]!.esito).toBe('NON_CONFORME');
    expect(verifica('INL', asilo, archivio([{ dal: '2016-09-01' }]))[0]!.esito).toBe('NON_VERIFICABILE');
  });
});
