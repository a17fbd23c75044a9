import { loadConfig, parseConfig } from '../../shared/config/load';
import { parteDelProcesso } from '../../shared/config/parte';
import { ENTI, type Ente } from '../../shared/domain/types';
import { preparaPki, setupParte } from '../scripts/setup';
import { configurazioniParti, type SitoParte } from './parti';
import { creaRisorseParte, risorsePerParte, urlDellaParte, type RisorseParte } from './risorse-parte';

/**
 * The one-machine federation as five parties: from one federation configuration (a localFederationConfig result,
 * whose PKI holds every key), each party's roles, database, vhost and user on this machine's PostgreSQL and
 * RabbitMQ, its own configuration under `dir`, and its setup. `npm start` and the tests run each party's processes
 * with its own file; the local PDND authorization server (PDND, not a party) keeps the federation's.
 */
export interface FederazioneParti {
  /** Each party's config.json. */
  file: Record<Ente, string>;
  risorse: Record<Ente, RisorseParte>;
}

export async function preparaParti(o: {
  federazione: Record<string, unknown>;
  /** Where the party directories go (<dir>/<parte>/config.json, pki/, secrets/). */
  dir: string;
  /** Names of databases, roles, vhosts and users: <prefisso>_<parte> (ape_inps...). */
  prefisso: string;
  demo: boolean;
  log?: (msg: string) => void;
}): Promise<FederazioneParti> {
  const say = o.log ?? ((m: string) => console.log(m));
  preparaPki(parseConfig(o.federazione, process.cwd()), say);
  const risorse = {} as Record<Ente, RisorseParte>;
  const siti = {} as Record<Ente, SitoParte>;
  for (const parte of ENTI) {
    risorse[parte] = risorsePerParte(parte, o.prefisso);
    await creaRisorseParte(risorse[parte]);
    siti[parte] = { indirizzo: '127.0.0.1', ...urlDellaParte(risorse[parte], '127.0.0.1') };
  }
  const file = configurazioniParti(o.federazione, siti, o.dir);
  for (const parte of ENTI) await setupParte(loadConfig(file[parte]), { demo: o.demo, log: say });
  return { file, risorse };
}

/** The configuration file a process of the federation runs with: its party's, or (pdnd-as) the federation's. */
export function fileDelProcesso(nome: string, parti: FederazioneParti, federazioneFile: string): string {
  const parte = parteDelProcesso(nome.split('#')[0]!);
  return parte ? parti.file[parte] : federazioneFile;
}
