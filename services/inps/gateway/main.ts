import { openDatabase } from '../../../shared/runtime/database';
import { servizioProprio } from '../../../shared/config/parte';
import { watchServiceCertificates } from '../../../shared/runtime/certificates';
import { ENTI_VERIFICATORI } from '../../../shared/domain/types';
import { identityOf, trustedCaFiles } from '../../../shared/config/load';
import { CONTRACTS } from '../../../shared/messages/contracts';
import { runService } from '../../../shared/runtime/service';
import { pdndGuardOf } from '../../../shared/runtime/pdnd';
import { crlStoreOf } from '../../../shared/runtime/revocation';
import { createSoapServer } from '../../../shared/soap/server';
import { closeServer, listen } from '../../../shared/soap/listen';
import { notificaAccertamento, notificaEsito, presentaDomanda, requireIdentities, statoIstruttoria } from './operazioni';

/**
 * INPS gateway: serves inps-istruttoria.wsdl to INPS case-processing systems and inps-esiti.wsdl to the
 * verifying parties. Stores a domanda with its packets and their outbox messages before acknowledging;
 * applies each esito once.
 */
runService('inps-gateway', async (rt) => {
  const svc = servizioProprio(rt.config, 'inpsGateway');
  const identity = identityOf(rt.config, svc.identity);
  watchServiceCertificates(rt, identity);
  const { pool, registri, rifiutiSenzaIdentita, sospensioni, visti } = await openDatabase(rt, svc.schema, ['messaging', 'inps']);

  const identities = Object.values(rt.config.identities);
  const deps = {
    pool,
    clock: rt.clock,
    caseSystems: requireIdentities(identities.filter((i) => i.ente === 'INPS' && i.code !== svc.identity).map((i) => i.code), 'INPS case systems'),
    // The verifying parties, but not the Ministero's hub: it forwards packets and never answers them.
    verifiers: requireIdentities(
      identities.filter((i) => (ENTI_VERIFICATORI as readonly string[]).includes(i.ente) && i.code !== rt.config.services.hub.identity).map((i) => i.code),
      'verifying parties',
    ),
    inspectors: requireIdentities(identities.filter((i) => i.ente === 'INL').map((i) => i.code), 'INL'),
    regole: { deadlines: rt.config.deadlines, inl: rt.config.inl },
  };
  const server = createSoapServer({
    tls: { keyFile: identity.keyFile, certFile: identity.certFile, caFile: trustedCaFiles(rt.config) },
    identities,
    publicUrl: svc.publicUrl,
    maxBodyBytes: rt.config.soap.maxBodyBytes,
    xmlLimits: rt.config.soap.xmlLimits,
    maxRichiesteInCorso: rt.config.soap.maxRichiesteInCorso,
    senzaIdentita: rt.config.soap.senzaIdentita,
    clock: rt.clock,
    log: rt.log,
    registri,
    rifiutiSenzaIdentita,
    sospensioni,
    visti,
    revocations: crlStoreOf(rt),
    pdnd: await pdndGuardOf(rt, pool),
    services: [
      { ...CONTRACTS.istruttoria, operations: [presentaDomanda(deps), statoIstruttoria(deps)] },
      { ...CONTRACTS.esiti, operations: [notificaEsito(deps), notificaAccertamento(deps)] },
    ],
  });
  await listen(server, svc.listen);
  rt.onShutdown(() => closeServer(server));
  rt.observability.readiness('soap', () => server.listening || Promise.reject(new Error(`endpoint SOAP ${svc.publicUrl} non in ascolto`)));
  rt.ready({ url: svc.publicUrl });
});
