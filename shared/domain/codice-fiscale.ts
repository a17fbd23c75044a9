/**
 * Codice fiscale checks. A natural person's code has 16 characters: surname (3), name (3), year (2),
 * month letter, day (2, +40 for women), municipality (4), check character. Digits of the date and
 * municipality parts may be replaced by the omocodia letters LMNPQRSTUV (0..9). The check character is
 * the sum of odd-position and even-position values, mod 26. A legal person's code has 11 digits with a
 * Luhn-like check digit.
 */

const ODD_VALUES: Record<string, number> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

const OMOCODIA = 'LMNPQRSTUV';
const PERSON_SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

function evenValue(ch: string): number {
  return ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 65;
}

/** The check character of the first 15 characters of a person's codice fiscale. */
export function carattereDiControllo(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15[i]!;
    // Positions are 1-based in the rule: index 0 is position 1, an odd position.
    sum += i % 2 === 0 ? ODD_VALUES[ch]! : evenValue(ch);
  }
  return String.fromCharCode(65 + (sum % 26));
}

function decodeDigits(s: string): number {
  return Number([...s].map((c) => (OMOCODIA.includes(c) ? String(OMOCODIA.indexOf(c)) : c)).join(''));
}

/** Why a person's codice fiscale is not valid, or null when it is. */
export function problemaCodiceFiscalePersona(cf: string): string | null {
  if (!PERSON_SHAPE.test(cf)) return 'formato non valido (16 caratteri: 6 lettere, data, comune, controllo)';
  const day = decodeDigits(cf.slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return `giorno di nascita non valido (${cf.slice(9, 11)})`;
  const expected = carattereDiControllo(cf.slice(0, 15));
  if (cf[15] !== expected) return `carattere di controllo errato: atteso ${expected}, trovato ${cf[15]}`;
  return null;
}

/** Why an 11-digit codice fiscale (legal person, public body) is not valid, or null. */
export function problemaCodiceFiscaleNumerico(cf: string): string | null {
  if (!/^[0-9]{11}$/.test(cf)) return 'formato non valido (11 cifre)';
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = cf.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const expected = (10 - (sum % 10)) % 10;
  if (cf.charCodeAt(10) - 48 !== expected) return `cifra di controllo errata: attesa ${expected}, trovata ${cf[10]}`;
  return null;
}

/** An employer may be a legal person (11 digits) or a natural person (16 characters). */
export function problemaCodiceFiscaleDatore(cf: string): string | null {
  return cf.length === 11 ? problemaCodiceFiscaleNumerico(cf) : problemaCodiceFiscalePersona(cf);
}

/** Completes 15 characters with their check character (demo data, tests). */
export function conControllo(first15: string): string {
  return first15 + carattereDiControllo(first15);
}

/** Completes 10 digits with their check digit (demo data, tests). */
export function conCifraDiControllo(first10: string): string {
  for (let d = 0; d <= 9; d++) {
    if (problemaCodiceFiscaleNumerico(first10 + d) === null) return first10 + d;
  }
  throw new Error(`no check digit for ${first10}`);
}
