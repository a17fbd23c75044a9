import { casWithoutCrl } from '../config/load';
import { CrlStore } from '../pki/crl-store';
import type { ServiceRuntime } from './service';

/**
 * The process's CRLs (pki.crl): one store per process, shared by its SOAP endpoint (callers' TLS and signing
 * certificates) and its SOAP client (counterparts' server certificates), watched every pki.crlCheckSeconds until
 * shutdown. A CRL unusable at start stops the process. The hours each CRL has left before its nextUpdate are a
 * gauge (ape_crl_ore_rimaste, negative: expired), so an alert can fire before revocation information goes stale.
 */
const STORES = new WeakMap<ServiceRuntime, CrlStore>();

export function crlStoreOf(rt: ServiceRuntime): CrlStore {
  const known = STORES.get(rt);
  if (known) return known;
  const log = rt.log.child({ component: 'crl' });
  const store = new CrlStore(rt.config.pki.crl, { log });
  const without = casWithoutCrl(rt.config);
  if (without.length > 0) log.warn({ ca: without }, 'no CRL configured for these trusted CAs (pki.crl): their certificates are not checked for revocation');
  rt.onShutdown(store.watch(rt.config.pki.crlCheckSeconds));
  rt.observability.serie(
    { nome: 'ape_crl_ore_rimaste', help: 'Hours until the nextUpdate of each CRL this process enforces (negative: expired), by CA', etichette: ['ca'] },
    'crl',
    async () => store.status().map((s) => [{ ca: s.ca }, (s.nextUpdate.getTime() - Date.now()) / 3_600_000] as const),
  );
  STORES.set(rt, store);
  return store;
}
