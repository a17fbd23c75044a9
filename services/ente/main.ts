import { identityOf, systemOperatorOf } from '../../shared/config/load';
import { servizioProprio } from '../../shared/config/parte';
import { openDatabase } from '../../shared/runtime/database';
import { watchServiceCertificates } from '../../shared/runtime/certificates';
import { startPeriodicTasks, controlliAccessi } from '../../shared/runtime/periodic';
import { conservazioneParte } from '../../shared/audit/conservazione';
import { QUEUES, consegnaEsitoQueue, verificaQueue } from '../../shared/amqp/topology';
import { ApeError } from '../../shared/errors';
import { ENTI_VERIFICATORI, type EnteVerificatore } from '../../shared/domain/types';
import { addressOf, inpsEsitiUrl } from '../../shared/config/addresses';
import { operazioneVerificaPacchetto, startVerificaEndpoint } from '../../shared/verifica-pacchetto/endpoint';
import { regolaOrigine } from '../../shared/verifica-pacchetto/origine';
import { crlStoreOf } from '../../shared/runtime/revocation';
import { notificaRiscontro, segnalaCaso, sollecitaEsito } from './operazioni';
import { consegnaNotifica, valutazioneAutomatica } from './inl/lavoro';
import { createMessaging, startRelay, startWorker } from '../../shared/runtime/messaging';
import { runService } from '../../shared/runtime/service';
import { createSoapClient } from '../../shared/runtime/soap-client';
import { ArchivioPostgres } from './archivio';
import { consegnaEsito, verificaPacchetto } from './elaborazione';

/**
 * A verifying party's node (MINLAVORO, ANPAL, INAIL or INL; one program, run once per party with
 * APE_ENTE or --ente): receives packets, verifies each declared datum against the party's archive, and
 * calls INPS back with the esiti.
 */
function enteFromArgs(): EnteVerificatore {
  const i = process.argv.indexOf('--ente');
  const v = (i >= 0 ? process.argv[i + 1] : process.env.APE_ENTE)?.toUpperCase();
  if (!v || !(ENTI_VERIFICATORI as readonly string[]).includes(v)) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `--ente (or APE_ENTE) must be one of ${ENTI_VERIFICATORI.join(', ')}; got ${v ?? 'nothing'}`);
  }
  return v as EnteVerificatore;
}

const ente = enteFromArgs();
runService(`agency-${ente.toLowerCase()}`, async (rt) => {
  const { config } = rt;
  const svc = servizioProprio(config, ente);
  const identity = identityOf(config, svc.identity);
  watchServiceCertificates(rt, identity);
  const db = await openDatabase(rt, svc.schema, ['messaging', 'agency']);
  const { pool, registri } = db;

  const soap = createSoapClient(rt, identity, registri);

  const amqp = createMessaging(rt);
  startWorker(rt, amqp, verificaQueue(ente), verificaPacchetto({ pool, ente, archivio: new ArchivioPostgres(pool), clock: rt.clock, routingConsegna: consegnaEsitoQueue(ente) }));
  startWorker(rt, amqp, consegnaEsitoQueue(ente), consegnaEsito({
    pool,
    ente,
    soap,
    clock: rt.clock,
    operatore: systemOperatorOf(config, `agency-${ente}`),
    inpsServerCN: addressOf(config, 'INPS', 'esiti').expectedServerCN,
  }));
  if (ente === 'INL') {
    startWorker(rt, amqp, QUEUES.inlValutazione, valutazioneAutomatica({ pool, clock: rt.clock, apertura: config.inl.apertura, operatore: systemOperatorOf(config, `agency-${ente}`) }));
    startWorker(rt, amqp, QUEUES.inlNotifica, consegnaNotifica({ pool, soap, clock: rt.clock, inpsServerCN: addressOf(config, 'INPS', 'esiti').expectedServerCN }));
  }
  startPeriodicTasks(rt, [
    ...controlliAccessi(rt, pool, { istruttorie: false }),
    {
      nome: 'conservazione dei dati',
      ogniMs: config.retention.intervalloMinuti * 60_000,
      esegui: async () => Object.fromEntries((await conservazioneParte(pool, registri, rt.clock.now(), config.retention.giorniPacchettiParti, ['pacchetto_ricevuto', 'accertamento'])).map((r) => [r.oggetto, r.trattati])),
    },
  ]);
  await amqp.start();
  startRelay(rt, amqp, pool, svc.schema);

  // Packets come from the Ministero's hub (its own identity, not the Ministero verifier's); in direct routing, from
  // INPS itself. Whoever brings them, INPS must have written them (origin signature).
  const senders = config.routing === 'hub' ? [config.services.hub.identity] : [config.services.inpsDispatcher.identity];
  const origine = regolaOrigine(config, crlStoreOf(rt));
  const ops = { pool, ente, callers: senders, routingConsegna: consegnaEsitoQueue(ente), allowedReplyTo: [inpsEsitiUrl(config)], origine };
  await startVerificaEndpoint(rt, {
    identity,
    service: svc,
    db,
    operations: [
      operazioneVerificaPacchetto(senders, {
        pool,
        table: 'pacchetto_ricevuto',
        extraColumns: (_p, ctx) => ({ mittente: ctx.caller.identity.code }),
        routingKey: verificaQueue(ente),
        checkRecipient: (p) => {
          if (p.destinatario !== ente) throw new ApeError('DESTINATARIO_ERRATO', `questo nodo è di ${ente}; il pacchetto è destinato a ${p.destinatario}`);
        },
        allowedReplyTo: [inpsEsitiUrl(config)],
      }, origine),
      sollecitaEsito(ops),
      notificaRiscontro(ops),
      segnalaCaso(ops),
    ],
  });
  rt.ready({ ente, url: svc.publicUrl });
});
