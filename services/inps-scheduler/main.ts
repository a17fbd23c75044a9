import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { gestoriTimerInps } from '../../shared/inps/timer-inps';
import { runService } from '../../shared/runtime/service';
import { Scheduler } from '../../shared/scheduler/timers';

/**
 * INPS scheduler: fires the durable timers of the istruttorie (a party's 5-day deadline, the 30-day or
 * graduatoria limit). Any number of instances may run: each timer fires once.
 */
runService('inps-scheduler', async (rt) => {
  const { config } = rt;
  const svc = config.services.inpsScheduler;
  const pool = createPool(config.postgres.url, svc.schema, { max: 4, log: rt.log, applicationName: 'inps-scheduler' });
  rt.onShutdown(() => pool.end());
  await migrate(pool, svc.schema, ['messaging', 'inps']);
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
  rt.ready({ pollMs: config.scheduler.pollMs });
});
