import type { IdentityConfig } from '../config/schema';
import { watchCertificates, type CertificateStatus } from '../pki/certificate-expiry';
import type { ServiceRuntime } from './service';

/**
 * Watches this service's own certificate and its CA, reporting them days before they expire; the days left are
 * also a gauge (ape_certificato_giorni_rimasti), counted at each scrape on the procedure's clock.
 */
export function watchServiceCertificates(rt: ServiceRuntime, identity: IdentityConfig): () => CertificateStatus[] {
  const letture = watchCertificates(
    [
      { nome: identity.code, file: identity.certFile },
      { nome: `CA di ${identity.code}`, file: identity.caFile },
    ],
    { clock: rt.clock, log: rt.log, giorniAvviso: rt.config.security.certificateWarningDays, onShutdown: (fn) => rt.onShutdown(fn) },
  );
  rt.observability.serie(
    { nome: 'ape_certificato_giorni_rimasti', help: 'Days until a certificate this process uses expires (negative: expired), by certificate and identity', etichette: ['certificato', 'identita'] },
    `certificati ${identity.code}`,
    async () => {
      const now = rt.clock.now().getTime();
      return letture().map((c) => [{ certificato: c.nome, identita: identity.code }, (c.scadeIl.getTime() - now) / 86_400_000] as const);
    },
  );
  return letture;
}
