import { ApeError } from '../errors';
import { ENTI_VERIFICATORI, type Ente, type EnteVerificatore } from '../domain/types';
import type { FederationConfig, IdentityConfig, ListenConfig, ValidatedConfig } from './schema';

/**
 * A party's deployment unit (`parte` in its file): the services it runs in full (listen, schema), its
 * counterparts' only as what one exchanges with them (identity = the certificate name they show, publicUrl),
 * their identities without keys, its own system operators and operations ports. The federation-shaped file
 * (no `parte`, the single-machine development shape) holds every party's services in full.
 */

/** The services by their key in `services` (agencies by party code), as the processes name what they run. */
export type Servizio = 'inpsGateway' | 'inpsDispatcher' | 'inpsScheduler' | 'inpsConsole' | 'hub' | EnteVerificatore;

/** Whose each service is: INPS runs its gateway, dispatcher, scheduler and console, the Ministero the hub. */
export function parteDelServizio(s: Servizio): Ente {
  if (s === 'hub') return 'MINLAVORO';
  return s.startsWith('inps') ? 'INPS' : (s as EnteVerificatore);
}

/** Whose a process is, by the name the configuration uses for it (systemOperators, observability.ports). */
export function parteDelProcesso(nome: string): Ente | undefined {
  const n = nome.toUpperCase();
  if (n.startsWith('INPS-')) return 'INPS';
  if (n === 'MINLAVORO-HUB') return 'MINLAVORO';
  const ente = n.startsWith('AGENCY-') ? n.slice('AGENCY-'.length) : '';
  return (ENTI_VERIFICATORI as readonly string[]).includes(ente) ? (ente as EnteVerificatore) : undefined;
}

type Services = FederationConfig['services'];
type Voce = { readonly identity: string; readonly schema?: string; readonly listen?: ListenConfig; readonly publicUrl?: string };

/** The services present in the file, with the field path that names them in messages. */
function voci(services: ValidatedConfig['services'] | Services): Array<[Servizio, string, Voce]> {
  const out: Array<[Servizio, string, Voce]> = [
    ['inpsGateway', 'services.inpsGateway', services.inpsGateway],
    ['inpsDispatcher', 'services.inpsDispatcher', services.inpsDispatcher],
    ['hub', 'services.hub', services.hub],
  ];
  if (services.inpsScheduler) out.push(['inpsScheduler', 'services.inpsScheduler', services.inpsScheduler]);
  if (services.inpsConsole) out.push(['inpsConsole', 'services.inpsConsole', services.inpsConsole]);
  for (const e of ENTI_VERIFICATORI) {
    const a = services.agencies[e];
    if (a) out.push([e, `services.agencies.${e}`, a]);
  }
  return out;
}

const nonValida = (msg: string) => new ApeError('CONFIGURAZIONE_NON_VALIDA', msg);
const ENDPOINT: ReadonlySet<Servizio> = new Set<Servizio>(['inpsGateway', 'inpsConsole', 'hub', ...ENTI_VERIFICATORI]);

/**
 * What the schema cannot say about a party's file: its own services complete and run as its own identities,
 * nobody else's listen, schema, key, system operator or operations port in it. Without `parte`, every service is
 * complete (the federation-shaped file). `file` is as written (keyFile not yet defaulted), `identities` resolved.
 */
export function checkParte(file: ValidatedConfig, identities: Readonly<Record<string, IdentityConfig>>): void {
  const parte = file.parte;
  for (const [servizio, campo, v] of voci(file.services)) {
    const proprio = parte === undefined || parteDelServizio(servizio) === parte;
    if (proprio) {
      if (v.schema === undefined) throw nonValida(`${campo}.schema: is required${parte ? ` (a service of ${parte}, the party of this file)` : ''}`);
      if (ENDPOINT.has(servizio) && v.listen === undefined) throw nonValida(`${campo}.listen: expected an object${parte ? ` (a service of ${parte}, the party of this file)` : ''}`);
      const ente = identities[v.identity]?.ente;
      if (parte && ente !== undefined && ente !== parte) throw nonValida(`${campo}.identity: ${v.identity} is an identity of ${ente}; a service of ${parte} (parte) runs as one of ${parte}'s identities`);
    } else {
      const extra = v.listen !== undefined ? 'listen' : v.schema !== undefined ? 'schema' : undefined;
      if (extra) throw nonValida(`${campo}.${extra}: a service of ${parteDelServizio(servizio)}; in ${parte}'s configuration (parte) another party's service has only identity and publicUrl`);
    }
  }
  if (!parte) return;
  for (const [code, id] of Object.entries(file.identities)) {
    if (id.ente !== parte && id.keyFile !== undefined) throw nonValida(`identities.${code}.keyFile: ${code} is an identity of ${id.ente}; its private key never belongs in ${parte}'s configuration (parte): a counterpart is known by subjectCN, allowedIps and caFile`);
  }
  const altrui = (sezione: string, nomi: string[]) => {
    for (const nome of nomi) {
      const di = parteDelProcesso(nome);
      if (di !== undefined && di !== parte) throw nonValida(`${sezione}.${nome}: a process of ${di}, not of ${parte} (parte)`);
    }
  };
  altrui('systemOperators', Object.keys(file.systemOperators));
  altrui('observability.ports', Object.keys(file.observability.ports));
}

/** A service this process runs, complete: refused when the file is another party's, or lacks listen or schema. */
export function servizioProprio(config: FederationConfig, servizio: 'inpsGateway' | 'inpsConsole' | 'hub' | EnteVerificatore): { identity: string; schema: string; listen: ListenConfig; publicUrl: string };
export function servizioProprio(config: FederationConfig, servizio: 'inpsDispatcher' | 'inpsScheduler'): { identity: string; schema: string };
export function servizioProprio(config: FederationConfig, servizio: Servizio): { identity: string; schema: string; listen?: ListenConfig; publicUrl?: string } {
  verificaParte(config, parteDelServizio(servizio));
  const trovata = voci(config.services).find(([s]) => s === servizio);
  const campo = (ENTI_VERIFICATORI as readonly string[]).includes(servizio) ? `services.agencies.${servizio}` : `services.${servizio}`;
  if (!trovata) throw nonValida(`${campo} is not configured`);
  const v = trovata[2];
  if (v.schema === undefined) throw nonValida(`${campo}.schema: is required to run this service`);
  if (ENDPOINT.has(servizio) && (v.listen === undefined || v.publicUrl === undefined)) throw nonValida(`${campo}.listen: is required to run this service`);
  return { ...v, schema: v.schema };
}

/** A process of `parte` refuses another party's file: it would run with keys, database and queues not its own. */
export function verificaParte(config: FederationConfig, parte: Ente): void {
  if (config.parte !== undefined && config.parte !== parte) {
    throw nonValida(`parte: this is ${config.parte}'s configuration; this process belongs to ${parte} (give it ${parte}'s file in APE_CONFIG)`);
  }
}
