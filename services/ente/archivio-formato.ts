import { DateTime } from 'luxon';
import { problemaCodiceFiscaleDatore, problemaCodiceFiscalePersona } from '../../shared/domain/codice-fiscale';
import type { EnteVerificatore } from '../../shared/domain/types';
import {
  FORMATO_CCNL,
  FORMATO_ISTAT,
  FORMATO_PAT,
  FORMATO_VOCE,
  GRANDI_GRUPPI_INAIL,
  grandeGruppoDellaVoce,
  LUNGHEZZA_MASSIMA_LIVELLO,
  QUALIFICHE,
} from '../../shared/domain/vocabolari';

/**
 * The two archive files, column by column: what each column holds, which values it admits and which party's
 * verification reads it. One description serves both the check of an imported file (archivio-csv.ts) and the
 * importer's --help (archivio-aiuto.ts), and its vocabularies are the verifier's (shared/domain/vocabolari.ts),
 * so what the help promises is what the import enforces and what the verification compares.
 */

export type TipoFile = 'rapporti' | 'posizioni';

/** The file each party's verification reads (verifica.ts: INAIL the PAT's voci, the others the relations). */
export const FILE_DELL_ENTE: Readonly<Record<EnteVerificatore, TipoFile>> = {
  MINLAVORO: 'rapporti',
  ANPAL: 'rapporti',
  INL: 'rapporti',
  INAIL: 'posizioni',
};

export interface Colonna {
  nome: string;
  /** False when the column may be empty (the archive does not know the datum). */
  obbligatoria: boolean;
  /** Format and vocabulary, as --help prints them. */
  formato: string;
  /** The parties whose verification reads the column. */
  lettaDa: readonly EnteVerificatore[];
  /** The column is a SQL date (the others are text or numbers stored from their text). */
  data?: true;
  /** Why a non-empty value is refused, or null. */
  problema(v: string): string | null;
  /** The value stored for a valid cell ('' for an empty optional cell). */
  valore(v: string): unknown;
}

export interface FormatoFile {
  tipo: TipoFile;
  tabella: 'archivio_rapporto' | 'archivio_posizione_inail';
  colonne: readonly Colonna[];
  /** Columns that identify a row: a second row with the same values is a duplicate, in a file or across sources. */
  chiave: readonly string[];
  /** Checks across columns of a row whose cells are each valid: [column, problem]. */
  controlliRiga(r: Readonly<Record<string, string>>): Array<[string, string]>;
}

/** Refuses a value outside a closed list; a value that differs only in letter case says how to write it. */
function inElenco(ammessi: readonly string[]): (v: string) => string | null {
  return (v) => {
    if (ammessi.includes(v)) return null;
    const simile = ammessi.find((a) => a.toLowerCase() === v.toLowerCase());
    if (simile !== undefined) return `scrivere ${simile} (le maiuscole contano)`;
    return `non è tra i valori ammessi (${ammessi.join(', ')})`;
  };
}

/** Refuses a code outside its format; a lower-case code that would fit in upper case says so. */
function conFormato(formato: RegExp, descrizione: string): (v: string) => string | null {
  return (v) => {
    if (formato.test(v)) return null;
    if (formato.test(v.toUpperCase())) return `scrivere ${v.toUpperCase()} (le maiuscole contano)`;
    return `non è ${descrizione}`;
  };
}

function data(v: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid ? null : 'non è una data AAAA-MM-GG';
}

const BOOLEANI = ['true', 'false'];
const TASSO = /^\d{1,5}(\.\d{1,2})?$/;
const nullable = (v: string) => (v === '' ? null : v);
const RAPPORTI: readonly EnteVerificatore[] = ['MINLAVORO', 'ANPAL', 'INL'];
const COMUNICAZIONI: readonly EnteVerificatore[] = ['MINLAVORO', 'ANPAL'];

export const FORMATO_RAPPORTI: FormatoFile = {
  tipo: 'rapporti',
  tabella: 'archivio_rapporto',
  chiave: ['cf_lavoratore', 'cf_datore', 'dal'],
  colonne: [
    { nome: 'cf_lavoratore', obbligatoria: true, lettaDa: RAPPORTI, formato: 'codice fiscale di persona: 16 caratteri maiuscoli, con carattere di controllo', problema: problemaCodiceFiscalePersona, valore: (v) => v },
    { nome: 'cf_datore', obbligatoria: true, lettaDa: RAPPORTI, formato: '11 cifre con cifra di controllo, o codice fiscale di persona (datore persona fisica)', problema: problemaCodiceFiscaleDatore, valore: (v) => v },
    { nome: 'dal', obbligatoria: true, lettaDa: RAPPORTI, data: true, formato: 'data di inizio del rapporto', problema: data, valore: (v) => v },
    { nome: 'al', obbligatoria: false, lettaDa: RAPPORTI, data: true, formato: 'data di fine, vuota se il rapporto è in corso; non prima di dal', problema: data, valore: nullable },
    { nome: 'ccnl', obbligatoria: false, lettaDa: COMUNICAZIONI, formato: 'codice CNEL del contratto: da 3 a 8 lettere maiuscole o cifre (es. F012)', problema: conFormato(FORMATO_CCNL, 'un codice CNEL (3-8 lettere maiuscole o cifre)'), valore: nullable },
    {
      nome: 'livello',
      obbligatoria: false,
      lettaDa: COMUNICAZIONI,
      formato: `livello di inquadramento, al più ${LUNGHEZZA_MASSIMA_LIVELLO} caratteri, confrontato esattamente com'è scritto (es. 2, 3S, C1)`,
      problema: (v) => (v.length > LUNGHEZZA_MASSIMA_LIVELLO ? `supera ${LUNGHEZZA_MASSIMA_LIVELLO} caratteri` : /\s\s|[^\S ]/.test(v) ? 'contiene spazi doppi, tabulazioni o a capo' : null),
      valore: nullable,
    },
    { nome: 'professione_istat', obbligatoria: false, lettaDa: COMUNICAZIONI, formato: 'codice ISTAT CP2011, da 1 a 5 livelli separati da punto (es. 6.1.2.1); le categorie sotto', problema: conFormato(FORMATO_ISTAT, 'un codice ISTAT CP2011 (es. 6.1.2.1)'), valore: nullable },
    { nome: 'qualifica', obbligatoria: false, lettaDa: COMUNICAZIONI, formato: `${QUALIFICHE.join(' | ')} (la categoria A ammette solo OPERAIO)`, problema: inElenco(QUALIFICHE), valore: nullable },
    { nome: 'lavoro_a_turni', obbligatoria: false, lettaDa: ['INL'], formato: 'true | false | vuoto se non accertato (categoria F)', problema: inElenco(BOOLEANI), valore: (v) => (v === '' ? null : v === 'true') },
    { nome: 'attivita_educativa', obbligatoria: false, lettaDa: ['INL'], formato: 'true | false | vuoto se non accertato (categoria H)', problema: inElenco(BOOLEANI), valore: (v) => (v === '' ? null : v === 'true') },
  ],
  controlliRiga: (r) => (r.al !== undefined && r.al !== '' && r.dal !== undefined && r.al < r.dal ? [['al', `precede dal (${r.dal})`]] : []),
};

export const FORMATO_POSIZIONI: FormatoFile = {
  tipo: 'posizioni',
  tabella: 'archivio_posizione_inail',
  chiave: ['pat', 'voce'],
  colonne: [
    { nome: 'pat', obbligatoria: true, lettaDa: ['INAIL'], formato: 'posizione assicurativa territoriale: da 8 a 10 cifre', problema: conFormato(FORMATO_PAT, 'una PAT (8-10 cifre)'), valore: (v) => v },
    { nome: 'cf_datore', obbligatoria: true, lettaDa: ['INAIL'], formato: 'titolare della PAT: 11 cifre con cifra di controllo, o codice fiscale di persona', problema: problemaCodiceFiscaleDatore, valore: (v) => v },
    { nome: 'voce', obbligatoria: true, lettaDa: ['INAIL'], formato: 'voce di tariffa applicata sulla PAT: 4 cifre, la prima è il grande gruppo (es. 3110)', problema: conFormato(FORMATO_VOCE, 'una voce di tariffa (4 cifre)'), valore: (v) => v },
    { nome: 'grande_gruppo', obbligatoria: true, lettaDa: ['INAIL'], formato: `${GRANDI_GRUPPI_INAIL.join(' | ')}, uguale alla prima cifra della voce`, problema: inElenco(GRANDI_GRUPPI_INAIL.map(String)), valore: Number },
    { nome: 'tasso_per_mille', obbligatoria: true, lettaDa: ['INAIL'], formato: 'tasso applicato, per mille: numero decimale col punto, al più 2 decimali (es. 62.50)', problema: (v) => (TASSO.test(v) ? null : v.includes(',') && TASSO.test(v.replace(',', '.')) ? 'il separatore decimale è il punto' : 'non è un numero decimale col punto, al più 5 cifre intere e 2 decimali'), valore: (v) => v },
  ],
  controlliRiga: (r) => {
    const voce = r.voce ?? '';
    return FORMATO_VOCE.test(voce) && String(grandeGruppoDellaVoce(voce)) !== r.grande_gruppo
      ? [['grande_gruppo', `la voce ${voce} appartiene al grande gruppo ${grandeGruppoDellaVoce(voce)}`]]
      : [];
  },
};

export const FORMATI: Readonly<Record<TipoFile, FormatoFile>> = { rapporti: FORMATO_RAPPORTI, posizioni: FORMATO_POSIZIONI };

/** One valid line per party, as the help shows it (a test loads them). */
export const ESEMPI: Readonly<Record<EnteVerificatore, string>> = {
  MINLAVORO: 'RSSMRA60A01H501Q,01234567897,2014-01-07,,F012,2,6.1.2.1,OPERAIO,,',
  ANPAL: 'BNCGPP62M15F205K,02345678904,2012-03-01,2019-06-30,I100,4,7.4.2.3,OPERAIO,,',
  INL: 'CSTANN61D45D612E,80001234568,2009-10-01,,,,,,true,',
  INAIL: '12345678,01234567897,3110,3,62.00',
};
