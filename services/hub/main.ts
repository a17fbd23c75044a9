import { identityOf } from '../../shared/config/load';
import { servizioProprio } from '../../shared/config/parte';
import { openDatabase } from '../../shared/runtime/database';
import { watchServiceCertificates } from '../../shared/runtime/certificates';
import { startPeriodicTasks, controlliAccessi } from '../../shared/runtime/periodic';
import { conservazioneParte } from '../../shared/audit/conservazione';
import { QUEUES } from '../../shared/amqp/topology';
import { ApeError } from '../../shared/errors';
import { addressOf, inpsEsitiUrl } from '../../shared/config/addresses';
import { operazioneVerificaPacchetto, startVerificaEndpoint } from '../../shared/verifica-pacchetto/endpoint';
import { regolaOrigine } from '../../shared/verifica-pacchetto/origine';
import { crlStoreOf } from '../../shared/runtime/revocation';
import type { EnteVerificatore } from '../../shared/domain/types';
import { inoltroMessaggio, operazioneInoltrata } from './messaggi';
import { createMessaging, startRelay, startWorker } from '../../shared/runtime/messaging';
import { runService } from '../../shared/runtime/service';
import { createSoapClient } from '../../shared/runtime/soap-client';
import { inoltroPacchetto } from './inoltro';

/**
 * Ministero del Lavoro hub (protocol art. 3): INPS talks only to the Ministero, which makes each packet
 * available to its recipient (ANPAL, INAIL, INL, or the Ministero's own verifier). Packets are stored before
 * the ack and forwarded from a durable queue, as INPS signed them. The hub runs as its own identity (HUB), not
 * the Ministero verifier's: a party accepts packets from the hub only, and the hub cannot write one (origine.ts).
 */
runService('minlavoro-hub', async (rt) => {
  const { config } = rt;
  const svc = servizioProprio(config, 'hub');
  const identity = identityOf(config, svc.identity);
  watchServiceCertificates(rt, identity);
  const db = await openDatabase(rt, svc.schema, ['messaging', 'hub']);
  const { pool, registri } = db;

  const soap = createSoapClient(rt, identity, registri);
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
      agency(ente); // no node for this party: DESTINATARIO_ERRATO, as at intake
      return addressOf(config, ente, 'verifica');
    },
  };
  startWorker(rt, amqp, QUEUES.hubInoltroPacchetto, inoltroPacchetto(forwarding));
  startWorker(rt, amqp, QUEUES.hubInoltroMessaggio, inoltroMessaggio(forwarding));
  startPeriodicTasks(rt, [
    ...controlliAccessi(rt, pool, { istruttorie: false }),
    {
      nome: 'conservazione dei dati',
      ogniMs: config.retention.intervalloMinuti * 60_000,
      esegui: async () => Object.fromEntries((await conservazioneParte(pool, registri, rt.clock.now(), config.retention.giorniPacchettiParti, ['pacchetto_inoltro', 'messaggio_inoltro'])).map((r) => [r.oggetto, r.trattati])),
    },
  ]);
  await amqp.start();
  startRelay(rt, amqp, pool, svc.schema);

  const inps = [config.services.inpsDispatcher.identity];
  const origine = regolaOrigine(config, crlStoreOf(rt));
  const ricezioneMessaggi = { pool, routingKey: QUEUES.hubInoltroMessaggio, checkRecipient: (e: EnteVerificatore) => void agency(e), allowedReplyTo: [inpsEsitiUrl(config)], origine };
  await startVerificaEndpoint(rt, {
    identity,
    service: svc,
    db,
    operations: [
      operazioneVerificaPacchetto(inps, {
        pool,
        table: 'pacchetto_inoltro',
        // The signed payload is kept as received, in canonical form: it is what the hub forwards.
        extraColumns: (p, _ctx, o) => ({ destinatario: p.destinatario, corpo: o.corpo, corpo_canonico: 'true' }),
        routingKey: QUEUES.hubInoltroPacchetto,
        checkRecipient: (p) => void agency(p.destinatario),
        allowedReplyTo: [inpsEsitiUrl(config)],
      }, origine),
      operazioneInoltrata('SollecitaEsito', inps, ricezioneMessaggi),
      operazioneInoltrata('SegnalaCaso', inps, ricezioneMessaggi),
      operazioneInoltrata('NotificaRiscontro', inps, ricezioneMessaggi),
    ],
  });
  rt.ready({ url: svc.publicUrl });
});
