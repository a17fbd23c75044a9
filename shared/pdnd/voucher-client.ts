import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import https from 'node:https';
import { SignJWT } from 'jose';
import { ApeError, toError } from '../errors';
import type { Logger } from '../log';
import { metrics } from '../metrics/metrics';
import { TLS_CLIENT_POLICY } from '../soap/tls-policy';
import type { PdndRegistry } from './registry';
import { buildEvidence, TRACKING_EVIDENCE_HEADER } from './tracking-evidence';

/**
 * A party's own PDND client: for a call to an e-service it builds the operator's tracking evidence, asks the
 * authorization server for a voucher bound to it (client_credentials with a client_assertion carrying the evidence's
 * digest), and sends both as HTTP headers. The pair is cached per purpose and operator until shortly before the
 * first of the two expires, so a party makes one token request per operator and validity, never one per call;
 * concurrent calls for the same pair wait for the same request.
 */

export interface VoucherClientOptions {
  registry: PdndRegistry;
  /** The identity the client runs as: its PDND client and key. */
  identity: string;
  keyPem: string;
  /** The CAs the authorization server's certificate may come from. */
  ca: readonly (string | Buffer)[];
  /** Real time (vouchers live in it), injectable for tests. */
  now?: () => Date;
  log?: Logger;
  timeoutMs?: number;
}

interface Held {
  headers: Record<string, string>;
  /** When to obtain a new pair (ms): the earlier expiry, minus the configured advance. */
  renewAt: number;
}

const ASSERTION_SECONDS = 120;
/** A token response is a few kilobytes: anything far larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The identity's key as its PDND client's: client assertions and tracking evidences are RS256, as PDND's client keys
 * are RSA, so an identity given an EC key for its message signatures (pki.keyType ECDSA-P256) cannot be a PDND client
 * with it. Checked when a service starts with PDND on for its identity, so that it does not start.
 */
export function chiaveClientPdnd(identity: string, keyPem: string): KeyObject {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ApeError(
      'CONFIGURAZIONE_NON_VALIDA',
      `${identity}: PDND è attivo ma la chiave dell'identità è ${key.asymmetricKeyType?.toUpperCase()}, e le asserzioni del client PDND sono firmate RS256 con una chiave RSA: darle una chiave RSA (npm run pki -- revoca --identity ${identity} --motivo superseded --rinnova, o un certificato RSA della sua CA) o disattivare PDND per l'identità`,
      { retryable: false },
    );
  }
  return key;
}

export class VoucherClient {
  private readonly key: KeyObject;
  private readonly agent: https.Agent;
  private readonly now: () => Date;
  private readonly held = new Map<string, Held>();
  private readonly pending = new Map<string, Promise<Held>>();

  constructor(private readonly opts: VoucherClientOptions) {
    this.key = chiaveClientPdnd(opts.identity, opts.keyPem);
    this.agent = new https.Agent({ ca: [...opts.ca], keepAlive: true, ...TLS_CLIENT_POLICY });
    this.now = opts.now ?? (() => new Date());
  }

  /** The HTTP headers a call to `url` on behalf of `operatore` carries (Authorization, Agid-JWT-TrackingEvidence). */
  async headersFor(url: string, operatore: { id: string; ufficio: string }): Promise<Record<string, string>> {
    const { registry, identity } = this.opts;
    const eservice = registry.eserviceByAudience(url);
    const purpose = eservice && registry.purposeFor(identity, eservice);
    if (!purpose) throw new ApeError('VOUCHER_NON_OTTENUTO', `nessuna finalità PDND di ${identity} per l'e-service di ${url} (pdnd.finalita)`, { retryable: false });
    const key = `${purpose.purposeId}\n${operatore.id}\n${operatore.ufficio}`;
    const held = this.held.get(key);
    if (held && held.renewAt > this.now().getTime()) {
      metrics().pdndCacheVoucher.inc({ esito: 'hit' });
      return held.headers;
    }
    metrics().pdndCacheVoucher.inc({ esito: 'miss' });
    let p = this.pending.get(key);
    if (!p) {
      p = this.obtain(eservice.audience, purpose.purposeId, operatore).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const fresh = await p;
    this.forgetExpired();
    this.held.set(key, fresh);
    return fresh.headers;
  }

  /** Drops the pair held for a call to `url` on behalf of `operatore` (the counterpart refused it): the next call gets a new one. */
  forget(url: string, operatore: { id: string; ufficio: string }): void {
    const eservice = this.opts.registry.eserviceByAudience(url);
    const purpose = eservice && this.opts.registry.purposeFor(this.opts.identity, eservice);
    if (purpose) this.held.delete(`${purpose.purposeId}\n${operatore.id}\n${operatore.ufficio}`);
  }

  private async obtain(audience: string, purposeId: string, operatore: { id: string; ufficio: string }): Promise<Held> {
    const { registry, identity } = this.opts;
    const client = registry.clientOf(identity);
    if (!client) throw new ApeError('VOUCHER_NON_OTTENUTO', `${identity} non ha un client PDND (identities.${identity}.pdnd.clientId)`, { retryable: false });
    const pdnd = registry.pdnd;
    const now = this.now();
    const evidence = await buildEvidence({ clientId: client.clientId, kid: client.kid, key: this.key, audience, purposeId, operatore, loa: pdnd.livelloAutenticazione, now, validitySeconds: pdnd.evidenzaDurataSecondi });
    const iat = Math.floor(now.getTime() / 1000);
    const assertion = await new SignJWT({ purposeId, digest: { alg: 'SHA256', value: evidence.hash } })
      .setProtectedHeader({ alg: 'RS256', kid: client.kid, typ: 'JWT' })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(pdnd.audienceClientAssertion ?? pdnd.tokenEndpoint)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_SECONDS)
      .sign(this.key);
    const form = new URLSearchParams({
      client_id: client.clientId,
      client_assertion: assertion,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      grant_type: 'client_credentials',
    }).toString();
    let token: { access_token: string; expires_in: number };
    try {
      token = await this.post(pdnd.tokenEndpoint, form);
      metrics().pdndRichiesteVoucher.inc({ esito: 'ottenuto' });
    } catch (err) {
      metrics().pdndRichiesteVoucher.inc({ esito: err instanceof ApeError ? err.code : 'VOUCHER_NON_OTTENUTO' });
      throw err;
    }
    const voucherExpires = now.getTime() + token.expires_in * 1000;
    this.opts.log?.debug({ purposeId, operatore: operatore.id, expiresIn: token.expires_in }, 'PDND voucher obtained');
    return {
      headers: { Authorization: `Bearer ${token.access_token}`, [TRACKING_EVIDENCE_HEADER]: evidence.token },
      renewAt: Math.min(voucherExpires, evidence.expiresAt.getTime()) - pdnd.anticipoRinnovoSecondi * 1000,
    };
  }

  private forgetExpired(): void {
    const now = this.now().getTime();
    for (const [k, v] of this.held) if (v.renewAt <= now) this.held.delete(k);
  }

  private post(url: string, form: string): Promise<{ access_token: string; expires_in: number }> {
    const failed = (message: string, retryable: boolean, cause?: unknown) => new ApeError('VOUCHER_NON_OTTENUTO', `voucher PDND non ottenuto da ${url}: ${message}`, { retryable, cause });
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method: 'POST', agent: this.agent, timeout: this.opts.timeoutMs ?? 10_000, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form), Accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(failed(`risposta oltre ${MAX_RESPONSE_BYTES} byte`, true));
            else chunks.push(c);
          });
          res.on('error', (err) => reject(failed(err.message, true, err)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            // 4xx: the authorization server refused the request (registration, purpose, agreement): retrying will not help.
            if (status !== 200) return reject(failed(`HTTP ${status} ${text.slice(0, 300)}`, status >= 500 || status === 429));
            try {
              const body = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
              if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || String(body.token_type).toLowerCase() !== 'bearer') throw new Error('risposta senza access_token, expires_in o token_type Bearer');
              resolve({ access_token: body.access_token, expires_in: body.expires_in });
            } catch (err) {
              reject(failed(toError(err).message, true, err));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(failed('nessuna risposta in tempo', true)));
      req.on('error', (err) => reject(err instanceof ApeError ? err : failed(err.message, true, err)));
      req.end(form);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
