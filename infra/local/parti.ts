import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nomeFileIdentita, parseConfig } from '../../shared/config/load';
import { parteDelProcesso, parteDelServizio, type Servizio } from '../../shared/config/parte';
import type { FederationConfig } from '../../shared/config/schema';
import { ENTI, ENTI_VERIFICATORI, type Ente } from '../../shared/domain/types';
import { CONFIG_SCHEMA_FILE } from '../../shared/paths';

/**
 * Each party's deployment unit from one federation configuration (a localFederationConfig result): for each party
 * `<dir>/<parte>/config.json` with `parte` set, and `<dir>/<parte>/pki/` holding the CA certificates and CRLs it
 * trusts and only its own identities' certificates and keys, copied from the development PKI. Its services listen
 * on its own address; its counterparts are known by what one exchanges with them: endpoint, certificate name,
 * CA, source address. `npm start` writes five on 127.0.0.1; `npm run test:siti` five on their own addresses.
 */
export type Parte = Ente;

export interface SitoParte {
  /** The host address its services listen on and call from, e.g. 127.0.0.1 or 10.77.0.2. */
  indirizzo: string;
  /** Its own database as its own application role. */
  postgresUrl: string;
  /** Its own database as the schema owner (migrations). */
  postgresAdminUrl: string;
  /** Its own vhost as its own user. */
  rabbitmqUrl: string;
}

type Json = Record<string, unknown>;

const ENDPOINT: readonly Servizio[] = ['inpsGateway', 'inpsConsole', 'hub', ...ENTI_VERIFICATORI];
const PKI = 'pki';

/** Source addresses of a party: its host's, and loopback's when the host is this machine. */
const indirizzi = (sito: SitoParte) => (sito.indirizzo === '127.0.0.1' ? [sito.indirizzo, '::1'] : [sito.indirizzo]);

/** The services a party's file names: its own, and those of others it calls or is called by (INPS and the Ministero deal with every party). */
function serviziNoti(parte: Parte, cfg: FederationConfig): Servizio[] {
  const agenzie = ENTI_VERIFICATORI.filter((e) => cfg.services.agencies[e] && (parte === 'INPS' || parte === 'MINLAVORO' || parte === e));
  return ['inpsGateway', 'inpsDispatcher', ...(parte === 'INPS' ? (['inpsScheduler'] as const) : []), ...(parte === 'INPS' && cfg.services.inpsConsole ? (['inpsConsole'] as const) : []), 'hub', ...agenzie];
}

function voce(raw: Json, servizio: Servizio): Json {
  const services = raw.services as Json;
  const v = (ENTI_VERIFICATORI as readonly string[]).includes(servizio) ? (services.agencies as Json)[servizio] : services[servizio];
  return (v ?? { identity: (services.inpsGateway as Json).identity, schema: (services.inpsGateway as Json).schema }) as Json;
}

function servizi(parte: Parte, raw: Json, cfg: FederationConfig, siti: Record<Parte, SitoParte>): Json {
  const out: Json = { agencies: {} };
  for (const s of serviziNoti(parte, cfg)) {
    const di = parteDelServizio(s);
    const v = voce(raw, s);
    const porta = (v.listen as { port: number } | undefined)?.port;
    const publicUrl = porta === undefined ? undefined : `https://${siti[di].indirizzo}:${porta}`;
    const entry: Json =
      di === parte
        ? { ...v, ...(porta !== undefined && { listen: { host: siti[di].indirizzo, port: porta }, publicUrl }) }
        : { identity: v.identity, ...(ENDPOINT.includes(s) && { publicUrl }) };
    if ((ENTI_VERIFICATORI as readonly string[]).includes(s)) (out.agencies as Json)[s] = entry;
    else out[s] = entry;
  }
  return out;
}

/** The file a CA or CRL has in a party's pki/: the federation CA's usual names, other CAs numbered. */
function nomiPki(cfg: FederationConfig): Map<string, string> {
  const nomi = new Map<string, string>([[cfg.pki.caCertFile, 'ca.cert.pem']]);
  for (const c of cfg.pki.crl) if (c.caFile === cfg.pki.caCertFile) nomi.set(c.crlFile, 'ca.crl.pem');
  let n = 1;
  for (const f of [...Object.values(cfg.identities).map((i) => i.caFile), ...cfg.pki.crl.flatMap((c) => [c.caFile, c.crlFile])]) {
    if (!nomi.has(f)) nomi.set(f, `altra-${n++}${f.endsWith('.crl.pem') ? '.crl.pem' : '.cert.pem'}`);
  }
  return nomi;
}

function identita(parte: Parte, raw: Json, cfg: FederationConfig, siti: Record<Parte, SitoParte>, usate: ReadonlySet<string>, nomi: Map<string, string>): Json {
  const out: Json = {};
  for (const [code, id] of Object.entries(cfg.identities)) {
    const proprio = id.ente === parte;
    if (!proprio && !usate.has(code)) continue;
    const { certFile: _c, keyFile: _k, caFile: _ca, allowedIps: _ips, ...resto } = (raw.identities as Record<string, Json>)[code]!;
    const ente = id.ente as Parte;
    // Own identities: the key and certificate sit in pki/ under their default names. A counterpart: what it exchanged.
    out[code] = { ...resto, allowedIps: indirizzi(siti[ente]), caFile: `${PKI}/${nomi.get(id.caFile)!}` };
  }
  return out;
}

function scriviPki(parte: Parte, cfg: FederationConfig, dirParte: string, nomi: Map<string, string>, crlFiles: readonly string[], codici: ReadonlySet<string>): void {
  const pki = path.join(dirParte, PKI);
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  for (const [da, nome] of nomi) if (existsSync(da) && (!da.endsWith('.crl.pem') || crlFiles.includes(da))) copyFileSync(da, path.join(pki, nome));
  // Certificates are public: a counterpart's is what PDND registers as its client key (pdnd/registry.ts). Keys: its own only.
  for (const id of Object.values(cfg.identities).filter((i) => i.ente === parte || codici.has(i.code))) {
    const base = nomeFileIdentita(id.code);
    copyFileSync(id.certFile, path.join(pki, `${base}.cert.pem`));
    if (id.ente !== parte) continue;
    copyFileSync(id.keyFile, path.join(pki, `${base}.key.pem`));
    chmodSync(path.join(pki, `${base}.key.pem`), 0o600);
  }
}

/**
 * PDND's endpoints, and of its catalogue what the party deals with: the e-services of the services in its file, the
 * purposes of the identities it knows on them. Its authorization server is PDND's, not a party's (no `server`).
 */
function pdndDellaParte(pdnd: Json, services: Json, identities: Json): Json {
  const erogatori = new Set(['INPS', 'hub', ...Object.keys(services.agencies as Json)]);
  const eservices = Object.fromEntries(Object.entries(pdnd.eservices as Record<string, Json>).filter(([, e]) => erogatori.has(e.erogatore as string)));
  const finalita = (pdnd.finalita as Json[]).filter((f) => Object.hasOwn(identities, f.fruitore as string) && Object.hasOwn(eservices, f.eservice as string));
  const { server: _server, ...resto } = pdnd;
  return { ...resto, eservices, finalita };
}

/** Writes one party's deployment unit; returns its config.json. */
function scriviParte(parte: Parte, raw: Json, cfg: FederationConfig, siti: Record<Parte, SitoParte>, dir: string): string {
  const dirParte = path.join(dir, parte.toLowerCase());
  const services = servizi(parte, raw, cfg, siti);
  const usate = new Set<string>();
  for (const v of [...Object.values(services), ...Object.values(services.agencies as Json)]) if ((v as Json).identity) usate.add((v as Json).identity as string);
  // INPS's gateway accepts esiti from every verifier and INL's inspections; the hub forwards to every party.
  if (parte === 'INPS' || parte === 'MINLAVORO') for (const code of Object.keys(cfg.identities)) usate.add(code);
  const nomi = nomiPki(cfg);
  const identities = identita(parte, raw, cfg, siti, usate, nomi);
  const pdnd = raw.pdnd as Json | undefined;
  const soloProprio = (sezione: Record<string, unknown>) => Object.fromEntries(Object.entries(sezione).filter(([p]) => parteDelProcesso(p) === parte));
  const observability = (raw.observability ?? {}) as Json;
  const { pepperFile: _pepper, ...security } = (raw.security ?? {}) as Json;
  const file: Json = {
    ...raw,
    $schema: CONFIG_SCHEMA_FILE,
    parte,
    postgres: { ...(raw.postgres as Json), url: siti[parte].postgresUrl, adminUrl: siti[parte].postgresAdminUrl },
    rabbitmq: { ...(raw.rabbitmq as Json), url: siti[parte].rabbitmqUrl },
    pki: { dir: PKI, crl: cfg.pki.crl.map((c) => ({ caFile: `${PKI}/${nomi.get(c.caFile)!}`, crlFile: `${PKI}/${nomi.get(c.crlFile)!}` })), crlCheckSeconds: cfg.pki.crlCheckSeconds },
    // Its pseudonym key is its own: the default, <dir>/<parte>/secrets/pseudonimi.key.
    security,
    identities,
    services,
    systemOperators: soloProprio(raw.systemOperators as Json),
    observability: { ...observability, ports: soloProprio((observability.ports ?? {}) as Json) },
    // PDND's endpoints and e-services; its authorization server is PDND's, not a party's; only purposes of identities it knows.
    ...(pdnd && { pdnd: pdndDellaParte(pdnd, services, identities) }),
  };
  mkdirSync(dirParte, { recursive: true });
  scriviPki(parte, cfg, dirParte, nomi, cfg.pki.crl.map((c) => c.crlFile), new Set(Object.keys(identities)));
  const out = path.join(dirParte, 'config.json');
  writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  return out;
}

export function configurazioniParti(federazione: Record<string, unknown>, siti: Record<Parte, SitoParte>, dir: string): Record<Parte, string> {
  const cfg = parseConfig(federazione, process.cwd());
  const raw = structuredClone(federazione);
  return Object.fromEntries(ENTI.map((p) => [p, scriviParte(p, raw, cfg, siti, dir)])) as Record<Parte, string>;
}

/**
 * After `npm run pki -- revoca` or `crl` (the CA's tools, on the federation's PKI): the new CRLs, and a renewed
 * certificate with its key, copied into the party directories under `dir` that already hold those files (a party
 * gets no file it did not have: no other party's key). The services re-read their CRL within pki.crlCheckSeconds.
 */
export function aggiornaPkiParti(cfg: FederationConfig, dir: string): string[] {
  const sorgenti = new Map<string, string>([...nomiPki(cfg)].map(([da, nome]) => [nome, da]));
  for (const id of Object.values(cfg.identities)) {
    const base = nomeFileIdentita(id.code);
    sorgenti.set(`${base}.cert.pem`, id.certFile);
    sorgenti.set(`${base}.key.pem`, id.keyFile);
  }
  const copiati: string[] = [];
  for (const parte of existsSync(dir) ? readdirSync(dir) : []) {
    const pki = path.join(dir, parte, PKI);
    for (const nome of existsSync(pki) ? readdirSync(pki) : []) {
      const da = sorgenti.get(nome);
      const a = path.join(pki, nome);
      if (!da || !existsSync(da) || readFileSync(da).equals(readFileSync(a))) continue;
      copyFileSync(da, a);
      copiati.push(a);
    }
  }
  return copiati;
}
