import path from 'node:path';
import { localFederationConfig } from '../federation-config';
import type { ReteSiti } from './rete';

/**
 * The federation test:siti deploys, before it is split into the parties' own files (infra/local/parti.ts): every
 * endpoint published at its party's address, so that the development PKI issues each certificate for its host.
 * Same ports on every host: each has its own addresses.
 */
const PORTA_BASE = 20000;

export function federazioneSuSiti(rete: ReteSiti, dir: string, variazioni: (json: Record<string, any>) => void): Record<string, any> {
  const json = localFederationConfig({
    // Each party's own PostgreSQL and RabbitMQ replace these in its file.
    postgresUrl: 'postgres://postgres@127.0.0.1:5432/ape',
    rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672/ape',
    pkiDir: path.join(dir, 'pki'),
    basePort: PORTA_BASE,
    environment: 'test',
    poolSize: 4,
    pdndAttivo: [],
  }) as Record<string, any>;
  // PDND is off for every identity: no authorization server to run.
  delete json.pdnd;
  const sposta = (servizio: Record<string, any>, indirizzo: string) => {
    servizio.listen.host = indirizzo;
    servizio.publicUrl = `https://${indirizzo}:${servizio.listen.port}`;
  };
  sposta(json.services.inpsGateway, rete.hosts.INPS.indirizzo);
  sposta(json.services.inpsConsole, rete.hosts.INPS.indirizzo);
  sposta(json.services.hub, rete.hosts.MINLAVORO.indirizzo);
  for (const ente of ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const) sposta(json.services.agencies[ente], rete.hosts[ente].indirizzo);
  variazioni(json);
  return json;
}
