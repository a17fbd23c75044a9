import type { EndpointServiceConfig, IdentityConfig } from '../config/schema';
import { CONTRACTS, OPERATIONS } from '../messages/contracts';
import type { ServiceRuntime } from '../runtime/service';
import { listen } from '../soap/listen';
import { createSoapServer } from '../soap/server';
import { riceviPacchetto, type RicezioneOptions } from './ricezione';

/** Serves verifica-pacchetto.wsdl (the hub and every party's node); closed first on shutdown. */
export async function startVerificaEndpoint(
  rt: ServiceRuntime,
  opts: { identity: IdentityConfig; service: EndpointServiceConfig; callers: readonly string[]; ricezione: RicezioneOptions },
): Promise<void> {
  const server = createSoapServer({
    tls: { keyFile: opts.identity.keyFile, certFile: opts.identity.certFile, caFile: rt.config.pki.caCertFile },
    identities: Object.values(rt.config.identities),
    publicUrl: opts.service.publicUrl,
    maxBodyBytes: rt.config.soap.maxBodyBytes,
    clock: rt.clock,
    log: rt.log,
    services: [
      {
        ...CONTRACTS.verifica,
        operations: [
          {
            name: 'VerificaPacchetto',
            ...OPERATIONS.VerificaPacchetto,
            callers: opts.callers,
            handle: (payload, ctx) => riceviPacchetto(opts.ricezione, payload, ctx),
          },
        ],
      },
    ],
  });
  await listen(server, opts.service.listen);
  rt.onShutdown(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** The INPS esiti endpoint: the only reply address a packet may name. */
export function inpsEsitiUrl(rt: ServiceRuntime): string {
  return `${rt.config.services.inpsGateway.publicUrl}${CONTRACTS.esiti.path}`;
}
