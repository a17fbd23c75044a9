import { Pseudonimizzatore } from '../../../shared/audit/pseudonimi';
import { Registri } from '../../../shared/audit/registri';
import { conservazioneInps, conservazioneParte } from '../../../shared/audit/conservazione';
import { createPool } from '../../../shared/db/pool';
import { runCli, usageError } from '../../../shared/runtime/cli';
import { parteDi } from '../../../shared/domain/types';
import { schemaOf, allSchemas } from '../../../shared/runtime/schemas';

/**
 * npm run conservazione -- esegui [--ente X]
 * Runs the retention job now (the services also run it periodically) and reports what it pseudonymised.
 */
runCli(async (args, { config, clock }) => {
  if (args.command !== 'esegui') usageError('uso: npm run conservazione -- esegui [--ente INPS|HUB|MINLAVORO|ANPAL|INAIL|INL]', '');
  const scelta = args.opt('ente');
  const schemi = scelta ? [{ ente: scelta.toUpperCase(), schema: schemaOf(config, scelta) }] : allSchemas(config);
  for (const { ente, schema } of schemi) {
    const pool = createPool(config.postgres.url, schema, { max: 2, applicationName: 'conservazione' });
    const registri = new Registri(pool, Pseudonimizzatore.daFile(config.security.pepperFile));
    try {
      const rapporti =
        ente === 'INPS'
          ? [await conservazioneInps(pool, registri, clock.now(), config.retention.giorniDopoChiusura)]
          : await conservazioneParte(pool, registri, clock.now(), config.retention.giorniPacchettiParti, ente === 'HUB' ? ['pacchetto_inoltro', 'messaggio_inoltro'] : ['pacchetto_ricevuto', 'accertamento']);
      for (const r of rapporti) console.log(`${ente.padEnd(9)} ${r.oggetto.padEnd(20)} ${r.trattati} pseudonimizzati`);
    } finally {
      await pool.end();
    }
  }
}, { parte: (args) => parteDi(args.opt('ente') ?? 'INPS') });
