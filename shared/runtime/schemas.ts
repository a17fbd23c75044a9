import type { FederationConfig } from '../config/schema';
import { ApeError } from '../errors';

/** The schema a party's tools work on: INPS (the gateway's), HUB (the Ministero's hub), or a party's node. */
export function schemaOf(config: FederationConfig, ente: string): string {
  const e = ente.toUpperCase();
  if (e === 'INPS') return config.services.inpsGateway.schema;
  if (e === 'HUB') return config.services.hub.schema;
  const svc = config.services.agencies[e as keyof typeof config.services.agencies];
  if (!svc) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `nessun servizio configurato per ${ente} (INPS, HUB, MINLAVORO, ANPAL, INAIL, INL)`);
  return svc.schema;
}

export function allSchemas(config: FederationConfig): Array<{ ente: string; schema: string }> {
  return [
    { ente: 'INPS', schema: config.services.inpsGateway.schema },
    { ente: 'HUB', schema: config.services.hub.schema },
    ...Object.entries(config.services.agencies).map(([ente, s]) => ({ ente, schema: s!.schema })),
  ];
}
