import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApeError } from '../errors';
import type { FederationConfig } from '../config/schema';
import { issueCrl, normaliseSerial, readCrl, type CrlContent, type MotivoRevoca, type RevokedEntry } from './crl';
import type { KeyPairPem } from './certificates';

/**
 * The development PKI as a CRL issuer: for each CA in pki.crl whose private key it holds (the CA certificate's file
 * with .cert.pem read as .key.pem: <pki.dir>/ca.key.pem for the federation CA), it keeps the CRL file the services
 * read. Each CRL is valid CRL_VALIDITY_DAYS; setup reissues it when half of that has passed, every revocation
 * issues a new one at once. The CRL file is the list of revocations: a new CRL is the one in force plus the change,
 * with the next CRL number, written to a temporary file and renamed over the old one, so that a service never reads
 * half a file.
 */

export const CRL_VALIDITY_DAYS = 30;
const DAY_MS = 86_400_000;

interface CaSource {
  caFile: string;
  crlFile: string;
  caCert: X509Certificate;
  /** Null when this PKI does not hold the CA's key (a party's own CA): its CRL comes from that CA. */
  key: KeyPairPem | null;
}

function caKeyFile(caFile: string): string {
  return path.join(path.dirname(caFile), path.basename(caFile).replace(/(\.cert)?\.pem$/, '') + '.key.pem');
}

function sources(config: FederationConfig): CaSource[] {
  return config.pki.crl.map(({ caFile, crlFile }) => {
    const certPem = readFileSync(caFile, 'utf8');
    const keyFile = caKeyFile(caFile);
    return { caFile, crlFile, caCert: new X509Certificate(certPem), key: existsSync(keyFile) ? { certPem, keyPem: readFileSync(keyFile, 'utf8') } : null };
  });
}

/** The CRL in force, verified; an unreadable one is an error here (reissuing over it would lose its revocations). */
function current(s: CaSource): CrlContent | null {
  if (!existsSync(s.crlFile)) return null;
  try {
    return readCrl(readFileSync(s.crlFile), s.caCert);
  } catch (err) {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `la CRL ${s.crlFile} non è valida (${(err as Error).message}): ripristinarla da una copia prima di emetterne una nuova, per non perdere le revoche`, { cause: err });
  }
}

function write(s: CaSource, revoked: readonly RevokedEntry[], previous: CrlContent | null, now: Date): CrlContent {
  const content: CrlContent = { number: (previous?.number ?? 0) + 1, thisUpdate: now, nextUpdate: new Date(now.getTime() + CRL_VALIDITY_DAYS * DAY_MS), revoked };
  const temporary = `${s.crlFile}.${process.pid}.tmp`;
  writeFileSync(temporary, issueCrl(s.key!, s.caCert, content));
  renameSync(temporary, s.crlFile);
  return content;
}

export interface CrlIssued {
  crlFile: string;
  number: number;
  revoked: number;
}

/**
 * At setup: a CRL for each CA whose key this PKI holds, issued when absent (empty) or past half its validity. Returns
 * what was issued; a CA whose key is elsewhere and whose CRL file is missing is reported in `missing`.
 */
export function ensureCrls(config: FederationConfig, now = new Date()): { issued: CrlIssued[]; missing: string[] } {
  const issued: CrlIssued[] = [];
  const missing: string[] = [];
  for (const s of sources(config)) {
    if (!s.key) {
      if (!existsSync(s.crlFile)) missing.push(s.crlFile);
      continue;
    }
    const crl = current(s);
    if (crl && crl.nextUpdate.getTime() - now.getTime() > (CRL_VALIDITY_DAYS * DAY_MS) / 2) continue;
    const c = write(s, crl?.revoked ?? [], crl, now);
    issued.push({ crlFile: s.crlFile, number: c.number, revoked: c.revoked.length });
  }
  return { issued, missing };
}

/** `npm run pki -- crl`: a new CRL for every CA whose key this PKI holds, same revocations, validity from now. */
export function reissueCrls(config: FederationConfig, now = new Date()): CrlIssued[] {
  return sources(config)
    .filter((s) => s.key)
    .map((s) => {
      const crl = current(s);
      const c = write(s, crl?.revoked ?? [], crl, now);
      return { crlFile: s.crlFile, number: c.number, revoked: c.revoked.length };
    });
}

export interface RevocationDone extends CrlIssued {
  serial: string;
  subject: string;
  /** False when the CRL already listed the certificate (nothing changed). */
  added: boolean;
}

/** Revokes a certificate issued by one of the CAs in pki.crl whose key this PKI holds, and issues the new CRL. */
export function revokeCertificate(config: FederationConfig, certPem: string, reason: MotivoRevoca, now = new Date()): RevocationDone {
  const cert = new X509Certificate(certPem);
  const subject = cert.subject.replace(/\n/g, ', ');
  const s = sources(config).find((x) => cert.checkIssued(x.caCert) && cert.verify(x.caCert.publicKey));
  if (!s) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `il certificato "${subject}" non è emesso da nessuna CA con una CRL in pki.crl`);
  if (!s.key) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `la chiave della CA di "${subject}" (${caKeyFile(s.caFile)}) non è in questa PKI: la revoca va chiesta alla CA che lo ha emesso`);
  const serial = normaliseSerial(cert.serialNumber);
  const crl = current(s);
  const listed = crl?.revoked ?? [];
  if (listed.some((r) => r.serial === serial)) return { serial, subject, added: false, crlFile: s.crlFile, number: crl!.number, revoked: listed.length };
  const c = write(s, [...listed, { serial, revokedAt: now, reason }], crl, now);
  return { serial, subject, added: true, crlFile: s.crlFile, number: c.number, revoked: c.revoked.length };
}

/** Every CRL in pki.crl as it stands (for `npm run pki -- stato`). */
export function crlReport(config: FederationConfig): Array<{ caFile: string; crlFile: string; crl: CrlContent | null; error?: string }> {
  return config.pki.crl.map(({ caFile, crlFile }) => {
    try {
      const caCert = new X509Certificate(readFileSync(caFile));
      return { caFile, crlFile, crl: existsSync(crlFile) ? readCrl(readFileSync(crlFile), caCert) : null };
    } catch (err) {
      return { caFile, crlFile, crl: null, error: (err as Error).message };
    }
  });
}
