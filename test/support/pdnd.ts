import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { parseConfig } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { addressOf } from '../../shared/config/addresses';
import pino from 'pino';
import { PdndRegistry, kidOf } from '../../shared/pdnd/registry';
import { buildEvidence } from '../../shared/pdnd/tracking-evidence';
import { VoucherClient } from '../../shared/pdnd/voucher-client';
import { ensureFederationPki, pdndServerFiles } from '../../shared/pki/federation-pki';
import { createAuthorizationServer, type AuthorizationServer } from '../../infra/pdnd/authorization-server';
import { localFederationConfig, PORTE_FEDERAZIONE } from '../../infra/federation-config';
import { freePortRange } from '../../infra/local/ports';
import { listen, closeServer } from '../../shared/soap/listen';

/**
 * A PDND bench for one test file: the development PKI of a local federation configuration (PDND on for INAIL and
 * ANPAL), the local authorization server running in this process, the registry, and what a hostile test forges
 * with: the authorization server's own key (to mint vouchers a real server would never issue) and the parties' keys.
 */
export class PdndBench {
  private readonly clients: VoucherClient[] = [];

  private constructor(
    readonly dir: string,
    readonly config: FederationConfig,
    readonly registry: PdndRegistry,
    readonly as: AuthorizationServer,
    readonly asKey: KeyObject,
    readonly asKid: string,
  ) {}

  static async start(mutate?: (json: Record<string, any>) => void): Promise<PdndBench> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ape-pdnd-'));
    const basePort = await freePortRange(PORTE_FEDERAZIONE);
    const json = localFederationConfig({ postgresUrl: 'postgres://postgres@127.0.0.1:5432/unused', rabbitmqUrl: 'amqp://127.0.0.1/unused', pkiDir: path.join(dir, 'pki'), basePort, environment: 'test', pdndAttivo: ['INAIL', 'ANPAL'] }) as Record<string, any>;
    mutate?.(json);
    const config = parseConfig(json, dir);
    ensureFederationPki(config);
    const registry = await PdndRegistry.of(config);
    const files = pdndServerFiles(config);
    const keyPem = readFileSync(files.keyFile, 'utf8');
    const as = await createAuthorizationServer({
      keyPem,
      certPem: readFileSync(files.certFile, 'utf8'),
      caPem: [readFileSync(config.pki.caCertFile)],
      registry,
      voucherSeconds: config.pdnd!.server!.voucherDurataSecondi,
      log: pino({ level: 'silent' }),
    });
    await listen(as.server, config.pdnd!.server!.listen);
    const asKey = createPrivateKey(keyPem);
    return new PdndBench(dir, config, registry, as, asKey, await kidOf(asKey));
  }

  /** INPS's esiti endpoint: the e-service INAIL's and ANPAL's vouchers are for. */
  get esiti(): string {
    return addressOf(this.config, 'INPS', 'esiti').url;
  }

  keyOf(identity: string): KeyObject {
    return createPrivateKey(readFileSync(this.config.identities[identity]!.keyFile, 'utf8'));
  }

  voucherClient(identity: string, now?: () => Date): VoucherClient {
    const c = new VoucherClient({ registry: this.registry, identity, keyPem: readFileSync(this.config.identities[identity]!.keyFile, 'utf8'), ca: [readFileSync(this.config.pki.caCertFile)], ...(now && { now }) });
    this.clients.push(c);
    return c;
  }

  /** Tracking evidence as `identity`'s client would build it (or with another key, to forge). */
  async evidence(identity: string, operatore: { id: string; ufficio: string }, o: { key?: KeyObject; now?: Date; validitySeconds?: number; audience?: string } = {}) {
    const client = this.registry.clientOf(identity)!;
    const purpose = this.registry.purposeFor(identity, this.registry.eserviceByAudience(this.esiti)!)!;
    return buildEvidence({ clientId: client.clientId, kid: client.kid, key: o.key ?? this.keyOf(identity), audience: o.audience ?? this.esiti, purposeId: purpose.purposeId, operatore, loa: 'LoA3', now: o.now ?? new Date(), validitySeconds: o.validitySeconds ?? 300 });
  }

  /** A voucher signed with the authorization server's key, with the claims a good one for `identity` has, then `claims` over them. */
  async mint(identity: string, claims: JWTPayload = {}, o: { key?: KeyObject | Uint8Array; kid?: string; alg?: string; typ?: string } = {}): Promise<string> {
    const client = this.registry.clientOf(identity)!;
    const purpose = this.registry.purposeFor(identity, this.registry.eserviceByAudience(this.esiti)!)!;
    const iat = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iss: this.config.pdnd!.issuer, sub: client.clientId, aud: this.esiti, client_id: client.clientId, purposeId: purpose.purposeId, jti: randomUUID(), iat, nbf: iat, exp: iat + 600, ...claims };
    return new SignJWT(payload).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? this.asKid, typ: o.typ ?? 'at+jwt' }).sign(o.key ?? this.asKey);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await closeServer(this.as.server);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
