import { readFileSync } from 'node:fs';
import { servizioProprio } from '../../../shared/config/parte';
import https from 'node:https';
import { identityOf } from '../../../shared/config/load';
import { openDatabase } from '../../../shared/runtime/database';
import { runService } from '../../../shared/runtime/service';
import { closeServer, listen } from '../../../shared/soap/listen';
import { TLS_SERVER_POLICY } from '../../../shared/soap/tls-policy';
import { avviaAggiornamenti } from './aggiornamenti';
import { creaInstradamento, serviRichieste } from './instradamento';
import { rotteConsole } from './rotte';
import { archivioSessioni } from './sessione';
import { risorseStatiche } from './statici';
import { creaTraccia } from './traccia';
import { sessioneAperta } from './utenti';

/**
 * INPS case officers' web console over HTTPS: server-rendered pages on the INPS schema, local accounts with
 * server-side sessions, CSRF tokens on every POST, every view of citizen data traced in the access log with the
 * officer's id, supervisor pages, and live updates (server-sent events fed by PostgreSQL LISTEN/NOTIFY).
 * The request's stages are in instradamento.ts, the pages and who may see them in rotte.ts.
 */
runService('inps-console', async (rt) => {
  const svc = { ...rt.config.services.inpsConsole!, ...servizioProprio(rt.config, 'inpsConsole') };
  const identity = identityOf(rt.config, svc.identity);
  const { pool, registri, sospensioni } = await openDatabase(rt, svc.schema, ['messaging', 'inps']);
  const statici = risorseStatiche();
  const sessioni = archivioSessioni(pool, { inattivitaMinuti: svc.sessioneMinuti, massimaOre: svc.sessioneMassimaOre });
  const traccia = creaTraccia({ registri, clock: rt.clock, log: rt.log });
  const aggiornamenti = await avviaAggiornamenti({ pool, schema: svc.schema, log: rt.log, sessioneAperta: (idHash) => sessioneAperta(pool, idHash) });

  const tabella = rotteConsole({ pool, clock: rt.clock, registri, sospensioni, sessioni, traccia, aggiornamenti, log: rt.log, ambitoFunzionari: svc.ambitoFunzionari, rabbitmqUrl: rt.config.rabbitmq.url });
  const instrada = creaInstradamento({ tabella, statici, sessioni, sospensioni, traccia, clock: rt.clock });
  const server = https.createServer({ key: readFileSync(identity.keyFile), cert: readFileSync(identity.certFile), ...TLS_SERVER_POLICY }, serviRichieste(instrada, { publicUrl: svc.publicUrl, log: rt.log }));
  await listen(server, svc.listen);
  rt.onShutdown(async () => {
    aggiornamenti.chiudi();
    await closeServer(server);
  });
  rt.observability.readiness('https', () => server.listening || Promise.reject(new Error(`console ${svc.publicUrl} non in ascolto`)));
  // Without its LISTEN connection the console still serves pages, but they no longer update by themselves.
  rt.observability.readiness('aggiornamenti', () => aggiornamenti.inAscolto() || Promise.reject(new Error('connessione LISTEN per gli aggiornamenti in tempo reale assente')));
  rt.ready({ url: svc.publicUrl });
});
