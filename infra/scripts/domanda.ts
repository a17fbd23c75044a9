import { readFileSync } from 'node:fs';
import { fileDellaParte, identityOf, loadConfig } from '../../shared/config/load';
import { signEnvelope } from '../../shared/soap/wssecurity';
import { addressOf } from '../../shared/config/addresses';
import { SistemaIstruttorio } from '../clients/sistema-istruttorio';
import { SCENARI, scenario } from '../demo/dataset';

/**
 * npm run domanda -- invia --scenario <chiave> [--protocollo P]
 * npm run domanda -- stato <protocollo | id istruttoria>
 * npm run domanda -- firma <busta.xml>
 * A small INPS case-system client for the running federation (node-soap over mutual TLS, WS-Security signed);
 * `firma` prints an envelope signed as the case system, for curl or any HTTP tool (valid five minutes, once).
 */
const USAGE = `uso:
  npm run domanda -- invia --scenario <${SCENARI.map((s) => s.chiave).join('|')}> [--protocollo P]
  npm run domanda -- stato <protocollo | id istruttoria>
  npm run --silent domanda -- firma <busta.xml>`;

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  // The INPS case system's tool: INPS's file (npm start's var/parti/inps/config.json, or APE_CONFIG).
  const config = loadConfig(fileDellaParte('INPS'));
  const cs = identityOf(config, 'INPS_ISTRUTTORIA');
  const endpoint = addressOf(config, 'INPS', 'istruttoria').url;
  if (cmd === 'firma' && rest[0]) {
    const busta = readFileSync(rest[0], 'utf8');
    process.stdout.write(signEnvelope(busta, { keyPem: readFileSync(cs.keyFile, 'utf8'), certPem: readFileSync(cs.certFile, 'utf8'), to: endpoint, now: new Date() }));
    return;
  }
  const client = await SistemaIstruttorio.connect(
    endpoint,
    { keyFile: cs.keyFile, certFile: cs.certFile, caFile: config.pki.caCertFile },
    { id: process.env.APE_OPERATORE ?? 'INPS-OP-CLI', ufficio: process.env.APE_UFFICIO ?? 'INPS - riga di comando' },
  );
  const opt = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (cmd === 'invia') {
    const s = scenario(opt('scenario') ?? 'conforme');
    const protocollo = opt('protocollo') ?? `INPS.CLI.${Date.now()}`;
    const r = await client.presentaDomanda(s.domanda(protocollo, new Date()));
    console.log(JSON.stringify({ protocollo, ...r }, null, 2));
  } else if (cmd === 'stato' && rest[0]) {
    const key = /^[0-9a-f-]{36}$/.test(rest[0]) ? { IdIstruttoria: rest[0] } : { ProtocolloDomanda: rest[0] };
    console.log(JSON.stringify(await client.statoIstruttoria(key), null, 2));
  } else {
    console.error(USAGE);
    process.exit(2);
  }
}

main().catch((err: unknown) => {
  const e = err as { message?: string; root?: unknown };
  console.error(`errore: ${e.message ?? String(err)}`);
  process.exit(1);
});
