import type { Prng } from '../prng';
import type { HostileRequest } from '../hostile-http';

/**
 * The model of the hostile-input storm (test/faults/hostile-input.test.ts): its categories in their order, the Fault codes
 * a refusal may carry with their HTTP status, and what a case is. The cases themselves are built by the families
 * of this folder, put together in index.ts.
 */

export const CATEGORIES = [
  'xxe',
  'entity-expansion',
  'oversize',
  'deep-nesting',
  'complexity',
  'malformed',
  'content-type',
  'schema-invalid',
  'codice-fiscale',
  'incoherent',
  'extreme-dates',
  'unknown-operation',
  'method',
  'operatore',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Code =
  | 'DTD_NON_AMMESSA'
  | 'SCHEMA_NON_VALIDO'
  | 'MESSAGGIO_TROPPO_GRANDE'
  | 'XML_MALFORMATO'
  | 'XML_TROPPO_COMPLESSO'
  | 'SOAP_NON_VALIDO'
  | 'CONTENT_TYPE_NON_VALIDO'
  | 'CODICE_FISCALE_NON_VALIDO'
  | 'DATI_INCOERENTI'
  | 'OPERAZIONE_SCONOSCIUTA'
  | 'METODO_NON_AMMESSO'
  | 'OPERATORE_ASSENTE';

/** HTTP status of each refusal: SOAP 1.1 says 500, transport refusals use their 4xx (independent of shared/errors.ts). */
export const STATUS_OF: Record<Code, number> = {
  DTD_NON_AMMESSA: 500,
  SCHEMA_NON_VALIDO: 500,
  MESSAGGIO_TROPPO_GRANDE: 413,
  XML_MALFORMATO: 500,
  XML_TROPPO_COMPLESSO: 500,
  SOAP_NON_VALIDO: 500,
  CONTENT_TYPE_NON_VALIDO: 415,
  CODICE_FISCALE_NON_VALIDO: 500,
  DATI_INCOERENTI: 500,
  OPERAZIONE_SCONOSCIUTA: 500,
  METODO_NON_AMMESSO: 405,
  OPERATORE_ASSENTE: 500,
};

export interface Built {
  request: HostileRequest;
  expect: readonly Code[];
}

export interface HostileCase {
  id: number;
  category: Category;
  /** Short name of the variant (cases with the same label share a shape). */
  label: string;
  /** A human-readable description of the exact mutation, enough to rebuild the input by hand. */
  repro: string;
  build(): Built;
}

export interface GeneratorContext {
  rng: Prng;
  maxBodyBytes: number;
  /** URL of a local listener that must never be contacted (an XXE or schema fetch would). */
  canaryUrl: string;
  /** DataPresentazione of the generated domande. */
  presentazione: Date;
}
