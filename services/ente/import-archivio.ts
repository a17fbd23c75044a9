import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../shared/config/load';
import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { ENTI_VERIFICATORI, type EnteVerificatore } from '../../shared/domain/types';
import { toError } from '../../shared/errors';
import { importaPosizioni, importaRapporti, type ImportReport } from './archivio-csv';

/**
 * npm run archivio:import -- --ente ANPAL [--rapporti file.csv] [--posizioni file.csv]
 * Loads a party's reference archive into its schema (see archivio-csv.ts for the formats).
 */
const USAGE = 'uso: npm run archivio:import -- --ente MINLAVORO|ANPAL|INAIL|INL [--rapporti rapporti.csv] [--posizioni posizioni-inail.csv]';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function importaArchivio(ente: EnteVerificatore, files: { rapporti?: string; posizioni?: string }): Promise<ImportReport[]> {
  const config = loadConfig();
  const svc = config.services.agencies[ente];
  if (!svc) throw new Error(`services.agencies.${ente} non è configurato in ${process.env.APE_CONFIG ?? 'config/federation.json'}`);
  const admin = createPool(config.postgres.adminUrl, svc.schema, { max: 1, applicationName: 'archivio-import' });
  try {
    await migrate(admin, svc.schema, ['messaging', 'agency', 'audit']);
  } finally {
    await admin.end();
  }
  const pool = createPool(config.postgres.url, svc.schema, { max: 2, applicationName: 'archivio-import' });
  try {
    const reports: ImportReport[] = [];
    if (files.rapporti) reports.push(await importaRapporti(pool, readFileSync(files.rapporti, 'utf8'), path.basename(files.rapporti)));
    if (files.posizioni) reports.push(await importaPosizioni(pool, readFileSync(files.posizioni, 'utf8'), path.basename(files.posizioni)));
    return reports;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  const ente = arg('ente')?.toUpperCase();
  const rapporti = arg('rapporti');
  const posizioni = arg('posizioni');
  if (!ente || !(ENTI_VERIFICATORI as readonly string[]).includes(ente) || (!rapporti && !posizioni)) {
    console.error(USAGE);
    process.exit(2);
  }
  importaArchivio(ente as EnteVerificatore, { ...(rapporti && { rapporti }), ...(posizioni && { posizioni }) })
    .then((reports) => {
      for (const r of reports) console.log(`${ente}: ${r.righe} righe caricate in ${r.tabella} da ${r.fonte} (${r.sostituite} sostituite)`);
    })
    .catch((err: unknown) => {
      console.error(`importazione fallita: ${toError(err).message}`);
      process.exit(1);
    });
}
