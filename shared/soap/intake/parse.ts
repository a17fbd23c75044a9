import { ApeError } from '../../errors';
import { parseEnvelope, validateEnvelope, type ParsedEnvelope } from '../../xml/envelope';
import { NS, clark } from '../../xml/namespaces';
import type { XmlNode } from '../../xml/tree';
import { WSA_NS, WSSE_NS } from '../wssecurity';

/**
 * The body as a SOAP envelope: parsed (DTD refused, well-formed, envelope shape: shared/xml/envelope.ts), then, once
 * the operation and its caller are known, validated against the contracts' XSD and its mustUnderstand headers.
 */

/** Stage: parse; the XSD problems found are kept for validateRequest. */
export function parseRequest(body: string): ParsedEnvelope {
  return parseEnvelope(body);
}

/** Stage: the envelope matches the contracts (SCHEMA_NON_VALIDO) and every mustUnderstand header is one we process. */
export function validateRequest(env: ParsedEnvelope): void {
  validateEnvelope(env);
  refuseUnknownMustUnderstand(env.headers);
}

/** Header blocks this endpoint processes; any other marked mustUnderstand is refused (SOAP 1.1, 4.2.3). */
const UNDERSTOOD = new Set([NS.com, WSSE_NS, WSA_NS]);
const MUST_UNDERSTAND = clark(NS.soap, 'mustUnderstand');

export function refuseUnknownMustUnderstand(headers: readonly XmlNode[]): void {
  for (const h of headers) {
    const mu = h.attrs[MUST_UNDERSTAND];
    if ((mu === '1' || mu === 'true') && !UNDERSTOOD.has(h.ns)) {
      throw new ApeError('INTESTAZIONE_NON_COMPRESA', `l'intestazione {${h.ns}}${h.local} è marcata mustUnderstand ma questo servizio non la gestisce`);
    }
  }
}
