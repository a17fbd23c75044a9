import { loadConfig } from '../../../shared/config/load';
import { creaRisorseParte, type RisorseParte } from '../../local/risorse-parte';
import { setupParte } from '../../scripts/setup';

/**
 * Run on a party's host (test:siti, `ip netns exec`), as its operator would: the party's roles, database, vhost and
 * user on the host's own PostgreSQL and RabbitMQ (argv[2], a RisorseParte as JSON), then its setup from its own
 * configuration (APE_CONFIG). Both answer on the host's loopback only.
 */
async function main(): Promise<void> {
  await creaRisorseParte(JSON.parse(process.argv[2] ?? '') as RisorseParte);
  await setupParte(loadConfig(), { demo: true, log: () => undefined });
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
