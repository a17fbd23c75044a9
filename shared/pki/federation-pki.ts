import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ApeError } from '../errors';
import type { FederationConfig, IdentityConfig } from '../config/schema';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from './certificates';
import type { KeyType } from './key-types';

/**
 * The development PKI: a federation CA and one certificate per configured identity (each party's gateway
 * and the INPS case system), created on first start under config.pki.dir and never committed.
 * Existing files are kept, so restarting never changes a party's certificate.
 */

const CA_VALIDITY_DAYS = 3650;
const PARTY_VALIDITY_DAYS = 825;

function writePrivate(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export interface PkiReport {
  created: string[];
  kept: string[];
}

export function ensureFederationPki(config: FederationConfig, now = new Date()): PkiReport {
  const report: PkiReport = { created: [], kept: [] };
  mkdirSync(config.pki.dir, { recursive: true, mode: 0o700 });
  const caKeyFile = path.join(config.pki.dir, 'ca.key.pem');
  let ca: KeyPairPem;
  if (existsSync(config.pki.caCertFile) && existsSync(caKeyFile)) {
    ca = { certPem: readFileSync(config.pki.caCertFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
    report.kept.push('CA');
  } else {
    ca = createCertificateAuthority(
      { commonName: 'APE Precoci - CA di sviluppo della federazione', organization: 'Federazione APE sociale / precoci (sviluppo)' },
      validityFrom(now, CA_VALIDITY_DAYS),
    );
    writeFileSync(config.pki.caCertFile, ca.certPem);
    writePrivate(caKeyFile, ca.keyPem);
    report.created.push('CA');
  }
  for (const id of Object.values(config.identities)) {
    if (existsSync(id.certFile) && existsSync(id.keyFile)) {
      report.kept.push(id.code);
      continue;
    }
    writeIdentityCertificate(ca, id, now, hostPubblici(config, id.code), keyTypeOf(config, id));
    report.created.push(id.code);
  }
  if (config.pdnd?.server) {
    const files = pdndServerFiles(config);
    if (existsSync(files.certFile) && existsSync(files.keyFile)) report.kept.push('PDND');
    else {
      writeCertificate(ca, { commonName: PDND_SERVER_CN, organization: 'Server di autorizzazione PDND locale (sviluppo)', organizationalUnit: 'PDND' }, files, now);
      report.created.push('PDND');
    }
  }
  return report;
}

const PDND_SERVER_CN = 'pdnd.ape-precoci.local';

/** The local PDND authorization server's key pair (it signs vouchers) and TLS certificate, from the federation CA. */
export function pdndServerFiles(config: FederationConfig): { keyFile: string; certFile: string } {
  return { keyFile: path.join(config.pki.dir, 'pdnd.key.pem'), certFile: path.join(config.pki.dir, 'pdnd.cert.pem') };
}

/** A new key and certificate for an identity from the federation CA, written over its files (`npm run pki -- revoca --rinnova`). */
export function renewIdentityCertificate(config: FederationConfig, code: string, now = new Date()): void {
  const id = config.identities[code];
  if (!id) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${code} is not configured`);
  if (id.caFile !== config.pki.caCertFile) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${code}'s certificate comes from ${id.caFile}, not from the federation CA: that CA issues its new one`);
  const ca = { certPem: readFileSync(config.pki.caCertFile, 'utf8'), keyPem: readFileSync(path.join(config.pki.dir, 'ca.key.pem'), 'utf8') };
  writeIdentityCertificate(ca, id, now, hostPubblici(config, code), keyTypeOf(config, id));
}

/** pki.keyType, except for an identity PDND is on for: its key is also its PDND client's, which PDND has RSA (RS256). */
function keyTypeOf(config: FederationConfig, id: IdentityConfig): KeyType {
  return id.pdnd?.attivo ? 'RSA-2048' : config.pki.keyType;
}

function writeIdentityCertificate(ca: KeyPairPem, id: IdentityConfig, now: Date, pubblici: readonly string[], keyType: KeyType): void {
  writeCertificate(ca, { commonName: id.subjectCN, organization: id.description, organizationalUnit: id.code }, id, now, pubblici, keyType);
}

/**
 * The hosts an identity's endpoints are published at (publicUrl): its server certificate must name them, or a
 * client checking the host it called refuses it (a party on its own host, not on 127.0.0.1).
 */
function hostPubblici(config: FederationConfig, code: string): string[] {
  const s = config.services;
  const endpoints = [s.inpsGateway, s.hub, s.inpsConsole, ...Object.values(s.agencies)];
  return [...new Set(endpoints.filter((e) => e?.identity === code).map((e) => new URL(e!.publicUrl).hostname.replace(/^\[(.*)\]$/, '$1')))];
}

/** The PDND server's key stays RSA whatever pki.keyType says: it signs vouchers with RS256, the one algorithm PDND's tokens use. */
function writeCertificate(ca: KeyPairPem, subject: { commonName: string; organization: string; organizationalUnit: string }, files: { certFile: string; keyFile: string }, now: Date, pubblici: readonly string[] = [], keyType: KeyType = 'RSA-2048'): void {
  const ipAddresses = [...new Set(['127.0.0.1', '::1', ...pubblici.filter((h) => isIP(h) !== 0)])];
  const dnsNames = [...new Set(['localhost', subject.commonName, ...pubblici.filter((h) => isIP(h) === 0)])];
  const issued = issueCertificate(ca, { ...subject, dnsNames, ipAddresses }, validityFrom(now, PARTY_VALIDITY_DAYS), keyType);
  mkdirSync(path.dirname(files.certFile), { recursive: true });
  writeFileSync(files.certFile, issued.certPem);
  writePrivate(files.keyFile, issued.keyPem);
}
