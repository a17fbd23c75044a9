import { identityOf } from '../../shared/config/load';
import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { CODE } from '../../shared/amqp/topology';
import { ApeError } from '../../shared/errors';
import { CONTRACTS } from '../../shared/messages/contracts';
import { inpsEsitiUrl, startVerificaEndpoint } from '../../shared/pacchetti/endpoint';
import { createMessaging, startRelay, startWorker } from '../../shared/runtime/messaging';
import { runService } from '../../shared/runtime/service';
import { SoapClient } from '../../shared/soap/client';
import { inoltroPacchetto } from './inoltro';

/**
 * Ministero del Lavoro hub (protocol art. 3): INPS talks only to the Ministero, which makes each packet
 * available to its recipient (ANPAL, INAIL, INL, or the Ministero's own verifier). Packets are stored before
 * the ack and forwarded from a durable queue.
 */
runService('minlavoro-hub', async (rt) => {
  const { config } = rt;
  const svc = config.services.hub;
  const identity = identityOf(config, svc.identity);
  const pool = createPool(config.postgres.url, svc.schema, { max: config.postgres.poolSize, log: rt.log, applicationName: 'minlavoro-hub' });
  rt.onShutdown(() => pool.end());
  await migrate(pool, svc.schema, ['messaging', 'hub']);

  const soap = new SoapClient({ keyFile: identity.keyFile, certFile: identity.certFile, caFile: config.pki.caCertFile, timeoutMs: config.soap.timeoutMs });
  rt.onShutdown(() => soap.close());
  const agency = (ente: string) => {
    const a = config.services.agencies[ente as keyof typeof config.services.agencies];
    if (!a) throw new ApeError('DESTINATARIO_ERRATO', `nessun nodo configurato per ${ente}`);
    return a;
  };

  const amqp = createMessaging(rt);
  startWorker(rt, amqp, CODE.hubInoltroPacchetto, inoltroPacchetto({
    pool,
    soap,
    clock: rt.clock,
    destinazione: (ente) => {
      const a = agency(ente);
      return { url: `${a.publicUrl}${CONTRACTS.verifica.path}`, expectedServerCN: identityOf(config, a.identity).subjectCN };
    },
  }));
  await amqp.start();
  startRelay(rt, amqp, pool, svc.schema);

  await startVerificaEndpoint(rt, {
    identity,
    service: svc,
    callers: [config.services.inpsDispatcher.identity],
    ricezione: {
      pool,
      table: 'pacchetto_inoltro',
      extraColumn: (p) => ['destinatario', p.destinatario],
      routingKey: CODE.hubInoltroPacchetto,
      checkRecipient: (p) => void agency(p.destinatario),
      allowedReplyTo: [inpsEsitiUrl(rt)],
    },
  });
  rt.ready({ url: svc.publicUrl });
});
