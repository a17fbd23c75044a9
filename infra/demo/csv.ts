import { COLONNE_POSIZIONI, COLONNE_RAPPORTI } from '../../services/ente/archivio-csv';
import type { EnteVerificatore } from '../../shared/domain/types';
import { ARCHIVIO_INAIL, ARCHIVI_RAPPORTI, type RigaPosizioneInail, type RigaRapporto } from './dataset';

/** The demo archives as CSV files (name -> content), in the import command's format. */
export interface FileArchivio {
  ente: EnteVerificatore;
  tipo: 'rapporti' | 'posizioni';
  nome: string;
  testo: string;
}

function csv(columns: readonly string[], rows: ReadonlyArray<Record<string, string>>): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** Each party's archive rows as the file its import reads. */
export function fileArchivio(rapporti: Readonly<Record<Exclude<EnteVerificatore, 'INAIL'>, readonly RigaRapporto[]>>, inail: readonly RigaPosizioneInail[]): FileArchivio[] {
  const out: FileArchivio[] = (['MINLAVORO', 'ANPAL', 'INL'] as const).map((ente) => ({
    ente,
    tipo: 'rapporti' as const,
    nome: `${ente.toLowerCase()}-rapporti.csv`,
    testo: csv(COLONNE_RAPPORTI, rapporti[ente] as unknown as Array<Record<string, string>>),
  }));
  out.push({ ente: 'INAIL', tipo: 'posizioni', nome: 'inail-posizioni.csv', testo: csv(COLONNE_POSIZIONI, inail as unknown as Array<Record<string, string>>) });
  return out;
}

export function fileArchivioDemo(): FileArchivio[] {
  return fileArchivio(ARCHIVI_RAPPORTI, ARCHIVIO_INAIL);
}
