import { identityOf } from '../../../shared/config/load';
import { servizioProprio } from '../../../shared/config/parte';
import { openDatabase } from '../../../shared/runtime/database';
import { watchServiceCertificates } from '../../../shared/runtime/certificates';
import { gestoriTimerInps } from '../core/timer-inps';
import { runService } from '../../../shared/runtime/service';
import { Scheduler } from '../../../shared/scheduler/timers';
import { startPeriodicTasks, controlliAccessi } from '../../../shared/runtime/periodic';
import { conservazioneInps } from '../../../shared/audit/conservazione';

/**
 * INPS scheduler: fires the durable timers of the istruttorie (a party's 5-day deadline, the 30-day or
 * graduatoria limit). Any number of instances may run: each timer fires once.
 */
runService('inps-scheduler', async (rt) => {
  const { config } = rt;
  const svc = servizioProprio(config, 'inpsScheduler');
  watchServiceCertificates(rt, identityOf(config, svc.identity));
  const { pool, registri } = await openDatabase(rt, svc.schema, ['messaging', 'inps']);
  const scheduler = new Scheduler({
    pool,
    clock: rt.clock,
    handlers: gestoriTimerInps({ deadlines: config.deadlines, inl: config.inl }),
    log: rt.log,
    batchSize: config.scheduler.batchSize,
    pollMs: config.scheduler.pollMs,
  });
  scheduler.start();
  rt.onShutdown(() => scheduler.stop());
  startPeriodicTasks(rt, [
    ...controlliAccessi(rt, pool, { istruttorie: true }),
    {
      nome: 'conservazione dei dati',
      ogniMs: config.retention.intervalloMinuti * 60_000,
      esegui: async () => ({ istruttorie: (await conservazioneInps(pool, registri, rt.clock.now(), config.retention.giorniDopoChiusura)).trattati }),
    },
  ]);
  rt.ready({ pollMs: config.scheduler.pollMs });
});
