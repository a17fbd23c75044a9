import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory of processes from Linux's /proc: /proc/<pid>/stat for CPU ticks (utime + stime),
 * /proc/<pid>/status for resident memory (VmRSS) and its peak (VmHWM). Sampled at an interval by
 * Campionatore; groups (PostgreSQL backends, RabbitMQ's beam.smp) are found by command name each time,
 * because PostgreSQL starts a process per connection.
 */
export interface StatProcesso {
  comm: string;
  stato: string;
  ppid: number;
  /** User plus system CPU time, in clock ticks. */
  tick: number;
  /** User plus system CPU time of the children it has waited for (cutime + cstime), in clock ticks. */
  tickFigliTerminati: number;
}

/** Parses /proc/<pid>/stat. The command name is in parentheses and may itself hold spaces and ')'. */
export function leggiStat(testo: string): StatProcesso {
  const apre = testo.indexOf('(');
  const chiude = testo.lastIndexOf(')');
  if (apre < 0 || chiude < apre) throw new Error('not a /proc/<pid>/stat line');
  const campi = testo.slice(chiude + 2).trim().split(/\s+/);
  // campi[0] is field 3 (state), campi[1] field 4 (ppid); utime, stime, cutime and cstime are fields 14 to 17.
  const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(campi[i]));
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) throw new Error('truncated /proc/<pid>/stat line');
  return { comm: testo.slice(apre + 1, chiude), stato: campi[0]!, ppid: ppid!, tick: utime! + stime!, tickFigliTerminati: cutime! + cstime! };
}

export interface MemoriaProcesso {
  rssKb: number;
  piccoKb: number;
}

/** Parses /proc/<pid>/status for VmRSS and VmHWM (kB); a kernel thread or zombie has neither and gives 0. */
export function leggiStatus(testo: string): MemoriaProcesso {
  const campo = (nome: string) => {
    const m = new RegExp(`^${nome}:\\s+(\\d+)\\s+kB`, 'm').exec(testo);
    return m ? Number(m[1]) : 0;
  };
  return { rssKb: campo('VmRSS'), piccoKb: campo('VmHWM') };
}

let tickPerSecondo: number | null = null;
export function clkTck(): number {
  if (tickPerSecondo === null) {
    try {
      tickPerSecondo = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tickPerSecondo = 100;
    }
  }
  return tickPerSecondo;
}

function leggi(pid: number): { stat: StatProcesso; mem: MemoriaProcesso } | null {
  try {
    return { stat: leggiStat(readFileSync(`/proc/${pid}/stat`, 'utf8')), mem: leggiStatus(readFileSync(`/proc/${pid}/status`, 'utf8')) };
  } catch {
    return null; // gone between listing and reading
  }
}

/**
 * Pids whose command name (/proc/<pid>/comm) is one of `nomi` and, when given, whose command line contains
 * `contiene` (PostgreSQL backends show their database in it: only this run's are counted).
 */
export function pidPerNome(nomi: readonly string[], contiene?: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!nomi.includes(readFileSync(`/proc/${d}/comm`, 'utf8').trim())) continue;
      if (contiene !== undefined && !readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(contiene)) continue;
      out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export interface Campione {
  /** ms since the sampler started */
  t: number;
  /** CPU used since the previous sample, in % of one core */
  cpuPct: number;
  rssKb: number;
}

export interface SerieProcesso {
  nome: string;
  campioni: Campione[];
  /** CPU seconds used while sampled */
  cpuSecondi: number;
  rssPiccoKb: number;
  /** The kernel's peak resident set (VmHWM), for single processes */
  vmHwmKb: number;
}

/**
 * What to sample: one process by pid, or a group (every process whose command name matches). A group whose
 * processes come and go (PostgreSQL's backends: one per connection) can also count, with `terminati`, what its
 * processes used after the last sample that saw them, or between two samples: their parent (the postmaster) adds
 * each child it has waited for to its own cutime and cstime. A backend living less than a sampling interval is
 * otherwise never seen, and one that exits loses its last interval (issue 17, eighth round: a pool replacing a
 * connection at every refused statement made about one backend per domanda, and its CPU went uncounted). The
 * parent's count takes in its children of any database: the benchmark's own short connections are counted too.
 */
export type Bersaglio = { nome: string; pid: number } | { nome: string; comandi: readonly string[]; contiene?: string; terminati?: boolean };

export class Campionatore {
  private readonly serie = new Map<string, SerieProcesso>();
  private readonly ultimiTick = new Map<string, Map<number, number>>();
  /** Per group counting its ended processes: their parent, and the parent's cutime + cstime at the last sample. */
  private readonly genitori = new Map<string, { pid: number; tickFigli: number }>();
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private ultimoT = 0;

  constructor(private readonly bersagli: Bersaglio[], private readonly intervalloMs = 1000) {}

  start(): void {
    this.t0 = performance.now();
    this.ultimoT = this.t0;
    this.campiona(true);
    this.timer = setInterval(() => this.campiona(false), this.intervalloMs);
    this.timer.unref();
  }

  aggiungi(b: Bersaglio): void {
    this.bersagli.push(b);
  }

  private campiona(primo: boolean): void {
    const ora = performance.now();
    const dtS = (ora - this.ultimoT) / 1000;
    this.ultimoT = ora;
    for (const b of this.bersagli) {
      const pids = 'pid' in b ? [b.pid] : pidPerNome(b.comandi, b.contiene);
      const prima = this.ultimiTick.get(b.nome) ?? new Map<number, number>();
      const dopo = new Map<number, number>();
      let tick = 0;
      let rss = 0;
      let hwm = 0;
      // The parent's count is read before the children: one ending in between is counted at the next sample.
      const genitore = 'terminati' in b && b.terminati ? this.genitori.get(b.nome) : undefined;
      const figliOra = genitore ? leggi(genitore.pid)?.stat.tickFigliTerminati : undefined;
      let ppid: number | undefined;
      for (const pid of pids) {
        const r = leggi(pid);
        if (!r) continue;
        ppid ??= r.stat.ppid;
        dopo.set(pid, r.stat.tick);
        // A process seen for the first time in a group counts from zero only if it started after the first sample.
        const base = prima.get(pid) ?? (primo || 'pid' in b ? r.stat.tick : 0);
        tick += Math.max(0, r.stat.tick - base);
        rss += r.mem.rssKb;
        hwm = Math.max(hwm, r.mem.piccoKb);
      }
      if (genitore && figliOra !== undefined) {
        // Each ended child's whole CPU is in the parent's count; what the samples already counted of it (up to its
        // last tick seen) is taken off.
        let giaContati = 0;
        for (const [pid, t] of prima) if (!dopo.has(pid)) giaContati += t;
        tick += figliOra - genitore.tickFigli - giaContati;
        genitore.tickFigli = figliOra;
      } else if ('terminati' in b && b.terminati && ppid !== undefined) {
        const g = leggi(ppid);
        if (g) this.genitori.set(b.nome, { pid: ppid, tickFigli: g.stat.tickFigliTerminati });
      }
      this.ultimiTick.set(b.nome, dopo);
      const s = this.serie.get(b.nome) ?? { nome: b.nome, campioni: [], cpuSecondi: 0, rssPiccoKb: 0, vmHwmKb: 0 };
      const cpuS = tick / clkTck();
      if (!primo && dtS > 0) s.campioni.push({ t: Math.round(ora - this.t0), cpuPct: (100 * cpuS) / dtS, rssKb: rss });
      s.cpuSecondi += primo ? 0 : cpuS;
      s.rssPiccoKb = Math.max(s.rssPiccoKb, rss);
      if ('pid' in b) s.vmHwmKb = Math.max(s.vmHwmKb, hwm);
      this.serie.set(b.nome, s);
    }
  }

  /** Takes a last sample and stops. */
  stop(): SerieProcesso[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.campiona(false);
    return [...this.serie.values()];
  }

  /** The series so far (for a report in the middle of a soak). */
  istantanea(): SerieProcesso[] {
    return [...this.serie.values()].map((s) => ({ ...s, campioni: [...s.campioni] }));
  }
}
