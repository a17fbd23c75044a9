import { createPool } from '../../../shared/db/pool';
import { servizioProprio } from '../../../shared/config/parte';
import { ApeError } from '../../../shared/errors';
import { runCli, usageError } from '../../../shared/runtime/cli';
import { concludiAccertamento, decidiAccertamento, type EsitoInl } from './accertamenti';

/**
 * npm run inl -- <comando>: the INL inspectors' tool on the INL node's database.
 *   elenco [--stato SEGNALATO|AVVIATO|NON_AVVIATO|CONCLUSO]
 *   decidi --segnalazione ID (--avvia | --non-avviare) --ispettore ID [--ufficio U] [--nota N]
 *   esito  --segnalazione ID --esito REQUISITI_CONFERMATI|REQUISITI_NON_CONFERMATI --ispettore ID [--ufficio U] [--nota N]
 * Every decision and outcome names the inspector and reaches INPS (also after INPS closed the istruttoria).
 */
const USAGE = `uso:
  npm run inl -- elenco [--stato SEGNALATO|AVVIATO|NON_AVVIATO|CONCLUSO]
  npm run inl -- decidi --segnalazione ID (--avvia | --non-avviare) --ispettore ID [--ufficio U] [--nota N]
  npm run inl -- esito --segnalazione ID --esito REQUISITI_CONFERMATI|REQUISITI_NON_CONFERMATI --ispettore ID [--ufficio U] [--nota N]`;

runCli(async (args, { config, clock }) => {
  const svc = servizioProprio(config, 'INL');
  const pool = createPool(config.postgres.url, svc.schema, { max: 2, applicationName: 'inl-cli' });
  try {
    const ispettore = () => ({ id: args.required('ispettore', USAGE), ufficio: args.opt('ufficio') ?? "INL - Ispettorato territoriale" });
    const nota = args.opt('nota');
    switch (args.command) {
      case 'elenco': {
        const r = await pool.query(
          `SELECT id_segnalazione, protocollo, stato, id_accertamento, esito, ispettore, to_char(ricevuto_il, 'YYYY-MM-DD HH24:MI') AS ricevuto, to_char(limite_attesa, 'YYYY-MM-DD') AS limite
             FROM accertamento WHERE $1::text IS NULL OR stato = $1 ORDER BY ricevuto_il`,
          [args.opt('stato') ?? null],
        );
        console.table(r.rows);
        return;
      }
      case 'decidi': {
        const avvia = args.flag('avvia');
        if (avvia === args.flag('non-avviare')) usageError('indicare --avvia oppure --non-avviare', USAGE);
        const id = await decidiAccertamento(pool, args.required('segnalazione', USAGE), avvia, ispettore(), clock.now(), nota);
        console.log(avvia ? `accertamento avviato: ${id}` : 'accertamento non avviato');
        return;
      }
      case 'esito': {
        const esito = args.required('esito', USAGE);
        if (esito !== 'REQUISITI_CONFERMATI' && esito !== 'REQUISITI_NON_CONFERMATI') usageError(`esito non valido: ${esito}`, USAGE);
        await concludiAccertamento(pool, args.required('segnalazione', USAGE), esito as EsitoInl, ispettore(), clock.now(), nota);
        console.log('esito registrato; sarà notificato all\'INPS');
        return;
      }
      default:
        usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
    }
  } finally {
    await pool.end();
  }
}, { parte: () => 'INL' });
