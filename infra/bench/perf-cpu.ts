import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';

/**
 * Where the machine's CPU goes during the capacity phase, by Linux perf's sampling of every CPU (`npm run bench --
 * --perf`): on-CPU time only. The services' V8 profiles (--profilo) sample wall time while a process is not idle in
 * its event loop, so on a saturated machine they charge a function for the time the process waited for a core after
 * it was preempted there: issue 17's eleventh round found `writev` "the largest item" of every service in them, while
 * strace measured 5 µs per writev call and perf a fraction of a percent. This is the figure to act on; --profilo says
 * which JavaScript function a share belongs to.
 */

/** What a sample was doing, by the code it was in. */
export type Categoria =
  | 'JavaScript'
  | 'V8 compiler'
  | 'V8 garbage collector'
  | 'OpenSSL'
  | 'libxml2'
  | 'libc'
  | 'Node.js and libuv'
  | 'kernel'
  | 'PostgreSQL'
  | 'PostgreSQL, kernel'
  | 'RabbitMQ'
  | 'other';

const OPENSSL = /^(ossl_|bn_|BN_|RSA|EVP_|sha\d|SHA\d|aesni_|aes_|gcm_|ecp_nistz256|ECDSA|EC_|OPENSSL_|CRYPTO_|ASN1_|X509|__bn_|rsaz_|x25519|poly1305|ChaCha)/;
const LIBXML2 = /^(xml|html|__xml)/;
const V8_GC = /(Scaveng|Marking|MarkCompact|Sweeper|Evacuat|Compactor|ConcurrentMark|RecordWrite|Heap::|MemoryAllocator|GCTracer|PagedSpace|FreeList)/;
const V8_COMPILER = /(compiler::|maglev::|Maglev|Compiler::|Parser::|Scanner::|BytecodeGenerator|interpreter::Bytecode|CompileLazy|baseline::)/;
/** RabbitMQ's Erlang VM: beam.smp, whose scheduler threads perf names by their own names. */
const RABBITMQ = /^beam\.smp$|_scheduler$|^\d+_dirty_/;
const LIBC = /^(__)?(_int_malloc|malloc|_int_free|cfree|free|calloc|realloc|unlink_chunk|malloc_consolidate|mem(move|cpy|set|cmp|chr)|str(len|cmp|ncmp|chr|ncpy))/;

/** The category of one symbol of a process (perf's comm), from its shared object and name. */
export function categoria(comm: string, dso: string, simbolo: string): Categoria {
  const kernel = dso === '[kernel.kallsyms]' || dso.startsWith('[kernel');
  if (comm === 'postgres') return kernel ? 'PostgreSQL, kernel' : 'PostgreSQL';
  if (RABBITMQ.test(comm) || dso === 'beam.smp') return 'RabbitMQ';
  if (!comm.startsWith('node') && !comm.startsWith('V8 ') && !comm.startsWith('libuv')) return 'other';
  if (kernel) return 'kernel';
  if (dso === 'xml.node' || LIBXML2.test(simbolo)) return 'libxml2';
  if (OPENSSL.test(simbolo) || dso.startsWith('libcrypto') || dso.startsWith('libssl')) return 'OpenSSL';
  if (V8_GC.test(simbolo)) return 'V8 garbage collector';
  if (V8_COMPILER.test(simbolo)) return 'V8 compiler';
  if (dso.startsWith('[JIT]') || dso.startsWith('memfd:') || dso === '[unknown]' || /^(JS:|RegExp:|Builtins_|v8::|Builtin:)/.test(simbolo)) return 'JavaScript';
  if (LIBC.test(simbolo) || dso.startsWith('libc.so')) return 'libc';
  return 'Node.js and libuv';
}

export interface RigaPerf {
  quota: number;
  tid: number;
  comm: string;
  dso: string;
  simbolo: string;
}

/** A line of `perf report --no-children --sort pid,dso,sym --stdio`: "  1.32%  10788:node  node  [.] ossl_rsaz_amm52x20_x2_256". */
export function leggiRiga(riga: string): RigaPerf | null {
  const m = /^\s*([\d.]+)%\s+(\d+):(\S+(?: \S+)*?)\s{2,}(\S.*?)\s{2,}\[[.k]\]\s+(.*?)\s*$/.exec(riga);
  if (!m) return null;
  return { quota: Number(m[1]), tid: Number(m[2]), comm: m[3]!, dso: m[4]!, simbolo: m[5]! };
}

export interface SintesiPerf {
  /** Share of the busy samples (idle left out) per category, in percent. */
  categorie: Record<string, number>;
  /** Per process (a service by name, PostgreSQL's backends together): its share of the busy samples and its split. */
  processi: Array<{ nome: string; quota: number; categorie: Record<string, number> }>;
  /** The symbols with the most samples, with their process and category. */
  simboli: Array<{ quota: number; processo: string; categoria: Categoria; simbolo: string }>;
}

/**
 * The report's lines summed by category and by process; `processoDi` names a thread's process (the services' threads
 * by their pid, the rest by their comm), undefined for a process of no interest (counted as "other").
 */
export function sintesi(righe: readonly RigaPerf[], processoDi: (tid: number, comm: string) => string): SintesiPerf {
  const occupate = righe.filter((r) => r.comm !== 'swapper');
  const totale = occupate.reduce((a, r) => a + r.quota, 0) || 1;
  const perCategoria = new Map<string, number>();
  const perProcesso = new Map<string, Map<string, number>>();
  const perSimbolo = new Map<string, { quota: number; processo: string; categoria: Categoria; simbolo: string }>();
  for (const r of occupate) {
    const c = categoria(r.comm, r.dso, r.simbolo);
    const p = processoDi(r.tid, r.comm);
    perCategoria.set(c, (perCategoria.get(c) ?? 0) + r.quota);
    const mp = perProcesso.get(p) ?? new Map<string, number>();
    mp.set(c, (mp.get(c) ?? 0) + r.quota);
    perProcesso.set(p, mp);
    const k = `${p}\0${r.simbolo}`;
    const s = perSimbolo.get(k) ?? { quota: 0, processo: p, categoria: c, simbolo: r.simbolo };
    s.quota += r.quota;
    perSimbolo.set(k, s);
  }
  const pct = (x: number) => Math.round((1000 * x) / totale) / 10;
  const ordinate = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, pct(v)]));
  return {
    categorie: ordinate(perCategoria),
    processi: [...perProcesso]
      .map(([nome, m]) => ({ nome, quota: pct([...m.values()].reduce((a, v) => a + v, 0)), categorie: ordinate(m) }))
      .sort((a, b) => b.quota - a.quota),
    simboli: [...perSimbolo.values()].sort((a, b) => b.quota - a.quota).slice(0, 25).map((s) => ({ ...s, quota: pct(s.quota) })),
  };
}

/** perf's own check: present (`comando`, the perf binary; another in tests). */
export function richiediPerf(comando = 'perf'): void {
  const r = spawnSync(comando, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error('--perf needs Linux perf (Debian: apt-get install linux-perf) and the right to sample every CPU (root, or kernel.perf_event_paranoid <= 0)');
}

/** A system-wide recording, started now; `ferma` ends it and waits for perf to write its file. */
export function registraPerf(file: string): { ferma(): Promise<void> } {
  const perf: ChildProcess = spawn('perf', ['record', '-a', '-F', '499', '-o', file, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errore = '';
  perf.stderr!.on('data', (d: Buffer) => {
    errore = (errore + d.toString()).slice(-2000);
  });
  const uscito = new Promise<number | null>((resolve) => perf.on('exit', resolve));
  return {
    async ferma() {
      perf.kill('SIGINT');
      const code = await uscito;
      if (code !== 0 && code !== null) throw new Error(`perf record ended with ${code}: ${errore.trim()}`);
    },
  };
}

/** The threads of each process, read while they run: perf names a sample by its thread. */
export function threadsDi(processi: ReadonlyMap<number, string>): Map<number, string> {
  const out = new Map<number, string>();
  for (const [pid, nome] of processi) {
    out.set(pid, nome);
    try {
      for (const t of readdirSync(`/proc/${pid}/task`)) out.set(Number(t), nome);
    } catch {
      // The process has ended: its main thread is still named by its pid.
    }
  }
  return out;
}

/** Reads a recording and sums it (perf report, one line per thread, shared object and symbol). */
export function leggiPerf(file: string, threads: ReadonlyMap<number, string>, comando = 'perf'): SintesiPerf {
  const r = spawnSync(comando, ['report', '-i', file, '--no-children', '--sort', 'pid,dso,sym', '--stdio'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`perf report: ${(r.stderr ?? '').trim().slice(0, 500)}`);
  const righe = r.stdout.split('\n').map(leggiRiga).filter((x): x is RigaPerf => x !== null);
  return sintesi(righe, (tid, comm) => threads.get(tid) ?? (comm === 'postgres' ? 'postgresql (backends)' : RABBITMQ.test(comm) ? 'rabbitmq' : 'other processes'));
}

/** The summary as the run prints it. */
export function testoPerf(s: SintesiPerf): string {
  const righe = ['CPU by what it ran (perf, every CPU, capacity phase; share of the busy samples):'];
  for (const [c, v] of Object.entries(s.categorie)) righe.push(`  ${String(v).padStart(5)}%  ${c}`);
  righe.push('  by process:');
  for (const p of s.processi.slice(0, 12)) {
    righe.push(`    ${p.nome.padEnd(24)} ${String(p.quota).padStart(5)}%: ${Object.entries(p.categorie).slice(0, 6).map(([c, v]) => `${c} ${Math.round((100 * v) / (p.quota || 1))}%`).join(', ')}`);
  }
  righe.push('  top symbols:');
  for (const x of s.simboli.slice(0, 15)) righe.push(`    ${String(x.quota).padStart(5)}%  ${x.processo}: ${x.simbolo} (${x.categoria})`);
  return righe.join('\n');
}
