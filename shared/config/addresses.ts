import { ApeError } from '../errors';
import type { EnteVerificatore } from '../domain/types';
import { CONTRACTS } from '../messages/contracts';
import { identityOf } from './load';
import type { EndpointServiceConfig, FederationConfig } from './schema';

/**
 * The federation's address book: where each counterpart serves each contract, and which certificate CN its
 * server must show (the TLS check that we reached that party and not whoever answers on its address). Every
 * process and script that calls a counterpart asks here instead of joining publicUrl and a contract path.
 */

export interface Address {
  /** The endpoint: the counterpart's publicUrl and the contract's path. */
  readonly url: string;
  /** Subject CN of the identity the counterpart's service runs as. */
  readonly expectedServerCN: string;
}

/** Who serves endpoints: INPS's gateway, the Ministero's hub, each verifying party's node. */
export type Counterpart = 'INPS' | 'hub' | EnteVerificatore;

/** The contracts each counterpart serves (wsdl/): a call to one it does not serve does not compile. */
export type ServedBy = { INPS: 'istruttoria' | 'esiti'; hub: 'verifica' } & Record<EnteVerificatore, 'verifica'>;

function endpointOf(config: FederationConfig, counterpart: Counterpart): EndpointServiceConfig {
  if (counterpart === 'INPS') return config.services.inpsGateway;
  if (counterpart === 'hub') return config.services.hub;
  const service = config.services.agencies[counterpart];
  if (!service) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `services.agencies.${counterpart} is not configured`);
  return service;
}

/** Where `counterpart` serves `contract`, and the CN its server certificate must carry. */
export function addressOf<C extends Counterpart>(config: FederationConfig, counterpart: C, contract: ServedBy[C]): Address {
  const service = endpointOf(config, counterpart);
  return { url: `${service.publicUrl}${CONTRACTS[contract].path}`, expectedServerCN: identityOf(config, service.identity).subjectCN };
}

/**
 * Where INPS sends a packet or message meant for a verifying party: the Ministero's hub under routing "hub"
 * (protocol art. 3), the party's own node under "direct".
 */
export function addressForRecipient(config: FederationConfig, destinatario: EnteVerificatore): Address {
  return config.routing === 'hub' ? addressOf(config, 'hub', 'verifica') : addressOf(config, destinatario, 'verifica');
}

/** INPS's esiti endpoint: the reply address (X-ReplyTo) INPS names on its packets, and the only one a packet may name. */
export function inpsEsitiUrl(config: FederationConfig): string {
  return addressOf(config, 'INPS', 'esiti').url;
}
