import type { IdentityConfig } from '../config/schema';
import { sorvegliaCertificati, type StatoCertificato } from '../pki/sorveglianza';
import type { ServiceRuntime } from './service';

/** Watches this service's own certificate and its CA, reporting them days before they expire. */
export function sorvegliaCertificatiServizio(rt: ServiceRuntime, identity: IdentityConfig): () => StatoCertificato[] {
  return sorvegliaCertificati(
    [
      { nome: identity.code, file: identity.certFile },
      { nome: `CA di ${identity.code}`, file: identity.caFile },
    ],
    { clock: rt.clock, log: rt.log, giorniAvviso: rt.config.security.certificateWarningDays, onShutdown: (fn) => rt.onShutdown(fn) },
  );
}
