import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localFederationConfig } from '../federation-config';
import type { Parte, ReteSiti } from './rete';

/**
 * The configuration of each party's host for test:siti (a private adapter until the per-party configuration of
 * issue 18 is there): the one-machine federation's, with every endpoint listening on and published at its party's
 * address, every identity allowed only from its party's address (the case system from the bridge's), and the
 * party's own PostgreSQL and RabbitMQ. Same ports on every host: each has its own addresses.
 */
export interface RisorseParte {
  postgresUrl: string;
  rabbitmqUrl: string;
}

export const PORTA_BASE = 20000;

/** Whose address each identity calls from. */
const HOST_DI: Record<string, Parte> = { INPS: 'INPS', HUB: 'MINLAVORO', MINLAVORO: 'MINLAVORO', ANPAL: 'ANPAL', INAIL: 'INAIL', INL: 'INL' };

export function scriviConfigurazioni(rete: ReteSiti, dir: string, risorse: Record<Parte, RisorseParte>, variazioni: (json: Record<string, any>) => void): Record<Parte, string> {
  const file = {} as Record<Parte, string>;
  for (const parte of Object.keys(risorse) as Parte[]) {
    const json = localFederationConfig({
      postgresUrl: risorse[parte].postgresUrl,
      rabbitmqUrl: risorse[parte].rabbitmqUrl,
      pkiDir: path.join(dir, 'pki'),
      basePort: PORTA_BASE,
      environment: 'test',
      poolSize: 4,
      pdndAttivo: [],
    }) as Record<string, any>;
    delete json.pdnd;
    const a = (p: Parte) => rete.hosts[p].indirizzo;
    const sposta = (servizio: Record<string, any>, p: Parte) => {
      servizio.listen.host = a(p);
      servizio.publicUrl = `https://${a(p)}:${servizio.listen.port}`;
    };
    sposta(json.services.inpsGateway, 'INPS');
    sposta(json.services.inpsConsole, 'INPS');
    sposta(json.services.hub, 'MINLAVORO');
    for (const ente of ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const) sposta(json.services.agencies[ente], ente);
    for (const [code, identity] of Object.entries<Record<string, any>>(json.identities)) {
      identity.allowedIps = code === 'INPS_ISTRUTTORIA' ? [rete.indirizzoRadice] : [a(HOST_DI[code]!)];
    }
    variazioni(json);
    file[parte] = path.join(dir, parte, 'config.json');
    mkdirSync(path.dirname(file[parte]), { recursive: true });
    writeFileSync(file[parte], JSON.stringify(json, null, 2));
  }
  return file;
}
