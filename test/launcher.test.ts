import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Launcher, type EventoLauncher } from '../infra/local/launcher';
import { startService } from '../infra/local/processes';

/**
 * The launcher keeps a party's processes running as systemd's Restart=always would: a process killed is started
 * again, a process that keeps crashing is retried with a growing wait, and nothing is restarted once it is stopped.
 * The processes are real child processes (test/fixtures/launcher/servizio.js) announcing readiness like a service.
 */
const SCRIPT = '../test/fixtures/launcher/servizio.js';
const eventi: EventoLauncher[] = [];
const attese: Array<{ cond: (e: EventoLauncher) => boolean; resolve: (e: EventoLauncher) => void }> = [];
let launcher: Launcher;
let dir: string;

function evento(e: EventoLauncher): void {
  eventi.push(e);
  for (const a of [...attese]) {
    if (a.cond(e)) {
      attese.splice(attese.indexOf(a), 1);
      a.resolve(e);
    }
  }
}

/** The next event (from now) that matches. */
function prossimo(cond: (e: EventoLauncher) => boolean): Promise<EventoLauncher> {
  return new Promise((resolve) => attese.push({ cond, resolve }));
}

const servizio = (nome: string, env: NodeJS.ProcessEnv = {}) => () => startService({ name: nome, script: SCRIPT, env: { ...process.env, ...env }, readyTimeoutMs: 10_000 });

/** Removes the fault a process keeps failing on, and waits for its next attempt to be running. */
async function riparteSenza(blocco: string, nome: string): Promise<void> {
  const riavviato = prossimo((e) => e.tipo === 'riavviato');
  rmSync(blocco);
  await riavviato;
  expect(launcher.processo(nome)!.child.exitCode).toBeNull();
}

beforeEach(() => {
  eventi.length = 0;
  dir = mkdtempSync(path.join(os.tmpdir(), 'ape-launcher-'));
  launcher = new Launcher({ primaAttesaMs: 50, massimaAttesaMs: 400, stabileDopoMs: 60_000, evento });
});

afterEach(async () => {
  await launcher.ferma();
  rmSync(dir, { recursive: true, force: true });
});

test('a process killed with SIGKILL is started again and ready, with a new pid', async () => {
  const primo = await launcher.avvia('agency-inail', servizio('agency-inail'));
  const riavviato = prossimo((e) => e.tipo === 'riavviato' && e.nome === 'agency-inail');
  primo.child.kill('SIGKILL');
  await riavviato;
  expect(eventi[0]).toEqual({ tipo: 'uscito', nome: 'agency-inail', codice: null, segnale: 'SIGKILL', riavvioTraMs: 50 });
  const secondo = launcher.processo('agency-inail')!;
  expect(secondo.child.pid).not.toBe(primo.child.pid);
  expect(secondo.child.exitCode).toBeNull();
  expect(launcher.riavvii('agency-inail')).toBe(1);
});

test('a process that keeps crashing at start is retried with a doubling wait, up to the cap, until it runs', async () => {
  const blocco = path.join(dir, 'crash');
  const primo = await launcher.avvia('inps-dispatcher', servizio('inps-dispatcher', { CRASH_AT_START: blocco }));
  writeFileSync(blocco, '');
  const quinto = prossimo((e) => e.tipo === 'uscito' && e.riavvioTraMs === 400 && eventi.filter((x) => x.tipo === 'uscito').length >= 5);
  primo.child.kill('SIGKILL');
  await quinto;
  const uscite = eventi.filter((e): e is Extract<EventoLauncher, { tipo: 'uscito' }> => e.tipo === 'uscito');
  expect(uscite.slice(0, 5).map((e) => e.riavvioTraMs)).toEqual([50, 100, 200, 400, 400]);
  expect(uscite.slice(1, 5).every((e) => e.codice === 3)).toBe(true);
  expect(eventi.some((e) => e.tipo === 'avvio-fallito')).toBe(true);
  // The fault is gone: the next attempt runs.
  await riparteSenza(blocco, 'inps-dispatcher');
});

test('a restarted process that hangs before being ready is killed and tried again', async () => {
  const blocco = path.join(dir, 'hang');
  // Only an attempt started while the fault is there gets the short wait: it will hang whatever the wait, and one
  // started without it must not fail for being slow to boot on a loaded machine (CI once took more than 300 ms).
  const avvio = () => startService({ name: 'minlavoro-hub', script: SCRIPT, env: { ...process.env, HANG_AT_START: blocco }, readyTimeoutMs: existsSync(blocco) ? 300 : 10_000 });
  const primo = await launcher.avvia('minlavoro-hub', avvio);
  writeFileSync(blocco, '');
  const fallito = prossimo((e) => e.tipo === 'avvio-fallito');
  primo.child.kill('SIGKILL');
  await fallito;
  // The hung one is killed (its exit is the next 'uscito', by SIGKILL), and the next attempt follows.
  const ucciso = await prossimo((e) => e.tipo === 'uscito');
  expect(ucciso).toMatchObject({ nome: 'minlavoro-hub', segnale: 'SIGKILL' });
  await riparteSenza(blocco, 'minlavoro-hub');
});

test('a process that never starts is not kept: the caller gets the failure', async () => {
  const blocco = path.join(dir, 'crash');
  writeFileSync(blocco, '');
  await expect(launcher.avvia('agency-inl', servizio('agency-inl', { CRASH_AT_START: blocco }))).rejects.toThrow(/exited with code 3 before being ready/);
  expect(launcher.processo('agency-inl')).toBeUndefined();
  // Its exit is reported, and nothing follows it: no restart is pending.
  expect(eventi.map((e) => e.tipo)).toEqual(['uscito']);
});

test('once stopped, nothing is started again', async () => {
  const p = await launcher.avvia('inps-gateway', servizio('inps-gateway'));
  await launcher.ferma();
  expect(p.child.exitCode ?? p.child.signalCode).not.toBeNull();
  expect(eventi).toEqual([]);
  expect(launcher.processo('inps-gateway')).toBe(p);
});
