import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApeError } from '../../../shared/errors';

/** One request to the console, as every stage and page sees it. */
export interface Richiesta {
  req: IncomingMessage;
  /** The request's URL against the console's public URL (path and query string as the browser sent them). */
  url: URL;
  /** A fresh id, in the access record and in the log, and shown on the error page of a failure. */
  requestId: string;
  ip: string;
  /** Date.now() on arrival: the access record's duration. */
  inizio: number;
}

export function nuovaRichiesta(req: IncomingMessage, publicUrl: string): Richiesta {
  return { req, url: new URL(req.url ?? '/', publicUrl), requestId: randomUUID(), ip: String(req.socket.remoteAddress ?? ''), inizio: Date.now() };
}

/** The request's cookies by name (the last one wins when a name repeats). */
export function leggiCookie(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** Largest form body accepted, in bytes (16 KiB: the console's forms are a few short fields). */
const MAX_BODY = 16 * 1024;

/** A POSTed form (application/x-www-form-urlencoded only); any other body is refused with a coded error. */
export function leggiModulo(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('application/x-www-form-urlencoded')) {
      reject(new ApeError('CONTENT_TYPE_NON_VALIDO', 'modulo non valido'));
      req.resume();
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApeError('MESSAGGIO_TROPPO_GRANDE', 'modulo troppo grande'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
