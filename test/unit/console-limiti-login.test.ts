import { ManualClock } from '../../shared/clock';
import { chiaveIndirizzo, LimitiLogin, REGOLE_LIMITI } from '../../services/inps/console/limiti-login';

/** Login throttling, decided before any hashing: progressive waits per address and per account, known devices apart. */
describe('login throttling', () => {
  const sconosciuto = { ip: '203.0.113.9', account: 'funzionario.demo', dispositivo: null };
  const titolare = { ip: '198.51.100.1', account: 'funzionario.demo', dispositivo: 'hash-del-dispositivo' };

  const prova = (l: LimitiLogin, t: typeof sconosciuto | typeof titolare, esito: 'fallito' | 'riuscito' = 'fallito') => {
    const a = l.ammetti(t);
    if (!a.ammesso) return a.motivo;
    l[esito](t);
    a.libera();
    return 'verificato';
  };

  it('makes an address wait from its fifth failure, doubling each time, without holding anything open', () => {
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    const altri = (n: number) => ({ ip: '203.0.113.9', account: `altro.${n}`, dispositivo: null });
    for (let i = 0; i < 5; i++) {
      expect(prova(l, altri(i))).toBe('verificato');
      clock.advance(i < 4 ? 250 : 0);
    }
    // The fifth failure started a 1 s wait for the address, whatever account it tries.
    expect(prova(l, altri(5))).toBe('INDIRIZZO');
    clock.advance(1000);
    expect(prova(l, altri(6))).toBe('verificato');
    expect(prova(l, altri(7))).toBe('INDIRIZZO');
    clock.advance(1999);
    expect(prova(l, altri(8))).toBe('INDIRIZZO');
    clock.advance(1);
    expect(prova(l, altri(9))).toBe('verificato');
    // Forgotten after the window.
    clock.advance(REGOLE_LIMITI.finestraMs);
    for (let i = 0; i < 5; i++) {
      expect(prova(l, altri(100 + i))).toBe('verificato');
      clock.advance(250);
    }
  });

  it('does not reset its back-off: a guess at the end of each wait counts as one more failure (at most ~100 a day per account)', () => {
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    let tentativi = 0;
    const fine = clock.now().getTime() + 24 * 3_600_000;
    // A guesser from ever new addresses, trying again the very moment its account's wait is over.
    for (let i = 0; clock.now().getTime() < fine; i++) {
      const esito = prova(l, { ...sconosciuto, ip: `203.0.${(i >> 8) & 255}.${i & 255}` });
      if (esito === 'verificato') tentativi++;
      clock.advance(esito === 'verificato' ? 0 : 1000);
    }
    expect(tentativi).toBeLessThanOrEqual(110);
    expect(tentativi).toBeGreaterThan(5);
  });

  it('counts an IPv6 source by its /64, and an IPv4-mapped address as the IPv4 one', () => {
    expect(chiaveIndirizzo('2001:db8:1:2::1')).toBe(chiaveIndirizzo('2001:db8:1:2:ffff:eeee:dddd:cccc'));
    expect(chiaveIndirizzo('2001:db8:1:2::1')).not.toBe(chiaveIndirizzo('2001:db8:1:3::1'));
    expect(chiaveIndirizzo('::ffff:203.0.113.9')).toBe(chiaveIndirizzo('203.0.113.9'));
    expect(chiaveIndirizzo('::1')).toBe('i:0:0:0:0::/64');
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    for (let i = 0; i < 5; i++) {
      expect(prova(l, { ip: `2001:db8:1:2::${i + 1}`, account: `altro.${i}`, dispositivo: null })).toBe('verificato');
      clock.advance(300);
    }
    expect(prova(l, { ip: '2001:db8:1:2::99', account: 'altro.99', dispositivo: null })).toBe('INDIRIZZO');
    expect(prova(l, { ip: '2001:db8:1:3::99', account: 'altro.98', dispositivo: null })).toBe('verificato');
  });

  it("slows a stranger guessing an account from many addresses, never the owner's known device", () => {
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    for (let i = 0; i < 5; i++) {
      expect(prova(l, { ...sconosciuto, ip: `203.0.113.${i}` })).toBe('verificato');
      clock.advance(250);
    }
    expect(prova(l, { ...sconosciuto, ip: '203.0.113.77' })).toBe('ACCOUNT');
    // The owner, from the browser the account logged in from before, is checked at once, and gets in.
    expect(prova(l, titolare, 'riuscito')).toBe('verificato');
    // A stranger keeps failing for an hour: the owner is never refused.
    for (let m = 0; m < 60; m++) {
      clock.advance(60_000);
      prova(l, { ...sconosciuto, ip: `203.0.113.${m % 200}` });
      expect(prova(l, titolare, 'riuscito')).toBe('verificato');
    }
  });

  it('refuses at once, without queueing, password checks beyond the concurrent limit of unknown browsers', () => {
    const l = new LimitiLogin(new ManualClock('2026-07-01T08:00:00Z'));
    const a = l.ammetti({ ...sconosciuto, ip: '1' });
    expect(l.ammetti({ ...sconosciuto, ip: '3' })).toEqual({ ammesso: false, motivo: 'CARICO' });
    // Known devices have their own lane.
    const c = l.ammetti(titolare);
    expect(c.ammesso).toBe(true);
    if (a.ammesso) a.libera();
    if (a.ammesso) a.libera();
    expect(l.ammetti({ ...sconosciuto, ip: '4' }).ammesso).toBe(true);
  });

  it('admits at most a few password checks a second from unknown browsers, however many addresses they come from', () => {
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    const esiti = Array.from({ length: 10 }, (_, i) => prova(l, { ip: `203.0.113.${i}`, account: `ignoto.${i}`, dispositivo: null }));
    expect(esiti.filter((e) => e === 'verificato')).toHaveLength(REGOLE_LIMITI.verificheAlSecondo);
    expect(esiti.filter((e) => e === 'CARICO')).toHaveLength(10 - REGOLE_LIMITI.verificheAlSecondo);
    expect(prova(l, titolare, 'riuscito')).toBe('verificato');
    clock.advance(250);
    expect(prova(l, { ip: '203.0.113.50', account: 'ignoto.50', dispositivo: null })).toBe('verificato');
    expect(prova(l, { ip: '203.0.113.51', account: 'ignoto.51', dispositivo: null })).toBe('CARICO');
  });

  it('records a refused address once a minute', () => {
    const clock = new ManualClock('2026-07-01T08:00:00Z');
    const l = new LimitiLogin(clock);
    expect(l.daTracciare('203.0.113.9')).toBe(true);
    expect(l.daTracciare('203.0.113.9')).toBe(false);
    expect(l.daTracciare('203.0.113.10')).toBe(true);
    clock.advance(60_000);
    expect(l.daTracciare('203.0.113.9')).toBe(true);
  });
});
