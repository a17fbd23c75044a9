import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Campionatore, clkTck, leggiStat, leggiStatus } from '../../infra/bench/proc';

describe('/proc parsing', () => {
  test('CPU ticks are utime + stime, after a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 3 4 20 0 11 0 987654 1234567890 30000 18446744073709551615';
    expect(leggiStat(stat)).toEqual({ comm: 'node (worker) x', stato: 'S', ppid: 1, tick: 1750, tickFigliTerminati: 7 });
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

describe('a group of processes that come and go', () => {
  test("a member that starts and ends between two samples is counted, through its parent's count of ended children", async () => {
    // A group of PostgreSQL's kind: one member lasting (the parent is known from it), then one burning CPU for a
    // while and ending between the first sample and the last. Counted by neither sample, it used to count for nothing.
    const segno = `campionatore-${process.pid}-${Date.now()}`;
    const dura = spawn(process.execPath, ['-e', `/*${segno}*/ setTimeout(() => {}, 60000)`]);
    await once(dura, 'spawn');
    const c = new Campionatore([{ nome: 'gruppo', comandi: ['node'], contiene: segno, terminati: true }], 3_600_000);
    c.start();
    // It burns 400 ms of its own CPU, not of the clock: on a busy machine 400 ms of clock can be less CPU.
    const breve = spawn(process.execPath, ['-e', `/*${segno}*/ const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }; const f = u() + 400; while (u() < f);`]);
    await once(breve, 'exit');
    const [serie] = c.stop();
    dura.kill();
    await once(dura, 'exit');
    // Node's start plus 400 ms of CPU, give or take a tick.
    expect(serie!.cpuSecondi).toBeGreaterThanOrEqual(0.4 - 1 / clkTck());
    expect(serie!.cpuSecondi).toBeLessThan(5);
    // 400 ms of CPU can take seconds of clock on a loaded machine (the suite runs beside PostgreSQL and others).
  }, 30_000);
});
