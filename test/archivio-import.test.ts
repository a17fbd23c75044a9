import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { createPool } from '../shared/db/pool';
import { migrate } from '../shared/db/migrate';
import { PROJECT_ROOT } from '../shared/paths';
import { QUALIFICHE } from '../shared/domain/vocabolari';
import { COMPETENZE } from '../shared/domain/competenza';
import { dropDatabase, ensureDatabase } from '../infra/local/postgres';
import { localFederationConfig } from '../infra/federation-config';
import { leggiFileArchivio } from '../services/ente/archivio-csv';
import { caricaFonte } from '../services/ente/archivio-carico';
import { ESEMPI, FORMATO_POSIZIONI, FORMATO_RAPPORTI } from '../services/ente/archivio-formato';

/**
 * The archive import as a party's IT department runs it (the built command, dist/): its help, its refusals at
 * file:line:column, named sources that are added or explicitly replaced, and its database connection, which is
 * the application role's (postgres.url). The configuration's owner URL names a role that does not exist, so any
 * use of it (migrating, as the importer used to) fails the test. Schemas are migrated here, as setup would.
 */

const run = promisify(execFile);
const CLI = path.join(PROJECT_ROOT, 'dist/services/ente/import-archivio.js');
const HEADER_R = FORMATO_RAPPORTI.colonne.map((c) => c.nome).join(',');
const HEADER_P = FORMATO_POSIZIONI.colonne.map((c) => c.nome).join(',');
/** Three valid relations of different workers (demo codici fiscali). */
const R1 = ESEMPI.MINLAVORO; // RSSMRA60A01H501Q,01234567897,2014-01-07,...
const R2 = ESEMPI.ANPAL; // BNCGPP62M15F205K,02345678904,2012-03-01,...
const R3 = 'VRDLCU63E50L219L,03456789019,2011-09-01,,K331,1,8.1.4.1.0,OPERAIO,,';

let dir: string;
let dbUrl: string;
let configFile: string;
let anpal: Pool;
let inail: Pool;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [CLI, ...args], { env: { ...process.env, APE_CONFIG: configFile } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Writes a CSV under dir/<sub>/<name> and returns its path. */
function file(sub: string, name: string, lines: string[]): string {
  mkdirSync(path.join(dir, sub), { recursive: true });
  const p = path.join(dir, sub, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

async function fonti(pool: Pool, tabella = 'archivio_rapporto'): Promise<Record<string, number>> {
  const r = await pool.query<{ fonte: string; n: string }>(`SELECT fonte, count(*) AS n FROM ${tabella} GROUP BY fonte`);
  return Object.fromEntries(r.rows.map((x) => [x.fonte, Number(x.n)]));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ape-archivio-'));
  dbUrl = `postgres://postgres@127.0.0.1:5432/t_archivio_import_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(dbUrl);
  const json = localFederationConfig({ postgresUrl: dbUrl, rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672/unused', pkiDir: path.join(dir, 'pki'), basePort: 41000, environment: 'test' }) as Record<string, any>;
  expect(new URL(json.postgres.url).username).toBe('ape_servizio');
  json.postgres.adminUrl = dbUrl.replace('postgres@', 'nessun_proprietario_archivio@');
  configFile = path.join(dir, 'federation.json');
  writeFileSync(configFile, JSON.stringify(json, null, 2));
  // ANPAL's and INAIL's schemas exist, as after setup; MINLAVORO's does not.
  for (const schema of ['anpal', 'inail']) {
    const owner = createPool(dbUrl, schema, { max: 1 });
    await migrate(owner, schema, ['messaging', 'agency', 'audit']);
    await owner.end();
  }
  anpal = createPool(dbUrl, 'anpal', { max: 2 });
  inail = createPool(dbUrl, 'inail', { max: 2 });
});

afterAll(async () => {
  await anpal?.end();
  await inail?.end();
  if (dbUrl) await dropDatabase(dbUrl);
  rmSync(dir, { recursive: true, force: true });
});

test('--help prints, per party, the columns, formats, vocabularies, categories and an example line', async () => {
  const r = await cli('--help');
  expect(r.code).toBe(0);
  for (const ente of ['MINLAVORO, ANPAL: file --rapporti', 'INL: file --rapporti', 'INAIL: file --posizioni']) expect(r.stdout).toContain(ente);
  expect(r.stdout).toContain(`    ${HEADER_R}\n    ${ESEMPI.MINLAVORO}\n    ${ESEMPI.ANPAL}\n`);
  expect(r.stdout).toContain(`    ${HEADER_P}\n    ${ESEMPI.INAIL}\n`);
  expect(r.stdout).toContain(`qualifica           facoltativa: ${QUALIFICHE.join(' | ')}`);
  expect(r.stdout).toMatch(/lavoro_a_turni +facoltativa: true \| false/);
  expect(r.stdout).toMatch(/date +AAAA-MM-GG/);
  expect(r.stdout).toMatch(/decimali +punto come separatore/);
  expect(r.stdout).toMatch(/grande_gruppo +obbligatoria: 0 \| 1 \| .* \| 9, uguale alla prima cifra della voce/);
  expect(r.stdout).toContain(`  A  professione_istat ${COMPETENZE.A.professioniIstat.join(', ')} (o codici che ne discendono); solo qualifica OPERAIO; grandi gruppi INAIL 3, 7`);
  expect(r.stdout).toMatch(/con --sostituisci le righe della fonte sono sostituite/);
});

test('a lower-case "operaio" is refused at file:line:column and nothing of the file is loaded', async () => {
  const f = file('minuscole', 'rapporti.csv', [HEADER_R, R1, R2.replace('OPERAIO', 'operaio')]);
  const r = await cli('--ente', 'ANPAL', '--fonte', 'minuscole', '--rapporti', f);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${f}:3:8: qualifica "operaio": scrivere OPERAIO (le maiuscole contano)`);
  expect(r.stderr).toContain('nessuna riga caricata');
  expect(await fonti(anpal)).not.toHaveProperty('minuscole');
});

test('a value outside each vocabulary is refused, each at its line and column', async () => {
  const rapporti = file('vocabolari', 'rapporti.csv', [
    HEADER_R,
    R1.replace('OPERAIO', 'OPERAI'),
    R2.replace('I100', 'i100'),
    'CSTANN61D45D612E,80001234568,2009-10-01,,,,,,TRUE,',
    'NREFNC66B41G273T,80002345678,2016-09-01,,,,,,,si',
    R3.replace('8.1.4.1.0', '8.1.4.1.0.0'),
  ]);
  const r = await cli('--ente', 'ANPAL', '--fonte', 'vocabolari', '--rapporti', rapporti);
  expect(r.code).toBe(1);
  const righe = r.stderr.split('\n').filter((l) => l.startsWith(rapporti));
  expect(righe.map((l) => l.slice(rapporti.length).split(' ')[0])).toEqual([':2:8:', ':3:5:', ':4:9:', ':5:10:', ':6:7:']);

  const posizioni = file('vocabolari', 'posizioni.csv', [HEADER_P, ESEMPI.INAIL.replace(',3,', ',7,'), '23456789,02345678904,9121,9,"45,00"', '34567890,03456789019,041,0,12.50']);
  const p = await cli('--ente', 'INAIL', '--fonte', 'vocabolari', '--posizioni', posizioni);
  expect(p.code).toBe(1);
  expect(p.stderr).toContain(`${posizioni}:2:4: grande_gruppo "7": la voce 3110 appartiene al grande gruppo 3`);
  expect(p.stderr).toContain(`${posizioni}:3:5: tasso_per_mille "45,00": il separatore decimale è il punto`);
  expect(p.stderr).toContain(`${posizioni}:4:3: voce "041"`);
  expect(await fonti(anpal)).toEqual({});
  expect(await fonti(inail, 'archivio_posizione_inail')).toEqual({});
});

describe('sources', () => {
  afterAll(async () => {
    await anpal.query('DELETE FROM archivio_rapporto');
  });

  test('two different files with the same name are two sources: neither overwrites the other', async () => {
    const nord = file('nord', 'rapporti.csv', [HEADER_R, R1, R2]);
    const sud = file('sud', 'rapporti.csv', [HEADER_R, R3]);
    const a = await cli('--ente', 'ANPAL', '--fonte', 'ufficio-nord', '--rapporti', nord);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toContain(`ANPAL archivio_rapporto: fonte "ufficio-nord" aggiunta da ${nord}: 2 righe (tutto l'archivio: 0 righe prima, 2 dopo)`);
    const b = await cli('--ente', 'ANPAL', '--fonte', 'ufficio-sud', '--rapporti', sud);
    expect(b.stdout).toContain(`fonte "ufficio-sud" aggiunta da ${sud}: 1 righe (tutto l'archivio: 2 righe prima, 3 dopo)`);
    expect(b.stdout).toContain('ANPAL archivio_rapporto: fonti ufficio-nord (2), ufficio-sud (1)');
    expect(await fonti(anpal)).toEqual({ 'ufficio-nord': 2, 'ufficio-sud': 1 });
  });

  test('loading a source again without --sostituisci is refused and leaves it as it was', async () => {
    const again = file('ancora', 'rapporti.csv', [HEADER_R, R3.replace('2011-09-01', '2010-01-01')]);
    const r = await cli('--ente', 'ANPAL', '--fonte', 'ufficio-nord', '--rapporti', again);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('la fonte "ufficio-nord" ha già 2 righe in archivio_rapporto: per sostituirle ripetere con --sostituisci');
    expect(await fonti(anpal)).toEqual({ 'ufficio-nord': 2, 'ufficio-sud': 1 });
  });

  test("a row another source already holds (same worker, employer and start) is refused at its line", async () => {
    const doppio = file('doppio', 'altro.csv', [HEADER_R, R3.replace('2011-09-01', '2010-01-01'), R2.replace(',I100,', ',I101,')]);
    const r = await cli('--ente', 'ANPAL', '--fonte', 'terza', '--rapporti', doppio);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${doppio}:3:1: cf_lavoratore, cf_datore, dal già in archivio dalla fonte "ufficio-nord"`);
    expect(await fonti(anpal)).toEqual({ 'ufficio-nord': 2, 'ufficio-sud': 1 });
  });

  test('--sostituisci replaces that source only and says what it replaced, rows before and after', async () => {
    const nuovo = file('nord-2', 'rapporti.csv', [HEADER_R, R2.replace(',4,', ',5,')]);
    const r = await cli('--ente', 'ANPAL', '--fonte', 'ufficio-nord', '--rapporti', nuovo, '--sostituisci');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`ANPAL archivio_rapporto: fonte "ufficio-nord" sostituita da ${nuovo}: 2 righe prima, 1 dopo (tutto l'archivio: 3 righe prima, 2 dopo)`);
    expect(await fonti(anpal)).toEqual({ 'ufficio-nord': 1, 'ufficio-sud': 1 });
    const { rows } = await anpal.query("SELECT cf_lavoratore, livello FROM archivio_rapporto WHERE fonte = 'ufficio-nord'");
    expect(rows).toEqual([{ cf_lavoratore: 'BNCGPP62M15F205K', livello: '5' }]);
  });

  test('a header-only file with --sostituisci empties the source', async () => {
    const vuoto = file('vuoto', 'rapporti.csv', [HEADER_R]);
    const r = await cli('--ente', 'ANPAL', '--fonte', 'ufficio-sud', '--rapporti', vuoto, '--sostituisci');
    expect(r.stdout).toContain('fonte "ufficio-sud" sostituita');
    expect(r.stdout).toContain('1 righe prima, 0 dopo');
    expect(await fonti(anpal)).toEqual({ 'ufficio-nord': 1 });
  });

  test('a file of the kind the party does not read is refused', async () => {
    const p = file('tipo', 'posizioni.csv', [HEADER_P, ESEMPI.INAIL]);
    const r = await cli('--ente', 'ANPAL', '--fonte', 'pat', '--posizioni', p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('la verifica di ANPAL legge solo il file --rapporti');
  });
});

test('INAIL positions load under the application role, tariff voices and rates as the verification reads them', async () => {
  const p = file('inail', 'posizioni.csv', [HEADER_P, ESEMPI.INAIL, '12345678,01234567897,3150,3,48.5']);
  const r = await cli('--ente', 'INAIL', '--fonte', 'pat-2026', '--posizioni', p);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const { rows } = await inail.query('SELECT pat, voce, grande_gruppo, tasso_per_mille::text AS tasso, fonte FROM archivio_posizione_inail ORDER BY voce');
  expect(rows).toEqual([
    { pat: '12345678', voce: '3110', grande_gruppo: 3, tasso: '62.00', fonte: 'pat-2026' },
    { pat: '12345678', voce: '3150', grande_gruppo: 3, tasso: '48.50', fonte: 'pat-2026' },
  ]);
});

test('a schema that was never set up is not created: a clear message says to run setup first', async () => {
  const f = file('minlavoro', 'rapporti.csv', [HEADER_R, R1]);
  const r = await cli('--ente', 'MINLAVORO', '--fonte', 'co', '--rapporti', f);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("importazione fallita (CONFIGURAZIONE_NON_VALIDA): lo schema minlavoro non ha le tabelle dell'archivio (archivio_rapporto, archivio_posizione_inail)");
  expect(r.stderr).toContain('npm run setup');
  const { rows } = await anpal.query("SELECT to_regnamespace('minlavoro') IS NULL AS assente");
  expect(rows[0].assente).toBe(true);
});

test("setup's reload of a demo archive (same source, replaced) is idempotent", async () => {
  const testo = readFileSync(path.join(PROJECT_ROOT, 'infra/demo/archivio/inail-posizioni.csv'), 'utf8');
  const owner = createPool(dbUrl, 'inail', { max: 1 });
  try {
    await owner.query('DELETE FROM archivio_posizione_inail');
    const letto = leggiFileArchivio(FORMATO_POSIZIONI, testo, 'inail-posizioni.csv');
    const primo = await caricaFonte(owner, 'inail', letto, 'inail-posizioni.csv', { sostituisci: true });
    const secondo = await caricaFonte(owner, 'inail', letto, 'inail-posizioni.csv', { sostituisci: true });
    expect(secondo).toMatchObject({ righe: primo.righe, righeFontePrima: primo.righe, totalePrima: primo.totaleDopo, totaleDopo: primo.totaleDopo });
  } finally {
    await owner.end();
  }
});
