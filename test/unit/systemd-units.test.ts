import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FEDERATION_PROCESSES } from '../../infra/local/processes';
import { PROJECT_ROOT } from '../../shared/paths';

/**
 * The systemd units a party installs on its host (infra/systemd): each one valid for systemd itself
 * (`systemd-analyze verify`), restarted on any exit, and one for every process the federation runs, starting the same
 * script with the same arguments as the local launcher.
 */
const run = promisify(execFile);
const DIR = path.join(PROJECT_ROOT, 'infra', 'systemd');
const UNITS = readdirSync(DIR).filter((f) => f.endsWith('.service'));
const ENTI = ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'];

/** The unit files as systemd would load them: the template once per party. */
function istanze(): Array<{ nome: string; testo: string }> {
  return UNITS.flatMap((f) => {
    const testo = readFileSync(path.join(DIR, f), 'utf8');
    return f.endsWith('@.service') ? ENTI.map((e) => ({ nome: f.replace('@.service', `@${e}.service`), testo: testo.replace(/%i/g, e) })) : [{ nome: f, testo }];
  });
}

test.each(UNITS)('%s is a valid unit for systemd', async (f) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ape-systemd-'));
  try {
    const nome = f.endsWith('@.service') ? f.replace('@.service', '@INAIL.service') : f;
    copyFileSync(path.join(DIR, f), path.join(dir, nome));
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', path.join(dir, nome)]);
    expect(`${stdout}${stderr}`.trim()).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every process of the federation has a unit that starts it as the launcher does, restarted on any exit', () => {
  const avvii = istanze().map(({ nome, testo }) => {
    expect([nome, /^Restart=always$/m.test(testo)]).toEqual([nome, true]);
    // No start limit: a database or broker down longer than a burst must not leave the unit dead for good.
    expect([nome, /^StartLimitIntervalSec=0$/m.test(testo)]).toEqual([nome, true]);
    expect([nome, /^User=ape-/m.test(testo)]).toEqual([nome, true]);
    return /^ExecStart=\/usr\/bin\/node \/opt\/ape-precoci\/dist\/(.+)$/m.exec(testo)![1]!.trim();
  });
  for (const p of FEDERATION_PROCESSES.filter((x) => !x.soloSviluppo)) expect(avvii).toContain([p.script, ...(p.args ?? [])].join(' '));
});
