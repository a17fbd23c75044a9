import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApeError } from '../errors';
import { ENTI, type Ente } from '../domain/types';
import { Fields } from './check';
import type { ClockConfig, ConsoleServiceConfig, EndpointServiceConfig, FederationConfig, IdentityConfig, InlConfig, SystemOperatorConfig, WorkerServiceConfig } from './schema';

export const DEFAULT_CONFIG_FILE = 'config/federation.json';
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

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

/** Validates a configuration object; relative paths are resolved against baseDir. */
export function parseConfig(json: unknown, baseDir: string): FederationConfig {
  const root = new Fields(json, '');
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));

  const pkiF = root.object('pki');
  const pkiDir = resolve(pkiF.string('dir'));
  const pki = { dir: pkiDir, caCertFile: path.join(pkiDir, 'ca.cert.pem') };

  const identitiesF = root.object('identities');
  const identities: Record<string, IdentityConfig> = {};
  const seenCN = new Map<string, string>();
  for (const code of identitiesF.keys()) {
    const f = identitiesF.object(code);
    if (!/^[A-Z][A-Z0-9_]{1,31}$/.test(code)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${code}: identity codes are upper-case letters, digits and _`);
    const subjectCN = f.string('subjectCN');
    const clash = seenCN.get(subjectCN);
    if (clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${code}.subjectCN: "${subjectCN}" is already used by ${clash}`);
    seenCN.set(subjectCN, code);
    const base = code.toLowerCase().replace(/_/g, '-');
    identities[code] = Object.freeze({
      code,
      ente: f.string('ente', { oneOf: ENTI }) as Ente,
      description: f.string('description', { default: code }),
      subjectCN,
      allowedIps: Object.freeze(f.stringArray('allowedIps', { nonEmpty: true })),
      certFile: resolve(f.string('certFile', { default: path.join(pkiDir, `${base}.cert.pem`) })),
      keyFile: resolve(f.string('keyFile', { default: path.join(pkiDir, `${base}.key.pem`) })),
      caFile: resolve(f.string('caFile', { default: pki.caCertFile })),
      sicurezzaMessaggio: f.string('sicurezzaMessaggio', { default: 'ID_AUTH_SOAP_02', oneOf: ['ID_AUTH_SOAP_02', 'nessuna'] }) as IdentityConfig['sicurezzaMessaggio'],
    });
  }

  const identityRef = (f: Fields, key: string): string => {
    const code = f.string(key);
    if (!Object.hasOwn(identities, code)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${f.path}.${key}: unknown identity "${code}" (known: ${Object.keys(identities).join(', ')})`);
    return code;
  };
  const endpoint = (f: Fields): EndpointServiceConfig => {
    const listen = f.object('listen');
    return Object.freeze({
      identity: identityRef(f, 'identity'),
      schema: f.string('schema', { pattern: SCHEMA_NAME }),
      listen: Object.freeze({ host: listen.string('host', { default: '127.0.0.1' }), port: listen.integer('port', { min: 1, max: 65535 }) }),
      publicUrl: f.url('publicUrl', ['https:']).replace(/\/$/, ''),
    });
  };
  const worker = (f: Fields): WorkerServiceConfig =>
    Object.freeze({ identity: identityRef(f, 'identity'), schema: f.string('schema', { pattern: SCHEMA_NAME }) });

  const consoleService = (f: Fields): ConsoleServiceConfig =>
    Object.freeze({
      ...endpoint(f),
      sessioneMinuti: f.integer('sessioneMinuti', { default: 30, min: 1, max: 24 * 60 }),
      sessioneMassimaOre: f.integer('sessioneMassimaOre', { default: 10, min: 1, max: 24 }),
    });

  const servicesF = root.object('services');
  const agenciesF = servicesF.object('agencies');
  const agencies: Partial<Record<Ente, EndpointServiceConfig>> = {};
  for (const ente of agenciesF.keys()) {
    if (!(ENTI as readonly string[]).includes(ente) || ente === 'INPS') {
      throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `services.agencies.${ente}: not a verifying party (MINLAVORO, ANPAL, INAIL, INL)`);
    }
    const svc = endpoint(agenciesF.object(ente));
    if (identities[svc.identity]!.ente !== ente) {
      throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `services.agencies.${ente}.identity: identity ${svc.identity} belongs to ${identities[svc.identity]!.ente}`);
    }
    agencies[ente as Ente] = svc;
  }
  const services = Object.freeze({
    inpsGateway: endpoint(servicesF.object('inpsGateway')),
    inpsDispatcher: worker(servicesF.object('inpsDispatcher')),
    inpsScheduler: worker(servicesF.has('inpsScheduler') ? servicesF.object('inpsScheduler') : new Fields({ identity: 'INPS', schema: 'inps' }, 'services.inpsScheduler')),
    hub: endpoint(servicesF.object('hub')),
    ...(servicesF.has('inpsConsole') && { inpsConsole: consoleService(servicesF.object('inpsConsole')) }),
    agencies: Object.freeze(agencies),
  });

  const operatorsF = root.object('systemOperators');
  const systemOperators: Record<string, SystemOperatorConfig> = {};
  for (const key of operatorsF.keys()) {
    const f = operatorsF.object(key);
    systemOperators[key] = Object.freeze({
      id: f.string('id', { pattern: /^[A-Za-z0-9][A-Za-z0-9\-_.:@]{0,63}$/ }),
      ufficio: f.string('ufficio'),
    });
  }

  const ports = new Map<number, string>();
  const endpoints: Array<[string, EndpointServiceConfig]> = [
    ['services.inpsGateway', services.inpsGateway],
    ['services.hub', services.hub],
    ...(services.inpsConsole ? [['services.inpsConsole', services.inpsConsole] as [string, EndpointServiceConfig]] : []),
    ...Object.entries(agencies).map(([k, v]) => [`services.agencies.${k}`, v] as [string, EndpointServiceConfig]),
  ];
  for (const [name, svc] of endpoints) {
    const clash = ports.get(svc.listen.port);
    if (clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${name}.listen.port: ${svc.listen.port} is already used by ${clash}`);
    ports.set(svc.listen.port, name);
  }

  const obsF = root.has('observability') ? root.object('observability') : new Fields({}, 'observability');
  const obsPortsF = obsF.has('ports') ? obsF.object('ports') : new Fields({}, 'observability.ports');
  const obsPorts: Record<string, number> = {};
  for (const proc of obsPortsF.keys()) {
    const port = obsPortsF.integer(proc, { min: 0, max: 65535 });
    const clash = ports.get(port);
    if (port !== 0 && clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `observability.ports.${proc}: ${port} is already used by ${clash}`);
    if (port !== 0) ports.set(port, `observability.ports.${proc}`);
    obsPorts[proc] = port;
  }
  const observability = Object.freeze({ host: obsF.string('host', { default: '127.0.0.1' }), ports: Object.freeze(obsPorts) });

  const routing = root.string('routing', { default: 'hub', oneOf: ['hub', 'direct'] }) as 'hub' | 'direct';
  const soapF = root.has('soap') ? root.object('soap') : new Fields({}, 'soap');
  const circF = soapF.has('circuito') ? soapF.object('circuito') : new Fields({}, 'soap.circuito');
  const pgF = root.object('postgres');
  const mqF = root.object('rabbitmq');

  const environment = root.string('environment', { default: 'development', oneOf: ['development', 'test', 'production'] }) as FederationConfig['environment'];
  const clockF = root.has('clock') ? root.object('clock') : new Fields({ source: 'system' }, 'clock');
  const clockSource = clockF.string('source', { oneOf: ['system', 'file'] });
  if (clockSource === 'file' && environment === 'production') {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', 'clock.source: "file" moves time for tests and demos and is refused in production');
  }
  const clock: ClockConfig = clockSource === 'file' ? Object.freeze({ source: 'file', file: resolve(clockF.string('file')) }) : Object.freeze({ source: 'system' });
  const dlF = root.has('deadlines') ? root.object('deadlines') : new Fields({}, 'deadlines');
  const graduatorie = dlF.stringArray('scadenzeGraduatoria', { default: ['--06-30', '--10-15', '--12-31'] });
  for (const [i, g] of graduatorie.entries()) {
    if (!/^(\d{4}|-)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(g)) {
      throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `deadlines.scadenzeGraduatoria[${i}]: "${g}" is neither YYYY-MM-DD nor --MM-DD`);
    }
  }
  const inlF = root.has('inl') ? root.object('inl') : new Fields({}, 'inl');
  const secF = root.has('security') ? root.object('security') : new Fields({}, 'security');
  const orarioF = secF.has('orarioLavoro') ? secF.object('orarioLavoro') : new Fields({}, 'security.orarioLavoro');
  const retF = root.has('retention') ? root.object('retention') : new Fields({}, 'retention');
  const schedF = root.has('scheduler') ? root.object('scheduler') : new Fields({}, 'scheduler');

  return Object.freeze({
    environment,
    clock,
    deadlines: Object.freeze({
      esitoGiorni: dlF.integer('esitoGiorni', { default: 5, min: 1, max: 60 }),
      istruttoriaGiorni: dlF.integer('istruttoriaGiorni', { default: 30, min: 1, max: 365 }),
      scadenzeGraduatoria: Object.freeze(graduatorie),
    }),
    inl: Object.freeze({
      sogliaStessoDatore: inlF.integer('sogliaStessoDatore', { default: 5, min: 2, max: 1000 }),
      finestraStessoDatoreGiorni: inlF.integer('finestraStessoDatoreGiorni', { default: 365, min: 1, max: 3650 }),
      sogliaDatori: inlF.integer('sogliaDatori', { default: 3, min: 2, max: 100 }),
      apertura: inlF.string('apertura', { default: 'indici', oneOf: ['indici', 'sempre', 'manuale'] }) as InlConfig['apertura'],
    }),
    scheduler: Object.freeze({
      pollMs: schedF.integer('pollMs', { default: 1000, min: 10, max: 600_000 }),
      batchSize: schedF.integer('batchSize', { default: 50, min: 1, max: 10_000 }),
    }),
    postgres: Object.freeze({
      url: pgF.url('url', ['postgres:', 'postgresql:']),
      adminUrl: pgF.has('adminUrl') ? pgF.url('adminUrl', ['postgres:', 'postgresql:']) : pgF.url('url', ['postgres:', 'postgresql:']),
      poolSize: pgF.integer('poolSize', { default: 10, min: 1, max: 200 }),
    }),
    security: Object.freeze({
      pepperFile: resolve(secF.string('pepperFile', { default: path.join(pkiDir, '..', 'secrets', 'pseudonimi.key') })),
      certificateWarningDays: secF.integer('certificateWarningDays', { default: 30, min: 1, max: 365 }),
      orarioLavoro: Object.freeze({
        da: orarioF.string('da', { default: '07:00', pattern: /^([01]\d|2[0-3]):[0-5]\d$/ }),
        a: orarioF.string('a', { default: '20:00', pattern: /^([01]\d|2[0-4]):[0-5]\d$/ }),
        giorni: Object.freeze(orarioF.integerArray('giorni', { default: [1, 2, 3, 4, 5, 6], min: 1, max: 7 })),
      }),
      sogliaIstruttorieAltrui: secF.integer('sogliaIstruttorieAltrui', { default: 20, min: 1, max: 100_000 }),
      finestraIstruttorieAltruiMinuti: secF.integer('finestraIstruttorieAltruiMinuti', { default: 60, min: 1, max: 10_080 }),
      sogliaRifiuti: secF.integer('sogliaRifiuti', { default: 20, min: 1, max: 100_000 }),
      finestraRifiutiMinuti: secF.integer('finestraRifiutiMinuti', { default: 5, min: 1, max: 1440 }),
    }),
    retention: Object.freeze({
      giorniDopoChiusura: retF.integer('giorniDopoChiusura', { default: 730, min: 1, max: 36_500 }),
      giorniPacchettiParti: retF.integer('giorniPacchettiParti', { default: 90, min: 1, max: 36_500 }),
      intervalloMinuti: retF.integer('intervalloMinuti', { default: 60, min: 1, max: 10_080 }),
    }),
    rabbitmq: Object.freeze({
      url: mqF.url('url', ['amqp:', 'amqps:']),
      prefetch: mqF.integer('prefetch', { default: 16, min: 1, max: 1000 }),
      retryDelaysMs: Object.freeze([...new Set(mqF.integerArray('retryDelaysMs', { default: [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 1024000, 1800000], min: 10, max: 86_400_000 }))].sort((a, b) => a - b)),
      maxAttempts: mqF.integer('maxAttempts', { default: 400, min: 1, max: 100_000 }),
      deliveryLimit: mqF.integer('deliveryLimit', { default: 20, min: 1, max: 1000 }),
    }),
    pki: Object.freeze(pki),
    routing,
    soap: Object.freeze({
      maxBodyBytes: soapF.integer('maxBodyBytes', { default: 262144, min: 4096, max: 16 * 1024 * 1024 }),
      timeoutMs: soapF.integer('timeoutMs', { default: 15000, min: 100, max: 300000 }),
      circuito: Object.freeze({
        soglia: circF.integer('soglia', { default: 5, min: 1, max: 1000 }),
        aperturaMs: circF.integer('aperturaMs', { default: 30000, min: 100, max: 3_600_000 }),
      }),
      maxRichiesteInCorso: soapF.integer('maxRichiesteInCorso', { default: 256, min: 1, max: 100_000 }),
    }),
    identities: Object.freeze(identities),
    services,
    systemOperators: Object.freeze(systemOperators),
    observability,
  });
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
