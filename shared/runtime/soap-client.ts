import { trustedCaFiles } from '../config/load';
import type { IdentityConfig } from '../config/schema';
import type { Registri } from '../audit/registri';
import { SoapClient } from '../soap/client';
import { pdndHeadersOf } from './pdnd';
import { crlStoreOf } from './revocation';
import type { ServiceRuntime } from './service';

/**
 * A service's outgoing SOAP client as its identity: mutual TLS with the party's certificate, every CA of the
 * federation trusted for servers (unless on their CRLs), each call signed and each response's signature verified
 * (except with parties configured without message security), recorded in the service's message log, with a circuit
 * breaker per counterpart. Closed on shutdown.
 */
export function createSoapClient(rt: ServiceRuntime, identity: IdentityConfig, registri: Registri): SoapClient {
  const identities = Object.values(rt.config.identities);
  const senzaFirma = identities.filter((i) => i.sicurezzaMessaggio === 'nessuna').map((i) => i.subjectCN);
  if (senzaFirma.length > 0) rt.log.warn({ counterparts: senzaFirma }, 'calls to these counterparts are not signed (sicurezzaMessaggio "nessuna" in the configuration)');
  const soap = new SoapClient({
    keyFile: identity.keyFile,
    certFile: identity.certFile,
    caFile: trustedCaFiles(rt.config),
    timeoutMs: rt.config.soap.timeoutMs,
    registri,
    clock: rt.clock,
    senzaFirma,
    // Each counterpart's responses must be signed by its own certificate, from the CA registered for it.
    caControparti: Object.fromEntries(identities.map((i) => [i.subjectCN, i.caFile])),
    circuito: rt.config.soap.circuito,
    log: rt.log.child({ component: 'soap-client' }),
    nomiControparti: Object.fromEntries(identities.map((i) => [i.subjectCN, i.code])),
    revocations: crlStoreOf(rt),
    pdnd: pdndHeadersOf(rt, identity),
  });
  rt.onShutdown(() => soap.close());
  return soap;
}
