/** XML namespaces of the federation's contracts (wsdl/). */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  com: 'urn:it:ape-precoci:comune:v1',
  ist: 'urn:it:ape-precoci:istruttoria:v1',
  pac: 'urn:it:ape-precoci:pacchetto:v1',
  esi: 'urn:it:ape-precoci:esiti:v1',
} as const;

/** Qualified name in Clark notation: {namespace}local. */
export function clark(ns: string, local: string): string {
  return `{${ns}}${local}`;
}
