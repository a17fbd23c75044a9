import {
  carattereDiControllo,
  conCifraDiControllo,
  conControllo,
  problemaCodiceFiscaleDatore,
  problemaCodiceFiscaleNumerico,
  problemaCodiceFiscalePersona,
} from '../../shared/domain/codice-fiscale';

/**
 * Expected check characters below were computed by hand from the official odd/even tables, e.g. for
 * RSSMRA60A01H501: odd positions R S R 6 A 1 5 1 -> 8+12+8+15+1+0+13+0 = 57; even positions S M A 0 0 H 0 ->
 * 18+12+0+0+0+7+0 = 37; 94 mod 26 = 16 -> Q.
 */
describe('person codice fiscale (16 characters)', () => {
  test('the check character of well-known codes is computed from the odd/even tables', () => {
    expect(carattereDiControllo('RSSMRA60A01H501')).toBe('Q');
    expect(conControllo('RSSMRA60A01H501')).toBe('RSSMRA60A01H501Q');
    // B C P 6 M 5 2 5 -> 0+5+3+15+18+13+5+13 = 72; N G P 2 1 F 0 -> 13+6+15+2+1+5+0 = 42; 114 mod 26 = 10 -> K
    expect(conControllo('BNCGPP62M15F205')).toBe('BNCGPP62M15F205K');
    // A woman (day 50 = 10 + 40): 73 + 68 = 141, mod 26 = 11 -> L
    expect(conControllo('VRDLCU63E50L219')).toBe('VRDLCU63E50L219L');
  });

  test('a code with the right check character is valid', () => {
    expect(problemaCodiceFiscalePersona('RSSMRA60A01H501Q')).toBeNull();
    expect(problemaCodiceFiscalePersona('BNCGPP62M15F205K')).toBeNull();
    expect(problemaCodiceFiscalePersona('VRDLCU63E50L219L')).toBeNull();
  });

  test('a wrong check character is refused, naming the expected and the found character', () => {
    const problem = problemaCodiceFiscalePersona('RSSMRA60A01H501A');
    expect(problem).toContain('carattere di controllo errato');
    expect(problem).toContain('atteso Q');
    expect(problem).toContain('trovato A');
  });

  test('changing any one character of a valid code is detected by the check character', () => {
    // Swapping two different adjacent characters also changes the sum here (odd/even values differ).
    expect(problemaCodiceFiscalePersona('RSSMRA60A01H502Q')).toMatch(/carattere di controllo errato/);
    expect(problemaCodiceFiscalePersona('RSSMRA61A01H501Q')).toMatch(/carattere di controllo errato/);
    expect(problemaCodiceFiscalePersona('SRSMRA60A01H501Q')).toMatch(/carattere di controllo errato/);
  });

  describe('omocodia', () => {
    test('a digit replaced by its omocodia letter is accepted when the check character is recomputed on the substituted code', () => {
      // Last municipality digit 1 -> M: odd position 15 goes from 0 to 18, 94 + 18 = 112, mod 26 = 8 -> I
      expect(conControllo('RSSMRA60A01H50M')).toBe('RSSMRA60A01H50MI');
      expect(problemaCodiceFiscalePersona('RSSMRA60A01H50MI')).toBeNull();
      // Day 01 -> LM: even L = 11, odd M = 18, 94 + 29 = 123, mod 26 = 19 -> T
      expect(conControllo('RSSMRA60ALMH501')).toBe('RSSMRA60ALMH501T');
      expect(problemaCodiceFiscalePersona('RSSMRA60ALMH501T')).toBeNull();
    });

    test('every date and municipality digit may be an omocodia letter', () => {
      // L M N P Q R S T U V stand for 0..9: year 60 -> SL, day 01 -> LM, municipality 501 -> RLM
      expect(problemaCodiceFiscalePersona(conControllo('RSSMRASLALMHRLM'))).toBeNull();
    });

    test('an omocodia code keeping the check character of the original code is refused', () => {
      expect(problemaCodiceFiscalePersona('RSSMRA60A01H50MQ')).toBe('carattere di controllo errato: atteso I, trovato Q');
    });

    test('a letter that is not an omocodia letter cannot replace a digit', () => {
      expect(problemaCodiceFiscalePersona(conControllo('RSSMRA6AA01H501'))).toMatch(/formato non valido/);
      expect(problemaCodiceFiscalePersona(conControllo('RSSMRA60A01H5O1'))).toMatch(/formato non valido/);
    });

    test('the day is decoded from omocodia letters before it is checked', () => {
      // PN = 32: not a valid day even though both characters are letters
      expect(problemaCodiceFiscalePersona(conControllo('RSSMRA60APNH501'))).toBe('giorno di nascita non valido (PN)');
      // QM = 41: a woman born on the 1st
      expect(problemaCodiceFiscalePersona(conControllo('VRDLCU63EQML219'))).toBeNull();
    });
  });

  describe('day of birth', () => {
    test.each(['32', '00', '72', '40', '35'])('day %s is refused even with a correct check character', (day) => {
      const cf = conControllo(`RSSMRA60A${day}H501`);
      expect(problemaCodiceFiscalePersona(cf)).toBe(`giorno di nascita non valido (${day})`);
    });

    test.each(['01', '31', '41', '50', '71'])("day %s is accepted (men's 1-31, women's 41-71)", (day) => {
      expect(problemaCodiceFiscalePersona(conControllo(`VRDLCU63E${day}L219`))).toBeNull();
    });
  });

  describe('shape', () => {
    test.each([
      ['too short', 'RSSMRA60A01H501'],
      ['too long', 'RSSMRA60A01H501QQ'],
      ['empty', ''],
      ['lower case', 'rssmra60a01h501q'],
      ['digit in the surname part', 'RSS1RA60A01H501Q'],
      ['month letter that is no month (F)', conControllo('RSSMRA60F01H501')],
      ['digit in place of the municipality letter', conControllo('RSSMRA60A011501')],
      ['digit as check character', 'RSSMRA60A01H5011'],
      ['spaces', 'RSS MRA 60A01 H501Q'],
    ])('a code with %s is refused as malformed', (_what, cf) => {
      expect(problemaCodiceFiscalePersona(cf)).toMatch(/^formato non valido/);
    });

    test.each(['A', 'B', 'C', 'D', 'E', 'H', 'L', 'M', 'P', 'R', 'S', 'T'])('month letter %s is accepted', (month) => {
      expect(problemaCodiceFiscalePersona(conControllo(`RSSMRA60${month}01H501`))).toBeNull();
    });
  });
});

describe('numeric codice fiscale (11 digits)', () => {
  test('the check digit is computed Luhn-style', () => {
    // even indices 0+2+4+6+8 = 20; odd indices doubled 2+6+(10-9)+(14-9)+(18-9) = 23; 43 -> 10 - 3 = 7
    expect(conCifraDiControllo('0123456789')).toBe('01234567897');
    expect(problemaCodiceFiscaleNumerico('01234567897')).toBeNull();
  });

  test('real public bodies\' codes are valid (INPS 80078750587, INAIL 01165400589)', () => {
    expect(problemaCodiceFiscaleNumerico('80078750587')).toBeNull();
    expect(problemaCodiceFiscaleNumerico('01165400589')).toBeNull();
    expect(conCifraDiControllo('8007875058')).toBe('80078750587');
  });

  test('a check digit of 0 is produced when the sum is a multiple of 10', () => {
    const cf = conCifraDiControllo('0000000000');
    expect(cf).toBe('00000000000');
    expect(problemaCodiceFiscaleNumerico(cf)).toBeNull();
  });

  test('a wrong check digit is refused, naming the expected and the found digit', () => {
    expect(problemaCodiceFiscaleNumerico('80078750581')).toBe('cifra di controllo errata: attesa 7, trovata 1');
  });

  test('every other check digit of a valid code is refused', () => {
    for (let d = 0; d <= 9; d++) {
      const cf = `0123456789${d}`;
      if (d === 7) expect(problemaCodiceFiscaleNumerico(cf)).toBeNull();
      else expect(problemaCodiceFiscaleNumerico(cf)).toMatch(/cifra di controllo errata/);
    }
  });

  test.each([
    ['a letter', '8007875058A'],
    ['ten digits', '8007875058'],
    ['twelve digits', '800787505870'],
    ['a sign', '-8007875058'],
    ['a space', '80078 50587'],
  ])('a code containing %s is refused as malformed', (_what, cf) => {
    expect(problemaCodiceFiscaleNumerico(cf)).toBe('formato non valido (11 cifre)');
  });
});

describe('employer codice fiscale', () => {
  test('an 11-character code is checked as a numeric code', () => {
    expect(problemaCodiceFiscaleDatore('80078750587')).toBeNull();
    expect(problemaCodiceFiscaleDatore('80078750581')).toMatch(/cifra di controllo errata/);
    expect(problemaCodiceFiscaleDatore('RSSMRA60A01')).toBe('formato non valido (11 cifre)');
  });

  test('any other length is checked as a person code (a natural person employing a domestic worker)', () => {
    expect(problemaCodiceFiscaleDatore('RSSMRA60A01H501Q')).toBeNull();
    expect(problemaCodiceFiscaleDatore('RSSMRA60A01H501A')).toMatch(/carattere di controllo errato/);
    expect(problemaCodiceFiscaleDatore('800787505870')).toMatch(/^formato non valido \(16 caratteri/);
  });
});
