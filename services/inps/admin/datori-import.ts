import { readFileSync } from 'node:fs';
import { servizioProprio } from '../../../shared/config/parte';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createPool, withTransaction } from '../../../shared/db/pool';
import { ApeError } from '../../../shared/errors';
import { problemaCodiceFiscaleDatore } from '../../../shared/domain/codice-fiscale';
import { runCli, usageError } from '../../../shared/runtime/cli';

/**
 * npm run datori:import -- file.csv
 * Loads the employer-status reference table (datore_stato) INPS uses for the "impresa cessata" trigger, from a
 * CSV with header cf_datore,cessata_il (cessata_il YYYY-MM-DD, empty when active). Whole file or nothing; a row
 * replaces what was known of that employer.
 */
const USAGE = 'uso: npm run datori:import -- stato-datori.csv';

runCli(async (args, { config, clock }) => {
  const file = args.command;
  if (!file) usageError('manca il file CSV', USAGE);
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
  const problems: string[] = [];
  rows.forEach((r, i) => {
    const p = problemaCodiceFiscaleDatore(r.cf_datore ?? '');
    if (p) problems.push(`${file}:${i + 2}: cf_datore ${p}`);
    if (r.cessata_il && !/^\d{4}-\d{2}-\d{2}$/.test(r.cessata_il)) problems.push(`${file}:${i + 2}: cessata_il non è una data YYYY-MM-DD`);
  });
  if (problems.length > 0) throw new ApeError('DATI_INCOERENTI', problems.slice(0, 50).join('\n'));
  const pool = createPool(config.postgres.url, servizioProprio(config, 'inpsGateway').schema, { max: 2, applicationName: 'datori-import' });
  try {
    await withTransaction(pool, async (tx) => {
      for (const r of rows) {
        await tx.query(
          `INSERT INTO datore_stato (cf_datore, cessata_il, fonte, aggiornato_il) VALUES ($1, $2, $3, $4)
           ON CONFLICT (cf_datore) DO UPDATE SET cessata_il = EXCLUDED.cessata_il, fonte = EXCLUDED.fonte, aggiornato_il = EXCLUDED.aggiornato_il`,
          [r.cf_datore, r.cessata_il || null, path.basename(file), clock.now()],
        );
      }
    });
    console.log(`${rows.length} datori caricati da ${path.basename(file)}`);
  } finally {
    await pool.end();
  }
}, { parte: () => 'INPS' });
