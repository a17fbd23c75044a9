/**
 * WS-Security for the AgID ModI message-security patterns ID_AUTH_SOAP_02 (X.509 direct trust with a unique,
 * signed wsa:MessageID) and INTEGRITY_SOAP_01 (signed soap:Body), SOAP 1.1.
 *
 * Signing adds wsa:To and wsa:MessageID (WS-Addressing 1.0) and a wsse:Security header holding a
 * Timestamp, the signer's certificate as an X.509v3 BinarySecurityToken and a ds:Signature over Timestamp,
 * wsa:To, wsa:MessageID, every other com:* and wsa:* header block and Body (exclusive C14N, SHA-256, RSA-SHA256 or
 * ECDSA-SHA256 as the signer's key implies, wssecurity/metodo-firma.ts;
 * KeyInfo points at the token). Verification requires the same coverage (INTESTAZIONE_NON_FIRMATA otherwise).
 *
 * Verification trusts nothing it has not located by structure first: the four required parts are found by
 * their position (Body under Envelope, To and MessageID under Header, Timestamp under Security), each must
 * occur once in the whole document, and the references are resolved by Id only among those elements and the
 * other header blocks (every Id unique document-wide). Algorithms are checked before any digest is computed.
 * The digests and the signature are then computed on exactly those elements, and the values returned (To,
 * MessageID, times, certificate) are read from them. Deciding whether the certificate belongs to the caller,
 * and whether the MessageID was seen before, is left to the caller.
 *
 * XML Signature processing is done here rather than by xml-crypto's SignedXml, which resolves every
 * reference with document-wide XPath searches: that would both look beyond the expected elements and cost
 * hundreds of milliseconds on a 500-row esito. Exclusive canonicalization is our own too (c14n.ts: complete,
 * #default in PrefixLists included), on @xmldom/xmldom trees; an endpoint verifies the very document it parsed
 * once (verifyDocument) and reads the payload from.
 *
 * The parts, by concern, are in wssecurity/: constants.ts (namespaces, algorithms, limits), errors.ts, dom.ts
 * (strict parse, lookups), c14n.ts (canonicalization, digests, base64), sign.ts, sign-tree.ts and c14n-tree.ts (signing
 * an envelope we wrote from its trees, without parsing it back), parts.ts (locating the signed
 * parts), signed-info.ts (references, digests, signature value), certificates.ts (the signer's token), verify.ts;
 * response.ts and response-parts.ts sign responses (the same primitives, other parts) and verify them for the client.
 * This file is the module's public face. (Not wssecurity/index.ts: a build into an existing dist/ would keep the
 * old dist/shared/soap/wssecurity.js, which Node resolves before a folder's index.js.)
 */

export { ALGORITHMS, WSA_NS, WSSE_NS, WSU_NS } from './wssecurity/constants';
export { WsSecurityError, type WsSecurityCode } from './wssecurity/errors';
export { checkSigningCertificate, parsedCertificate } from './wssecurity/certificates';
export { signEnvelope, type SignOptions } from './wssecurity/sign';
export { signEnvelopeTree, signResponseTree } from './wssecurity/sign-tree';
export { verifyDocument, verifyEnvelope, type VerifyOptions } from './wssecurity/verify';
export { responseSigner, signResponse, verifyResponse, type ResponseSigner } from './wssecurity/response';
