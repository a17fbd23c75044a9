import { randomUUID } from 'node:crypto';
import { servizioProprio } from '../../../shared/config/parte';
import os from 'node:os';
import { Pseudonimizzatore } from '../../../shared/audit/pseudonimi';
import { Registri } from '../../../shared/audit/registri';
import { createPool } from '../../../shared/db/pool';
import { runCli, usageError } from '../../../shared/runtime/cli';
import { nuovoToken } from './sicurezza';
import { cambiaPassword, cambiaRuolo, creaOperatore, disattiva, elencoOperatori } from './utenti';

/**
 * npm run console:utenti -- <comando>: the web console's local accounts. Passwords never go on the command line
 * (they would stay in the shell history and the process list): --password-stdin reads one line from standard
 * input, otherwise a random one is generated and shown once. Every change is traced in the access log.
 */
const USAGE = `uso:
  npm run console:utenti -- crea --id ID --nome "Nome Cognome" --ufficio "Sede" --ruolo officer|supervisor|admin [--password-stdin]
  npm run console:utenti -- ruolo --id ID --ruolo officer|supervisor|admin
  npm run console:utenti -- password --id ID [--password-stdin]
  npm run console:utenti -- disattiva --id ID
  npm run console:utenti -- elenco
(--autore ID: chi fa la modifica, nel registro degli accessi; se omesso, l'utente di sistema)`;

async function passwordDa(stdin: boolean): Promise<{ password: string; generata: boolean }> {
  if (!stdin) return { password: `${nuovoToken().slice(0, 20)}-1a`, generata: true };
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return { password: Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '', generata: false };
}

runCli(async (args, { config, clock }) => {
  const schema = servizioProprio(config, config.services.inpsConsole ? 'inpsConsole' : 'inpsGateway').schema;
  const pool = createPool(config.postgres.url, schema, { max: 2, applicationName: 'console-utenti-cli' });
  const autore = args.opt('autore') ?? os.userInfo().username;
  const traccia = (operazione: string, id: string) =>
    new Registri(pool, Pseudonimizzatore.daFile(config.security.pepperFile)).registraAccesso(
      {
        requestId: randomUUID(), at: clock.now(), service: 'console-utenti', operation: operazione, identity: null, certificateSubject: null,
        operatore: { id: autore, ufficio: 'Amministrazione console' }, remoteAddress: 'locale', outcome: 'ACCETTATA', faultCode: null, durationMs: 0,
        riferimenti: { operatore: id } as Record<string, string>,
      },
      'CLI',
    );
  try {
    switch (args.command) {
      case 'crea': {
        const id = args.required('id', USAGE);
        const { password, generata } = await passwordDa(args.flag('password-stdin'));
        await creaOperatore(pool, { id, nome: args.required('nome', USAGE), ufficio: args.required('ufficio', USAGE), ruolo: args.required('ruolo', USAGE), password }, clock.now());
        await traccia('console-utenti:crea', id);
        console.log(`operatore ${id} creato${generata ? `; password iniziale (mostrata una sola volta): ${password}` : ''}`);
        return;
      }
      case 'ruolo': {
        const id = args.required('id', USAGE);
        await cambiaRuolo(pool, id, args.required('ruolo', USAGE), clock.now());
        await traccia('console-utenti:ruolo', id);
        console.log(`ruolo di ${id} aggiornato`);
        return;
      }
      case 'password': {
        const id = args.required('id', USAGE);
        const { password, generata } = await passwordDa(args.flag('password-stdin'));
        await cambiaPassword(pool, id, password, clock.now());
        await traccia('console-utenti:password', id);
        console.log(`password di ${id} cambiata, sessioni aperte chiuse${generata ? `; nuova password (mostrata una sola volta): ${password}` : ''}`);
        return;
      }
      case 'disattiva': {
        const id = args.required('id', USAGE);
        await disattiva(pool, id, clock.now());
        await traccia('console-utenti:disattiva', id);
        console.log(`operatore ${id} disattivato, sessioni aperte chiuse`);
        return;
      }
      case 'elenco': {
        const ops = await elencoOperatori(pool);
        console.table(ops.map((o) => ({ id: o.id, nome: o.nome, ufficio: o.ufficio, ruolo: o.ruolo, attivo: o.attivo })));
        return;
      }
      default:
        usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
    }
  } finally {
    await pool.end();
  }
}, { parte: () => 'INPS' });
