/**
 * Operators see identifiers, never personal data. Free text that crosses a boundary (an error a counterpart
 * wrote, a dead letter's reason) could quote a citizen's codice fiscale: it is masked before printing.
 */
const CODICE_FISCALE = /\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/gi;

export function senzaDatiPersonali(testo: string): string {
  return testo.replace(CODICE_FISCALE, '[codice fiscale]');
}

/** The ids of a work message's payload (the only fields an operator needs to find its case). */
export const CHIAVI_IDENTIFICATIVE = ['idPacchetto', 'idIstruttoria', 'idMessaggio'] as const;

export function soloIdentificativi(payload: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (payload === null || typeof payload !== 'object') return out;
  for (const k of CHIAVI_IDENTIFICATIVE) {
    const v = (payload as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = senzaDatiPersonali(String(v));
  }
  return out;
}
