import { fork, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';

/**
 * Starting the federation's services as separate processes (from dist/), for the launcher and the tests.
 * A service announces readiness over IPC; its JSON log lines are passed to onLine.
 */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  ready: Promise<void>;
  /** What the service announced with its ready message (its operations endpoint as `ops`), once ready. */
  readonly annuncio: Record<string, unknown> | null;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  name: string;
  /** Script relative to dist/, e.g. services/inps/gateway/main.js */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  onLine?: (name: string, line: string) => void;
  readyTimeoutMs?: number;
  /**
   * A command the service runs under, e.g. ['ip', 'netns', 'exec', ns] for a party's host in test:siti: it must
   * exec node in place (as ip netns exec does), so that the child is node itself (its pid the one a kill reaches)
   * and the IPC channel it inherits still carries `ready`.
   */
  prefisso?: readonly string[];
}

/**
 * A command and its arguments run under a prefix that execs it in place (e.g. ['ip', 'netns', 'exec', ns]), as the
 * program and argument list spawn and execFile take; an empty prefix leaves the command as it is.
 */
export function sottoPrefisso(prefisso: readonly string[], comando: string, args: readonly string[] = []): [string, string[]] {
  const [primo, ...resto] = [...prefisso, comando, ...args];
  return [primo!, resto];
}

export function startService(o: StartOptions): ServiceProcess {
  const script = path.join(PROJECT_ROOT, 'dist', o.script);
  const stdio: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];
  const child = o.prefisso?.length
    ? spawn(...sottoPrefisso(o.prefisso, process.execPath, [...process.execArgv, script, ...(o.args ?? [])]), { env: o.env, stdio })
    : fork(script, o.args ?? [], { env: o.env, stdio });
  const forward = (stream: NodeJS.ReadableStream | null) => {
    let buf = '';
    stream?.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim() !== '') o.onLine?.(o.name, line);
      }
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let annuncio: Record<string, unknown> | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.name} not ready within ${o.readyTimeoutMs ?? 30000} ms`)), o.readyTimeoutMs ?? 30000);
    child.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && 'ready' in m) {
        annuncio = m as Record<string, unknown>;
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${o.name} exited with code ${code} before being ready`));
    });
  });
  // Not swallowed: the caller awaits `ready` and gets the rejection; this only keeps Node from calling it unhandled meanwhile.
  ready.catch(() => undefined);
  return {
    name: o.name,
    child,
    ready,
    get annuncio() {
      return annuncio;
    },
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}

/** The federation's processes: the INPS gateway, dispatcher, scheduler and web console, the Ministero's hub, one node per party, the local PDND authorization server. */
export const FEDERATION_PROCESSES: ReadonlyArray<{ name: string; script: string; args?: string[]; soloSviluppo?: true }> = [
  { name: 'inps-gateway', script: 'services/inps/gateway/main.js' },
  { name: 'inps-dispatcher', script: 'services/inps/dispatcher/main.js' },
  { name: 'inps-scheduler', script: 'services/inps/scheduler/main.js' },
  { name: 'inps-console', script: 'services/inps/console/main.js' },
  { name: 'minlavoro-hub', script: 'services/hub/main.js' },
  { name: 'agency-minlavoro', script: 'services/ente/main.js', args: ['--ente', 'MINLAVORO'] },
  { name: 'agency-anpal', script: 'services/ente/main.js', args: ['--ente', 'ANPAL'] },
  { name: 'agency-inail', script: 'services/ente/main.js', args: ['--ente', 'INAIL'] },
  { name: 'agency-inl', script: 'services/ente/main.js', args: ['--ente', 'INL'] },
  // The local PDND authorization server (vouchers), when the configuration has pdnd.server: a development and test
  // stand-in; a party's deployment points at PDND's own endpoints and runs no such process.
  { name: 'pdnd-as', script: 'infra/pdnd/main.js', soloSviluppo: true },
];
