import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { createPool } from '../../shared/db/pool';
import { migrate, type MigrationSet } from '../../shared/db/migrate';
import { ensureFederationPki } from '../../shared/pki/federation-pki';
import { ensureCrls } from '../../shared/pki/crl-issuer';
import { PROJECT_ROOT } from '../../shared/paths';
import { ENTI_VERIFICATORI } from '../../shared/domain/types';
import { leggiFileArchivio } from '../../services/ente/archivio-csv';
import { caricaFonte } from '../../services/ente/archivio-carico';
import { FORMATI } from '../../services/ente/archivio-formato';
import { fileArchivioDemo } from '../demo/csv';
import { ensureDatabase } from '../local/postgres';
import { allineaTopologia, ensureVhost } from '../local/rabbitmq';
import { assicuraChiavePseudonimi } from '../../shared/audit/pseudonimi';
import { clockFrom } from '../../shared/clock';
import { assicuraAccountDemo } from '../../services/inps/console/utenti';

/**
 * Prepares the local federation: database, RabbitMQ vhost and topology, development PKI, migrations of every
 * schema, and (with --demo) the demo archives and the web console's demo accounts. Idempotent: run it on every start.
 */
export async function setupFederation(config: FederationConfig, opts: { demo: boolean; log?: (msg: string) => void }): Promise<void> {
  const say = opts.log ?? ((m: string) => console.log(m));
  if (await ensureDatabase(config.postgres.adminUrl)) say(`database created: ${new URL(config.postgres.adminUrl).pathname.slice(1)}`);
  if (assicuraChiavePseudonimi(config.security.pepperFile)) say(`pseudonym key created: ${path.relative(PROJECT_ROOT, config.security.pepperFile)}`);
  await ensureVhost(config.rabbitmq.url);

  const pki = ensureFederationPki(config);
  if (pki.created.length > 0) say(`development PKI: created ${pki.created.join(', ')} in ${path.relative(PROJECT_ROOT, config.pki.dir) || config.pki.dir}`);
  // The federation starts with revocation on: an empty CRL per CA the development PKI holds, renewed before it expires.
  const crl = ensureCrls(config);
  for (const c of crl.issued) say(`development PKI: CRL ${path.relative(PROJECT_ROOT, c.crlFile) || c.crlFile} issued (number ${c.number}, ${c.revoked} revoked)`);
  for (const f of crl.missing) say(`warning: CRL ${f} is missing and its CA's key is not in the development PKI: the services will not start until the CA's CRL is there`);

  const schemas: Array<[string, MigrationSet]> = [
    [config.services.inpsGateway.schema, 'inps'],
    [config.services.hub.schema, 'hub'],
    ...ENTI_VERIFICATORI.flatMap((e) => (config.services.agencies[e] ? [[config.services.agencies[e]!.schema, 'agency'] as [string, MigrationSet]] : [])),
  ];
  for (const [schema, set] of schemas) {
    const pool = createPool(config.postgres.adminUrl, schema, { max: 1, applicationName: 'setup' });
    try {
      const r = await migrate(pool, schema, ['messaging', set, 'audit']);
      if (r.applied.length > 0) say(`schema ${schema}: applied ${r.applied.join(', ')}`);
      if (opts.demo && set === 'inps' && config.services.inpsConsole && config.environment !== 'production') {
        const creati = await assicuraAccountDemo(pool, clockFrom(config.clock).now());
        if (creati.length > 0) say(`web console: demo accounts created: ${creati.join(', ')}`);
      }
      if (opts.demo && set === 'agency') {
        for (const f of fileArchivioDemo().filter((x) => config.services.agencies[x.ente]?.schema === schema)) {
          const file = path.join(PROJECT_ROOT, 'infra', 'demo', 'archivio', f.nome);
          // Each demo file is its own source, named after the file as before, replaced on every setup: a party's
          // own sources loaded beside it stay (their rows must not repeat a demo key, see archivio-carico.ts).
          const letto = leggiFileArchivio(FORMATI[f.tipo], readFileSync(file, 'utf8'), path.relative(PROJECT_ROOT, file));
          const rep = await caricaFonte(pool, schema, letto, f.nome, { sostituisci: true });
          say(`archivio ${f.ente}: ${rep.righe} righe da ${f.nome}`);
        }
      }
    } finally {
      await pool.end();
    }
  }

  const sostituite = await allineaTopologia(config.rabbitmq.url, { retryDelaysMs: config.rabbitmq.retryDelaysMs, deliveryLimit: config.rabbitmq.deliveryLimit });
  if (sostituite.length > 0) say(`RabbitMQ: ${sostituite.length} code vuote ridichiarate con gli argomenti attuali`);
}

if (require.main === module) {
  setupFederation(loadConfig(), { demo: process.argv.includes('--demo') }).catch((err: unknown) => {
    console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
