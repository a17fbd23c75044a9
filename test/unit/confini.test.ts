import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The boundary rules of .dependency-cruiser.cjs (`npm run lint:confini`) catch what they are meant to: run on
 * test/fixtures/confini, a small tree laid out like the project with one deliberate violation of each rule and a
 * few allowed imports, they report exactly those violations and fail.
 */

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/confini');

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

/** Runs depcruise with the project's configuration in the fixture folder, with the given reporter. */
function cruise(outputType: 'json' | 'err'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'services', 'shared', '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', outputType],
    { cwd: FIXTURE, encoding: 'utf8', timeout: 60_000 },
  );
  if (r.error) throw new Error(`depcruise did not run: ${r.error.message}`, { cause: r.error });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function violations(): Violation[] {
  const r = cruise('json');
  try {
    return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    throw new Error(`depcruise printed no report (exit ${r.status}): ${r.stderr.slice(0, 2000)}`, { cause: e });
  }
}

const PG = '../../../node_modules/pg/lib/index.js';

describe('the boundary rules (.dependency-cruiser.cjs)', () => {
  test('report each deliberate violation of the fixture, and nothing it allows', () => {
    const found = violations().map((v) => `${v.rule.name} (${v.rule.severity}): ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual(
      [
        'nessun-ciclo (error): shared/ciclo/due.ts -> shared/ciclo/uno.ts',
        'shared-non-importa-services (error): shared/piattaforma.ts -> services/inps/core.ts',
        'hub-ente-non-importano-inps (error): services/hub/inoltro.ts -> services/inps/core.ts',
        'hub-ente-non-importano-inps (error): services/ente/nodo.ts -> services/inps/core.ts',
        'inps-non-importa-hub-ente (error): services/inps/gateway.ts -> services/ente/nodo.ts',
        'dominio-senza-io (error): shared/domain/socket.ts -> net',
        'dominio-senza-io (error): shared/domain/indiretta.ts -> shared/db/pool.ts',
        `dominio-senza-io (error): shared/domain/indiretta.ts -> ${PG}`,
        'codec-senza-io (error): shared/messages/codec.ts -> fs',
        'codec-senza-io (error): shared/messages/codec.ts -> shared/db/pool.ts',
        `codec-senza-io (error): shared/messages/codec.ts -> ${PG}`,
        'import-risolvibile (error): shared/messages/introvabile.ts -> ./non-esiste',
      ].sort(),
    );
  });

  test('fail the check as `npm run lint:confini` runs it (its reporter exits with the count of errors)', () => {
    const r = cruise('err');
    expect(r.stdout).toContain('12 dependency violations (12 errors, 0 warnings)');
    expect(r.status).toBe(12);
  });
});
