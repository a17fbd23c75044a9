import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool, PoolClient } from 'pg';
import { toError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import { INTESTAZIONI_SICUREZZA } from './risposta';
import type { Sessione } from './utenti';

/**
 * Live updates: one LISTEN connection, fanned out to the open pages as server-sent events. The trigger of migration
 * inps/004 notifies `ape_console_<schema>` with the id of each istruttoria that gained an event, when its
 * transaction commits; the pages' script (static/console.js) fetches itself again for the ids it shows.
 */
export interface Aggiornamenti {
  /** Serves the event stream of a session on `res`, until the browser leaves, the session ends or the console stops. */
  apri(req: IncomingMessage, res: ServerResponse, s: Sessione): void;
  /** Whether the LISTEN connection is up (readiness: without it pages no longer update by themselves). */
  inAscolto(): boolean;
  chiudi(): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Interval of the keep-alive comment and of the check that the stream's session is still open, in ms. */
const BATTITO_MS = 25_000;

export async function avviaAggiornamenti(d: { pool: Pool; schema: string; log: Logger; sessioneAperta(idHash: string): Promise<boolean> }): Promise<Aggiornamenti> {
  const flussi = new Set<{ res: ServerResponse; idHash: string }>();
  let ascolto: PoolClient | null = null;
  let chiuso = false;
  // Reconnects for as long as the console runs: 1 s after a lost connection, 2 s after a failed attempt.
  const ascolta = async (): Promise<void> => {
    if (chiuso) return;
    try {
      const client = await d.pool.connect();
      ascolto = client;
      client.on('notification', (n) => {
        const id = n.payload ?? '';
        if (!UUID.test(id)) return;
        for (const f of flussi) f.res.write(`event: istruttoria\ndata: ${id}\n\n`);
      });
      client.on('error', (err) => {
        // Already given back (chiudi(), then the server ended the connection): releasing twice would throw.
        if (ascolto !== client) return;
        d.log.warn({ err: err.message }, 'live updates: LISTEN connection lost; reconnecting');
        ascolto = null;
        client.release(true);
        setTimeout(() => void ascolta(), 1000).unref();
      });
      await client.query(`LISTEN ape_console_${d.schema}`);
    } catch (err) {
      d.log.warn({ err: toError(err).message }, 'live updates: cannot LISTEN; retrying');
      ascolto?.release(true);
      ascolto = null;
      setTimeout(() => void ascolta(), 2000).unref();
    }
  };
  await ascolta();
  // Every 25 s: a comment keeps proxies from closing the stream, and a session that ended closes it.
  const battito = setInterval(() => {
    for (const f of flussi) {
      void d
        .sessioneAperta(f.idHash)
        .then((aperta) => (aperta ? f.res.write(': battito\n\n') : f.res.end()))
        // A check that fails leaves the stream open until the next beat checks again; a database that is down
        // is already reported by the LISTEN loop above and by the readiness checks.
        .catch(() => undefined);
    }
  }, BATTITO_MS);
  battito.unref();

  return {
    apri(req, res, s) {
      res.writeHead(200, { ...INTESTAZIONI_SICUREZZA, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write('retry: 3000\n\n');
      const f = { res, idHash: s.idHash };
      flussi.add(f);
      req.on('close', () => flussi.delete(f));
    },
    inAscolto: () => ascolto !== null,
    chiudi() {
      chiuso = true;
      clearInterval(battito);
      for (const f of flussi) f.res.end();
      flussi.clear();
      const client = ascolto;
      ascolto = null;
      client?.release(true);
    },
  };
}
