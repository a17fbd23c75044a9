import { Type, type Static } from '@sinclair/typebox';
import { ENTI, ID_OPERATORE, type Ente } from '../domain/types';
import { KEY_TYPES } from '../pki/key-types';
import { choice, IDENTITY_CODE, integer, ListenSchema, optionalSection, text, url, withDefault } from './schema-parts';
import { IdentityPdndSchema, PdndSchema } from './schema-pdnd';
import { DeadlinesSchema, InlSchema } from './schema-regole';

/**
 * The whole federation's configuration: one JSON file (APE_CONFIG), validated against this schema, read once at
 * start, frozen. The shape is written here once: the loader validates with it (ajv), the TypeScript types below
 * derive from it, and config/federation.schema.json is this schema for editors (a unit test keeps them equal).
 * Each service reads its own section and the parts it shares (identities, endpoints). Two shapes: a party's
 * deployment unit (`parte` set: its services in full, its counterparts' as identity and publicUrl, parte.ts checks
 * it) and, without `parte`, the single-machine development shape holding every party. The building blocks are in
 * schema-parts.ts, the pdnd section in schema-pdnd.ts; they are composed here, in the one schema.
 *
 * Custom annotations, the ones editors already know: `patternErrorMessage` says what a pattern means,
 * `errorMessage` what an allowed-names list means; the loader puts them in its error messages.
 */

const SCHEMA_NAME = '^[a-z][a-z0-9_]{0,62}$';

/** A certificate identity that may call our endpoints: a party's gateway or the INPS case system. */
export const IdentitySchema = Type.Object({
  ente: choice<Ente>(ENTI, 'The protocol party this identity belongs to.'),
  description: Type.Optional(text({ description: 'Default: the identity code.' })),
  subjectCN: text({ description: 'Subject CN of its client certificate (issued by the federation CA); unique among identities.' }),
  allowedIps: Type.Array(text(), { minItems: 1, description: 'Source addresses its gateway may call from (convenzione: "solo dall\'IP pubblico registrato").' }),
  certFile: Type.Optional(text({ description: 'Default: <pki.dir>/<code in lower case, _ as ->.cert.pem.' })),
  keyFile: Type.Optional(text({ description: 'Default: <pki.dir>/<code in lower case, _ as ->.key.pem.' })),
  caFile: Type.Optional(text({ description: 'The CA that issues this identity\'s certificate: a certificate of the same subject from any other CA is refused. Default: <pki.dir>/ca.cert.pem.' })),
  sicurezzaMessaggio: withDefault(
    choice(['ID_AUTH_SOAP_02', 'nessuna'] as const, 'Message security required on this identity\'s calls: ID_AUTH_SOAP_02 (WS-Security X.509 signature of timestamp, wsa:To, wsa:MessageID and body) or "nessuna", for a counterpart onboarded without it (reported at every start).'),
    'ID_AUTH_SOAP_02',
  ),
  pdnd: IdentityPdndSchema,
});


/**
 * listen and schema are the running party's own: in a party's file (`parte`) a counterpart's service has only its
 * identity and publicUrl; in the federation-shaped file every service has them (load.ts checks both).
 */
const endpointFields = {
  identity: text({ description: 'The identity (identities.*) the service runs as.' }),
  schema: Type.Optional(text({ pattern: SCHEMA_NAME, description: 'PostgreSQL schema holding this service\'s state (own services only).' })),
  listen: Type.Optional({ ...ListenSchema, description: 'Where it listens (own services only).' }),
  publicUrl: url(['https'], 'Base URL counterparts use to reach this service (a trailing / is dropped).'),
};
export const EndpointServiceSchema = Type.Object(endpointFields);

export const ConsoleServiceSchema = Type.Object(
  {
    ...endpointFields,
    sessioneMinuti: withDefault(integer(1, 24 * 60), 30),
    sessioneMassimaOre: withDefault(integer(1, 24), 10),
    ambitoFunzionari: withDefault(
      Type.Union([Type.Literal('SEDE'), Type.Literal('TUTTE')], {
        description: "Which istruttorie an officer sees: SEDE, those of domande submitted from the officer's own office (the account's ufficio equal to the submitting operator's Ufficio); TUTTE, every one. Supervisors and admins always see all.",
      }),
      'SEDE',
    ),
  },
  { description: 'The INPS case officers\' web console (HTTPS). Sessions expire after sessioneMinuti of inactivity and at most sessioneMassimaOre after login.' },
);

export const WorkerServiceSchema = Type.Object({
  identity: text({ description: 'The identity (identities.*) the service runs as.' }),
  schema: Type.Optional(text({ pattern: SCHEMA_NAME, description: 'Own services only.' })),
});

export const SystemOperatorSchema = Type.Object(
  { id: text({ pattern: ID_OPERATORE }), ufficio: text() },
  { description: 'The operator named on calls a service makes on its own (automated verification, relays).' },
);

/** The static type is the one the schema's if/then guarantees: a "file" clock always names its file. */
export const ClockSchema = Type.Unsafe<{ source: 'system' } | { source: 'file'; file: string }>({
  type: 'object',
  description: 'Where time comes from. "system": the machine\'s clock (production). "file": the machine\'s clock plus an offset read from a JSON file ({"offsetMs": n}) on every reading, so tests and demos can move every process of the federation forward in time together; refused in production.',
  properties: { source: { type: 'string', enum: ['system', 'file'] }, file: { type: 'string', minLength: 1 } },
  required: ['source'],
  if: { type: 'object', properties: { source: { const: 'file' } } },
  then: { required: ['file'] },
});

export const SchedulerSchema = Type.Object({
  pollMs: withDefault(integer(10, 600_000, 'How often the scheduler looks for due timers, in ms.'), 1000),
  batchSize: withDefault(integer(1, 10_000, 'Timers fired per transaction.'), 50),
});

const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$';
export const SecuritySchema = Type.Object({
  pepperFile: Type.Optional(text({ description: 'Secret key (32 bytes) for the keyed pseudonyms of codici fiscali in logs and purged records; created at setup. Default: <pki.dir>/../secrets/pseudonimi.key.' })),
  certificateWarningDays: withDefault(integer(1, 365, 'Certificates that expire within this many days are reported at start and daily.'), 30),
  orarioLavoro: optionalSection(
    Type.Object(
      {
        da: withDefault(text({ pattern: HHMM }), '07:00'),
        a: withDefault(text({ pattern: '^([01]\\d|2[0-4]):[0-5]\\d$' }), '20:00'),
        giorni: withDefault(Type.Array(integer(1, 7), { minItems: 1, description: '1 = Monday.' }), [1, 2, 3, 4, 5, 6]),
      },
      { description: 'Hours (Europe/Rome, HH:MM) and days when operators normally work.' },
    ),
  ),
  sogliaIstruttorieAltrui: withDefault(integer(1, 100_000, 'Anomaly (ISTRUTTORIE_ALTRUI): an operator reading more than this many istruttorie of domande submitted from another office (sede) than theirs... (supervisors excepted)'), 20),
  finestraIstruttorieAltruiMinuti: withDefault(integer(1, 10_080, '...within this many minutes (also the period of VOLUME_ANOMALO).'), 60),
  fattoreVolume: withDefault(integer(2, 1000, "Anomaly (VOLUME_ANOMALO): an operator reading more istruttorie in finestraIstruttorieAltruiMinuti than this many times their own average for such a period over the last 14 days of activity..."), 5),
  sogliaVolumeMinima: withDefault(integer(1, 100_000, '...and more than this many (so a new or occasional operator is not flagged for ordinary work).'), 60),
  sogliaRifiuti: withDefault(integer(1, 100_000, 'Anomaly: more than this many refused calls from one party...'), 20),
  finestraRifiutiMinuti: withDefault(integer(1, 1440, '...within this many minutes.'), 5),
});

export const RetentionSchema = Type.Object({
  giorniDopoChiusura: withDefault(integer(1, 36_500, 'Days after closure before an istruttoria\'s personal data is pseudonymised at INPS.'), 730),
  giorniPacchettiParti: withDefault(integer(1, 36_500, 'Days after delivery before the hub and the parties pseudonymise the packets they hold.'), 90),
  intervalloMinuti: withDefault(integer(1, 10_080, 'How often the retention job runs, in minutes.'), 60),
});

export const ObservabilitySchema = Type.Object(
  {
    host: withDefault(text(), '127.0.0.1'),
    ports: withDefault(Type.Record(Type.String(), integer(0, 65535)), {}),
  },
  {
    description: 'Each process\'s operations endpoint (plain HTTP, meant for a loopback or management network): /metrics (Prometheus), /health, /ready. ports by process name (inps-gateway, agency-INAIL...); 0 or absent: an ephemeral port, announced in the process\'s ready log line. APE_OPS_PORT overrides it for one process (a second instance on the same machine).',
  },
);

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 1024000, 1800000];

export const FederationConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'Where editors find this schema.' })),
    parte: Type.Optional(
      choice<Ente>(
        ENTI,
        'The party this file is the deployment unit of: its own services in full, its counterparts\' only as identity and publicUrl, their identities without keys (docs/OPERATIONS.md, "Deploying one party"). Absent: the single-machine development shape, every party in one file.',
      ),
    ),
    environment: withDefault(choice(['development', 'test', 'production'] as const), 'development'),
    postgres: Type.Object({
      url: url(['postgres', 'postgresql'], 'The services\' connection, as the application role (ape_servizio: no UPDATE/DELETE on the logs).'),
      adminUrl: Type.Optional(url(['postgres', 'postgresql'], 'The schema owner\'s connection, used only to migrate (default: url).')),
      poolSize: withDefault(integer(1, 200), 10),
    }),
    rabbitmq: Type.Object({
      url: url(['amqp', 'amqps']),
      failoverUrls: Type.Optional(
        Type.Array(url(['amqp', 'amqps']), {
          description: 'The other nodes of the RabbitMQ cluster `url` belongs to (same vhost and credentials): when a connection is lost or cannot be made, the next node in turn is tried.',
        }),
      ),
      prefetch: withDefault(integer(1, 1000, 'Unacked messages a consumer holds at once.'), 16),
      retryDelaysMs: withDefault(
        Type.Array(integer(10, 86_400_000), {
          minItems: 1,
          description: 'Delay tiers of retries, in ms (sorted, duplicates dropped): the first is the backoff\'s base, the last its cap; doubling tiers keep the jittered waits of one tier close together.',
        }),
        RETRY_DELAYS_MS,
      ),
      maxAttempts: withDefault(integer(1, 100_000, 'Attempts before a retryable failure is dead-lettered (default: about eight days at the cap).'), 400),
      deliveryLimit: withDefault(integer(1, 1000, 'Deliveries after which RabbitMQ dead-letters a message that keeps crashing its consumer.'), 20),
    }),
    pki: Type.Object({
      dir: text({ description: 'Directory of the federation\'s certificates (ca.cert.pem, <identity>.cert.pem, <identity>.key.pem).' }),
      crl: Type.Optional(
        Type.Array(
          Type.Object({
            caFile: text({ description: 'A CA this deployment trusts (pki.dir/ca.cert.pem or an identity\'s caFile).' }),
            crlFile: text({ description: 'Where the CA\'s current CRL (PEM or DER) is kept: the file is re-read when it changes; a CRL that does not verify against the CA, or older than the one in force, is refused and the one in force kept.' }),
          }),
          {
            description:
              'The CRL of each trusted CA: TLS client and server certificates and message-signing certificates it lists are refused. Default: the federation CA\'s, [{ caFile: <pki.dir>/ca.cert.pem, crlFile: <pki.dir>/ca.crl.pem }] (issued by the development PKI at setup). A trusted CA without a CRL is reported at start, and refused in production.',
          },
        ),
      ),
      crlCheckSeconds: withDefault(integer(1, 86_400, 'How often each CRL file is looked at for a change, in seconds.'), 30),
      keyType: withDefault(
        choice(
          KEY_TYPES,
          'Key of the certificates the development PKI creates for the identities (TLS and message signatures): RSA-2048 signs RSA-SHA256 (the WS-Policy suite, Basic256Sha256); ECDSA-P256 signs ECDSA-SHA256, the other method the ModI guidelines admit for SOAP, at about a twentieth of RSA\'s signing cost, and needs counterparts configured for it (docs/INTEGRAZIONE.md). Every service verifies both. An identity PDND is on for keeps an RSA key (its PDND client assertions are RS256). A certificate already on disk is kept: the type applies to those created from then on.',
        ),
        'RSA-2048',
      ),
    }),
    routing: withDefault(choice(['hub', 'direct'] as const, 'hub: INPS talks only to the Ministero, which forwards (protocol art. 3); direct: INPS calls each party.'), 'hub'),
    soap: optionalSection(
      Type.Object({
        maxBodyBytes: withDefault(integer(4096, 16 * 1024 * 1024, 'Largest request body accepted, in bytes.'), 262144),
        timeoutMs: withDefault(integer(100, 300_000, 'Timeout of an outgoing SOAP call, in milliseconds.'), 15000),
        circuito: optionalSection(
          Type.Object(
            { soglia: withDefault(integer(1, 1000), 5), aperturaMs: withDefault(integer(100, 3_600_000), 30000) },
            { description: 'Circuit breaker per counterpart: consecutive failures that open it, and how long it stays open (ms).' },
          ),
        ),
        xmlLimits: optionalSection(
          Type.Object(
            {
              maxDepth: withDefault(integer(8, 1000, 'Elements nested in each other, the root counting as 1.'), 64),
              maxAttributes: withDefault(integer(8, 10_000, 'Attributes of one element, namespace declarations included.'), 64),
              maxNodes: withDefault(integer(100, 10_000_000, 'Nodes of one message: elements, attributes, text runs, comments, CDATA sections.'), 50_000),
              maxNameLength: withDefault(integer(16, 100_000, 'Characters of an element or attribute name, prefix included.'), 256),
              maxTextLength: withDefault(integer(1024, 16 * 1024 * 1024, 'Characters of one text run, CDATA section, comment or attribute value.'), 65_536),
            },
            { description: 'Bounds on the shape of a request\'s XML, checked in one linear scan before it is parsed; a message over any of them is refused with XML_TROPPO_COMPLESSO naming the limit (docs/INTEGRAZIONE.md, "Limiti").' },
          ),
        ),
        maxRichiesteInCorso: withDefault(
          integer(1, 100_000, 'Requests an endpoint process works on at once for one calling party; beyond them that party\'s calls are refused at once with SERVIZIO_NON_DISPONIBILE (503, retryable, Retry-After) instead of queueing without bound, while the other parties\' calls are still admitted.'),
          256,
        ),
        senzaIdentita: optionalSection(
          Type.Object(
            {
              maxRichiesteInCorso: withDefault(integer(1, 10_000, 'Such calls from one source address whose answer is not yet out, or whose connection is held after a refusal.'), 8),
              richiesteAlMinuto: withDefault(integer(1, 100_000, 'Such calls admitted per minute from one source address, on average (token bucket)...'), 60),
              raffica: withDefault(integer(1, 100_000, '...and at most this many at once after a quiet spell (the bucket\'s size).'), 20),
            },
            {
              description:
                'Admission of calls that identify no registered party (no client certificate, a certificate of no registered party, an address outside the party\'s allow-list), per source address (an IPv6 address counts with its /64): beyond these limits they are refused at once with TROPPE_RICHIESTE (HTTP 429, Retry-After), without a log line each, and the connection is not read again until Retry-After. Registered parties calling from their addresses are never counted here.',
            },
          ),
        ),
      }),
    ),
    clock: withDefault(ClockSchema, { source: 'system' }),
    deadlines: optionalSection(DeadlinesSchema),
    inl: optionalSection(InlSchema),
    scheduler: optionalSection(SchedulerSchema),
    security: optionalSection(SecuritySchema),
    retention: optionalSection(RetentionSchema),
    identities: Type.Record(Type.String(), IdentitySchema, {
      propertyNames: { pattern: IDENTITY_CODE, patternErrorMessage: 'identity codes are upper-case letters, digits and _' },
      description: 'Certificate identities by code (upper case): who may call, and who each service runs as.',
    }),
    services: Type.Object({
      // The keys name the services, wherever they run; a party's file carries those it runs or calls.
      inpsGateway: EndpointServiceSchema,
      inpsDispatcher: WorkerServiceSchema,
      inpsScheduler: Type.Optional({ ...WorkerServiceSchema, description: 'Absent: the gateway\'s identity and schema.' }),
      hub: EndpointServiceSchema,
      inpsConsole: Type.Optional({ ...ConsoleServiceSchema, description: 'Absent: the federation runs without the web console.' }),
      agencies: Type.Object(
        {
          MINLAVORO: Type.Optional(EndpointServiceSchema),
          ANPAL: Type.Optional(EndpointServiceSchema),
          INAIL: Type.Optional(EndpointServiceSchema),
          INL: Type.Optional(EndpointServiceSchema),
        },
        { propertyNames: { enum: ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'], errorMessage: 'not a verifying party (MINLAVORO, ANPAL, INAIL, INL)' } },
      ),
    }),
    systemOperators: Type.Record(Type.String(), SystemOperatorSchema, { description: 'By process name (inps-dispatcher, agency-INAIL...).' }),
    observability: optionalSection(ObservabilitySchema),
    pdnd: Type.Optional(PdndSchema),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'APE sociale / precoci federation configuration',
    description: 'config/federation.json (or the file APE_CONFIG names). Relative paths are resolved against the file\'s directory.',
  },
);

/** Everything inside is read-only, as Object.freeze leaves the loaded configuration. */
type Frozen<T> = T extends readonly (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

/** The file as validated, defaults filled in. */
export type ValidatedConfig = Static<typeof FederationConfigSchema>;

/** pdnd is always there once loaded (default: off); optional in the type so identities built by hand can leave it out. */
export type IdentityConfig = Frozen<Required<Omit<Static<typeof IdentitySchema>, 'pdnd'>> & Partial<Pick<Static<typeof IdentitySchema>, 'pdnd'>> & { code: string }>;
export type ListenConfig = Frozen<Static<typeof ListenSchema>>;
export type EndpointServiceConfig = Frozen<Static<typeof EndpointServiceSchema>>;
export type SystemOperatorConfig = Frozen<Static<typeof SystemOperatorSchema>>;
export type DeadlinesConfig = Frozen<Static<typeof DeadlinesSchema>>;
export type InlConfig = Frozen<Static<typeof InlSchema>>;
export type SecurityConfig = Frozen<Required<Static<typeof SecuritySchema>>>;
export type ObservabilityConfig = Frozen<Static<typeof ObservabilitySchema>>;
export type PdndConfig = Frozen<Static<typeof PdndSchema>>;

/**
 * The loaded configuration: the validated file with the defaults that depend on other fields (identity paths
 * under pki.dir, postgres.adminUrl, security.pepperFile) filled in and relative paths made absolute.
 */
export type FederationConfig = Frozen<
  Omit<ValidatedConfig, '$schema' | 'pki' | 'identities' | 'postgres' | 'security' | 'services'> & {
    /** inpsScheduler filled in: absent, it is the gateway's identity and schema. */
    services: Omit<ValidatedConfig['services'], 'inpsScheduler'> & { inpsScheduler: Static<typeof WorkerServiceSchema> };
    pki: Omit<ValidatedConfig['pki'], 'crl'> & { caCertFile: string; crl: Array<{ caFile: string; crlFile: string }> };
    identities: Record<string, IdentityConfig>;
    postgres: Required<ValidatedConfig['postgres']>;
    security: SecurityConfig;
  }
>;
