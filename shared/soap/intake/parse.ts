import { ApeError } from '../../errors';
import { parseEnvelope, validateEnvelope, type ParsedEnvelope } from '../../xml/envelope';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../../xml/limits';
import { NS, clark } from '../../xml/namespaces';
import type { XmlNode } from '../../xml/tree';
import { WSA_NS, WSSE_NS } from '../wssecurity';

/**
 * The body as a SOAP envelope: parsed once, within the configured limits (DTD refused, shape bounded, well-formed,
 * envelope structure: shared/xml/envelope.ts), then, once the operation and its caller are known, validated against
 * the contracts' XSD and its mustUnderstand headers. The signature is verified on the same parsed document.
 */

/** Stage: the one parse; the XSD is checked by validateRequest. */
export function parseRequest(body: string, limits: XmlLimits = DEFAULT_XML_LIMITS): ParsedEnvelope {
  return parseEnvelope(body, limits);
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
