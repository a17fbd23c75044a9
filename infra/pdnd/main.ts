import { readFileSync } from 'node:fs';
import { trustedCaFiles } from '../../shared/config/load';
import { PdndRegistry } from '../../shared/pdnd/registry';
import { pdndServerFiles } from '../../shared/pki/federation-pki';
import { runService } from '../../shared/runtime/service';
import { closeServer, listen } from '../../shared/soap/listen';
import { createAuthorizationServer } from './authorization-server';

/**
 * pdnd-as: the local PDND authorization server (development and tests; a real deployment points pdnd.tokenEndpoint,
 * pdnd.jwksUrl and pdnd.issuer at PDND and runs no such process). Its key pair is the development PKI's pdnd.*.pem.
 */
runService('pdnd-as', async (rt) => {
  const pdnd = rt.config.pdnd;
  if (!pdnd?.server) throw new Error('pdnd.server is not configured: the local authorization server has nothing to serve');
  const files = pdndServerFiles(rt.config);
  const as = await createAuthorizationServer({
    keyPem: readFileSync(files.keyFile, 'utf8'),
    certPem: readFileSync(files.certFile, 'utf8'),
    caPem: trustedCaFiles(rt.config).map((f) => readFileSync(f)),
    registry: await PdndRegistry.of(rt.config),
    voucherSeconds: pdnd.server.voucherDurataSecondi,
    log: rt.log,
  });
  await listen(as.server, pdnd.server.listen);
  rt.onShutdown(() => closeServer(as.server));
  rt.observability.readiness('pdnd', () => as.server.listening || Promise.reject(new Error('server di autorizzazione PDND non in ascolto')));
  rt.ready({ tokenEndpoint: pdnd.tokenEndpoint, jwksUrl: pdnd.jwksUrl });
});
