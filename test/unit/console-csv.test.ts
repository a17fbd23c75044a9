import { csv } from '../../services/inps/console/csv';
import { idTracciabile } from '../../services/inps/console/login';

/** What the console's exports and its access log do with text a stranger chose. */
describe('CSV cells a spreadsheet could run as formulas', () => {
  it('prefixes a formula at the start of a cell, and after any separator a spreadsheet might split on', () => {
    expect(csv(['=1+1'])).toBe("'=1+1\r\n");
    expect(csv(["x;=cmd|' /C calc'!A0;"])).toBe(`"x;'=cmd|' /C calc'!A0;"\r\n`);
    expect(csv(['a, @SUM(A1)'])).toBe(`"a, '@SUM(A1)"\r\n`);
    expect(csv(['2026-12-03T08:00:00.000Z', 'INPS-OP-0042'])).toBe('2026-12-03T08:00:00.000Z,INPS-OP-0042\r\n');
  });
});

describe('identifiers typed at login, as the access log keeps them', () => {
  it('keeps an identifier as typed, and anything else as a digest', () => {
    expect(idTracciabile('funzionario.demo')).toBe('funzionario.demo');
    expect(idTracciabile('INPS-OP-0042')).toBe('INPS-OP-0042');
    expect(idTracciabile('=HYPERLINK("http://x")')).toMatch(/^non-valido:[0-9a-f]{16}$/);
    expect(idTracciabile('la mia password segreta')).toMatch(/^non-valido:[0-9a-f]{16}$/);
    expect(idTracciabile('la mia password segreta')).toBe(idTracciabile('la mia password segreta'));
  });
});
