import { sign, verify, type KeyObject } from 'node:crypto';
import { clip } from '../../xml/clip';

/**
 * The signature methods of the federation's XML signatures (message security and origin signatures), two of those
 * the ModI guidelines admit for SOAP (LG interoperabilità, "Elenco degli algoritmi", 6.2 Signature public key SOAP):
 * RSA-SHA256 with an RSA key of at least 2048 bits (the default; the WS-Policy's Basic256Sha256) and ECDSA-SHA256
 * with a P-256 key (signing costs about a twentieth of RSA-2048's; verifying costs more than RSA's, which is cheap).
 * Each party signs with the key its certificate holds; every party verifies both. The method follows from the key: a
 * SignatureMethod other than the one the signer's certificate implies is refused as soon as the certificate is read,
 * before any digest or signature value is computed, so that no message can choose how it is checked.
 *
 * ECDSA's SignatureValue is r and s side by side, 32 bytes each (XML Signature 1.1, 6.4.3; RFC 4050), not the DER
 * sequence TLS and X.509 use.
 */

export const METODI_FIRMA = {
  rsa: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  ecdsa: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
} as const;

export type MetodoFirma = (typeof METODI_FIRMA)[keyof typeof METODI_FIRMA];

/** The keys admitted, in words for the messages. */
export const CHIAVI_AMMESSE = 'RSA di almeno 2048 bit (firma RSA-SHA256) o EC sulla curva P-256 (firma ECDSA-SHA256)';

const METODI: ReadonlySet<string> = new Set(Object.values(METODI_FIRMA));
const LUNGHEZZA_ECDSA_P256 = 64;

/**
 * Keys already looked at: a signer's key, and a certificate's public key (X509Certificate keeps one object, and
 * parsed certificates are cached), come back for every message, and asymmetricKeyDetails asks OpenSSL each time.
 */
const metodiNoti = new WeakMap<KeyObject, MetodoFirma | null>();

/** The method a key signs with, or undefined for a key the federation does not admit (RSA under 2048 bits, another curve, Ed25519...). */
export function metodoDellaChiave(key: KeyObject): MetodoFirma | undefined {
  let metodo = metodiNoti.get(key);
  if (metodo === undefined) {
    const details = key.asymmetricKeyDetails;
    metodo =
      key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048 ? METODI_FIRMA.rsa
      : key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1' ? METODI_FIRMA.ecdsa
      : null;
    metodiNoti.set(key, metodo);
  }
  return metodo ?? undefined;
}

/** Whether a SignatureMethod's Algorithm is one of the two (checked before the certificate is known). */
export function metodoAmmesso(algorithm: string): algorithm is MetodoFirma {
  return METODI.has(algorithm);
}

/** The refusal of a SignatureMethod that is neither, in words a counterpart can act on. */
export function metodoRifiutato(algorithm: string): string {
  return `algoritmo di firma "${clip(algorithm)}" non ammesso: usare ${METODI_FIRMA.rsa} (chiave RSA) o ${METODI_FIRMA.ecdsa} (chiave EC P-256)`;
}

/** The SignatureValue, base64, of `data` (the canonical SignedInfo) with the signer's private key. */
export function firmaValore(data: string, key: KeyObject): string {
  const bytes = Buffer.from(data, 'utf8');
  return (key.asymmetricKeyType === 'ec' ? sign('sha256', bytes, { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', bytes, key)).toString('base64');
}

/** Why a signature's method cannot be checked with this certificate's key, or null when it can. */
export function metodoNonCoerente(algorithm: string, publicKey: KeyObject): string | null {
  const atteso = metodoDellaChiave(publicKey);
  if (!atteso) return `la chiave del certificato del firmatario non è ammessa: servono ${CHIAVI_AMMESSE}`;
  if (algorithm !== atteso) return `ds:SignatureMethod "${clip(algorithm)}" non corrisponde alla chiave del certificato del firmatario, che firma con ${atteso}`;
  return null;
}

/** Checks a SignatureValue whose method metodoNonCoerente accepted for this key. */
export function valoreValido(algorithm: MetodoFirma, data: string, publicKey: KeyObject, value: Buffer): boolean {
  const bytes = Buffer.from(data, 'utf8');
  if (algorithm === METODI_FIRMA.ecdsa) return value.length === LUNGHEZZA_ECDSA_P256 && verify('sha256', bytes, { key: publicKey, dsaEncoding: 'ieee-p1363' }, value);
  return verify('sha256', bytes, publicKey, value);
}
