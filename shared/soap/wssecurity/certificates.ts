import { X509Certificate } from 'node:crypto';
import { ApeError } from '../../errors';
import { refuseRevoked, type RevocationCheck } from '../../pki/crl-store';
import { decodeBase64 } from './c14n';
import { BASE64_BINARY, DS_NS, WSSE_NS, X509V3 } from './constants';
import { childrenNamed, elementChildren, isElement, wsuId } from './dom';
import { fail } from './errors';
import { CHIAVI_AMMESSE, metodoDellaChiave } from './metodo-firma';
import type { SecuredParts } from './parts';

// The signer's certificate: the BinarySecurityToken KeyInfo points at, parsed once per distinct encoding; and
// whether it is the expected party's (checkSigningCertificate), for requests and responses alike.

/** The certificate in the BinarySecurityToken that KeyInfo points at (wsse:SecurityTokenReference/wsse:Reference). */
export function signerCertificate(occurrences: ReadonlyMap<string, number>, parts: Pick<SecuredParts, 'signature' | 'security'>): X509Certificate {
  const keyInfo = childrenNamed(parts.signature, DS_NS, 'KeyInfo')[0]!;
  const strs = elementChildren(keyInfo);
  const str = strs[0];
  const refs = str ? elementChildren(str) : [];
  const ref = refs[0];
  const uri = ref?.getAttribute('URI') ?? '';
  if (strs.length !== 1 || !isElement(str, WSSE_NS, 'SecurityTokenReference') || refs.length !== 1 || !isElement(ref, WSSE_NS, 'Reference') || !/^#[^#]+$/.test(uri)) {
    fail('FIRMA_NON_VALIDA', `${keyReferenceKind(strs, refs)} non ammesso in ds:KeyInfo: ${DIRECT_REFERENCE}`);
  }
  const valueType = ref.getAttribute('ValueType');
  if (valueType && valueType !== X509V3) fail('FIRMA_NON_VALIDA', `wsse:Reference ValueType "${valueType}" non ammesso: usare ${X509V3}`);
  const id = uri.slice(1);
  const tokens = childrenNamed(parts.security, WSSE_NS, 'BinarySecurityToken').filter((t) => wsuId(t) === id);
  if (tokens.length !== 1 || (occurrences.get(id) ?? 0) !== 1) {
    fail('FIRMA_NON_VALIDA', `wsse:SecurityTokenReference indica #${id}, che deve essere un unico wsse:BinarySecurityToken in wsse:Security`);
  }
  return tokenCertificate(tokens[0]!);
}

/** What a sender must put in KeyInfo (the only form accepted: the signer's certificate travels in the message). */
const DIRECT_REFERENCE =
  'usare un wsse:SecurityTokenReference con un solo wsse:Reference URI="#<wsu:Id del wsse:BinarySecurityToken>" ' +
  `ValueType="${X509V3}" (riferimento diretto al certificato X.509 inviato nel messaggio; in WSS4J: signatureKeyIdentifier DirectReference)`;

/** The key reference a sender used, named for the refusal (WSS4J's IssuerSerial default, SKI and thumbprint included). */
function keyReferenceKind(strs: readonly Element[], refs: readonly Element[]): string {
  if (strs.length !== 1) return strs.length === 0 ? 'un ds:KeyInfo vuoto' : `un ds:KeyInfo con ${strs.length} elementi`;
  const is = (n: Element | undefined, ns: string, local: string): boolean => !!n && n.namespaceURI === ns && n.localName === local;
  const str = strs[0]!;
  if (!is(str, WSSE_NS, 'SecurityTokenReference')) return `ds:KeyInfo/${str.localName}`;
  const ref = refs[0];
  if (refs.length !== 1 || !ref) return `un wsse:SecurityTokenReference con ${refs.length} elementi`;
  if (is(ref, DS_NS, 'X509Data')) {
    const inner = elementChildren(ref)[0];
    return inner?.localName === 'X509IssuerSerial' ? 'il riferimento per emittente e numero di serie (ds:X509IssuerSerial)' : `ds:X509Data/${inner?.localName ?? ''}`;
  }
  if (is(ref, WSSE_NS, 'KeyIdentifier')) {
    const valueType = ref.getAttribute('ValueType') ?? '';
    const kind = valueType.endsWith('#X509SubjectKeyIdentifier') ? 'SubjectKeyIdentifier' : valueType.endsWith('#ThumbprintSHA1') ? 'ThumbprintSHA1' : valueType;
    return `il riferimento wsse:KeyIdentifier (${kind})`;
  }
  if (is(ref, WSSE_NS, 'Reference')) return `wsse:Reference URI="${ref.getAttribute('URI') ?? ''}"`;
  return `wsse:SecurityTokenReference/${ref.localName}`;
}

/**
 * Parsed certificates by their exact encoding (base64 DER or PEM). A party signs every message with the same
 * certificate; parsing it again for each one was a tenth of a SOAP endpoint's CPU time. Bounded: the oldest entry
 * goes when it is full. Validity in time is still checked at every use.
 */
const PARSED_CERTIFICATES = new Map<string, X509Certificate>();
const PARSED_CERTIFICATES_MAX = 256;

export function parsedCertificate(encoding: string, parse: () => X509Certificate): X509Certificate {
  const known = PARSED_CERTIFICATES.get(encoding);
  if (known) return known;
  const cert = parse();
  if (PARSED_CERTIFICATES.size >= PARSED_CERTIFICATES_MAX) PARSED_CERTIFICATES.delete(PARSED_CERTIFICATES.keys().next().value!);
  PARSED_CERTIFICATES.set(encoding, cert);
  return cert;
}

function tokenCertificate(token: Element): X509Certificate {
  if (token.getAttribute('ValueType') !== X509V3) fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken deve avere ValueType="${X509V3}"`);
  const encoding = token.getAttribute('EncodingType');
  if (encoding && encoding !== BASE64_BINARY) fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken deve avere EncodingType="${BASE64_BINARY}"`);
  const base64Text = (token.textContent ?? '').replace(/\s+/g, '');
  let cert: X509Certificate;
  try {
    cert = parsedCertificate(base64Text, () => {
      const der = decodeBase64(base64Text);
      if (!der) throw new Error('base64 non valido');
      return new X509Certificate(der);
    });
  } catch (err) {
    fail('FIRMA_NON_VALIDA', `wsse:BinarySecurityToken non contiene un certificato X.509 DER in base64 leggibile (${(err as Error).message})`);
  }
  if (!metodoDellaChiave(cert.publicKey)) fail('ALGORITMO_NON_AMMESSO', `la chiave del certificato del BinarySecurityToken non è ammessa: servono ${CHIAVI_AMMESSE}`);
  return cert;
}

/** Who must have signed: the party's CA and host name, in words for the messages. */
export interface ExpectedSigner {
  /** The CA registered for the party: its signing certificate must come from it, like its TLS one. */
  ca: X509Certificate;
  /** The party's host name (its identity's subject CN), which the certificate must name. */
  host: string;
  /** The party as messages name it, e.g. "ANPAL (pdd.anpal.ape-precoci.local)". */
  who: string;
  now: Date;
  /** The CRLs in force; absent: revocation is not checked. */
  revocations?: RevocationCheck | null;
}

/** Certificate and CA pairs whose issuance signature verified (an RSA verification per message, otherwise). */
const VERIFIED_ISSUANCES = new Set<string>();

export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  const key = `${cert.fingerprint256}|${ca.fingerprint256}`;
  if (VERIFIED_ISSUANCES.has(key)) return true;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  if (VERIFIED_ISSUANCES.size >= 1024) VERIFIED_ISSUANCES.clear();
  VERIFIED_ISSUANCES.add(key);
  return true;
}

/**
 * The signing certificate is the expected party's: issued by its CA, not revoked by it (the CRL is consulted at
 * every message, so a revocation applies from the next one), naming its host, valid now. Throws a coded ApeError.
 */
export function checkSigningCertificate(cert: X509Certificate, e: ExpectedSigner): void {
  if (!issuedBy(cert, e.ca)) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il certificato di firma "${cert.subject.replace(/\n/g, ', ')}" non è emesso dalla CA registrata per ${e.who}`);
  }
  refuseRevoked(e.revocations, e.ca.fingerprint256, cert.serialNumber, `il certificato di firma di ${e.who}`);
  // checkHost looks at the DNS names in subjectAltName, and at the CN only when there are none.
  if (cert.checkHost(e.host, { subject: 'default' }) === undefined) {
    throw new ApeError('CERTIFICATO_NON_CORRISPONDENTE', `il messaggio è firmato con un certificato che non è di ${e.who}: firmare con il certificato della propria porta di dominio`);
  }
  const t = e.now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
    throw new ApeError('CERTIFICATO_NON_VALIDO', `il certificato di firma di ${e.who} non è valido in questo momento (valido dal ${cert.validFrom} al ${cert.validTo})`);
  }
}
