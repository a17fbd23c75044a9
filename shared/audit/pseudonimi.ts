import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Keyed pseudonyms of codici fiscali (HMAC-SHA256 with a secret key): the access log and purged records keep a
 * value that identifies the same citizen without revealing who it is; a supervisor who knows the codice fiscale
 * can search for it. The key is generated at setup, readable only by the service user.
 */
export class Pseudonimizzatore {
  constructor(private readonly chiave: Buffer) {}

  static daFile(file: string): Pseudonimizzatore {
    return new Pseudonimizzatore(readFileSync(file));
  }

  codiceFiscale(cf: string): string {
    return `PS1-${createHmac('sha256', this.chiave).update(cf.toUpperCase()).digest('hex').slice(0, 40)}`;
  }
}

/** Creates the pseudonym key (32 random bytes, mode 0600) when absent. */
export function assicuraChiavePseudonimi(file: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, randomBytes(32), { mode: 0o600 });
  chmodSync(file, 0o600);
  return true;
}
