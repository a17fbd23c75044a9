import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApeError } from '../errors';
import { PARTI_DIR } from '../paths';
import type { Ente } from '../domain/types';
import { problemiCalendario, type CalendarioGraduatorie } from '../domain/graduatorie';
import type { FederationConfig, IdentityConfig, SystemOperatorConfig, ValidatedConfig } from './schema';
import { checkPdnd } from './pdnd';
import { checkParte } from './parte';
import { validateConfig } from './validate';

export const DEFAULT_CONFIG_FILE = 'config/federation.json';

/**
 * The file a tool of `parte` reads: APE_CONFIG when set; else that party's file as the last `npm start` wrote it
 * (var/parti/<parte>/config.json: the one-machine federation runs as five parties); else config/federation.json.
 */
export function fileDellaParte(parte: Ente): string {
  if (process.env.APE_CONFIG) return process.env.APE_CONFIG;
  const file = path.join(PARTI_DIR, parte.toLowerCase(), 'config.json');
  return existsSync(file) ? file : DEFAULT_CONFIG_FILE;
}

/** Reads APE_CONFIG (default config/federation.json, relative to the working directory). */
export function loadConfig(file = process.env.APE_CONFIG ?? DEFAULT_CONFIG_FILE): FederationConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `cannot read configuration file ${absolute}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${absolute} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(json, path.dirname(absolute));
}

/**
 * Validates a configuration object against the schema (which fills the plain defaults), then fills the defaults
 * that depend on other fields, makes relative paths absolute (against baseDir) and runs the checks a schema
 * cannot express: identity references, unique subject CNs and ports, the file clock refused in production.
 */
export function parseConfig(json: unknown, baseDir: string): FederationConfig {
  const { $schema: _editorsOnly, ...file } = validateConfig(json);
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));

  const pkiDir = resolve(file.pki.dir);
  const caCertFile = path.join(pkiDir, 'ca.cert.pem');
  const crl = (file.pki.crl ?? [{ caFile: caCertFile, crlFile: path.join(pkiDir, 'ca.crl.pem') }]).map((c) => ({ caFile: resolve(c.caFile), crlFile: resolve(c.crlFile) }));
  const pki = { dir: pkiDir, caCertFile, crl, crlCheckSeconds: file.pki.crlCheckSeconds, keyType: file.pki.keyType };
  const identities = resolveIdentities(file.identities, pki, resolve);
  checkCrlSources(pki, identities, file.environment);
  const services = resolveServices(file.services);
  checkIdentityReferences(services, identities);
  checkParte(file, identities);
  checkPorts(services, file.observability.ports, file.pdnd?.server?.listen.port);
  checkPdnd(file.pdnd, identities);

  checkDeadlines(json, file.deadlines.calendarioGraduatorie);

  if (file.clock.source === 'file' && file.environment === 'production') {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', 'clock.source: "file" moves time for tests and demos and is refused in production');
  }
  return deepFreeze({
    ...file,
    clock: file.clock.source === 'file' ? { source: 'file', file: resolve(file.clock.file) } : { source: 'system' },
    postgres: { ...file.postgres, adminUrl: file.postgres.adminUrl ?? file.postgres.url },
    security: { ...file.security, pepperFile: resolve(file.security.pepperFile ?? path.join(pkiDir, '..', 'secrets', 'pseudonimi.key')) },
    rabbitmq: { ...file.rabbitmq, retryDelaysMs: [...new Set(file.rabbitmq.retryDelaysMs)].sort((a, b) => a - b) },
    ...(file.pdnd && { pdnd: { ...file.pdnd, ...(file.pdnd.caFile && { caFile: resolve(file.pdnd.caFile) }) } }),
    pki,
    identities,
    services,
  });
}

type Resolve = (p: string) => string;

/**
 * The graduatoria calendar must be consistent (windows in order, each graduatoria after its window closes); the
 * old list of cut-off dates is refused by name, because it named the wrong window's cut-off for most domande.
 */
function checkDeadlines(json: unknown, calendario: CalendarioGraduatorie): void {
  const vecchia = (json as { deadlines?: Record<string, unknown> } | null)?.deadlines?.scadenzeGraduatoria;
  if (vecchia !== undefined) {
    throw new ApeError(
      'CONFIGURAZIONE_NON_VALIDA',
      'deadlines.scadenzeGraduatoria is replaced by deadlines.calendarioGraduatorie: the windows of each year with their closing and graduatoria dates ({"2026": [{"chiusura": "2026-03-31", "graduatoria": "2026-06-30"}, ...]}), so that each domanda is bounded by its own window\'s graduatoria',
    );
  }
  const problemi = problemiCalendario(calendario);
  if (problemi.length > 0) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `deadlines.calendarioGraduatorie.${problemi[0]}`);
}

/**
 * Each CRL names a CA this deployment trusts, once; in production every trusted CA has one (a party's stolen key
 * could otherwise only be cut off by suspending the party). Elsewhere a CA without one is reported by the services.
 */
function checkCrlSources(pki: FederationConfig['pki'], identities: Record<string, IdentityConfig>, environment: string): void {
  const trusted = new Set([pki.caCertFile, ...Object.values(identities).map((i) => i.caFile)]);
  const seen = new Set<string>();
  for (const [i, c] of pki.crl.entries()) {
    if (!trusted.has(c.caFile)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `pki.crl[${i}].caFile: ${c.caFile} is not a trusted CA (pki.dir/ca.cert.pem or an identity's caFile)`);
    if (seen.has(c.caFile)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `pki.crl[${i}].caFile: ${c.caFile} has a CRL already`);
    seen.add(c.caFile);
  }
  const without = [...trusted].filter((ca) => !seen.has(ca));
  if (environment === 'production' && without.length > 0) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `pki.crl: no CRL for the trusted CA ${without.join(', ')}: in production every trusted CA needs one`);
  }
}

/** Trusted CAs without a CRL in pki.crl: their certificates are not checked for revocation. */
export function casWithoutCrl(config: FederationConfig): string[] {
  const covered = new Set(config.pki.crl.map((c) => c.caFile));
  return trustedCaFiles(config).filter((ca) => !covered.has(ca));
}

/** The file name an identity's certificate and key have by default, before .cert.pem / .key.pem: its code in lower case, _ as -. */
export function nomeFileIdentita(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}

/** Certificate paths default to <pki.dir>/<nomeFileIdentita>.{cert,key}.pem; a subject CN names one identity. */
function resolveIdentities(raw: ValidatedConfig['identities'], pki: FederationConfig['pki'], resolve: Resolve): Record<string, IdentityConfig> {
  const identities: Record<string, IdentityConfig> = {};
  const seenCN = new Map<string, string>();
  for (const [code, id] of Object.entries(raw)) {
    const clash = seenCN.get(id.subjectCN);
    if (clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${code}.subjectCN: "${id.subjectCN}" is already used by ${clash}`);
    seenCN.set(id.subjectCN, code);
    const base = nomeFileIdentita(code);
    identities[code] = {
      ...id,
      code,
      description: id.description ?? code,
      certFile: resolve(id.certFile ?? path.join(pki.dir, `${base}.cert.pem`)),
      keyFile: resolve(id.keyFile ?? path.join(pki.dir, `${base}.key.pem`)),
      caFile: resolve(id.caFile ?? pki.caCertFile),
    };
  }
  return identities;
}

type Services = FederationConfig['services'];

/** Public URLs without their trailing slash: contract paths are appended to them. The scheduler defaults to the gateway's identity and schema. */
function resolveServices(raw: ValidatedConfig['services']): Services {
  const endpoint = <T extends { publicUrl: string }>(svc: T): T => ({ ...svc, publicUrl: svc.publicUrl.replace(/\/$/, '') });
  return {
    ...raw,
    inpsGateway: endpoint(raw.inpsGateway),
    inpsScheduler: raw.inpsScheduler ?? { identity: raw.inpsGateway.identity, ...(raw.inpsGateway.schema !== undefined && { schema: raw.inpsGateway.schema }) },
    hub: endpoint(raw.hub),
    ...(raw.inpsConsole && { inpsConsole: endpoint(raw.inpsConsole) }),
    agencies: Object.fromEntries(Object.entries(raw.agencies).map(([ente, svc]) => [ente, endpoint(svc)])),
  };
}

/** Every service runs as a configured identity, and each party's node as an identity of that party. */
function checkIdentityReferences(services: Services, identities: Record<string, IdentityConfig>): void {
  const known = (where: string, code: string) => {
    if (!Object.hasOwn(identities, code)) {
      throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${where}.identity: unknown identity "${code}" (known: ${Object.keys(identities).join(', ')})`);
    }
    return identities[code]!;
  };
  known('services.inpsGateway', services.inpsGateway.identity);
  known('services.inpsDispatcher', services.inpsDispatcher.identity);
  known('services.inpsScheduler', services.inpsScheduler.identity);
  const hub = known('services.hub', services.hub.identity);
  if (services.inpsConsole) known('services.inpsConsole', services.inpsConsole.identity);
  for (const [ente, svc] of Object.entries(services.agencies)) {
    const identity = known(`services.agencies.${ente}`, svc.identity);
    if (identity.ente !== ente) {
      throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `services.agencies.${ente}.identity: identity ${svc.identity} belongs to ${identity.ente}`);
    }
  }
  // The hub only forwards: were its identity a verifier's, a party could not tell forwarded packets from that
  // verifier's own calls, and INPS would take the hub's calls for esiti; were it INPS's, it could write packets.
  const alsoUsedBy = [
    ...Object.entries(services.agencies).filter(([, svc]) => svc.identity === hub.code).map(([ente]) => `services.agencies.${ente}`),
    ...(hub.ente === 'INPS' ? [`an INPS identity (ente ${hub.ente})`] : []),
  ];
  if (alsoUsedBy.length > 0) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `services.hub.identity: ${hub.code} is also ${alsoUsedBy.join(', ')}; the hub needs an identity and a certificate of its own (e.g. HUB)`);
  }
}

/** No two listeners on one port: the SOAP endpoints, the console, the operations endpoints (0: ephemeral). */
function checkPorts(services: Services, observabilityPorts: Readonly<Record<string, number>>, pdndServerPort: number | undefined): void {
  const ports = new Map<number, string>();
  const take = (name: string, port: number | undefined) => {
    // A counterpart's service in a party's file has no listen: it is not on this host.
    if (port === undefined) return;
    const clash = ports.get(port);
    if (clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${name}: ${port} is already used by ${clash}`);
    ports.set(port, name.replace(/\.listen\.port$/, ''));
  };
  take('services.inpsGateway.listen.port', services.inpsGateway.listen?.port);
  take('services.hub.listen.port', services.hub.listen?.port);
  if (services.inpsConsole) take('services.inpsConsole.listen.port', services.inpsConsole.listen?.port);
  for (const [ente, svc] of Object.entries(services.agencies)) take(`services.agencies.${ente}.listen.port`, svc.listen?.port);
  if (pdndServerPort !== undefined) take('pdnd.server.listen.port', pdndServerPort);
  for (const [proc, port] of Object.entries(observabilityPorts)) if (port !== 0) take(`observability.ports.${proc}`, port);
}

/** The configuration is read once and shared by the whole process: nothing may change it afterwards. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every CA some configured identity's certificate comes from: what TLS trusts, before the per-identity issuer check. */
export function trustedCaFiles(config: FederationConfig): string[] {
  return [...new Set([config.pki.caCertFile, ...Object.values(config.identities).map((i) => i.caFile)])];
}

/** The identity a service runs as; a missing one is a configuration error. */
export function identityOf(config: FederationConfig, code: string): IdentityConfig {
  const id = Object.hasOwn(config.identities, code) ? config.identities[code] : undefined;
  if (!id) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${code} is not configured`);
  return id;
}

export function systemOperatorOf(config: FederationConfig, service: string): SystemOperatorConfig {
  const op = Object.hasOwn(config.systemOperators, service) ? config.systemOperators[service] : undefined;
  if (!op) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `systemOperators.${service} is not configured`);
  return op;
}

/** The CAs the PDND authorization server's certificate is checked against: its own bundle, else the federation's. */
export function pdndCaFiles(config: FederationConfig): string[] {
  return config.pdnd?.caFile ? [config.pdnd.caFile] : trustedCaFiles(config);
}
