import { createPool } from '../../../shared/db/pool';
import { verificaRegistro, type Registro } from '../../../shared/audit/catena';
import { runCli } from '../../../shared/runtime/cli';
import { parteDi } from '../../../shared/domain/types';
import { schemaOf, allSchemas } from '../../../shared/runtime/schemas';

/**
 * npm run audit:verifica [-- --ente INPS|HUB|MINLAVORO|ANPAL|INAIL|INL]
 * Recomputes the hash chains of the access trace, the message log and the retention log; reports the first broken
 * record of each and exits with 1 when any chain is broken. Each chain is read in one snapshot (verificaRegistro), so
 * the command may run while the services write: what they append meanwhile is simply not part of this check.
 */
const REGISTRI: Registro[] = ['registro_accessi', 'registro_messaggi', 'registro_conservazione'];

runCli(async (args, { config }) => {
  const scelta = args.opt('ente');
  const schemi = scelta ? [{ ente: scelta.toUpperCase(), schema: schemaOf(config, scelta) }] : allSchemas(config);
  let guasti = 0;
  for (const { ente, schema } of schemi) {
    const pool = createPool(config.postgres.url, schema, { max: 1, applicationName: 'audit-verifica' });
    try {
      for (const r of REGISTRI) {
        const esito = await verificaRegistro(pool, r);
        if (esito.integro) {
          console.log(`${ente.padEnd(9)} ${r.padEnd(22)} integro (${esito.record} record)`);
        } else {
          guasti++;
          console.log(`${ente.padEnd(9)} ${r.padEnd(22)} MANOMESSO: primo record non valido ${esito.primoGuasto!.seq}: ${esito.primoGuasto!.motivo}`);
        }
      }
    } finally {
      await pool.end();
    }
  }
  if (guasti > 0) process.exit(1);
}, { parte: (args) => parteDi(args.opt('ente') ?? 'INPS') });
