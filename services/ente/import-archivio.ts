import { readFileSync } from 'node:fs';
import { servizioProprio } from '../../shared/config/parte';
import { fileDellaParte, loadConfig } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { createPool } from '../../shared/db/pool';
import { ENTI_VERIFICATORI, type EnteVerificatore } from '../../shared/domain/types';
import { ApeError, isApeError, toError } from '../../shared/errors';
import { leggiFileArchivio } from './archivio-csv';
import { caricaFonte, controllaSchemaArchivio, type EsitoCaricamento } from './archivio-carico';
import { FILE_DELL_ENTE, FORMATI, type TipoFile } from './archivio-formato';
import { testoAiuto, USO } from './archivio-aiuto';

/**
 * npm run archivio:import -- --ente ANPAL --fonte NOME --rapporti file.csv [--sostituisci]   (--help for the formats)
 *
 * Loads one file of a party's reference archive into the party's schema as a named source (archivio-carico.ts),
 * as the party's IT department runs it: connected as the application role (postgres.url), never the owner; the
 * schema must already exist (setup or the party's node migrate it), the importer does not migrate.
 */

export interface Importazione {
  ente: EnteVerificatore;
  fonte: string;
  tipo: TipoFile;
  /** The file as named on the command line (messages cite it as file:line:column). */
  file: string;
  sostituisci: boolean;
}

/** Database failures an operator can act on, said plainly; anything else is passed on as it is. */
function spiegaErroreDb(err: unknown, config: FederationConfig, schema: string): Error {
  const e = toError(err);
  const code = (e as { code?: unknown }).code;
  const utente = decodeURIComponent(new URL(config.postgres.url).username) || '(utente di sistema)';
  if (code === '42501') {
    return new ApeError('CONFIGURAZIONE_NON_VALIDA', `il ruolo ${utente} non ha i permessi sull'archivio dello schema ${schema} (${e.message}): i permessi li concedono le migrazioni, eseguire "npm run setup"`, { cause: e });
  }
  if (code === '3D000') return new ApeError('CONFIGURAZIONE_NON_VALIDA', `${e.message}: preparare prima il database con "npm run setup"`, { cause: e });
  if (code === '28000' || code === '28P01') return new ApeError('CONFIGURAZIONE_NON_VALIDA', `connessione rifiutata per il ruolo ${utente} (postgres.url): ${e.message}`, { cause: e });
  return e;
}

export async function importaArchivio(config: FederationConfig, imp: Importazione): Promise<EsitoCaricamento> {
  const svc = servizioProprio(config, imp.ente);
  if (FILE_DELL_ENTE[imp.ente] !== imp.tipo) {
    throw new ApeError('DATI_INCOERENTI', `la verifica di ${imp.ente} legge solo il file --${FILE_DELL_ENTE[imp.ente]}: un file --${imp.tipo} non sarebbe mai letto`);
  }
  let testo: string;
  try {
    testo = readFileSync(imp.file, 'utf8');
  } catch (err) {
    throw new ApeError('DATI_INCOERENTI', `${imp.file}: file non leggibile: ${toError(err).message}`, { cause: err });
  }
  // Checked before connecting: a wrong file is reported even where the database is not reachable.
  const letto = leggiFileArchivio(FORMATI[imp.tipo], testo, imp.file);
  const pool = createPool(config.postgres.url, svc.schema, { max: 1, applicationName: 'archivio-import' });
  try {
    await controllaSchemaArchivio(pool, svc.schema);
    return await caricaFonte(pool, svc.schema, letto, imp.fonte, { sostituisci: imp.sostituisci });
  } catch (err) {
    throw isApeError(err) ? err : spiegaErroreDb(err, config, svc.schema);
  } finally {
    await pool.end();
  }
}

/** The confirmation the operator reads: what was added or replaced, and the archive's sources afterwards. */
export function descriviEsito(ente: EnteVerificatore, file: string, e: EsitoCaricamento): string[] {
  const cosa = e.sostituita
    ? `fonte "${e.fonte}" sostituita da ${file}: ${e.righeFontePrima} righe prima, ${e.righe} dopo`
    : `fonte "${e.fonte}" aggiunta da ${file}: ${e.righe} righe`;
  return [
    `${ente} ${e.tabella}: ${cosa} (tutto l'archivio: ${e.totalePrima} righe prima, ${e.totaleDopo} dopo)`,
    `${ente} ${e.tabella}: fonti ${e.fonti.map((f) => `${f.fonte} (${f.righe})`).join(', ') || '(nessuna)'}`,
  ];
}

const OPZIONI_CON_VALORE = ['--ente', '--fonte', '--rapporti', '--posizioni'];
const OPZIONI_SENZA_VALORE = ['--sostituisci', '--help', '-h'];

/** The command line as an Importazione, or the reason it is not one. */
export function leggiArgomenti(argv: readonly string[]): Importazione | 'aiuto' | { errore: string } {
  const valori = new Map<string, string>();
  const flag = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (OPZIONI_SENZA_VALORE.includes(a)) flag.add(a);
    else if (OPZIONI_CON_VALORE.includes(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) return { errore: `${a} richiede un valore` };
      valori.set(a, v);
      i++;
    } else return { errore: `argomento sconosciuto: ${a}` };
  }
  if (flag.has('--help') || flag.has('-h')) return 'aiuto';
  const ente = valori.get('--ente');
  if (!ente || !(ENTI_VERIFICATORI as readonly string[]).includes(ente)) return { errore: `--ente deve essere uno di ${ENTI_VERIFICATORI.join(', ')}` };
  const fonte = valori.get('--fonte');
  if (!fonte) return { errore: "manca --fonte: il nome della fonte che il file carica (vedi --help, \"Fonti e sostituzione\")" };
  const rapporti = valori.get('--rapporti');
  const posizioni = valori.get('--posizioni');
  if ((rapporti === undefined) === (posizioni === undefined)) return { errore: 'indicare un file: --rapporti o --posizioni' };
  return { ente: ente as EnteVerificatore, fonte, tipo: rapporti ? 'rapporti' : 'posizioni', file: (rapporti ?? posizioni)!, sostituisci: flag.has('--sostituisci') };
}

if (require.main === module) {
  const args = leggiArgomenti(process.argv.slice(2));
  if (args === 'aiuto') {
    process.stdout.write(testoAiuto());
  } else if ('errore' in args) {
    console.error(`${args.errore}\n${USO}`);
    process.exit(2);
  } else {
    Promise.resolve()
      .then(() => importaArchivio(loadConfig(fileDellaParte(args.ente)), args))
      .then((esito) => {
        for (const riga of descriviEsito(args.ente, args.file, esito)) console.log(riga);
      })
      .catch((err: unknown) => {
        const e = toError(err);
        console.error(`importazione fallita${isApeError(e) ? ` (${e.code})` : ''}: ${e.message}`);
        process.exit(1);
      });
  }
}
