import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../shared/paths';
import type { Richiesta } from './richiesta';
import { Risposta } from './risposta';

const CARTELLA = path.join(PROJECT_ROOT, 'services', 'inps', 'console', 'static');

/**
 * The console's two static files (read once at start) and the favicon it does not have. Served before any route
 * and without a session; only to GET, like a static-file middleware: any other method goes on as a page request.
 */
export function risorseStatiche(): (r: Richiesta) => Risposta | null {
  const file = new Map<string, { tipo: string; corpo: Buffer }>([
    ['/static/console.css', { tipo: 'text/css; charset=utf-8', corpo: readFileSync(path.join(CARTELLA, 'console.css')) }],
    ['/static/console.js', { tipo: 'text/javascript; charset=utf-8', corpo: readFileSync(path.join(CARTELLA, 'console.js')) }],
  ]);
  return (r) => {
    if (r.url.pathname === '/favicon.ico') return new Risposta(204, '');
    const f = file.get(r.url.pathname);
    if (f && (r.req.method ?? 'GET') === 'GET') return new Risposta(200, f.corpo.toString('utf8'), { 'Content-Type': f.tipo, 'Cache-Control': 'no-cache' });
    return null;
  };
}
