import { trustedCaFiles } from '../config/load';
import type { EndpointServiceConfig, IdentityConfig, ListenConfig } from '../config/schema';
import { CONTRACTS, OPERATIONS } from '../messages/contracts';
import type { ServiceRuntime } from '../runtime/service';
import type { ServiceDatabase } from '../runtime/database';
import { pdndGuardOf } from '../runtime/pdnd';
import { crlStoreOf } from '../runtime/revocation';
import { closeServer, listen } from '../soap/listen';
import { createSoapServer, type SoapOperation } from '../soap/server';
import { conOrigineVerificata, type RegolaOrigine } from './origine';
import { riceviPacchetto, type RicezioneOptions } from './ricezione';

/**
 * The VerificaPacchetto operation: receive, store and queue a packet (hub and every party's node), once its origin
 * signature shows that INPS wrote it.
 */
export function operazioneVerificaPacchetto(callers: readonly string[], ricezione: RicezioneOptions, origine: RegolaOrigine): SoapOperation {
  return conOrigineVerificata(origine, {
    name: 'VerificaPacchetto',
    ...OPERATIONS.VerificaPacchetto,
    callers,
    replayNellaTransazione: true,
    handle: (payload, ctx, o) => riceviPacchetto(ricezione, payload, ctx, o),
  });
}

/** Serves verifica-pacchetto.wsdl with the given operations; closed first on shutdown. */
export async function startVerificaEndpoint(
  rt: ServiceRuntime,
  opts: { identity: IdentityConfig; service: EndpointServiceConfig & { listen: ListenConfig }; db: ServiceDatabase; operations: readonly SoapOperation[] },
): Promise<void> {
  const server = createSoapServer({
    tls: { keyFile: opts.identity.keyFile, certFile: opts.identity.certFile, caFile: trustedCaFiles(rt.config) },
    identities: Object.values(rt.config.identities),
    publicUrl: opts.service.publicUrl,
    maxBodyBytes: rt.config.soap.maxBodyBytes,
    xmlLimits: rt.config.soap.xmlLimits,
    maxRichiesteInCorso: rt.config.soap.maxRichiesteInCorso,
    senzaIdentita: rt.config.soap.senzaIdentita,
    clock: rt.clock,
    log: rt.log,
    registri: opts.db.registri,
    rifiutiSenzaIdentita: opts.db.rifiutiSenzaIdentita,
    sospensioni: opts.db.sospensioni,
    visti: opts.db.visti,
    revocations: crlStoreOf(rt),
    pdnd: await pdndGuardOf(rt, opts.db.pool),
    services: [{ ...CONTRACTS.verifica, operations: opts.operations }],
  });
  await listen(server, opts.service.listen);
  rt.onShutdown(() => closeServer(server));
  rt.observability.readiness('soap', () => server.listening || Promise.reject(new Error(`endpoint SOAP ${opts.service.publicUrl} non in ascolto`)));
}
