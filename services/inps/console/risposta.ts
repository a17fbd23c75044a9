import type { ServerResponse } from 'node:http';
import { ApeError, toError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import { Html } from './html';
import { paginaErrore } from './pagine/layout';
import type { Richiesta } from './richiesta';

/** Headers on every answer: no framing, no inline script or style, nothing sent elsewhere. */
export const INTESTAZIONI_SICUREZZA: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=31536000',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** What a stage or a page answers: an HTML page unless its headers say otherwise. */
export class Risposta {
  constructor(readonly status: number, readonly body: Html | string, readonly headers: Record<string, string | string[]> = {}) {}
  static pagina(h: Html, status = 200): Risposta {
    return new Risposta(status, h);
  }
  static redirect(to: string, headers: Record<string, string | string[]> = {}): Risposta {
    return new Risposta(303, '', { Location: to, ...headers });
  }
}

/** Sends an answer with the security headers; pages are never cached (they carry personal data). */
export function scriviRisposta(res: ServerResponse, out: Risposta): void {
  const body = out.body instanceof Html ? out.body.value : out.body;
  res.writeHead(out.status, {
    ...INTESTAZIONI_SICUREZZA,
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    ...out.headers,
  });
  res.end(body);
}

/**
 * A request that failed: 400 with the reason for a form the console cannot read, otherwise 500 with the request id
 * only (the cause goes to the log). A stream already started can only be ended.
 */
export function scriviErrore(res: ServerResponse, err: unknown, r: Richiesta, log: Logger): void {
  const e = toError(err);
  const status = e instanceof ApeError && (e.code === 'CONTENT_TYPE_NON_VALIDO' || e.code === 'MESSAGGIO_TROPPO_GRANDE') ? 400 : 500;
  if (status === 500) log.error({ err: e, requestId: r.requestId, path: r.url.pathname }, 'console request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...INTESTAZIONI_SICUREZZA, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(paginaErrore(null, status === 400 ? 'Richiesta non valida' : 'Errore', status === 400 ? e.message : `Errore interno (richiesta ${r.requestId}).`).value);
}
