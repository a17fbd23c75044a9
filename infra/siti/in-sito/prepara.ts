import { loadConfig } from '../../../shared/config/load';
import { setupFederation } from '../../scripts/setup';

/**
 * Run on a party's host (test:siti, `ip netns exec`): prepares that party's own database and RabbitMQ vhost from
 * its configuration (APE_CONFIG), which reach only its host's loopback.
 */
setupFederation(loadConfig(), { demo: true, log: () => undefined }).catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
