import type { Ente } from '../domain/types';

/**
 * The whole federation's configuration: one validated JSON file (APE_CONFIG), read once at start,
 * frozen. Each service reads its own section and the parts it shares (identities, endpoints).
 */

/** A certificate identity that may call our endpoints: a party's gateway or the INPS case system. */
export interface IdentityConfig {
  readonly code: string;
  /** The protocol party this identity belongs to. */
  readonly ente: Ente;
  readonly description: string;
  /** Subject CN of its client certificate (issued by the federation CA). */
  readonly subjectCN: string;
  /** Source addresses its gateway may call from (convenzione: "solo dall'IP pubblico registrato"). */
  readonly allowedIps: readonly string[];
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

export interface EndpointServiceConfig {
  readonly identity: string;
  /** PostgreSQL schema holding this service's state. */
  readonly schema: string;
  readonly listen: ListenConfig;
  /** Base URL counterparts use to reach this service. */
  readonly publicUrl: string;
}

export interface WorkerServiceConfig {
  readonly identity: string;
  readonly schema: string;
}

/** The operator named on calls a service makes on its own (automated verification, relays). */
export interface SystemOperatorConfig {
  readonly id: string;
  readonly ufficio: string;
}

export interface FederationConfig {
  readonly environment: 'development' | 'test' | 'production';
  readonly postgres: { readonly url: string; readonly poolSize: number };
  readonly rabbitmq: {
    readonly url: string;
    /** Unacked messages a consumer holds at once (default 16). */
    readonly prefetch: number;
    /** Delay tiers of retries, in ms (default 1 s, 5 s, 30 s, 2 min, 10 min, 30 min). */
    readonly retryDelaysMs: readonly number[];
    /** Attempts before a retryable failure is dead-lettered (default 60: about a day at the last tier). */
    readonly maxAttempts: number;
    /** Deliveries after which RabbitMQ dead-letters a message that keeps crashing its consumer (default 20). */
    readonly deliveryLimit: number;
  };
  readonly pki: { readonly dir: string; readonly caCertFile: string };
  /** hub: INPS talks only to the Ministero, which forwards (protocol art. 3); direct: INPS calls each party. */
  readonly routing: 'hub' | 'direct';
  readonly soap: {
    /** Largest request body accepted, in bytes (default 262144). */
    readonly maxBodyBytes: number;
    /** Timeout of an outgoing SOAP call, in milliseconds (default 15000). */
    readonly timeoutMs: number;
  };
  readonly identities: Readonly<Record<string, IdentityConfig>>;
  readonly services: {
    readonly inpsGateway: EndpointServiceConfig;
    readonly inpsDispatcher: WorkerServiceConfig;
    readonly hub: EndpointServiceConfig;
    readonly agencies: Readonly<Partial<Record<Ente, EndpointServiceConfig>>>;
  };
  readonly systemOperators: Readonly<Record<string, SystemOperatorConfig>>;
}
