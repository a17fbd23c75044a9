import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * The console's credentials and tokens: scrypt password hashes that carry their own parameters (so they can be
 * raised later without invalidating old hashes), session ids kept only as a digest, per-session CSRF tokens, and
 * the idle/absolute expiry of a session.
 */

/** scrypt parameters (N=2^15, r=8, p=1: the OWASP recommendation), 16-byte salt, 32-byte key. */
export const SCRYPT = { N: 32768, r: 8, p: 1, keyLen: 32 } as const;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A password's stored form: scrypt$N$r$p$salt$key (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 16 || expected.length < 16) return false;
  const key = await derive(password, salt, N, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** Checked by the CLI and the demo setup: a password an officer might really use. */
export function problemaPassword(password: string): string | null {
  if (password.length < 12) return 'la password deve avere almeno 12 caratteri';
  if (password.length > 256) return 'la password non può superare 256 caratteri';
  if (!/[a-zA-Z]/.test(password) || !/[^a-zA-Z]/.test(password)) return 'la password deve contenere lettere e almeno una cifra o un simbolo';
  return null;
}

/** A new random token (session id, CSRF token): 32 bytes, base64url. */
export function nuovoToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a session id. */
export function digestSessione(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** Constant-time comparison of a submitted CSRF token with the session's (synchronizer token pattern). */
export function csrfValido(atteso: string, ricevuto: unknown): boolean {
  if (typeof ricevuto !== 'string' || ricevuto.length === 0) return false;
  const a = Buffer.from(atteso);
  const b = Buffer.from(ricevuto);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface LimitiSessione {
  /** Minutes of inactivity after which a session ends. */
  inattivitaMinuti: number;
  /** Hours after login after which a session ends whatever the activity. */
  massimaOre: number;
}

/** Why a session is no longer valid at `now`, or null while it is. */
export function sessioneScaduta(s: { creataIl: Date; ultimoUsoIl: Date; chiusaIl: Date | null }, now: Date, l: LimitiSessione): 'CHIUSA' | 'INATTIVITA' | 'DURATA_MASSIMA' | null {
  if (s.chiusaIl !== null) return 'CHIUSA';
  if (now.getTime() - s.creataIl.getTime() >= l.massimaOre * 3_600_000) return 'DURATA_MASSIMA';
  if (now.getTime() - s.ultimoUsoIl.getTime() >= l.inattivitaMinuti * 60_000) return 'INATTIVITA';
  return null;
}
