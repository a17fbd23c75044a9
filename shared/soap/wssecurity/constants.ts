import { NS } from '../../xml/namespaces';

/** Namespaces, token types, the algorithms allowed and the default time limits of the federation's WS-Security. */

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';

export const SOAP_NS = NS.soap;
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
export const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/**
 * Every header of these namespaces that a message carries must be inside its signature (INTESTAZIONE_NON_FIRMATA):
 * what the contract's WS-SecurityPolicy says with sp:SignedParts (wsdl/*.wsdl, policy ModI_ID_AUTH_SOAP_02).
 */
export const SIGNED_HEADER_NAMESPACES: readonly string[] = [WSA_NS, NS.com];

/**
 * The only canonicalization and digest ModI profiles are run with here (LG interoperabilità, cap. 7, restricted by
 * the federation); the signature methods, RSA-SHA256 or ECDSA-SHA256 as the signer's key implies, are in metodo-firma.ts.
 */
export const ALGORITHMS = {
  canonicalizzazione: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** Timestamp validity of a message we sign; tolerated clock difference; longest validity accepted (seconds). */
export const DEFAULT_TTL_SECONDS = 300;
export const DEFAULT_SKEW_SECONDS = 60;
export const DEFAULT_MAX_TTL_SECONDS = 900;
