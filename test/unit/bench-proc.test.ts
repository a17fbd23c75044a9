import { leggiStat, leggiStatus } from '../../infra/bench/proc';

describe('/proc parsing', () => {
  test('CPU ticks are utime + stime, after a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 3 4 20 0 11 0 987654 1234567890 30000 18446744073709551615';
    expect(leggiStat(stat)).toEqual({ comm: 'node (worker) x', stato: 'S', tick: 1750 });
  });

  test('a line that is not /proc/<pid>/stat is refused', () => {
    expect(() => leggiStat('garbage')).toThrow('not a /proc/<pid>/stat line');
    expect(() => leggiStat('1 (x) S 1 2')).toThrow('truncated');
  });

  test('resident memory and its peak come from VmRSS and VmHWM', () => {
    const status = 'Name:\tnode\nState:\tS (sleeping)\nVmPeak:\t 1200000 kB\nVmHWM:\t  183452 kB\nVmRSS:\t  150124 kB\nThreads:\t11\n';
    expect(leggiStatus(status)).toEqual({ rssKb: 150124, piccoKb: 183452 });
    expect(leggiStatus('Name:\tkthreadd\nState:\tS\n')).toEqual({ rssKb: 0, piccoKb: 0 });
  });

  test('this very process reads back sensibly', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const s = leggiStat(fs.readFileSync('/proc/self/stat', 'utf8'));
    const m = leggiStatus(fs.readFileSync('/proc/self/status', 'utf8'));
    expect(s.tick).toBeGreaterThan(0);
    expect(m.rssKb).toBeGreaterThan(1000);
    expect(m.piccoKb).toBeGreaterThanOrEqual(m.rssKb);
  });
});
