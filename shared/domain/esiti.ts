import { ApeError } from '../errors';
import { datiDaVerificare } from './competenza';
import type { EnteVerificatore, Esito, EsitoDato, Rapporto } from './types';

/**
 * Summary of several esiti. NON_CONFORME wins (a datum contradicted by an archive is decisive), then
 * NON_VERIFICABILE (some datum could not be checked: art. 5 c, INL's turn), else CONFORME.
 * An empty list has no summary.
 */
export function riepilogo(esiti: readonly Pick<EsitoDato, 'esito'>[]): Esito | null {
  if (esiti.length === 0) return null;
  if (esiti.some((e) => e.esito === 'NON_CONFORME')) return 'NON_CONFORME';
  if (esiti.some((e) => e.esito === 'NON_VERIFICABILE')) return 'NON_VERIFICABILE';
  return 'CONFORME';
}

/**
 * An esito must answer every datum its packet asked about, once, and nothing else. Returns the esiti
 * in canonical order, or throws ESITO_INCOMPLETO naming what is missing or extra.
 */
export function controllaCompletezza(ente: EnteVerificatore, rapporti: readonly Rapporto[], esiti: readonly EsitoDato[]): EsitoDato[] {
  const expected = new Map<string, true>();
  for (const r of rapporti) for (const d of datiDaVerificare(ente, r)) expected.set(`${r.riferimento}/${d}`, true);
  const seen = new Map<string, EsitoDato>();
  const problems: string[] = [];
  for (const e of esiti) {
    const key = `${e.riferimento}/${e.dato}`;
    if (!expected.has(key)) problems.push(`dato non richiesto ${key}`);
    else if (seen.has(key)) problems.push(`dato ripetuto ${key}`);
    else seen.set(key, e);
  }
  for (const key of expected.keys()) if (!seen.has(key)) problems.push(`manca l'esito di ${key}`);
  if (problems.length > 0) throw new ApeError('ESITO_INCOMPLETO', `esito per ${ente} non conforme al pacchetto: ${problems.join('; ')}`);
  return [...expected.keys()].map((k) => seen.get(k)!);
}
