import { readFileSync } from 'node:fs';
import { servizioProprio } from '../../../shared/config/parte';
import { identityOf, systemOperatorOf } from '../../../shared/config/load';
import { openDatabase } from '../../../shared/runtime/database';
import { watchServiceCertificates } from '../../../shared/runtime/certificates';
import { QUEUES } from '../../../shared/amqp/topology';
import { addressForRecipient, inpsEsitiUrl } from '../../../shared/config/addresses';
import type { EnteVerificatore } from '../../../shared/domain/types';
import { createMessaging, startRelay, startWorker } from '../../../shared/runtime/messaging';
import { runService } from '../../../shared/runtime/service';
import { createSoapClient } from '../../../shared/runtime/soap-client';
import { invioPacchetto } from './invio-pacchetto';
import { invioMessaggio } from './invio-messaggio';

/**
 * INPS dispatcher: relays the INPS outbox to RabbitMQ and sends each packet over SOAP to the Ministero's hub
 * (protocol art. 3), or straight to its recipient when routing is "direct".
 */
runService('inps-dispatcher', async (rt) => {
  const { config } = rt;
  const svc = servizioProprio(config, 'inpsDispatcher');
  const identity = identityOf(config, svc.identity);
  watchServiceCertificates(rt, identity);
  const { pool, registri } = await openDatabase(rt, svc.schema, ['messaging', 'inps']);

  const soap = createSoapClient(rt, identity, registri);

  const destinazione = (destinatario: EnteVerificatore) => addressForRecipient(config, destinatario);
  // INPS signs what it writes with its own key: the recipient can tell INPS's packets from anything the hub could make.
  const firmatario = { keyPem: readFileSync(identity.keyFile, 'utf8'), certPem: readFileSync(identity.certFile, 'utf8') };

  const amqp = createMessaging(rt);
  startWorker(rt, amqp, QUEUES.inpsInvioPacchetto, invioPacchetto({
    pool,
    soap,
    clock: rt.clock,
    destinazione,
    replyTo: inpsEsitiUrl(config),
    firmatario,
    regole: { deadlines: config.deadlines, inl: config.inl },
  }), {
    // A packet is sent until it is delivered or its istruttoria closes; its send deadline (SCADENZA_INVIO) applies
    // the deadline rules meanwhile. No attempt limit would be right for that.
    maxAttempts: Number.POSITIVE_INFINITY,
  });
  startWorker(rt, amqp, QUEUES.inpsInvioMessaggio, invioMessaggio({
    pool,
    soap,
    clock: rt.clock,
    destinazione,
    replyTo: inpsEsitiUrl(config),
    operatore: systemOperatorOf(config, 'inps-dispatcher'),
    firmatario,
  }));
  await amqp.start();
  startRelay(rt, amqp, pool, svc.schema);
  rt.ready({ routing: config.routing });
});
