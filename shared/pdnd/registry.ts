import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { addressOf, type Counterpart, type ServedBy } from '../config/addresses';
import type { FederationConfig, IdentityConfig, PdndConfig } from '../config/schema';

/**
 * What PDND knows about the federation, read from the configuration: the e-services (each one endpoint, whose URL
 * is the audience of its vouchers), the purposes registered under each consumer's agreement, and the clients (one
 * per identity, its public key the identity's certificate key, under a kid). The local authorization server issues
 * from it; the endpoints check vouchers against it; the clients find the purpose of each call in it.
 */

export interface EService {
  id: string;
  /** The endpoint's URL: the aud of vouchers for this e-service, and of tracking evidence sent to it. */
  audience: string;
}

export interface Purpose {
  purposeId: string;
  eservice: EService;
  /** The consuming identity. */
  fruitore: string;
  accordoAttivo: boolean;
}

export interface PdndClient {
  clientId: string;
  identity: IdentityConfig;
  kid: string;
  publicKey: KeyObject;
}

export class PdndRegistry {
  readonly eservices: ReadonlyMap<string, EService>;
  private readonly byAudience = new Map<string, EService>();
  private readonly purposes = new Map<string, Purpose>();
  private readonly clients = new Map<string, PdndClient>();
  private readonly byIdentity = new Map<string, PdndClient>();

  private constructor(
    readonly pdnd: PdndConfig,
    eservices: Map<string, EService>,
    purposes: readonly Purpose[],
    clients: readonly PdndClient[],
  ) {
    this.eservices = eservices;
    for (const e of eservices.values()) this.byAudience.set(e.audience, e);
    for (const p of purposes) this.purposes.set(p.purposeId, p);
    for (const c of clients) {
      this.clients.set(c.clientId, c);
      this.byIdentity.set(c.identity.code, c);
    }
  }

  /** The registry of a configuration with a pdnd section (kids computed from the identities' certificates). */
  static async of(config: FederationConfig): Promise<PdndRegistry> {
    const pdnd = config.pdnd;
    if (!pdnd) throw new Error('PdndRegistry: the configuration has no pdnd section');
    const eservices = new Map<string, EService>();
    for (const [id, e] of Object.entries(pdnd.eservices)) {
      const audience = addressOf(config, e.erogatore as Counterpart, e.contratto as ServedBy[Counterpart]).url;
      eservices.set(id, { id, audience });
    }
    const purposes = pdnd.finalita.map((f) => ({ purposeId: f.purposeId, eservice: eservices.get(f.eservice)!, fruitore: f.fruitore, accordoAttivo: f.accordo === 'ATTIVO' }));
    const clients: PdndClient[] = [];
    for (const identity of Object.values(config.identities)) {
      if (!identity.pdnd?.clientId) continue;
      const publicKey = createPublicKey(new X509Certificate(readFileSync(identity.certFile)).publicKey.export({ type: 'spki', format: 'pem' }));
      clients.push({ clientId: identity.pdnd.clientId, identity, publicKey, kid: identity.pdnd.kid ?? (await kidOf(publicKey)) });
    }
    return new PdndRegistry(pdnd, eservices, purposes, clients);
  }

  eserviceByAudience(url: string): EService | undefined {
    return this.byAudience.get(url);
  }

  purpose(purposeId: string): Purpose | undefined {
    return this.purposes.get(purposeId);
  }

  /** The purpose a consumer uses for an e-service: the first of its active agreement, or of any. */
  purposeFor(fruitore: string, eservice: EService): Purpose | undefined {
    const mine = [...this.purposes.values()].filter((p) => p.fruitore === fruitore && p.eservice.id === eservice.id);
    return mine.find((p) => p.accordoAttivo) ?? mine[0];
  }

  client(clientId: string): PdndClient | undefined {
    return this.clients.get(clientId);
  }

  clientOf(identity: string): PdndClient | undefined {
    return this.byIdentity.get(identity);
  }
}

/** The RFC 7638 thumbprint of a public key: the kid of a client key registered without one. */
export async function kidOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
}
