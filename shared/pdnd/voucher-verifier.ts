import { decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ApeError } from '../errors';
import { refusalOf } from './jose-errors';
import type { PdndRegistry } from './registry';

/**
 * A PDND voucher presented to one of our endpoints (Authorization: Bearer): RS256, signed by a key of the
 * authorization server's JWKS (`jwks`: cached; an unknown kid fetches it again, at most once per cooldown, which is
 * how a key rotation is picked up), iss the configured issuer, aud this endpoint's e-service, exp/nbf/iat within the
 * skew, client_id the client of the identity the TLS channel authenticated, purposeId one of that consumer's
 * purposes on this e-service under an active agreement. That its jti is not reused for something else is checked
 * by the caller (guard.ts), against the durable store.
 */

export interface VerifiedVoucher {
  jti: string;
  clientId: string;
  purposeId: string;
  /** The SHA-256 (hex) of the tracking evidence the voucher is bound to (claim digest), null without one. */
  digest: string | null;
  expiresAt: Date;
}

export interface VoucherVerifierOptions {
  jwks: JWTVerifyGetKey;
  /** Real time (vouchers live in it, like WS-Security timestamps), injectable for tests. */
  now?: () => Date;
}

const CODES = { invalid: 'VOUCHER_NON_VALIDO', expired: 'VOUCHER_SCADUTO', notYetValid: 'VOUCHER_NON_ANCORA_VALIDO', wrongAudience: 'VOUCHER_DESTINATARIO_ERRATO' } as const;

export class VoucherVerifier {
  private readonly now: () => Date;

  constructor(
    private readonly registry: PdndRegistry,
    private readonly opts: VoucherVerifierOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** `audience`: this endpoint's URL; `caller`: the identity the TLS channel authenticated. */
  async verify(token: string, audience: string, caller: string): Promise<VerifiedVoucher> {
    const skew = this.registry.pdnd.tolleranzaSecondi;
    const now = this.now();
    let payload: JWTPayload;
    try {
      decodeProtectedHeader(token);
    } catch {
      // Not a JWT at all: the caller's fault, before any key is looked up (so never "keys unavailable, retry").
      throw new ApeError('VOUCHER_NON_VALIDO', 'voucher: non è un JWT firmato (JWS compatto: intestazione.payload.firma in base64url)');
    }
    try {
      ({ payload } = await jwtVerify(token, this.opts.jwks, {
        algorithms: ['RS256'],
        // PDND's vouchers are access tokens (RFC 9068): a JWT of another kind signed by the same key is not one.
        typ: 'at+jwt',
        issuer: this.registry.pdnd.issuer,
        audience,
        clockTolerance: skew,
        currentDate: now,
        requiredClaims: ['jti', 'iat', 'exp', 'nbf', 'sub', 'client_id', 'purposeId'],
      }));
    } catch (err) {
      throw refusalOf(err, 'voucher', CODES);
    }
    // jose checks iat only against a maximum age: a voucher issued in the future is refused here.
    if (payload.iat! > now.getTime() / 1000 + skew) throw new ApeError('VOUCHER_NON_ANCORA_VALIDO', 'voucher non ancora valido (iat nel futuro oltre la tolleranza)');
    const clientId = payload.client_id;
    const purposeId = payload.purposeId;
    if (typeof clientId !== 'string' || typeof purposeId !== 'string' || payload.sub !== clientId || typeof payload.jti !== 'string') {
      throw new ApeError('VOUCHER_NON_VALIDO', 'voucher: client_id, sub, purposeId o jti non validi (sub deve essere il client_id)');
    }
    const client = this.registry.client(clientId);
    if (!client || client.identity.code !== caller) {
      throw new ApeError('VOUCHER_CLIENT_NON_CORRISPONDENTE', `voucher del client ${clientId.slice(0, 80)}, che non è il client PDND registrato per ${caller} (l'identità del canale TLS)`);
    }
    const purpose = this.registry.purpose(purposeId);
    if (!purpose || purpose.fruitore !== caller || purpose.eservice.audience !== audience) {
      throw new ApeError('VOUCHER_FINALITA_NON_VALIDA', `purposeId ${purposeId.slice(0, 80)} non è una finalità di ${caller} su questo e-service`);
    }
    if (!purpose.accordoAttivo) throw new ApeError('VOUCHER_FINALITA_NON_VALIDA', `la finalità ${purposeId} è sotto un accordo di fruizione non attivo`);
    return { jti: payload.jti, clientId, purposeId, digest: digestOf(payload.digest), expiresAt: new Date(payload.exp! * 1000) };
  }
}

/** PDND's digest claim: { alg: "SHA256", value: <hex> }; anything else is a malformed voucher. */
function digestOf(claim: unknown): string | null {
  if (claim === undefined) return null;
  const d = claim as { alg?: unknown; value?: unknown };
  if (typeof claim !== 'object' || claim === null || d.alg !== 'SHA256' || typeof d.value !== 'string' || !/^[0-9a-f]{64}$/.test(d.value)) {
    throw new ApeError('VOUCHER_NON_VALIDO', 'voucher: claim digest non valido (atteso { alg: "SHA256", value: SHA-256 esadecimale })');
  }
  return d.value;
}
