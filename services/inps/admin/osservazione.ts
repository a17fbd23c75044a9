import { createPool } from '../../../shared/db/pool';
import { servizioProprio } from '../../../shared/config/parte';
import { aggiungiOsservazione, rimuoviOsservazione } from '../core/osservazione';
import { runCli, usageError } from '../../../shared/runtime/cli';

/**
 * npm run osservazione -- <comando>: the watch list of elusive-behaviour indices, for INL and INPS supervisors.
 *   elenco [--tutte]
 *   aggiungi --tipo DATORE|RICHIEDENTE --cf CODICE_FISCALE --motivo "..." --autore ID --ente INPS|INL
 *   rimuovi --id N --autore ID
 */
const USAGE = `uso:
  npm run osservazione -- elenco [--tutte]
  npm run osservazione -- aggiungi --tipo DATORE|RICHIEDENTE --cf CODICE_FISCALE --motivo "..." --autore ID --ente INPS|INL
  npm run osservazione -- rimuovi --id N --autore ID`;

runCli(async (args, { config, clock }) => {
  const pool = createPool(config.postgres.url, servizioProprio(config, 'inpsGateway').schema, { max: 2, applicationName: 'osservazione-cli' });
  try {
    switch (args.command) {
      case 'elenco': {
        const r = await pool.query(
          `SELECT id, tipo, codice_fiscale, motivo, autore, ente, to_char(inserito_il, 'YYYY-MM-DD') AS inserito, rimosso_da, to_char(rimosso_il, 'YYYY-MM-DD') AS rimosso
             FROM lista_osservazione WHERE $1 OR rimosso_il IS NULL ORDER BY id`,
          [args.flag('tutte')],
        );
        console.table(r.rows);
        return;
      }
      case 'aggiungi': {
        const tipo = args.required('tipo', USAGE);
        const ente = args.required('ente', USAGE);
        if (tipo !== 'DATORE' && tipo !== 'RICHIEDENTE') usageError(`tipo non valido: ${tipo}`, USAGE);
        if (ente !== 'INPS' && ente !== 'INL') usageError(`ente non valido: ${ente}`, USAGE);
        const id = await aggiungiOsservazione(pool, { tipo, ente, codiceFiscale: args.required('cf', USAGE), motivo: args.required('motivo', USAGE), autore: args.required('autore', USAGE) }, clock.now());
        console.log(`voce ${id} aggiunta`);
        return;
      }
      case 'rimuovi':
        await rimuoviOsservazione(pool, Number(args.required('id', USAGE)), args.required('autore', USAGE), clock.now());
        console.log('voce rimossa');
        return;
      default:
        usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
    }
  } finally {
    await pool.end();
  }
}, { parte: () => 'INPS' });
