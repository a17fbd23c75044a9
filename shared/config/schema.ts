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
  /** The CA that issues this identity's certificate: a certificate of the same subject from any other CA is refused. */
  readonly caFile: string;
  /**
   * Message security required on this identity's calls: ID_AUTH_SOAP_02 (WS-Security X.509 signature of
   * timestamp, wsa:To, wsa:MessageID and body; the default) or "nessuna", for a counterpart onboarded without it
   * (reported at every start).
   */
  readonly sicurezzaMessaggio: 'ID_AUTH_SOAP_02' | 'nessuna';
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

/**
 * The INPS case officers' web console (HTTPS). Sessions expire after `sessioneMinuti` of inactivity and at most
 * `sessioneMassimaOre` after login.
 */
export interface ConsoleServiceConfig extends EndpointServiceConfig {
  readonly sessioneMinuti: number;
  readonly sessioneMassimaOre: number;
}

/**
 * Each process's operations endpoint (plain HTTP, meant for a loopback or management network): /metrics
 * (Prometheus), /health, /ready. `ports` by process name (inps-gateway, agency-INAIL...); 0 or absent: an
 * ephemeral port, announced in the process's ready log line. APE_OPS_PORT overrides it for one process (a second
 * instance on the same machine).
 */
export interface ObservabilityConfig {
  readonly host: string;
  readonly ports: Readonly<Record<string, number>>;
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

/**
 * Where time comes from. "system": the machine's clock (production). "file": the machine's clock plus an
 * offset read from a JSON file ({"offsetMs": n}) on every reading, so tests and demos can move every process of
 * the federation forward in time together; refused in production.
 */
export type ClockConfig = { readonly source: 'system' } | { readonly source: 'file'; readonly file: string };

export interface DeadlinesConfig {
  /** Calendar days a party has to answer a packet (protocol art. 5; default 5). */
  readonly esitoGiorni: number;
  /** Calendar days from submission INPS waits at most for an inspection outcome (art. 5; default 30). */
  readonly istruttoriaGiorni: number;
  /**
   * Graduatoria cut-off dates that shorten the wait: YYYY-MM-DD for one date, --MM-DD for the same date every
   * year (default --06-30, --10-15, --12-31, the outcome dates seen in practice).
   */
  readonly scadenzeGraduatoria: readonly string[];
}

export interface InlConfig {
  /** Domande from this many distinct workers of one employer make a trigger (default 5). */
  readonly sogliaStessoDatore: number;
  /** Days back from a domanda's submission in which the employer's other domande count (default 365). */
  readonly finestraStessoDatoreGiorni: number;
  /** This many distinct employers in the relevant seven-year period make a trigger (default 3). */
  readonly sogliaDatori: number;
  /**
   * How the INL node decides whether to open an inspection on a case: "indici" opens one when some trigger
   * matched, "sempre" always, "manuale" waits for an inspector's decision (CLI). Default "indici".
   */
  readonly apertura: 'indici' | 'sempre' | 'manuale';
}

export interface SchedulerConfig {
  /** How often the scheduler looks for due timers, in ms (default 1000). */
  readonly pollMs: number;
  /** Timers fired per transaction (default 50). */
  readonly batchSize: number;
}

export interface SecurityConfig {
  /** Secret key (32 bytes) for the keyed pseudonyms of codici fiscali in logs and purged records; created at setup. */
  readonly pepperFile: string;
  /** Certificates that expire within this many days are reported at start and daily (default 30). */
  readonly certificateWarningDays: number;
  /** Hours when operators normally work (Europe/Rome, HH:MM-HH:MM; default 07:00-20:00) and days (1=Monday; default 1-6). */
  readonly orarioLavoro: { readonly da: string; readonly a: string; readonly giorni: readonly number[] };
  /** Anomaly rules: an operator reading more than this many istruttorie not submitted by them (default 20)... */
  readonly sogliaIstruttorieAltrui: number;
  /** ...within this many minutes (default 60). */
  readonly finestraIstruttorieAltruiMinuti: number;
  /** More than this many refused calls from one party (default 20)... */
  readonly sogliaRifiuti: number;
  /** ...within this many minutes (default 5). */
  readonly finestraRifiutiMinuti: number;
}

export interface RetentionConfig {
  /** Days after closure before an istruttoria's personal data is pseudonymised at INPS (default 730). */
  readonly giorniDopoChiusura: number;
  /** Days after delivery before the hub and the parties pseudonymise the packets they hold (default 90). */
  readonly giorniPacchettiParti: number;
  /** How often the retention job runs, in minutes (default 60). */
  readonly intervalloMinuti: number;
}

export interface FederationConfig {
  readonly environment: 'development' | 'test' | 'production';
  readonly postgres: {
    /** The services' connection, as the application role (ape_servizio: no UPDATE/DELETE on the logs). */
    readonly url: string;
    /** The schema owner's connection, used only to migrate (default: url). */
    readonly adminUrl: string;
    readonly poolSize: number;
  };
  readonly rabbitmq: {
    readonly url: string;
    /** Unacked messages a consumer holds at once (default 16). */
    readonly prefetch: number;
    /**
     * Delay tiers of retries, in ms: the first is the backoff's base, the last its cap; doubling tiers keep the
     * jittered waits of one tier close together (default 1 s, 2 s, 4 s ... 1024 s, 30 min).
     */
    readonly retryDelaysMs: readonly number[];
    /** Attempts before a retryable failure is dead-lettered (default 400: about eight days at the cap). */
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
    /** Circuit breaker per counterpart: consecutive failures that open it (5), and how long it stays open (30 s). */
    readonly circuito: { readonly soglia: number; readonly aperturaMs: number };
    /**
     * Requests an endpoint process works on at once for one calling party (default 256); beyond them that party's
     * calls are refused at once with SERVIZIO_NON_DISPONIBILE (503, retryable, Retry-After) instead of queueing
     * without bound, while the other parties' calls are still admitted.
     */
    readonly maxRichiesteInCorso: number;
  };
  readonly clock: ClockConfig;
  readonly deadlines: DeadlinesConfig;
  readonly inl: InlConfig;
  readonly scheduler: SchedulerConfig;
  readonly security: SecurityConfig;
  readonly retention: RetentionConfig;
  readonly identities: Readonly<Record<string, IdentityConfig>>;
  readonly services: {
    readonly inpsGateway: EndpointServiceConfig;
    readonly inpsDispatcher: WorkerServiceConfig;
    readonly inpsScheduler: WorkerServiceConfig;
    readonly hub: EndpointServiceConfig;
    /** Absent: the federation runs without the web console. */
    readonly inpsConsole?: ConsoleServiceConfig;
    readonly agencies: Readonly<Partial<Record<Ente, EndpointServiceConfig>>>;
  };
  readonly systemOperators: Readonly<Record<string, SystemOperatorConfig>>;
  readonly observability: ObservabilityConfig;
}
