import { ApeError } from '../../shared/errors';
import { controllaCompletezza, riepilogo } from '../../shared/domain/esiti';
import type { DatoVerificato, Esito, EsitoDato, Rapporto } from '../../shared/domain/types';

const e = (esito: Esito) => ({ esito });

describe('riepilogo', () => {
  test('NON_CONFORME wins over everything else', () => {
    expect(riepilogo([e('CONFORME'), e('NON_VERIFICABILE'), e('NON_CONFORME')])).toBe('NON_CONFORME');
    expect(riepilogo([e('NON_CONFORME'), e('CONFORME')])).toBe('NON_CONFORME');
    expect(riepilogo([e('NON_CONFORME')])).toBe('NON_CONFORME');
  });

  test('NON_VERIFICABILE wins over CONFORME', () => {
    expect(riepilogo([e('CONFORME'), e('NON_VERIFICABILE'), e('CONFORME')])).toBe('NON_VERIFICABILE');
    expect(riepilogo([e('NON_VERIFICABILE')])).toBe('NON_VERIFICABILE');
  });

  test('all CONFORME gives CONFORME', () => {
    expect(riepilogo([e('CONFORME'), e('CONFORME')])).toBe('CONFORME');
  });

  test('an empty list has no summary', () => {
    expect(riepilogo([])).toBeNull();
  });
});

describe('controllaCompletezza', () => {
  const anpal1: Rapporto = {
    riferimento: 1,
    datore: { codiceFiscale: '01234567897' },
    periodo: { dal: '2014-01-07' },
    categoria: 'A',
    ccnl: 'F012',
    livello: '2',
    professioneIstat: '6.1.2.1',
  };
  const anpal2: Rapporto = { riferimento: 2, datore: { codiceFiscale: '80078750587' }, periodo: { dal: '2009-10-01' }, categoria: 'F', professioneIstat: '3.2.1.1' };
  const dato = (riferimento: number, d: DatoVerificato, esito: Esito = 'CONFORME'): EsitoDato => ({ riferimento, dato: d, esito });

  const canonical: EsitoDato[] = [
    dato(1, 'RAPPORTO_DI_LAVORO'),
    dato(1, 'CCNL', 'NON_CONFORME'),
    dato(1, 'LIVELLO_INQUADRAMENTO'),
    dato(1, 'PROFESSIONE_ISTAT', 'NON_VERIFICABILE'),
    dato(2, 'RAPPORTO_DI_LAVORO'),
    dato(2, 'PROFESSIONE_ISTAT'),
  ];

  function errore(fn: () => unknown): ApeError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ApeError);
      expect((err as ApeError).code).toBe('ESITO_INCOMPLETO');
      return err as ApeError;
    }
    throw new Error('expected ESITO_INCOMPLETO');
  }

  test('a complete esito in canonical order is returned unchanged', () => {
    expect(controllaCompletezza('ANPAL', [anpal1, anpal2], canonical)).toEqual(canonical);
  });

  test('a complete esito in any order is accepted and returned in canonical order (relation, then datum)', () => {
    const shuffled = [canonical[5]!, canonical[2]!, canonical[0]!, canonical[4]!, canonical[3]!, canonical[1]!];
    const out = controllaCompletezza('ANPAL', [anpal1, anpal2], shuffled);
    expect(out).toEqual(canonical);
    // Notes and esiti travel with their datum.
    const withNote = shuffled.map((x) => (x.dato === 'CCNL' ? { ...x, nota: 'CCNL in archivio: F013' } : x));
    expect(controllaCompletezza('ANPAL', [anpal1, anpal2], withNote)[1]).toEqual({ riferimento: 1, dato: 'CCNL', esito: 'NON_CONFORME', nota: 'CCNL in archivio: F013' });
  });

  test('the canonical order follows the relations of the packet, not their riferimento', () => {
    const out = controllaCompletezza('ANPAL', [anpal2, anpal1], canonical);
    expect(out.map((x) => x.riferimento)).toEqual([2, 2, 1, 1, 1, 1]);
  });

  test('a missing datum is named', () => {
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1, anpal2], canonical.filter((x) => x.dato !== 'CCNL')));
    expect(err.message).toContain("manca l'esito di 1/CCNL");
    expect(err.message).toContain('ANPAL');
  });

  test('a repeated datum is named, even with the same esito', () => {
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1, anpal2], [...canonical, dato(2, 'PROFESSIONE_ISTAT')]));
    expect(err.message).toContain('dato ripetuto 2/PROFESSIONE_ISTAT');
  });

  test('a datum the packet did not ask about is named', () => {
    // CCNL was not declared for relation 2, and INAIL's data are not ANPAL's to answer.
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1, anpal2], [...canonical, dato(2, 'CCNL'), dato(1, 'VOCE_TARIFFA')]));
    expect(err.message).toContain('dato non richiesto 2/CCNL');
    expect(err.message).toContain('dato non richiesto 1/VOCE_TARIFFA');
  });

  test('an esito for a relation not in the packet is named', () => {
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1, anpal2], [...canonical, dato(3, 'RAPPORTO_DI_LAVORO')]));
    expect(err.message).toContain('dato non richiesto 3/RAPPORTO_DI_LAVORO');
  });

  test('all problems are reported together', () => {
    const esiti = [...canonical.filter((x) => x.riferimento !== 2), dato(1, 'CCNL'), dato(9, 'CCNL')];
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1, anpal2], esiti));
    expect(err.message).toContain('dato ripetuto 1/CCNL');
    expect(err.message).toContain('dato non richiesto 9/CCNL');
    expect(err.message).toContain("manca l'esito di 2/RAPPORTO_DI_LAVORO");
    expect(err.message).toContain("manca l'esito di 2/PROFESSIONE_ISTAT");
  });

  test('an empty esito for a non-empty packet is refused', () => {
    const err = errore(() => controllaCompletezza('ANPAL', [anpal1], []));
    expect(err.message).toContain("manca l'esito di 1/RAPPORTO_DI_LAVORO");
  });

  test('INL must answer exactly its own datum', () => {
    const inl: Rapporto = { riferimento: 2, datore: { codiceFiscale: '80078750587' }, periodo: { dal: '2009-10-01' }, categoria: 'F', lavoroATurni: true };
    expect(controllaCompletezza('INL', [inl], [dato(2, 'LAVORO_A_TURNI')])).toEqual([dato(2, 'LAVORO_A_TURNI')]);
    const err = errore(() => controllaCompletezza('INL', [inl], [dato(2, 'RAPPORTO_DI_LAVORO')]));
    expect(err.message).toContain('dato non richiesto 2/RAPPORTO_DI_LAVORO');
    expect(err.message).toContain("manca l'esito di 2/LAVORO_A_TURNI");
  });
});
