import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { categoria, leggiPerf, leggiRiga, richiediPerf, sintesi } from '../../infra/bench/perf-cpu';

/**
 * The --perf summary (infra/bench/perf-cpu.ts): perf report's lines read, each sample put in the category of the code
 * it was in, and summed per category and per process, idle left out.
 */

describe('perf report lines', () => {
  test('a line is read into its share, thread, command, shared object and symbol', () => {
    expect(leggiRiga('     1.32%    10788:node             node                                 [.] ossl_rsaz_amm52x20_x2_256')).toEqual({
      quota: 1.32,
      tid: 10788,
      comm: 'node',
      dso: 'node',
      simbolo: 'ossl_rsaz_amm52x20_x2_256',
    });
    expect(leggiRiga('     0.46%    10934:postgres         [kernel.kallsyms]                    [k] finish_task_switch.isra.0')).toMatchObject({ comm: 'postgres', dso: '[kernel.kallsyms]', simbolo: 'finish_task_switch.isra.0' });
    expect(leggiRiga('     0.02%    10790:node             [JIT] tid 10790                      [.] JS:*parse /work/main/node_modules/pg-protocol/dist/parser.js:26:10')).toMatchObject({
      dso: '[JIT] tid 10790',
      simbolo: 'JS:*parse /work/main/node_modules/pg-protocol/dist/parser.js:26:10',
    });
  });

  test('headers, blank lines and comments are not samples', () => {
    expect(leggiRiga('# Samples: 59K of event \'cpu-clock:ppp\'')).toBeNull();
    expect(leggiRiga('')).toBeNull();
  });
});

describe('categories', () => {
  test.each([
    ['node', 'node', 'ossl_rsaz_amm52x20_x2_256', 'OpenSSL'],
    ['node', 'node', 'sha256_block_data_order_shaext', 'OpenSSL'],
    ['node', 'xml.node', 'xmlParseStartTag2.constprop.0', 'libxml2'],
    ['node', 'node', 'v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>', 'V8 garbage collector'],
    ['node', 'node', 'v8::internal::compiler::GraphReducer::ReduceTop', 'V8 compiler'],
    ['node', 'node', 'Builtins_LoadIC', 'JavaScript'],
    ['node', '[JIT] tid 10101', '0x00007f390fad614f', 'JavaScript'],
    ['node', 'libc.so.6', '_int_malloc', 'libc'],
    ['node', 'node', 'uv_run', 'Node.js and libuv'],
    ['node', '[kernel.kallsyms]', 'irqentry_exit_to_user_mode', 'kernel'],
    ['postgres', 'postgres', 'base_yyparse', 'PostgreSQL'],
    ['postgres', '[kernel.kallsyms]', 'finish_task_switch.isra.0', 'PostgreSQL, kernel'],
    ['1_scheduler', 'beam.smp', 'process_main', 'RabbitMQ'],
    ['kdamond.0', '[kernel.kallsyms]', 'page_vma_mapped_walk', 'other'],
  ])('%s %s %s: %s', (comm, dso, simbolo, attesa) => {
    expect(categoria(comm, dso, simbolo)).toBe(attesa);
  });
});

describe('the summary', () => {
  const righe = [
    { quota: 30, tid: 1, comm: 'node', dso: 'node', simbolo: 'ossl_rsaz_amm52x20_x2_256' },
    { quota: 10, tid: 2, comm: 'node', dso: 'node', simbolo: 'v8::internal::compiler::GraphReducer::ReduceTop' },
    { quota: 20, tid: 3, comm: 'postgres', dso: 'postgres', simbolo: 'base_yyparse' },
    { quota: 40, tid: 3, comm: 'postgres', dso: '[kernel.kallsyms]', simbolo: 'finish_task_switch.isra.0' },
    { quota: 100, tid: 0, comm: 'swapper', dso: '[kernel.kallsyms]', simbolo: 'pv_native_safe_halt' },
  ];
  // Thread 2 is a worker thread of the process whose main thread is 1.
  const s = sintesi(righe, (tid, comm) => (tid === 1 || tid === 2 ? 'hub' : comm === 'postgres' ? 'postgresql (backends)' : 'other processes'));

  test('shares are of the busy samples: idle is left out', () => {
    expect(s.categorie).toEqual({ 'PostgreSQL, kernel': 40, OpenSSL: 30, PostgreSQL: 20, 'V8 compiler': 10 });
  });

  test('a process sums its threads, largest first', () => {
    expect(s.processi).toEqual([
      { nome: 'postgresql (backends)', quota: 60, categorie: { 'PostgreSQL, kernel': 40, PostgreSQL: 20 } },
      { nome: 'hub', quota: 40, categorie: { OpenSSL: 30, 'V8 compiler': 10 } },
    ]);
  });

  test('the top symbols name their process and category', () => {
    expect(s.simboli[0]).toEqual({ quota: 40, processo: 'postgresql (backends)', categoria: 'PostgreSQL, kernel', simbolo: 'finish_task_switch.isra.0' });
  });
});

describe('the recording read back through perf report', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ape-perf-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A `perf` that answers as perf report does, and records the arguments it was given. */
  function perfFinto(report: string): string {
    writeFileSync(path.join(dir, 'report.txt'), report);
    const comando = path.join(dir, 'perf');
    writeFileSync(comando, `#!/bin/sh\necho "$@" > "${dir}/argomenti"\ncat "${dir}/report.txt"\n`, { mode: 0o755 });
    return comando;
  }

  test('every thread of a service counts for the service, the rest by their command', () => {
    const comando = perfFinto(
      [
        '# Samples: 4 of event cpu-clock',
        '    50.00%      101:node             node                 [.] ossl_rsaz_amm52x20_x2_256',
        '    20.00%      102:node             node                 [.] v8::internal::compiler::GraphReducer::ReduceTop',
        '    20.00%      300:postgres         postgres             [.] base_yyparse',
        '    10.00%        0:swapper          [kernel.kallsyms]    [k] pv_native_safe_halt',
        '',
      ].join('\n'),
    );
    const s = leggiPerf('/tmp/registrazione.data', new Map([[101, 'minlavoro-hub'], [102, 'minlavoro-hub']]), comando);
    expect(s.processi.map((p) => [p.nome, Math.round(p.quota)])).toEqual([['minlavoro-hub', 78], ['postgresql (backends)', 22]]);
    expect(readFileSync(path.join(dir, 'argomenti'), 'utf8').trim()).toBe('report -i /tmp/registrazione.data --no-children --sort pid,dso,sym --stdio');
  });

  test('without perf the run says what to install', () => {
    expect(() => richiediPerf(path.join(dir, 'perf'))).toThrow(/linux-perf/);
  });
});
