import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { nuovaRichiesta, type Richiesta } from '../../services/inps/console/richiesta';
import type { Sessione } from '../../services/inps/console/utenti';

/**
 * An HTTP request to the console without a server: a real IncomingMessage (a readable stream) with the given
 * method, path, headers and body, for the unit tests of the request stages.
 */
export function richiesta(metodo: string, percorso: string, o: { headers?: Record<string, string>; corpo?: string } = {}): { r: Richiesta; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = metodo;
  req.url = percorso;
  req.headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (o.corpo !== undefined) req.push(o.corpo);
  req.push(null);
  return { r: nuovaRichiesta(req, 'https://console.test:8443'), res: new ServerResponse(req) };
}

/** A form body with its content type. */
export function modulo(campi: Record<string, string>): { headers: Record<string, string>; corpo: string } {
  return { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, corpo: new URLSearchParams(campi).toString() };
}

export function sessioneDi(ruolo: 'officer' | 'supervisor' | 'admin', id = `${ruolo}.prova`): Sessione {
  return { idHash: `hash-${id}`, csrf: `csrf-${id}`, creataIl: new Date('2026-03-01T08:00:00Z'), operatore: { id, nome: `Nome ${id}`, ufficio: 'INPS - sede di prova', ruolo, attivo: true } };
}
