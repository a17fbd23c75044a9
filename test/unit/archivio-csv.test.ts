import { readFileSync } from 'node:fs';
import path from 'node:path';
import { leggiFileArchivio } from '../../services/ente/archivio-csv';
import { ESEMPI, FILE_DELL_ENTE, FORMATI, FORMATO_POSIZIONI, FORMATO_RAPPORTI } from '../../services/ente/archivio-formato';
import { testoAiuto } from '../../services/ente/archivio-aiuto';
import { fileArchivioDemo } from '../../infra/demo/csv';
import { PROJECT_ROOT } from '../../shared/paths';
import { COMPETENZE } from '../../shared/domain/competenza';
import { CATEGORIE, ENTI_VERIFICATORI } from '../../shared/domain/types';
import { FORMATO_CCNL, FORMATO_ISTAT, FORMATO_PAT, FORMATO_VOCE, QUALIFICHE } from '../../shared/domain/vocabolari';
import { isApeError } from '../../shared/errors';

/**
 * The check of an archive file before anything is loaded: every value outside its vocabulary or format (wrong
 * letter case included) is refused at file:line:column, and a file with any problem yields no rows.
 */

const HEADER_R = FORMATO_RAPPORTI.colonne.map((c) => c.nome).join(',');
const HEADER_P = FORMATO_POSIZIONI.colonne.map((c) => c.nome).join(',');
const RIGA_R = ESEMPI.ANPAL; // BNCGPP62M15F205K,02345678904,2012-03-01,2019-06-30,I100,4,7.4.2.3,OPERAIO,,
const RIGA_P = ESEMPI.INAIL; // 12345678,01234567897,3110,3,62.00

/** The file's problems, one per line, without the summary line. */
function problemi(formato: typeof FORMATO_RAPPORTI, testo: string, file = 'rapporti.csv'): string[] {
  try {
    leggiFileArchivio(formato, testo, file);
  } catch (err) {
    if (!isApeError(err, 'DATI_INCOERENTI')) throw err;
    const [summary, ...lines] = err.message.split('\n');
    expect(summary).toMatch(/nessuna riga caricata/);
    return lines;
  }
  throw new Error('the file was accepted');
}

/** A rapporti line with one column changed. */
function rapporto(col: string, valore: string): string {
  const cells = RIGA_R.split(',');
  cells[FORMATO_RAPPORTI.colonne.findIndex((c) => c.nome === col)] = valore;
  return cells.join(',');
}

function posizione(col: string, valore: string): string {
  const cells = RIGA_P.split(',');
  cells[FORMATO_POSIZIONI.colonne.findIndex((c) => c.nome === col)] = valore;
  return cells.join(',');
}

describe('values outside a vocabulary or format', () => {
  test('a lower-case "operaio" is refused at file:line:column, saying how to write it', () => {
    const testo = `${HEADER_R}\n${RIGA_R}\n${rapporto('qualifica', 'operaio')}\n`;
    expect(problemi(FORMATO_RAPPORTI, testo)).toEqual(['rapporti.csv:3:8: qualifica "operaio": scrivere OPERAIO (le maiuscole contano)']);
  });

  test.each([
    ['qualifica', 'OPERAI', 8, /non è tra i valori ammessi \(OPERAIO, IMPIEGATO, QUADRO, DIRIGENTE, APPRENDISTA\)/],
    ['qualifica', 'Impiegato', 8, /scrivere IMPIEGATO/],
    ['ccnl', 'f012', 5, /scrivere F012/],
    ['ccnl', 'F-012', 5, /non è un codice CNEL/],
    ['professione_istat', '6.1.2.1.0.0', 7, /non è un codice ISTAT/],
    ['professione_istat', '0.1', 7, /non è un codice ISTAT/],
    ['lavoro_a_turni', 'TRUE', 9, /scrivere true/],
    ['lavoro_a_turni', 'si', 9, /non è tra i valori ammessi \(true, false\)/],
    ['attivita_educativa', '1', 10, /non è tra i valori ammessi \(true, false\)/],
    ['dal', '01/03/2012', 3, /non è una data AAAA-MM-GG/],
    ['al', '2019-02-30', 4, /non è una data AAAA-MM-GG/],
    ['al', '2011-12-31', 4, /precede dal \(2012-03-01\)/],
    ['livello', 'x'.repeat(31), 6, /supera 30 caratteri/],
    ['cf_lavoratore', 'bncgpp62m15f205k', 1, /formato non valido/],
    ['cf_datore', '02345678905', 2, /cifra di controllo errata/],
    ['cf_datore', '', 2, /valore obbligatorio mancante/],
  ])('rapporti: %s "%s" is refused at its column (%d)', (col, valore, colonna, motivo) => {
    const [p, ...altri] = problemi(FORMATO_RAPPORTI, `${HEADER_R}\n${rapporto(col, valore)}\n`);
    expect(altri).toEqual([]);
    expect(p).toMatch(new RegExp(`^rapporti\\.csv:2:${colonna}: ${col}`));
    expect(p).toMatch(motivo);
  });

  test.each([
    ['grande_gruppo', '10', 4, /non è tra i valori ammessi \(0, 1, 2, 3, 4, 5, 6, 7, 8, 9\)/],
    ['grande_gruppo', '7', 4, /la voce 3110 appartiene al grande gruppo 3/],
    ['voce', '311', 3, /non è una voce di tariffa/],
    ['pat', '1234567', 1, /non è una PAT/],
    ['tasso_per_mille', '"62,50"', 5, /il separatore decimale è il punto/],
    ['tasso_per_mille', '-1', 5, /non è un numero decimale/],
    ['tasso_per_mille', '123456', 5, /al più 5 cifre intere/],
  ])('posizioni: %s "%s" is refused at its column (%d)', (col, valore, colonna, motivo) => {
    const [p, ...altri] = problemi(FORMATO_POSIZIONI, `${HEADER_P}\n${posizione(col, valore)}\n`, 'posizioni.csv');
    expect(altri).toEqual([]);
    expect(p).toMatch(new RegExp(`^posizioni\\.csv:2:${colonna}: ${col}`));
    expect(p).toMatch(motivo);
  });

  test('every problem of the file is reported with its own line, blank lines counted; no row is returned', () => {
    const testo = `${HEADER_R}\n${rapporto('qualifica', 'operaio')}\n\n${RIGA_R.replace('2012-03-01', '2013-03-01')}\n${rapporto('ccnl', 'i100')}\n`;
    expect(problemi(FORMATO_RAPPORTI, testo)).toEqual([
      'rapporti.csv:2:8: qualifica "operaio": scrivere OPERAIO (le maiuscole contano)',
      'rapporti.csv:5:5: ccnl "i100": scrivere I100 (le maiuscole contano)',
    ]);
  });

  test('columns are found by name, in any order', () => {
    const testo = 'qualifica,cf_lavoratore,cf_datore,dal,al,ccnl,livello,professione_istat,lavoro_a_turni,attivita_educativa\noperaio,BNCGPP62M15F205K,02345678904,2012-03-01,,I100,4,7.4.2.3,,\n';
    expect(problemi(FORMATO_RAPPORTI, testo)).toEqual(['rapporti.csv:2:1: qualifica "operaio": scrivere OPERAIO (le maiuscole contano)']);
  });
});

describe('header and shape', () => {
  test('an unknown column, a wrongly cased one and a missing one are refused on the header line', () => {
    const testo = `${HEADER_R.replace('qualifica', 'Qualifica').replace(',attivita_educativa', ',note')}\n${RIGA_R}\n`;
    expect(problemi(FORMATO_RAPPORTI, testo)).toEqual([
      'rapporti.csv:1:8: colonna "Qualifica" sconosciuta per un file di rapporti: scrivere qualifica',
      `rapporti.csv:1:10: colonna "note" sconosciuta per un file di rapporti (colonne: ${HEADER_R.split(',').join(', ')})`,
      'rapporti.csv:1: colonne mancanti: attivita_educativa',
    ]);
  });

  test('a line with a different number of cells is refused with its line', () => {
    expect(() => leggiFileArchivio(FORMATO_POSIZIONI, `${HEADER_P}\n${RIGA_P}\n${RIGA_P},x\n`, 'p.csv')).toThrow(/^p\.csv:3: CSV non leggibile/);
  });

  test('a file saved as Latin-1 is refused, not stored with mangled characters', () => {
    const latin1 = Buffer.from(`${HEADER_R}\n${RIGA_R.replace(',4,', ',4è,')}\n`, 'latin1').toString('utf8');
    expect(problemi(FORMATO_RAPPORTI, latin1)).toEqual(['rapporti.csv:2: il file non è in UTF-8 (salvarlo come "CSV UTF-8")']);
  });

  test('two rows with the same key in one file are refused (one row per key)', () => {
    const testo = `${HEADER_P}\n${RIGA_P}\n${posizione('tasso_per_mille', '70.00')}\n`;
    expect(problemi(FORMATO_POSIZIONI, testo, 'p.csv')).toEqual(['p.csv:3:1: riga uguale alla riga 2 nella chiave (pat, voce): una riga per chiave']);
  });

  test('a valid file yields its rows as stored: nulls for empty cells, booleans, numbers, and each row\'s line and key', () => {
    const letto = leggiFileArchivio(FORMATO_RAPPORTI, `\uFEFF${HEADER_R}\r\n${ESEMPI.INL}\r\n`, 'inl.csv');
    expect(letto.righe).toEqual([
      { riga: 2, chiave: ['CSTANN61D45D612E', '80001234568', '2009-10-01'], valori: ['CSTANN61D45D612E', '80001234568', '2009-10-01', null, null, null, null, null, true, null] },
    ]);
    expect(leggiFileArchivio(FORMATO_POSIZIONI, `${HEADER_P}\n${RIGA_P}\n`, 'p.csv').righe[0]!.valori).toEqual(['12345678', '01234567897', '3110', 3, '62.00']);
  });
});

describe('one source for the vocabularies', () => {
  test("each party's example line and the demo archives pass the check", () => {
    for (const ente of ENTI_VERIFICATORI) {
      const formato = FORMATI[FILE_DELL_ENTE[ente]];
      expect(leggiFileArchivio(formato, `${formato.colonne.map((c) => c.nome).join(',')}\n${ESEMPI[ente]}\n`, ente).righe).toHaveLength(1);
    }
    for (const f of fileArchivioDemo()) {
      const testo = readFileSync(path.join(PROJECT_ROOT, 'infra/demo/archivio', f.nome), 'utf8');
      expect(leggiFileArchivio(FORMATI[f.tipo], testo, f.nome).righe.length).toBeGreaterThan(0);
    }
  });

  test('the code formats are the contract\'s (comune.xsd), which every domanda is validated against', () => {
    const xsd = readFileSync(path.join(PROJECT_ROOT, 'wsdl/xsd/comune.xsd'), 'utf8');
    const pattern = (tipo: string) => new RegExp(`<xs:simpleType name="${tipo}">\\s*<xs:restriction base="xs:string">\\s*<xs:pattern value="([^"]+)"/>`).exec(xsd)?.[1];
    expect(`^${pattern('CodiceCcnl')}$`).toBe(FORMATO_CCNL.source);
    expect(`^${pattern('CodiceIstat')}$`).toBe(FORMATO_ISTAT.source);
    expect(`^${pattern('PatInail')}$`).toBe(FORMATO_PAT.source);
    expect(`^${pattern('VoceTariffa')}$`).toBe(FORMATO_VOCE.source);
  });

  test('the help lists, per party, the columns, the formats, the vocabularies, the categories and an example line', () => {
    const aiuto = testoAiuto();
    for (const ente of ENTI_VERIFICATORI) expect(aiuto).toContain(`    ${ESEMPI[ente]}\n`);
    expect(aiuto).toContain(`    ${HEADER_R}\n`);
    expect(aiuto).toContain(`    ${HEADER_P}\n`);
    expect(aiuto).toContain(QUALIFICHE.join(' | '));
    expect(aiuto).toMatch(/date +AAAA-MM-GG/);
    expect(aiuto).toMatch(/booleani +true \| false/);
    expect(aiuto).toMatch(/decimali +punto come separatore/);
    expect(aiuto).toContain('0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, uguale alla prima cifra della voce');
    for (const cat of CATEGORIE) expect(aiuto).toContain(`  ${cat}  professione_istat ${COMPETENZE[cat].professioniIstat.join(', ')}`);
    expect(aiuto).toMatch(/--sostituisci/);
  });
});
