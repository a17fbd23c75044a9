import { csrfValido, digestSessione, hashPassword, nuovoToken, problemaPassword, sessioneScaduta, verifyPassword } from '../../services/inps/console/sicurezza';
import { escapeHtml, html } from '../../services/inps/console/html';
import { tempoResiduo } from '../../services/inps/console/tempo';

describe('console password hashing (scrypt)', () => {
  it('stores the KDF parameters with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('Una password lunga 1');
    const b = await hashPassword('Una password lunga 1');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Una password lunga 1', a)).toBe(true);
    expect(await verifyPassword('Una password lunga 2', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('never matches a malformed or weakened stored hash', async () => {
    const h = await hashPassword('Una password lunga 1');
    const parts = h.split('$');
    expect(await verifyPassword('Una password lunga 1', 'plain')).toBe(false);
    expect(await verifyPassword('Una password lunga 1', ['bcrypt', ...parts.slice(1)].join('$'))).toBe(false);
    expect(await verifyPassword('Una password lunga 1', [...parts.slice(0, 5), ''].join('$'))).toBe(false);
    expect(await verifyPassword('Una password lunga 1', [parts[0], '0', ...parts.slice(2)].join('$'))).toBe(false);
    // Parameters are read from the hash: an older, cheaper hash still verifies with its own parameters.
    expect(await verifyPassword('Una password lunga 1', [parts[0], '16384', ...parts.slice(2)].join('$'))).toBe(false);
  });

  it('refuses short or single-class passwords', () => {
    expect(problemaPassword('corta1')).toMatch(/12 caratteri/);
    expect(problemaPassword('solamentelettere')).toMatch(/cifra o un simbolo/);
    expect(problemaPassword('Istruttoria-Demo-2026')).toBeNull();
  });
});

describe('console sessions', () => {
  const limiti = { inattivitaMinuti: 30, massimaOre: 10 };
  const creataIl = new Date('2026-03-02T08:00:00Z');

  it('expire after the idle limit and at the absolute limit whatever the activity', () => {
    const s = { creataIl, ultimoUsoIl: new Date('2026-03-02T09:00:00Z'), chiusaIl: null };
    expect(sessioneScaduta(s, new Date('2026-03-02T09:29:59Z'), limiti)).toBeNull();
    expect(sessioneScaduta(s, new Date('2026-03-02T09:30:00Z'), limiti)).toBe('INATTIVITA');
    const attiva = { creataIl, ultimoUsoIl: new Date('2026-03-02T17:55:00Z'), chiusaIl: null };
    expect(sessioneScaduta(attiva, new Date('2026-03-02T17:59:59Z'), limiti)).toBeNull();
    expect(sessioneScaduta(attiva, new Date('2026-03-02T18:00:00Z'), limiti)).toBe('DURATA_MASSIMA');
    expect(sessioneScaduta({ ...s, chiusaIl: new Date('2026-03-02T09:01:00Z') }, new Date('2026-03-02T09:02:00Z'), limiti)).toBe('CHIUSA');
  });

  it('keep only a digest of the random id', () => {
    const id = nuovoToken();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nuovoToken()).not.toBe(id);
    expect(digestSessione(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestSessione(id)).not.toContain(id);
  });
});

describe('console CSRF tokens', () => {
  it('accept only the exact token of the session', () => {
    const t = nuovoToken();
    expect(csrfValido(t, t)).toBe(true);
    expect(csrfValido(t, nuovoToken())).toBe(false);
    expect(csrfValido(t, t.slice(0, -1))).toBe(false);
    expect(csrfValido(t, '')).toBe(false);
    expect(csrfValido(t, undefined)).toBe(false);
    expect(csrfValido(t, null)).toBe(false);
    expect(csrfValido(t, [t])).toBe(false);
  });
});

describe('console HTML escaping', () => {
  it('escapes every interpolated value, in text and attributes', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y' \``)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;');
    const evil = '"><img src=x onerror=alert(1)>';
    const out = html`<input value="${evil}"><p>${evil}</p>`.value;
    expect(out).toBe('<input value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(out).not.toContain('<img');
  });

  it('does not escape markup built by the template itself, and renders lists and empty values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    // A plain string that looks like markup is still text.
    expect(html`${'<hr>'}`.value).toBe('&lt;hr&gt;');
  });
});

describe('console deadlines', () => {
  it('say the time left, or by how much a deadline was passed', () => {
    const now = new Date('2026-03-02T08:00:00Z');
    expect(tempoResiduo(new Date('2026-03-05T12:30:00Z'), now)).toEqual({ testo: 'tra 3 giorni e 4 ore', superata: false });
    expect(tempoResiduo(new Date('2026-03-02T08:12:00Z'), now)).toEqual({ testo: 'tra 12 minuti', superata: false });
    expect(tempoResiduo(new Date('2026-03-02T06:00:00Z'), now)).toEqual({ testo: 'superata da 2 ore', superata: true });
    expect(tempoResiduo(new Date('2026-03-03T08:00:00Z'), now)).toEqual({ testo: 'tra 1 giorno', superata: false });
  });
});
