import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApeError } from '../errors';
import type { Logger } from '../log';
import { CrlError, normaliseSerial, readCrl, type Crl, type MotivoRevoca } from './crl';

/**
 * The CRLs of every CA a process trusts, kept current without a restart: read at start (a CRL that cannot be read
 * or verified then stops the process, like any bad configuration), then again whenever its file's content changes
 * (looked at every `crlCheckSeconds`; by content, as a file's modification time is too coarse to see two writes
 * within a few milliseconds, and a CRL is small). A new CRL replaces the current one only if it
 * verifies against its CA and is not older than it (a lower CRL number would bring back a revoked certificate: an
 * old, genuinely signed CRL is as dangerous as a forged one); otherwise it is refused with an error in the log and
 * the current one stays. A CRL past its nextUpdate is still used (it is the latest word of the CA) and logged as
 * an error every time it is read, and hourly while it stays so: the CA, or whoever copies its CRL here, is late.
 */

export interface CrlSource {
  caFile: string;
  crlFile: string;
}

export interface Revocation {
  serial: string;
  revokedAt: Date;
  reason: MotivoRevoca;
  /** The CA that revoked it (its subject). */
  ca: string;
  crlNumber: number;
}

/** What the certificate checks need of the store (tests give a fake). */
export type RevocationCheck = Pick<CrlStore, 'revoked'>;

/**
 * Throws CERTIFICATO_REVOCATO when the certificate (`what`, e.g. 'il certificato client "x"') is on its CA's CRL.
 * Not retryable: the same certificate will stay revoked; a call succeeds again only with a new certificate.
 */
export function refuseRevoked(check: RevocationCheck | null | undefined, caFingerprint256: string | undefined, serialNumber: string, what: string): void {
  const r = check?.revoked(caFingerprint256, serialNumber);
  if (!r) return;
  throw new ApeError(
    'CERTIFICATO_REVOCATO',
    `${what} (numero di serie ${r.serial}) è stato revocato da ${r.ca} il ${r.revokedAt.toISOString()} (motivo: ${r.reason}, CRL numero ${r.crlNumber}): serve un nuovo certificato emesso dalla CA`,
  );
}

export interface CrlStatus {
  ca: string;
  crlFile: string;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: number;
}

interface Tracked {
  source: CrlSource;
  ca: X509Certificate;
  crl: Crl;
  revoked: Map<string, Revocation>;
  /** Digest of the file's content when last read: a change is a reason to verify it again. */
  seen: string;
  expiredLoggedAt: number;
}

const EXPIRED_LOG_EVERY_MS = 3_600_000;

const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export class CrlStore {
  /** By the CA certificate's SHA-256 fingerprint, as Node prints it (AA:BB:...). */
  private readonly byCa = new Map<string, Tracked>();

  constructor(
    sources: readonly CrlSource[],
    private readonly o: { log: Logger; now?: () => Date },
  ) {
    for (const source of sources) {
      let ca: X509Certificate;
      let data: Buffer;
      let crl: Crl;
      try {
        ca = new X509Certificate(readFileSync(source.caFile));
        data = readFileSync(source.crlFile);
        crl = readCrl(data, ca);
      } catch (err) {
        throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `pki.crl: la CRL ${source.crlFile} della CA ${source.caFile} non è utilizzabile: ${(err as Error).message}`, { cause: err });
      }
      const tracked: Tracked = { source, ca, crl, revoked: this.index(crl), seen: digest(data), expiredLoggedAt: 0 };
      this.byCa.set(ca.fingerprint256, tracked);
      this.o.log.info(this.fields(tracked), 'CRL loaded');
      this.reportExpiry(tracked, true);
    }
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private index(crl: Crl): Map<string, Revocation> {
    return new Map(crl.revoked.map((r) => [r.serial, { ...r, ca: crl.issuer, crlNumber: crl.number }]));
  }

  private fields(t: Tracked): Record<string, unknown> {
    return { ca: t.crl.issuer, crlFile: t.source.crlFile, crlNumber: t.crl.number, thisUpdate: t.crl.thisUpdate, nextUpdate: t.crl.nextUpdate, revocati: t.crl.revoked.length };
  }

  /** The revocation of a certificate by its issuing CA and serial number; null when that CA's CRL does not list it (or no CRL is configured for it). */
  revoked(caFingerprint256: string | undefined, serialNumber: string): Revocation | null {
    if (!caFingerprint256) return null;
    return this.byCa.get(caFingerprint256)?.revoked.get(normaliseSerial(serialNumber)) ?? null;
  }

  /** Whether a CRL is configured for the CA (revocation is checked only for those). */
  covers(caFingerprint256: string): boolean {
    return this.byCa.has(caFingerprint256);
  }

  /** Re-reads the CRLs whose file changed; a refused one leaves the current one in place. Never throws. */
  refresh(): void {
    for (const t of this.byCa.values()) {
      let data: Buffer;
      try {
        data = readFileSync(t.source.crlFile);
      } catch (err) {
        this.o.log.error({ ...this.fields(t), err: (err as Error).message }, 'CRL file unreadable: the CRL read before stays in force');
        continue;
      }
      const seen = digest(data);
      if (seen !== t.seen) this.reload(t, data, seen);
      else this.reportExpiry(t, false);
    }
  }

  private reload(t: Tracked, data: Buffer, seen: string): void {
    // A refused content is not verified again at every check, only when the file changes again.
    t.seen = seen;
    let crl: Crl;
    try {
      crl = readCrl(data, t.ca);
      if (crl.number < t.crl.number) throw new CrlError(`ha numero ${crl.number}, inferiore a quello della CRL in vigore (${t.crl.number}): una CRL più vecchia non sostituisce la più recente`);
    } catch (err) {
      this.o.log.error({ ...this.fields(t), err: (err as Error).message }, 'CRL refused: the CRL read before stays in force');
      return;
    }
    const before = t.revoked.size;
    t.crl = crl;
    t.revoked = this.index(crl);
    t.expiredLoggedAt = 0;
    this.o.log.info({ ...this.fields(t), revocatiPrima: before }, 'CRL reloaded');
    this.reportExpiry(t, true);
  }

  /** An expired CRL is an error each time it is read, and once an hour while it stays in force. */
  private reportExpiry(t: Tracked, justRead: boolean): void {
    const now = this.now().getTime();
    if (t.crl.nextUpdate.getTime() > now) return;
    if (!justRead && now - t.expiredLoggedAt < EXPIRED_LOG_EVERY_MS) return;
    t.expiredLoggedAt = now;
    this.o.log.error(this.fields(t), `CRL expired: nextUpdate ${t.crl.nextUpdate.toISOString()} has passed; its revocations stay in force until the CA's next CRL is in ${t.source.crlFile}`);
  }

  /** Checks the files every `seconds` until stopped. */
  watch(seconds: number): () => void {
    const timer = setInterval(() => this.refresh(), seconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  status(): CrlStatus[] {
    return [...this.byCa.values()].map((t) => ({ ca: t.crl.issuer, crlFile: t.source.crlFile, number: t.crl.number, thisUpdate: t.crl.thisUpdate, nextUpdate: t.crl.nextUpdate, revoked: t.crl.revoked.length }));
  }
}
