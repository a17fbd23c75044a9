import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { createPool } from '../../shared/db/pool';
import { migrate, type MigrationSet } from '../../shared/db/migrate';
import { ensureFederationPki } from '../../shared/pki/federation-pki';
import { ensureCrls } from '../../shared/pki/crl-issuer';
import { PROJECT_ROOT } from '../../shared/paths';
import { ApeError } from '../../shared/errors';
import { allSchemas } from '../../shared/runtime/schemas';
import { leggiFileArchivio } from '../../services/ente/archivio-csv';
import { caricaFonte } from '../../services/ente/archivio-carico';
import { FORMATI } from '../../services/ente/archivio-formato';
import { fileArchivioDemo } from '../demo/csv';
import { ensureDatabase } from '../local/postgres';
import { allineaTopologia, ensureVhost } from '../local/rabbitmq';
import { assicuraChiavePseudonimi } from '../../shared/audit/pseudonimi';
import { clockFrom } from '../../shared/clock';
import { assicuraAccountDemo } from '../../services/inps/console/utenti';

type Say = (msg: string) => void;

/**
 * Prepares the local federation: database, RabbitMQ vhost and topology, development PKI, migrations of every
 * schema, and (with --demo) the demo archives and the web console's demo accounts. Idempotent: run it on every start.
 */
export async function setupFederation(config: FederationConfig, opts: { demo: boolean; log?: Say }): Promise<void> {
  const say = opts.log ?? ((m: string) => console.log(m));
  if (await ensureDatabase(config.postgres.adminUrl)) say(`database created: ${new URL(config.postgres.adminUrl).pathname.slice(1)}`);
  if (assicuraChiavePseudonimi(config.security.pepperFile)) say(`pseudonym key created: ${path.relative(PROJECT_ROOT, config.security.pepperFile)}`);
  await ensureVhost(config.rabbitmq.url);
  preparaPki(config, say);
  await migraEAllinea(config, opts.demo, say);
}

/** The development PKI of the federation-shaped file (every party's keys), with its CRLs: what party files are copied from. */
export function preparaPki(config: FederationConfig, say: Say): void {
  const pki = ensureFederationPki(config);
  if (pki.created.length > 0) say(`development PKI: created ${pki.created.join(', ')} in ${path.relative(PROJECT_ROOT, config.pki.dir) || config.pki.dir}`);
  // The federation starts with revocation on: an empty CRL per CA the development PKI holds, renewed before it expires.
  const crl = ensureCrls(config);
  for (const c of crl.issued) say(`development PKI: CRL ${path.relative(PROJECT_ROOT, c.crlFile) || c.crlFile} issued (number ${c.number}, ${c.revoked} revoked)`);
  for (const f of crl.missing) say(`warning: CRL ${f} is missing and its CA's key is not in the development PKI: the services will not start until the CA's CRL is there`);
}

/**
 * Prepares one party's node from its own configuration (`parte`): migrates only its schemas in its own database
 * (as postgres.adminUrl, the owner), creates its pseudonym key, loads its demo archive and (INPS) the console's
 * demo accounts with --demo, and declares only its own queues in its own vhost. The database, the roles, the vhost
 * and its user are the operator's (infra/local/risorse-parte.ts on one machine); its keys come with its PKI.
 */
export async function setupParte(config: FederationConfig, opts: { demo: boolean; log?: Say }): Promise<void> {
  if (!config.parte) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', 'parte: setupParte needs a party\'s configuration (the federation-shaped file is set up by setupFederation)');
  const say = opts.log ?? ((m: string) => console.log(m));
  if (assicuraChiavePseudonimi(config.security.pepperFile)) say(`${config.parte}: pseudonym key created: ${config.security.pepperFile}`);
  await migraEAllinea(config, opts.demo, (m) => say(`${config.parte}: ${m}`));
}

/** The migration set of each schema this file's services run on: INPS's, the hub's, each party node's. */
function migrazioni(config: FederationConfig): Array<[string, MigrationSet]> {
  return allSchemas(config).map(({ ente, schema }): [string, MigrationSet] => [schema, ente === 'INPS' ? 'inps' : ente === 'HUB' ? 'hub' : 'agency']);
}

async function migraEAllinea(config: FederationConfig, demo: boolean, say: Say): Promise<void> {
  for (const [schema, set] of migrazioni(config)) {
    const pool = createPool(config.postgres.adminUrl, schema, { max: 1, applicationName: 'setup' });
    try {
      const r = await migrate(pool, schema, ['messaging', set, 'audit']);
      if (r.applied.length > 0) say(`schema ${schema}: applied ${r.applied.join(', ')}`);
      if (demo && set === 'inps' && config.services.inpsConsole && config.environment !== 'production') {
        const creati = await assicuraAccountDemo(pool, clockFrom(config.clock).now());
        if (creati.length > 0) say(`web console: demo accounts created: ${creati.join(', ')}`);
      }
      if (demo && set === 'agency') {
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
  const sostituite = await allineaTopologia(config.rabbitmq.url, {
    retryDelaysMs: config.rabbitmq.retryDelaysMs,
    deliveryLimit: config.rabbitmq.deliveryLimit,
    ...(config.parte && { parte: config.parte }),
  });
  if (sostituite.length > 0) say(`RabbitMQ: ${sostituite.length} code vuote ridichiarate con gli argomenti attuali`);
}

if (require.main === module) {
  const config = loadConfig();
  (config.parte ? setupParte : setupFederation)(config, { demo: process.argv.includes('--demo') }).catch((err: unknown) => {
    console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
