import { ApeError, type ErrorCode } from '../../shared/errors';
import { controllaDomanda } from '../../shared/domain/validazione-domanda';
import type { Attestazione, Domanda } from '../../shared/domain/types';
import { scenario, SCENARI } from '../../infra/demo/dataset';

const PRESENTAZIONE = new Date('2026-03-10T09:00:00Z');

function domanda(chiave = 'conforme', presentazione = PRESENTAZIONE): Domanda {
  return scenario(chiave).domanda('INPS.T.1', presentazione);
}

/** The first attestation of a fresh 'conforme' domanda, changed by `change`. */
function conAttestazione(change: (a: Attestazione) => void, chiave = 'conforme'): Domanda {
  const d = domanda(chiave);
  change(d.attestazioni[0]!);
  return d;
}

function rifiuto(d: Domanda, code: ErrorCode): string {
  try {
    controllaDomanda(d);
  } catch (err) {
    expect(err).toBeInstanceOf(ApeError);
    expect((err as ApeError).code).toBe(code);
    return (err as ApeError).message;
  }
  throw new Error(`expected ${code}`);
}

describe('controllaDomanda', () => {
  test('a valid domanda passes', () => {
    expect(() => controllaDomanda(domanda())).not.toThrow();
  });

  test.each(SCENARI.map((s) => s.chiave))('the demo domanda "%s" passes', (chiave) => {
    expect(() => controllaDomanda(domanda(chiave))).not.toThrow();
  });

  describe('codice fiscale', () => {
    test("a wrong check character in the applicant's code is CODICE_FISCALE_NON_VALIDO", () => {
      const d = domanda();
      d.richiedente.codiceFiscale = 'RSSMRA60A01H501A';
      const msg = rifiuto(d, 'CODICE_FISCALE_NON_VALIDO');
      expect(msg).toContain('Richiedente/CodiceFiscale');
      expect(msg).toContain('atteso Q, trovato A');
    });

    test("a wrong check digit in the employer's code is CODICE_FISCALE_NON_VALIDO", () => {
      const d = conAttestazione((a) => (a.datore.codiceFiscale = '01234567890'));
      const msg = rifiuto(d, 'CODICE_FISCALE_NON_VALIDO');
      expect(msg).toContain('Attestazione 1/DatoreLavoro/CodiceFiscale');
      expect(msg).toContain('attesa 7, trovata 0');
    });

    test("a natural-person employer's code is checked as a 16-character code", () => {
      const d = domanda('domestico-e-asilo');
      d.attestazioni[0]!.datore.codiceFiscale = 'BRNLGU40A01H501K';
      expect(rifiuto(d, 'CODICE_FISCALE_NON_VALIDO')).toContain('Attestazione 1/DatoreLavoro/CodiceFiscale: carattere di controllo errato');
    });

    test('codice fiscale problems take precedence and carry the other problems in the same message', () => {
      const d = conAttestazione((a) => {
        a.datore.codiceFiscale = '01234567890';
        a.periodo = { dal: '2015-01-01', al: '2014-01-01' };
      });
      const msg = rifiuto(d, 'CODICE_FISCALE_NON_VALIDO');
      expect(msg).toContain('CodiceFiscale');
      expect(msg).toContain('Al precede Dal');
    });
  });

  describe('period', () => {
    test('Al before Dal is DATI_INCOERENTI', () => {
      const d = conAttestazione((a) => (a.periodo = { dal: '2015-01-01', al: '2014-12-31' }));
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1/Periodo: Al precede Dal');
    });

    test('a one-day relation (Al equal to Dal) is accepted', () => {
      const d = conAttestazione((a) => (a.periodo = { dal: '2015-01-01', al: '2015-01-01' }));
      expect(() => controllaDomanda(d)).not.toThrow();
    });

    test('Dal after the presentation date is DATI_INCOERENTI', () => {
      const d = conAttestazione((a) => (a.periodo = { dal: '2026-03-11' }));
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1/Periodo/Dal: successivo alla presentazione della domanda');
    });

    test('Dal on the presentation date is accepted', () => {
      const d = conAttestazione((a) => (a.periodo = { dal: '2026-03-10' }));
      expect(() => controllaDomanda(d)).not.toThrow();
    });

    test('the presentation date is the Italian calendar date (23:30 UTC on 10 March is 11 March in Rome)', () => {
      const d = scenario('conforme').domanda('INPS.T.1', new Date('2026-03-10T23:30:00Z'));
      d.attestazioni[0]!.periodo = { dal: '2026-03-11' };
      expect(() => controllaDomanda(d)).not.toThrow();
      d.attestazioni[0]!.periodo = { dal: '2026-03-12' };
      expect(rifiuto(d, 'DATI_INCOERENTI')).toContain('successivo alla presentazione');
    });
  });

  test('a birth date not before the presentation date is DATI_INCOERENTI', () => {
    const d = domanda();
    d.richiedente.dataNascita = '2026-03-10';
    expect(rifiuto(d, 'DATI_INCOERENTI')).toContain('Richiedente/DataNascita');
  });

  describe('domestic attestations (allegato 3)', () => {
    test('a domestic attestation with a category other than G is DATI_INCOERENTI', () => {
      const d = domanda('domestico-e-asilo');
      d.attestazioni[0]!.categoria = 'L';
      // L would also need INAIL data; the category rule must be among the problems.
      expect(rifiuto(d, 'DATI_INCOERENTI')).toContain("Attestazione 1: l'attestazione del datore di lavoro domestico (allegato 3) riguarda solo la categoria G");
    });

    test('a domestic attestation without CodiceRapportoDomestico is DATI_INCOERENTI', () => {
      const d = domanda('domestico-e-asilo');
      delete d.attestazioni[0]!.codiceRapportoDomestico;
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1: manca CodiceRapportoDomestico (allegato 3)');
    });

    test('a domestic G attestation needs no PAT nor tariff voices', () => {
      const d = domanda('domestico-e-asilo');
      expect(d.attestazioni[0]!.datore.patInail).toBeUndefined();
      expect(d.attestazioni[0]!.vociTariffaInail).toEqual([]);
      expect(() => controllaDomanda(d)).not.toThrow();
    });
  });

  describe('data required by the competent parties', () => {
    test('an INAIL category without PAT is DATI_INCOERENTI', () => {
      const d = conAttestazione((a) => delete a.datore.patInail);
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1/DatoreLavoro/PatInail: richiesta per la categoria A');
    });

    test('an INAIL category without tariff voices is DATI_INCOERENTI', () => {
      const d = conAttestazione((a) => (a.vociTariffaInail = []));
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1/VociTariffaInail: richieste per la categoria A');
    });

    test('G in a firm needs PAT and tariff voices like the other INAIL categories', () => {
      const d = conAttestazione((a) => {
        a.categoria = 'G';
        a.professioneIstat = '5.4.4.3';
        delete a.datore.patInail;
        a.vociTariffaInail = [];
      });
      const msg = rifiuto(d, 'DATI_INCOERENTI');
      expect(msg).toContain('PatInail: richiesta per la categoria G');
      expect(msg).toContain('VociTariffaInail: richieste per la categoria G');
    });

    test('F without LavoroATurni is DATI_INCOERENTI', () => {
      const d = conAttestazione((a) => delete a.lavoroATurni, 'turni-inl');
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 1/LavoroATurni: richiesto per la categoria F');
    });

    test('F with LavoroATurni false passes validation (the archive, not the schema, judges it)', () => {
      const d = conAttestazione((a) => (a.lavoroATurni = false), 'turni-inl');
      expect(() => controllaDomanda(d)).not.toThrow();
    });

    test('H without AttivitaEducativa is DATI_INCOERENTI', () => {
      const d = domanda('domestico-e-asilo');
      delete d.attestazioni[1]!.attivitaEducativa;
      expect(rifiuto(d, 'DATI_INCOERENTI')).toBe('Attestazione 2/AttivitaEducativa: richiesto per la categoria H');
    });

    test('F and H need no PAT nor tariff voices', () => {
      const f = domanda('turni-inl');
      expect(f.attestazioni[0]!.datore.patInail).toBeUndefined();
      expect(() => controllaDomanda(f)).not.toThrow();
    });
  });

  test('several problems are reported together in one message, naming each attestation', () => {
    const d = domanda('domestico-e-asilo');
    d.attestazioni[0]!.periodo = { dal: '2016-08-31', al: '2012-01-01' };
    delete d.attestazioni[0]!.codiceRapportoDomestico;
    delete d.attestazioni[1]!.attivitaEducativa;
    d.attestazioni[1]!.periodo = { dal: '2027-01-01' };
    const msg = rifiuto(d, 'DATI_INCOERENTI');
    expect(msg.split('; ')).toEqual([
      'Attestazione 1/Periodo: Al precede Dal',
      'Attestazione 1: manca CodiceRapportoDomestico (allegato 3)',
      'Attestazione 2/Periodo/Dal: successivo alla presentazione della domanda',
      'Attestazione 2/AttivitaEducativa: richiesto per la categoria H',
    ]);
  });
});
