/**
 * The controlled vocabularies and code formats a party's archive shares with the domanda. The verification
 * compares archive values with declared ones by exact equality, so an archive value outside these (a lower-case
 * "operaio", an "f012") does not fail loudly: it turns a conforming relation NON_CONFORME. The verifier
 * (services/ente/verifica.ts) and the archive import (services/ente/archivio-formato.ts) both read them from here;
 * the code formats are the contract's (wsdl/xsd/comune.xsd), which the domanda is validated against.
 */

/** Qualifiche as the comunicazioni obbligatorie record them, upper case. */
export const QUALIFICHE = ['OPERAIO', 'IMPIEGATO', 'QUADRO', 'DIRIGENTE', 'APPRENDISTA'] as const;
export type Qualifica = (typeof QUALIFICHE)[number];

/** The only qualifica category A admits (COMPETENZE.A.soloOperai). */
export const QUALIFICA_OPERAIO: Qualifica = 'OPERAIO';

/** INAIL grandi gruppi di tariffa (COMPETENZE[*].grandiGruppiInail lists some of them per category). */
export const GRANDI_GRUPPI_INAIL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** XSD CodiceCcnl: the CNEL code of the collective agreement (e.g. F012), upper case. */
export const FORMATO_CCNL = /^[A-Z0-9]{3,8}$/;
/** XSD CodiceIstat: an ISTAT CP2011 profession code, one to five levels (e.g. 6.1.2.1). */
export const FORMATO_ISTAT = /^[1-9](\.[0-9]{1,2}){0,4}$/;
/** XSD PatInail: INAIL posizione assicurativa territoriale. */
export const FORMATO_PAT = /^[0-9]{8,10}$/;
/** XSD VoceTariffa: an INAIL tariff voice; its first digit is its grande gruppo. */
export const FORMATO_VOCE = /^[0-9]{4}$/;
/** XSD Livello: a token of at most 30 characters, compared as written. */
export const LUNGHEZZA_MASSIMA_LIVELLO = 30;

/** The grande gruppo a tariff voice belongs to (its first digit). */
export function grandeGruppoDellaVoce(voce: string): number {
  return Number(voce[0]);
}
