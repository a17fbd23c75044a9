import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, DEFAULT_CONFIG_FILE, identityOf } from '../../shared/config/load';
import type { FederationConfig } from '../../shared/config/schema';
import { addressOf } from '../../shared/config/addresses';
import type { EnteVerificatore } from '../../shared/domain/types';
import { envelope, operatoreHeader } from '../../shared/messages/envelope';
import { writePresentaDomanda } from '../../shared/messages/istruttoria';
import { PARTI_DIR, PROJECT_ROOT } from '../../shared/paths';
import { SistemaIstruttorio } from '../clients/sistema-istruttorio';
import { SCENARI, scenario } from '../demo/dataset';
import { Launcher } from '../local/launcher';
import { FEDERATION_PROCESSES, startService } from '../local/processes';
import { fileDelProcesso, preparaParti, type FederazioneParti } from '../local/federazione-parti';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';

/**
 * npm start: the whole federation on this machine. Prepares database, broker, PKI and demo archives, starts
 * every service as its own process, submits the demo domande through a standard SOAP client over mutual
 * TLS, prints how each one ended, and keeps running until Ctrl-C (or exits after the demo with --demo-only).
 */
const OPERATORE_DEMO = { id: 'INPS-OP-DEMO-0001', ufficio: 'INPS - Direzione provinciale di Roma' };

function formatLine(name: string, line: string): string {
  try {
    const j = JSON.parse(line) as Record<string, unknown>;
    const ids = ['idIstruttoria', 'idPacchetto', 'correlationId', 'code', 'ops'].filter((k) => j[k] !== undefined).map((k) => `${k}=${String(j[k])}`);
    return `[${name}] ${String(j.level ?? '')} ${String(j.msg ?? '')}${ids.length ? ` (${ids.join(' ')})` : ''}`;
  } catch {
    return `[${name}] ${line}`;
  }
}

/**
 * Every process under the launcher, each with its party's configuration (pdnd-as, PDND's stand-in, with the
 * federation's): one that exits unasked is started again (with backoff), as systemd does on a host.
 */
async function startAll(parti: FederazioneParti, federazioneFile: string, verbose: boolean): Promise<Launcher> {
  const launcher = new Launcher({
    evento: (e) => {
      if (e.tipo === 'uscito') console.error(`[${e.nome}] uscito (codice ${e.codice ?? '-'}, segnale ${e.segnale ?? '-'}): riavvio tra ${e.riavvioTraMs} ms`);
      else if (e.tipo === 'riavviato') console.error(`[${e.nome}] riavviato (${e.riavvii}° riavvio)`);
      else console.error(`[${e.nome}] riavvio fallito: ${e.errore}`);
    },
  });
  const avvia = (p: (typeof FEDERATION_PROCESSES)[number]) => () =>
    startService({
      ...p,
      env: { ...process.env, APE_CONFIG: fileDelProcesso(p.name, parti, federazioneFile) },
      onLine: (name, line) => {
        if (verbose || /"level":"(warn|error|fatal)"/.test(line) || /ready"/.test(line)) console.log(formatLine(name, line));
      },
    });
  try {
    await Promise.all(FEDERATION_PROCESSES.map((p) => launcher.avvia(p.name, avvia(p))));
  } catch (err) {
    await launcher.ferma();
    throw err;
  }
  return launcher;
}

/** The federation's file with its paths made absolute: the party files are written elsewhere. */
function conPercorsiAssoluti(configFile: string): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const config = loadConfig(configFile);
  const { pepperFile: _pepper, ...security } = (raw.security ?? {}) as Record<string, unknown>;
  const identities = Object.fromEntries(
    Object.entries(raw.identities as Record<string, Record<string, unknown>>).map(([code, id]) => {
      const c = config.identities[code]!;
      return [code, { ...id, ...(id.certFile !== undefined && { certFile: c.certFile }), ...(id.keyFile !== undefined && { keyFile: c.keyFile }), ...(id.caFile !== undefined && { caFile: c.caFile }) }];
    }),
  );
  return { ...raw, pki: { ...(raw.pki as object), dir: config.pki.dir, crl: config.pki.crl }, clock: config.clock, security, identities };
}

/** Closed, or waiting on an inspection INL opened. */
async function attendiFine(client: SistemaIstruttorio, idIstruttoria: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stato = await client.statoIstruttoria({ IdIstruttoria: idIstruttoria });
    const acc = (stato.Accertamento as { Stato?: string } | undefined)?.Stato;
    if (stato.Stato === 'CHIUSA' || (stato.Stato === 'VALUTAZIONE_INL' && acc === 'AVVIATO') || Date.now() > deadline) return stato;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function riga(stato: Record<string, unknown>): string {
  const pacchetti = ([] as Array<Record<string, unknown>>).concat(((stato.Pacchetti as Record<string, unknown>)?.Pacchetto ?? []) as Array<Record<string, unknown>>);
  return pacchetti.map((p) => `${String(p.Destinatario)}=${String(p.Esito ?? p.Stato)}`).join(' ');
}

async function demo(config: FederationConfig): Promise<boolean> {
  const caseSystem = identityOf(config, 'INPS_ISTRUTTORIA');
  const client = await SistemaIstruttorio.connect(addressOf(config, 'INPS', 'istruttoria').url, { keyFile: caseSystem.keyFile, certFile: caseSystem.certFile, caFile: config.pki.caCertFile }, OPERATORE_DEMO);
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  console.log('\nDomande dimostrative (client SOAP node-soap, mutua autenticazione TLS):');
  let allAsExpected = true;
  for (const [i, s] of SCENARI.entries()) {
    const protocollo = `INPS.DEMO.${stamp}.${String(i + 1).padStart(2, '0')}`;
    const ricevuta = await client.presentaDomanda(s.domanda(protocollo, new Date()));
    const stato = await attendiFine(client, ricevuta.idIstruttoria, 60_000);
    const acc = (stato.Accertamento as { Stato?: string; IdSegnalazione?: string } | undefined);
    const ok = stato.Stato === s.atteso.stato && stato.EsitoVerifica === s.atteso.esitoVerifica && acc?.Stato === s.atteso.accertamento;
    allAsExpected &&= ok;
    const dove = stato.Stato === 'CHIUSA' ? `regola=${String(stato.RegolaChiusura)}` : `accertamento INL ${acc?.Stato ?? '-'} (segnalazione ${acc?.IdSegnalazione ?? '-'})`;
    console.log(`  ${ok ? 'ok ' : 'NO '} ${protocollo}  ${s.chiave.padEnd(20)} stato=${String(stato.Stato)} esito=${String(stato.EsitoVerifica ?? '-')} ${dove}  [${riga(stato)}]`);
    console.log(`       ${s.descrizione}`);
  }
  return allAsExpected;
}

/** Where the web console is and the demo accounts to try it with (development only: setup creates them). */
function consoleWeb(config: FederationConfig): string {
  const c = config.services.inpsConsole;
  if (!c) return '';
  return `Console web dei funzionari INPS (certificato della CA di sviluppo: accettarlo nel browser, o importare ${path.relative(process.cwd(), config.pki.caCertFile)}):
  ${c.publicUrl}/
${ACCOUNT_DEMO.map((a) => `  ${a.ruolo.padEnd(10)} utente ${a.id.padEnd(18)} password ${a.password}`).join('\n')}
`;
}

function istruzioni(config: FederationConfig): void {
  const istruttoria = addressOf(config, 'INPS', 'istruttoria').url;
  const cs = identityOf(config, 'INPS_ISTRUTTORIA');
  const sample = path.join(PROJECT_ROOT, 'var', 'demo', 'domanda-esempio.xml');
  const firmata = path.join(PROJECT_ROOT, 'var', 'demo', 'domanda-firmata.xml');
  mkdirSync(path.dirname(sample), { recursive: true });
  const d = scenario('conforme').domanda(`INPS.ESEMPIO.${Date.now()}`, new Date());
  writeFileSync(sample, envelope([operatoreHeader(OPERATORE_DEMO)], writePresentaDomanda(d)));
  const rel = (p: string) => path.relative(process.cwd(), p);
  console.log(`
Endpoint (SOAP 1.1 su HTTPS con mutua autenticazione; WSDL con ?wsdl):
  INPS istruttoria    ${istruttoria}
  INPS esiti          ${addressOf(config, 'INPS', 'esiti').url}
  Ministero (hub)     ${addressOf(config, 'hub', 'verifica').url}
${(Object.keys(config.services.agencies) as EnteVerificatore[]).map((e) => `  ${e.padEnd(19)} ${addressOf(config, e, 'verifica').url}`).join('\n')}
${pdnd(config)}

Registrare l'esito di un accertamento INL (come ispettore identificato):
  npm run inl -- elenco
  npm run inl -- esito --segnalazione <id> --esito REQUISITI_CONFERMATI --ispettore INL-ISP-0042

Presentare una domanda di esempio:
  npm run domanda -- invia --scenario conforme        (scenari: ${SCENARI.map((s) => s.chiave).join(', ')})
  npm run domanda -- stato <protocollo o id istruttoria>
oppure con curl, come sistema istruttorio INPS (la busta va firmata, WS-Security ModI ID_AUTH_SOAP_02):
  npm run --silent domanda -- firma ${rel(sample)} > ${rel(firmata)}
  curl --cert ${rel(cs.certFile)} --key ${rel(cs.keyFile)} --cacert ${rel(config.pki.caCertFile)} \\
       -H 'Content-Type: text/xml; charset=utf-8' --data-binary @${rel(firmata)} ${istruttoria}

${consoleWeb(config)}
Ctrl-C per fermare la federazione.`);
}

/** Where vouchers come from, and for whom PDND is on (docs/PDND.md). */
function pdnd(config: FederationConfig): string {
  if (!config.pdnd) return '';
  const attive = Object.values(config.identities).filter((i) => i.pdnd?.attivo).map((i) => i.code);
  return `
PDND (voucher e evidenza di tracciamento dell'operatore; docs/PDND.md):
  token endpoint      ${config.pdnd.tokenEndpoint}
  JWKS                ${config.pdnd.jwksUrl}
  attivo per          ${attive.length > 0 ? attive.join(', ') : 'nessuna identità'}`;
}

async function main(): Promise<void> {
  const configFile = path.resolve(process.env.APE_CONFIG ?? DEFAULT_CONFIG_FILE);
  const args = process.argv.slice(2);
  // The five parties' own configurations, databases (ape_<parte>), vhosts and users, from the federation's file.
  const parti = await preparaParti({ federazione: conPercorsiAssoluti(configFile), dir: PARTI_DIR, prefisso: 'ape', demo: true });
  console.log(`Configurazioni delle parti: ${path.relative(process.cwd(), PARTI_DIR)}/<parte>/config.json`);
  // The demo and the instructions speak as INPS (its case system and its console), with INPS's file.
  const config = loadConfig(parti.file.INPS);
  const launcher = await startAll(parti, configFile, args.includes('--verbose'));
  console.log(`Federazione avviata: ${FEDERATION_PROCESSES.map((p) => p.name).join(', ')}`);
  const stop = () => launcher.ferma();
  let ok = true;
  try {
    if (!args.includes('--no-demo')) ok = await demo(config);
  } catch (err) {
    console.error(`demo fallita: ${err instanceof Error ? err.message : String(err)}`);
    ok = false;
  }
  if (args.includes('--demo-only')) {
    await stop();
    process.exit(ok ? 0 : 1);
  }
  istruzioni(config);
  const onSignal = () => void stop().then(() => process.exit(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
