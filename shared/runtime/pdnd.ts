import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { VoucherVistiPostgres } from '../audit/voucher-visti';
import { ApeError, toError } from '../errors';
import { operatoreOfHeaders } from '../messages/envelope';
import { pdndCaFiles } from '../config/load';
import type { IdentityConfig } from '../config/schema';
import { PdndEndpointGuard, type PdndGuard } from '../pdnd/guard';
import { PdndRegistry } from '../pdnd/registry';
import { chiaveClientPdnd, VoucherClient } from '../pdnd/voucher-client';
import type { SoapClientOptions } from '../soap/client';
import type { ServiceRuntime } from './service';

/**
 * PDND in a service: the guard of its endpoints (when PDND is on for some identity) and the voucher client of its
 * outgoing calls (when PDND is on for its own identity), both from the configuration's pdnd section.
 */

/** The endpoints' PDND checks, with the durable jti store in the service's schema; none when PDND is on for no one. */
export async function pdndGuardOf(rt: ServiceRuntime, pool: Pool): Promise<PdndGuard | undefined> {
  const identities = Object.values(rt.config.identities);
  if (!identities.some((i) => i.pdnd?.attivo)) return undefined;
  const registry = await PdndRegistry.of(rt.config);
  return new PdndEndpointGuard(registry, identities, { replay: new VoucherVistiPostgres(pool), caFiles: pdndCaFiles(rt.config) });
}

/**
 * The voucher client of a service running as `identity`, for its SOAP client; none when PDND is off for it. The
 * registry is read once, at the first call (it computes the clients' kids); a failure is logged and fails the calls.
 */
export function pdndHeadersOf(rt: ServiceRuntime, identity: IdentityConfig): SoapClientOptions['pdnd'] {
  if (!identity.pdnd?.attivo) return undefined;
  rt.log.info({ identity: identity.code, tokenEndpoint: rt.config.pdnd?.tokenEndpoint }, 'PDND on: every outgoing call carries a voucher and the operator\'s tracking evidence');
  // A key PDND cannot take stops the service now, rather than failing each of its calls later.
  const keyPem = readFileSync(identity.keyFile, 'utf8');
  chiaveClientPdnd(identity.code, keyPem);
  const client = PdndRegistry.of(rt.config).then((registry) => {
    const c = new VoucherClient({ registry, identity: identity.code, keyPem, ca: pdndCaFiles(rt.config).map((f) => readFileSync(f)), log: rt.log.child({ component: 'pdnd-client' }) });
    rt.onShutdown(() => c.close());
    return c;
  });
  const available = client.catch((err: unknown) => {
    rt.log.error({ err }, 'PDND client not available: calls fail with VOUCHER_NON_OTTENUTO');
    throw new ApeError('VOUCHER_NON_OTTENUTO', `client PDND di ${identity.code} non disponibile: ${toError(err).message}`, { cause: err, retryable: false });
  });
  return voucherHeaders(available);
}

/**
 * What a SOAP client calls for the PDND headers of each call (SoapClientOptions.pdnd): the call's com:Operatore read
 * from its header blocks, the voucher client asked for that operator and the e-service called.
 */
export function voucherHeaders(client: Promise<VoucherClient>): NonNullable<SoapClientOptions['pdnd']> {
  let ready: VoucherClient | null = null;
  client.then(
    (c) => (ready = c),
    () => undefined,
  );
  return {
    headersFor: async (url, headers) => {
      const operatore = operatoreOfHeaders(headers);
      if (!operatore) throw new ApeError('VOUCHER_NON_OTTENUTO', "PDND: la chiamata non porta com:Operatore, che l'evidenza di tracciamento deve nominare", { retryable: false });
      return (await client).headersFor(url, operatore);
    },
    forget: (url, headers) => {
      const operatore = operatoreOfHeaders(headers);
      if (operatore) ready?.forget(url, operatore);
    },
  };
}
