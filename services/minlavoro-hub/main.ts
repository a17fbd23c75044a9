import { identityOf } from '../../shared/config/load';
import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { CODE } from '../../shared/amqp/topology';
import { ApeError } from '../../shared/errors';
import { CONTRACTS } from '../../shared/messages/contracts';
import { inpsEsitiUrl, operazioneVerificaPacchetto, startVerificaEndpoint } from '../../shared/pacchetti/endpoint';
import type { EnteVerificatore } from '../../shared/domain/types';
import { inoltroMessaggio, operazioneInoltrata } from './messaggi';
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
  const forwarding = {
    pool,
    soap,
    clock: rt.clock,
    destinazione: (ente: EnteVerificatore) => {
      const a = agency(ente);
      return { url: `${a.publicUrl}${CONTRACTS.verifica.path}`, expectedServerCN: identityOf(config, a.identity).subjectCN };
    },
  };
  startWorker(rt, amqp, CODE.hubInoltroPacchetto, inoltroPacchetto(forwarding));
  startWorker(rt, amqp, CODE.hubInoltroMessaggio, inoltroMessaggio(forwarding));
  await amqp.start();
  startRelay(rt, amqp, pool, svc.schema);

  const inps = [config.services.inpsDispatcher.identity];
  const ricezioneMessaggi = { pool, routingKey: CODE.hubInoltroMessaggio, checkRecipient: (e: EnteVerificatore) => void agency(e), allowedReplyTo: [inpsEsitiUrl(rt)] };
  await startVerificaEndpoint(rt, {
    identity,
    service: svc,
    operations: [
      operazioneVerificaPacchetto(inps, {
        pool,
        table: 'pacchetto_inoltro',
        extraColumn: (p) => ['destinatario', p.destinatario],
        routingKey: CODE.hubInoltroPacchetto,
        checkRecipient: (p) => void agency(p.destinatario),
        allowedReplyTo: [inpsEsitiUrl(rt)],
      }),
      operazioneInoltrata('SollecitaEsito', inps, ricezioneMessaggi),
      operazioneInoltrata('SegnalaCaso', inps, ricezioneMessaggi),
      operazioneInoltrata('NotificaRiscontro', inps, ricezioneMessaggi),
    ],
  });
  rt.ready({ url: svc.publicUrl });
});
