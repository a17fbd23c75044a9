import path from 'node:path';
import { CONFIG_SCHEMA_FILE } from '../shared/paths';
import { calendarioPratica, type CalendarioGraduatorie } from '../shared/domain/graduatorie';

/**
 * Builds a federation configuration for one machine: every party on 127.0.0.1 with its own port. The
 * committed config/federation.json is this with the default ports; tests build their own with free ports,
 * their own database, RabbitMQ vhost and PKI directory.
 */
export interface LocalFederationOptions {
  /** The schema owner's URL (migrations); services connect to the same database as the application role. */
  postgresUrl: string;
  rabbitmqUrl: string;
  pkiDir: string;
  basePort: number;
  routing?: 'hub' | 'direct';
  environment?: 'development' | 'test' | 'production';
  retryDelaysMs?: number[];
  maxAttempts?: number;
  /** A FileOffsetClock file: every process reads time from it (tests, demos). */
  clockFile?: string;
  schedulerPollMs?: number;
  inlApertura?: 'indici' | 'sempre' | 'manuale';
  /** Graduatoria windows by year; default the calendar seen in practice for 2025-2028. */
  calendarioGraduatorie?: CalendarioGraduatorie;
  retention?: { giorniDopoChiusura: number; giorniPacchettiParti: number; intervalloMinuti: number };
  security?: Record<string, unknown>;
  /** Connections per process (tests run two federations at once on one PostgreSQL). */
  poolSize?: number;
  /** Identities PDND is on for (vouchers and tracking evidence on their calls); default INAIL, the demo's migrated party. */
  pdndAttivo?: readonly string[];
}

const LOCAL_IPS = ['127.0.0.1', '::1'];

/** Process names with an operations endpoint, in port order (basePort + 10 + index). */
export const PROCESSI_OSSERVATI = [
  'inps-gateway',
  'inps-dispatcher',
  'inps-scheduler',
  'inps-console',
  'minlavoro-hub',
  'agency-MINLAVORO',
  'agency-ANPAL',
  'agency-INAIL',
  'agency-INL',
  'pdnd-as',
] as const;

/** Ports a local federation uses from basePort: SOAP endpoints and the console (0-6), the PDND authorization server (7), operations endpoints (10-19). */
export const PORTE_FEDERAZIONE = 10 + PROCESSI_OSSERVATI.length;

function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

/** Who consumes which e-service: the case system INPS's intake, INPS the hub and (direct routing) each party, the hub each party, the verifiers INPS's esiti. */
const FRUIZIONI: ReadonlyArray<[string, string]> = [
  ['INPS_ISTRUTTORIA', 'inps-istruttoria'],
  ['INPS', 'hub-verifica'],
  ...['minlavoro', 'anpal', 'inail', 'inl'].flatMap((p): Array<[string, string]> => [['INPS', `${p}-verifica`], ['HUB', `${p}-verifica`], [p.toUpperCase(), 'inps-esiti']]),
];

/**
 * PDND, with the local authorization server at basePort + 7: every identity has a client (its certificate key),
 * every e-service of the federation its purposes; PDND is on for `attive` only (the migration, per party).
 */
function pdndConfig(basePort: number, attive: readonly string[]) {
  const as = `https://127.0.0.1:${basePort + 7}`;
  return {
    tokenEndpoint: `${as}/token.oauth2`,
    jwksUrl: `${as}/.well-known/jwks.json`,
    issuer: as,
    eservices: {
      'inps-istruttoria': { erogatore: 'INPS', contratto: 'istruttoria' },
      'inps-esiti': { erogatore: 'INPS', contratto: 'esiti' },
      'hub-verifica': { erogatore: 'hub', contratto: 'verifica' },
      'minlavoro-verifica': { erogatore: 'MINLAVORO', contratto: 'verifica' },
      'anpal-verifica': { erogatore: 'ANPAL', contratto: 'verifica' },
      'inail-verifica': { erogatore: 'INAIL', contratto: 'verifica' },
      'inl-verifica': { erogatore: 'INL', contratto: 'verifica' },
    },
    finalita: FRUIZIONI.map(([fruitore, eservice]) => ({ purposeId: `finalita-${fruitore.toLowerCase().replace(/_/g, '-')}-${eservice}`, eservice, fruitore, accordo: 'ATTIVO' })),
    server: { listen: { host: '127.0.0.1', port: basePort + 7 }, voucherDurataSecondi: 600 },
  };
}

const pdndClient = (code: string, attive: readonly string[]) => ({ pdnd: { attivo: attive.includes(code), clientId: `client-${code.toLowerCase().replace(/_/g, '-')}` } });

export function localFederationConfig(o: LocalFederationOptions): Record<string, unknown> {
  const attive = o.pdndAttivo ?? ['INAIL'];
  const url = (offset: number) => `https://127.0.0.1:${o.basePort + offset}`;
  const endpoint = (identity: string, schema: string, offset: number) => ({
    identity,
    schema,
    listen: { host: '127.0.0.1', port: o.basePort + offset },
    publicUrl: url(offset),
  });
  return {
    // Written to a temporary directory: the schema is named by its absolute path (the committed file says ./).
    $schema: CONFIG_SCHEMA_FILE,
    environment: o.environment ?? 'development',
    postgres: { url: withUser(o.postgresUrl, 'ape_servizio'), adminUrl: o.postgresUrl, poolSize: o.poolSize ?? 10 },
    rabbitmq: {
      url: o.rabbitmqUrl,
      prefetch: 16,
      ...(o.retryDelaysMs && { retryDelaysMs: o.retryDelaysMs }),
      ...(o.maxAttempts && { maxAttempts: o.maxAttempts }),
    },
    // The CRL of each CA the deployment trusts: here only the federation CA, whose CRL the development PKI issues.
    pki: { dir: o.pkiDir, crl: [{ caFile: path.join(o.pkiDir, 'ca.cert.pem'), crlFile: path.join(o.pkiDir, 'ca.crl.pem') }], crlCheckSeconds: 30 },
    ...(o.clockFile && { clock: { source: 'file', file: o.clockFile } }),
    deadlines: { esitoGiorni: 5, esitoInlGiorni: 5, istruttoriaGiorni: 30, calendarioGraduatorie: o.calendarioGraduatorie ?? calendarioPratica(2025, 2026, 2027, 2028) },
    inl: { sogliaStessoDatore: 5, finestraStessoDatoreGiorni: 365, sogliaDatori: 3, apertura: o.inlApertura ?? 'indici' },
    scheduler: { pollMs: o.schedulerPollMs ?? 1000, batchSize: 50 },
    security: { pepperFile: path.join(path.dirname(o.pkiDir), 'secrets', 'pseudonimi.key'), certificateWarningDays: 30, ...o.security },
    ...(o.retention && { retention: o.retention }),
    routing: o.routing ?? 'hub',
    soap: { maxBodyBytes: 262144, timeoutMs: 15000 },
    identities: {
      INPS: { ente: 'INPS', description: 'INPS - porta di dominio', subjectCN: 'pdd.inps.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('INPS', attive) },
      INPS_ISTRUTTORIA: { ente: 'INPS', description: 'INPS - sistema istruttorio', subjectCN: 'istruttoria.inps.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('INPS_ISTRUTTORIA', attive) },
      // The hub and the Ministero's verifier are two identities with two certificates: a party accepts packets from
      // the hub only, INPS accepts esiti from the verifier only.
      HUB: { ente: 'MINLAVORO', description: 'Ministero del Lavoro - hub di inoltro dei pacchetti', subjectCN: 'hub.lavoro.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('HUB', attive) },
      MINLAVORO: { ente: 'MINLAVORO', description: 'Ministero del Lavoro - porta di dominio del verificatore', subjectCN: 'pdd.lavoro.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('MINLAVORO', attive) },
      ANPAL: { ente: 'ANPAL', description: 'ANPAL - porta di dominio', subjectCN: 'pdd.anpal.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('ANPAL', attive) },
      INAIL: { ente: 'INAIL', description: 'INAIL - porta di dominio', subjectCN: 'pdd.inail.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('INAIL', attive) },
      INL: { ente: 'INL', description: 'INL - porta di dominio', subjectCN: 'pdd.inl.ape-precoci.local', allowedIps: LOCAL_IPS, ...pdndClient('INL', attive) },
    },
    services: {
      inpsGateway: endpoint('INPS', 'inps', 0),
      inpsDispatcher: { identity: 'INPS', schema: 'inps' },
      inpsScheduler: { identity: 'INPS', schema: 'inps' },
      hub: endpoint('HUB', 'hub', 1),
      inpsConsole: { ...endpoint('INPS', 'inps', 6), sessioneMinuti: 30, sessioneMassimaOre: 10, ambitoFunzionari: 'TUTTE' },
      agencies: {
        MINLAVORO: endpoint('MINLAVORO', 'minlavoro', 2),
        ANPAL: endpoint('ANPAL', 'anpal', 3),
        INAIL: endpoint('INAIL', 'inail', 4),
        INL: endpoint('INL', 'inl', 5),
      },
    },
    pdnd: pdndConfig(o.basePort, attive),
    // Operations endpoints (/metrics, /health, /ready): basePort + 10 onwards, one per process.
    observability: {
      host: '127.0.0.1',
      ports: Object.fromEntries(PROCESSI_OSSERVATI.map((p, i) => [p, o.basePort + 10 + i])),
    },
    systemOperators: {
      'inps-dispatcher': { id: 'SYS-INPS-ISTRUTTORIA', ufficio: 'INPS - Direzione centrale pensioni' },
      'agency-MINLAVORO': { id: 'SYS-MINLAVORO-VERIFICA', ufficio: 'Ministero del Lavoro - DG sistemi informativi' },
      'agency-ANPAL': { id: 'SYS-ANPAL-VERIFICA', ufficio: 'ANPAL - Divisione sistemi informativi' },
      'agency-INAIL': { id: 'SYS-INAIL-VERIFICA', ufficio: 'INAIL - Direzione centrale rapporto assicurativo' },
      'agency-INL': { id: 'SYS-INL-VERIFICA', ufficio: 'INL - Direzione centrale tutela, sicurezza e vigilanza' },
    },
  };
}
