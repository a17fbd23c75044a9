import { COMPETENZE, SOGLIA_TASSO_MEDIO_PER_MILLE } from '../../shared/domain/competenza';
import { CATEGORIE, ENTI_VERIFICATORI, type EnteVerificatore } from '../../shared/domain/types';
import { ESEMPI, FILE_DELL_ENTE, FORMATI, type TipoFile } from './archivio-formato';

/**
 * The importer's --help, written for the party's IT department that prepares the export: built from the same
 * column descriptions the import checks against (archivio-formato.ts) and from the competence table the
 * verification applies (shared/domain/competenza.ts), so it cannot drift from either.
 */

export const USO = [
  'uso:',
  '  npm run archivio:import -- --ente MINLAVORO|ANPAL|INL --fonte NOME --rapporti FILE.csv [--sostituisci]',
  '  npm run archivio:import -- --ente INAIL --fonte NOME --posizioni FILE.csv [--sostituisci]',
  '  npm run archivio:import -- --help',
].join('\n');

const FONTI = `Fonti e sostituzione
  L'archivio di un ente è l'unione delle sue fonti: ogni importazione carica un file come una fonte con nome
  (--fonte: lettere, cifre, '.', '_', '-'), per esempio un ufficio, un sistema, un'estrazione.
  - senza --sostituisci la fonte deve essere nuova: le sue righe si aggiungono a quelle delle altre fonti;
    una fonte già caricata è rifiutata e resta com'era;
  - con --sostituisci le righe della fonte sono sostituite da quelle del file (un file con la sola intestazione
    la svuota); l'uscita dice quante righe aveva la fonte prima e quante ne ha dopo;
  - una riga con la stessa chiave di una riga di un'altra fonte, o di un'altra riga del file, è rifiutata
    (rapporti: cf_lavoratore, cf_datore, dal; posizioni: pat, voce);
  - il nome del file non conta: due file con lo stesso nome sono due fonti se importati con --fonte diversi.
  Un file si carica tutto o niente: ogni problema è indicato come file:riga:colonna e nessuna riga è caricata.
  L'importazione usa il ruolo applicativo del nodo (postgres.url) e non crea lo schema: prima va preparato il
  database (npm run setup, o l'avvio del nodo dell'ente che applica le migrazioni).`;

const FORMATO_COMUNE = `Formato dei file
  CSV UTF-8 (BOM ammesso), separatore virgola, valori tra virgolette se contengono una virgola; la prima riga è
  l'intestazione con esattamente le colonne elencate, in qualsiasi ordine; righe vuote e spazi ai bordi ignorati.
  Le maiuscole contano: i valori sono confrontati esattamente con quelli dichiarati nella domanda.
  date      AAAA-MM-GG (es. 2014-01-07)
  booleani  true | false, vuoto quando l'archivio non lo sa
  decimali  punto come separatore, al più 2 decimali (es. 62.50)
  vuoto     una colonna facoltativa vuota vale "dato non presente in archivio" (esito NON_VERIFICABILE)`;

function tabellaColonne(enti: readonly EnteVerificatore[], tipo: TipoFile): string {
  const colonne = FORMATI[tipo].colonne;
  const larghezza = Math.max(...colonne.map((c) => c.nome.length));
  return colonne
    .map((c) => {
      const letta = enti.some((e) => c.lettaDa.includes(e));
      const uso = !letta ? `non letta da ${enti.join(' né ')} (lasciare vuota)` : c.obbligatoria ? 'obbligatoria' : 'facoltativa';
      return `    ${c.nome.padEnd(larghezza)}  ${uso}: ${c.formato}`;
    })
    .join('\n');
}

function perEnte(): string {
  const gruppi: Array<[EnteVerificatore[], string]> = [
    [['MINLAVORO', 'ANPAL'], 'comunicazioni obbligatorie'],
    [['INL'], 'verbali ispettivi'],
    [['INAIL'], 'voci di tariffa applicate su ogni PAT'],
  ];
  return gruppi
    .map(([enti, cosa]) => {
      const tipo = FILE_DELL_ENTE[enti[0]!];
      const colonne = FORMATI[tipo].colonne.map((c) => c.nome).join(',');
      return [
        `${enti.join(', ')}: file --${tipo} (${cosa}), tabella ${FORMATI[tipo].tabella}`,
        tabellaColonne(enti, tipo),
        '  esempio:',
        `    ${colonne}`,
        ...enti.map((e) => `    ${ESEMPI[e]}`).filter((x, i, xs) => xs.indexOf(x) === i),
      ].join('\n');
    })
    .join('\n\n');
}

function categorie(): string {
  const righe = CATEGORIE.map((cat) => {
    const c = COMPETENZE[cat];
    const parti = [`professione_istat ${c.professioniIstat.join(', ')} (o codici che ne discendono)`];
    if (c.soloOperai) parti.push('solo qualifica OPERAIO');
    parti.push(c.grandiGruppiInail ? `grandi gruppi INAIL ${c.grandiGruppiInail.join(', ')}` : 'INAIL non competente');
    if (c.datoInl) parti.push(`INL verifica ${c.datoInl === 'LAVORO_A_TURNI' ? 'lavoro_a_turni' : 'attivita_educativa'}`);
    return `  ${cat}  ${parti.join('; ')}`;
  });
  return [
    'Categorie (allegato 1): che cosa la verifica confronta con l\'archivio',
    ...righe,
    `  INAIL: le voci dichiarate devono essere applicate sulla PAT del datore, con tasso medio oltre ${SOGLIA_TASSO_MEDIO_PER_MILLE} per mille.`,
  ].join('\n');
}

export function testoAiuto(): string {
  const enti = ENTI_VERIFICATORI.map((e) => `${e} --${FILE_DELL_ENTE[e]}`).join(', ');
  return [
    `Importa l'archivio di riferimento di un ente nel suo schema: un file per volta (${enti}).`,
    '',
    USO,
    '',
    FONTI,
    '',
    FORMATO_COMUNE,
    '',
    perEnte(),
    '',
    categorie(),
    '',
  ].join('\n');
}
