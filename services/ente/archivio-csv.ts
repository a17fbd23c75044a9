import { parse } from 'csv-parse/sync';
import { ApeError, toError } from '../../shared/errors';
import { FORMATO_POSIZIONI, FORMATO_RAPPORTI, type FormatoFile } from './archivio-formato';

/**
 * Reads and checks one archive file (UTF-8, comma separated, a header row naming exactly the columns of its
 * format, in any order; the formats are in archivio-formato.ts). Nothing is loaded from a file with a problem:
 * every problem is reported as file:line:column, so the party's IT department can fix its export and retry.
 * Pure: no database (archivio-carico.ts loads what this returns).
 */

export const COLONNE_RAPPORTI = FORMATO_RAPPORTI.colonne.map((c) => c.nome);
export const COLONNE_POSIZIONI = FORMATO_POSIZIONI.colonne.map((c) => c.nome);

/** A checked row: its line in the file, its values in the order of the format's columns, its key. */
export interface RigaArchivio {
  riga: number;
  valori: unknown[];
  chiave: string[];
}

export interface FileArchivioLetto {
  formato: FormatoFile;
  /** The file as named to the importer, for messages. */
  file: string;
  righe: RigaArchivio[];
}

/** Problems shown at most, so that a wholly wrong file does not flood the terminal. */
const MASSIMO_PROBLEMI = 50;

export class Problemi {
  private readonly elenco: string[] = [];

  constructor(private readonly file: string) {}

  add(riga: number, colonna: number | null, problema: string): void {
    this.elenco.push(`${this.file}:${riga}${colonna === null ? '' : `:${colonna}`}: ${problema}`);
  }

  get count(): number {
    return this.elenco.length;
  }

  /** Throws DATI_INCOERENTI listing the problems, if any. */
  throwIfAny(): void {
    if (this.elenco.length === 0) return;
    const altri = this.elenco.length - MASSIMO_PROBLEMI;
    const testo = this.elenco.slice(0, MASSIMO_PROBLEMI).join('\n') + (altri > 0 ? `\n... e altri ${altri} problemi` : '');
    throw new ApeError('DATI_INCOERENTI', `${this.file}: ${this.elenco.length === 1 ? '1 problema' : `${this.elenco.length} problemi`}, nessuna riga caricata\n${testo}`);
  }
}

interface RecordCsv {
  record: string[];
  info: { lines: number };
}

function parseCsv(text: string, file: string): RecordCsv[] {
  try {
    return parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as RecordCsv[];
  } catch (err) {
    const e = toError(err);
    const lines = (e as { lines?: unknown }).lines; // csv-parse's CsvError says where it stopped
    const where = typeof lines === 'number' ? `${file}:${lines}` : file;
    throw new ApeError('DATI_INCOERENTI', `${where}: CSV non leggibile: ${e.message}; nessuna riga caricata`, { cause: err });
  }
}

/** Header problems stop the check: cell positions would mean nothing. Returns each column's index in a record. */
function leggiIntestazione(formato: FormatoFile, header: RecordCsv | undefined, problemi: Problemi): Map<string, number> {
  const indici = new Map<string, number>();
  if (!header) {
    problemi.add(1, null, `file vuoto: serve almeno la riga di intestazione (${formato.colonne.map((c) => c.nome).join(',')})`);
    return indici;
  }
  const attese = formato.colonne.map((c) => c.nome);
  header.record.forEach((nome, i) => {
    if (indici.has(nome)) problemi.add(header.info.lines, i + 1, `colonna ${nome} ripetuta`);
    else if (!attese.includes(nome)) {
      const simile = attese.find((a) => a.toLowerCase() === nome.toLowerCase());
      problemi.add(header.info.lines, i + 1, `colonna "${nome}" sconosciuta per un file di ${formato.tipo}${simile ? `: scrivere ${simile}` : ` (colonne: ${attese.join(', ')})`}`);
    } else indici.set(nome, i);
  });
  const mancanti = attese.filter((a) => !indici.has(a) && !header.record.some((n) => n.toLowerCase() === a.toLowerCase()));
  if (mancanti.length > 0) problemi.add(header.info.lines, null, `colonne mancanti: ${mancanti.join(', ')}`);
  return indici;
}

export function leggiFileArchivio(formato: FormatoFile, text: string, file: string): FileArchivioLetto {
  const problemi = new Problemi(file);
  // A file saved in Latin-1 (a spreadsheet's default) reads as U+FFFD: refuse it rather than store mangled names.
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    problemi.add(text.slice(0, bad).split('\n').length, null, 'il file non è in UTF-8 (salvarlo come "CSV UTF-8")');
    problemi.throwIfAny();
  }
  const [header, ...records] = parseCsv(text, file);
  const indici = leggiIntestazione(formato, header, problemi);
  problemi.throwIfAny();

  const primaRiga = new Map<string, number>();
  const righe: RigaArchivio[] = [];
  for (const { record, info } of records) {
    const riga = info.lines;
    const cella = (nome: string) => record[indici.get(nome)!]!;
    const colonna = (nome: string) => indici.get(nome)! + 1;
    const prima = problemi.count;
    const valida: Record<string, string> = {};
    for (const c of formato.colonne) {
      const v = cella(c.nome);
      if (/[\r\n]/.test(v)) problemi.add(riga, colonna(c.nome), `${c.nome}: un valore non può andare a capo`);
      else if (v === '') {
        if (c.obbligatoria) problemi.add(riga, colonna(c.nome), `${c.nome}: valore obbligatorio mancante`);
        else valida[c.nome] = v;
      } else {
        const p = c.problema(v);
        if (p === null) valida[c.nome] = v;
        else problemi.add(riga, colonna(c.nome), `${c.nome} "${v}": ${p}`);
      }
    }
    if (problemi.count > prima) continue;
    for (const [nome, p] of formato.controlliRiga(valida)) problemi.add(riga, colonna(nome), `${nome} "${valida[nome]}": ${p}`);
    const chiave = formato.chiave.map((k) => valida[k]!);
    const giaVista = primaRiga.get(chiave.join('\u0000'));
    if (giaVista !== undefined) {
      problemi.add(riga, colonna(formato.chiave[0]!), `riga uguale alla riga ${giaVista} nella chiave (${formato.chiave.join(', ')}): una riga per chiave`);
    } else primaRiga.set(chiave.join('\u0000'), riga);
    righe.push({ riga, valori: formato.colonne.map((c) => c.valore(valida[c.nome]!)), chiave });
  }
  problemi.throwIfAny();
  return { formato, file, righe };
}
