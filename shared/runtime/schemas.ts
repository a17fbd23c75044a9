import type { FederationConfig } from '../config/schema';
import { servizioProprio } from '../config/parte';
import { ENTI_VERIFICATORI, type EnteVerificatore } from '../domain/types';
import { ApeError } from '../errors';

/** The schema a party's tools work on: INPS (the gateway's), HUB (the Ministero's hub), or a party's node. */
export function schemaOf(config: FederationConfig, ente: string): string {
  const e = ente.toUpperCase();
  if (e === 'INPS') return servizioProprio(config, 'inpsGateway').schema;
  if (e === 'HUB') return servizioProprio(config, 'hub').schema;
  if (!(ENTI_VERIFICATORI as readonly string[]).includes(e) || !config.services.agencies[e as EnteVerificatore]) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `nessun servizio configurato per ${ente} (INPS, HUB, MINLAVORO, ANPAL, INAIL, INL)`);
  }
  return servizioProprio(config, e as EnteVerificatore).schema;
}

/** The schemas of the services this file runs: all of them in the federation-shaped file, one party's in a party's. */
export function allSchemas(config: FederationConfig): Array<{ ente: string; schema: string }> {
  const voci = [
    { ente: 'INPS', schema: config.services.inpsGateway.schema },
    { ente: 'HUB', schema: config.services.hub.schema },
    ...Object.entries(config.services.agencies).map(([ente, s]) => ({ ente, schema: s?.schema })),
  ];
  return voci.flatMap((v) => (v.schema === undefined ? [] : [{ ente: v.ente, schema: v.schema }]));
}
