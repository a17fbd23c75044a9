import { createHash } from 'node:crypto';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet } from 'jose';
import { ApeError } from '../errors';
import type { VoucherReplayGuard } from '../audit/voucher-visti';
import type { IdentityConfig } from '../config/schema';
import { TLS_CLIENT_POLICY } from '../soap/tls-policy';
import type { PdndRegistry } from './registry';
import { verifyEvidence, type EvidenzaTracciamento } from './tracking-evidence';
import { VoucherVerifier, type VoucherVerifierOptions } from './voucher-verifier';

/**
 * An endpoint's PDND checks, for the identities PDND is on for: the voucher (voucher-verifier.ts), its jti against
 * the durable store, the tracking evidence bound to it and naming the call's operator (tracking-evidence.ts).
 */

export interface PdndCall {
  /** The Authorization header as received. */
  authorization: string | undefined;
  /** The Agid-JWT-TrackingEvidence header as received. */
  evidence: string | undefined;
  /** This endpoint's URL: the e-service's audience. */
  audience: string;
  /** The identity the TLS channel authenticated. */
  caller: string;
  operatoreId: string;
}

export interface PdndGuard {
  /** Whether PDND is on for this identity (its calls need a voucher and evidence). */
  requires(identity: string): boolean;
  /** The evidence's claims and hash, for the access record; an ApeError (VOUCHER_*, EVIDENZA_*, ...) otherwise. */
  check(call: PdndCall): Promise<EvidenzaTracciamento>;
}

export interface PdndGuardOptions extends Partial<VoucherVerifierOptions> {
  replay: VoucherReplayGuard;
  /** The CAs the authorization server's certificate may come from (its JWKS is fetched over HTTPS). */
  caFiles?: readonly string[];
  /** Least time between two fetches of the JWKS for an unknown kid, in ms (jose's default 30 s). */
  jwksCooldownMs?: number;
}

export class PdndEndpointGuard implements PdndGuard {
  private readonly voucher: VoucherVerifier;
  private readonly now: () => Date;
  /** The identities PDND is on for. */
  private readonly attive: Set<string>;

  constructor(
    private readonly registry: PdndRegistry,
    identities: readonly IdentityConfig[],
    private readonly opts: PdndGuardOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.attive = new Set(identities.filter((i) => i.pdnd?.attivo).map((i) => i.code));
    const jwks =
      opts.jwks ??
      createRemoteJWKSet(new URL(registry.pdnd.jwksUrl), {
        cacheMaxAge: registry.pdnd.jwksCacheSecondi * 1000,
        cooldownDuration: opts.jwksCooldownMs ?? 30_000,
        timeoutDuration: 5000,
        ...(opts.caFiles && { agent: new https.Agent({ ca: opts.caFiles.map((f) => readFileSync(f)), keepAlive: true, ...TLS_CLIENT_POLICY }) }),
      });
    this.voucher = new VoucherVerifier(registry, { jwks, now: this.now });
  }

  requires(identity: string): boolean {
    return this.attive.has(identity);
  }

  async check(call: PdndCall): Promise<EvidenzaTracciamento> {
    const token = bearerOf(call.authorization);
    const voucher = await this.voucher.verify(token, call.audience, call.caller);
    if (!call.evidence) throw new ApeError('EVIDENZA_ASSENTE', `manca l'intestazione HTTP Agid-JWT-TrackingEvidence con l'evidenza dell'operatore (PDND attivo per ${call.caller})`);
    const pdnd = this.registry.pdnd;
    const evidenza = await verifyEvidence(call.evidence.trim(), {
      client: this.registry.client(voucher.clientId)!,
      audience: call.audience,
      purposeId: voucher.purposeId,
      voucherDigest: voucher.digest,
      operatoreId: call.operatoreId,
      now: this.now(),
      skewSeconds: pdnd.tolleranzaSecondi,
      maxValiditySeconds: pdnd.evidenzaDurataMassimaSecondi,
    });
    // Last: only a voucher whose every check passed is recorded, bound to what it was presented with.
    const vincolo = createHash('sha256').update([voucher.clientId, call.caller, voucher.purposeId, call.audience, voucher.digest ?? ''].join('\n')).digest('hex');
    if (!(await this.opts.replay.registra(voucher.jti, vincolo, call.caller, voucher.expiresAt, this.now()))) {
      throw new ApeError('VOUCHER_RIPETUTO', `voucher jti ${voucher.jti.slice(0, 80)} già presentato con un altro client, finalità, e-service o evidenza: ogni voucher ha un jti nuovo`);
    }
    return { ...evidenza, token: call.evidence.trim(), voucher: { jti: voucher.jti, clientId: voucher.clientId, purposeId: voucher.purposeId } };
  }
}

function bearerOf(authorization: string | undefined): string {
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(authorization ?? '');
  if (!m) throw new ApeError('VOUCHER_ASSENTE', 'manca il voucher PDND: intestazione HTTP "Authorization: Bearer <voucher>" (PDND attivo per questa identità)');
  return m[1]!;
}
