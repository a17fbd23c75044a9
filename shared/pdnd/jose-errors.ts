import { errors } from 'jose';
import { ApeError, type ErrorCode, toError } from '../errors';

/**
 * A JOSE failure as the coded refusal a counterpart can act on. `prefix` names the token (voucher or tracking
 * evidence); `codes` says which code each kind of failure gets for that token. A failure that is not the token's
 * fault (the JWKS cannot be fetched) is SERVIZIO_NON_DISPONIBILE: retryable, the caller did nothing wrong.
 */
export interface JoseRefusalCodes {
  invalid: ErrorCode;
  expired: ErrorCode;
  notYetValid: ErrorCode;
  wrongAudience: ErrorCode;
}

/**
 * `chiavi`: where the verification key came from. Only a remote JWKS can fail for reasons that are not the token's;
 * with a key of our own (the client's registered one, for the tracking evidence) every failure is the token's.
 */
export function refusalOf(thrown: unknown, what: string, codes: JoseRefusalCodes, chiavi: 'remote' | 'locali' = 'remote'): ApeError {
  const err = toError(thrown);
  if (err instanceof ApeError) return err;
  if (err instanceof errors.JWTExpired) return new ApeError(codes.expired, `${what} scaduto (exp passato): ottenerne uno nuovo`, { cause: err });
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || (err.claim === 'iat' && err.reason === 'check_failed')) return new ApeError(codes.notYetValid, `${what} non ancora valido (${err.claim} nel futuro oltre la tolleranza)`, { cause: err });
    if (err.claim === 'aud') return new ApeError(codes.wrongAudience, `${what}: aud non è l'e-service di questo endpoint`, { cause: err });
    return new ApeError(codes.invalid, `${what}: claim ${err.claim} non valido (${err.reason})`, { cause: err });
  }
  // JWKS fetch failures: a timeout, a JWKS that is not one, a network error (not a JOSEError), an answer other than
  // 200 or not JSON (jose's generic JOSEError, which nothing about a token itself throws).
  if (chiavi === 'remote' && (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError) || err.constructor === errors.JOSEError)) {
    return new ApeError('SERVIZIO_NON_DISPONIBILE', `chiavi del server di autorizzazione PDND non disponibili: riprovare`, { cause: err });
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new ApeError(codes.invalid, `${what}: algoritmo non ammesso (solo RS256)`, { cause: err });
  if (err instanceof errors.JWKSNoMatchingKey) return new ApeError(codes.invalid, `${what}: kid sconosciuto tra le chiavi pubblicate (JWKS)`, { cause: err });
  if (err instanceof errors.JWSSignatureVerificationFailed) return new ApeError(codes.invalid, `${what}: la firma non verifica`, { cause: err });
  return new ApeError(codes.invalid, `${what} non valido: ${err.message.slice(0, 200)}`, { cause: err });
}
