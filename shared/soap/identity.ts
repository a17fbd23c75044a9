import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { ApeError } from '../errors';
import { refuseRevoked, type RevocationCheck } from '../pki/crl-store';
import type { IdentityConfig } from '../config/schema';

/**
 * Who is calling: the client certificate must chain to the federation CA (checked by TLS) and not be on that CA's
 * CRL, its subject CN must be a configured identity, and the source address must be in that identity's allow-list
 * (convenzione: access only from the registered public IP of the party's gateway).
 */
export interface Caller {
  identity: IdentityConfig;
  certificate: { subject: string; issuer: string; fingerprint256: string; serialNumber: string; validTo: string };
  remoteAddress: string;
}

export function normaliseIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function dn(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** The peer's certificate of each connection (the client's at a server, the server's at a client), read once (renegotiation is then refused, so it cannot change). */
const PEER_CERTIFICATES = new WeakMap<TLSSocket, DetailedPeerCertificate>();

/**
 * `getPeerCertificate(true)` builds the whole chain as objects; on a keep-alive connection it is read at the first
 * request only. From that moment the connection refuses TLS renegotiation (client-initiated renegotiation is the
 * only way a TLS 1.2 peer could present another certificate on the same socket; TLS 1.3 has none).
 */
export function peerCertificate(socket: TLSSocket): DetailedPeerCertificate {
  let cert = PEER_CERTIFICATES.get(socket);
  if (!cert) {
    socket.disableRenegotiation();
    cert = socket.getPeerCertificate(true);
    PEER_CERTIFICATES.set(socket, cert);
  }
  return cert;
}

export class CallerRegistry {
  private readonly byCN: Map<string, IdentityConfig>;
  /** Fingerprint of the CA each identity's certificate must come from. */
  private readonly issuer = new Map<string, string>();
  private readonly ca = new Map<string, X509Certificate>();

  /** revocations: the CRLs of the trusted CAs; a certificate they list is refused (CERTIFICATO_REVOCATO). */
  constructor(
    identities: readonly IdentityConfig[],
    readonly revocations: RevocationCheck | null = null,
  ) {
    this.byCN = new Map(identities.map((i) => [i.subjectCN, i]));
    const byFile = new Map<string, X509Certificate>();
    for (const i of identities) {
      if (!byFile.has(i.caFile)) byFile.set(i.caFile, new X509Certificate(readFileSync(i.caFile)));
      this.ca.set(i.code, byFile.get(i.caFile)!);
      this.issuer.set(i.code, byFile.get(i.caFile)!.fingerprint256);
    }
  }

  /** The CA registered for an identity: its TLS and signing certificates must both come from it. */
  caOf(code: string): X509Certificate {
    const ca = this.ca.get(code);
    if (!ca) throw new Error(`no CA registered for identity ${code}`);
    return ca;
  }

  /**
   * `observe` receives what is known before any refusal (the certificate presented, the identity it claims),
   * so refused calls are traced with it.
   */
  identify(socket: TLSSocket, observe: (d: { identity?: string; certificate?: string; remoteAddress: string }) => void = () => undefined): Caller {
    const cert = peerCertificate(socket);
    const remote = normaliseIp(socket.remoteAddress);
    if (cert && Object.keys(cert).length > 0) observe({ certificate: `${dn(cert.subject as unknown as Record<string, unknown>)} (${cert.fingerprint256})`, remoteAddress: remote });
    if (!cert || Object.keys(cert).length === 0) {
      throw new ApeError('CERTIFICATO_ASSENTE', 'la chiamata deve presentare il certificato client della porta di dominio (mutua autenticazione TLS)');
    }
    if (!socket.authorized) {
      throw new ApeError('CERTIFICATO_NON_VALIDO', `certificato client non accettato: ${String(socket.authorizationError ?? 'non emesso dalla CA della federazione')}`);
    }
    // Checked on every request, not once per connection: a connection kept alive is cut off by the next CRL too.
    refuseRevoked(this.revocations, cert.issuerCertificate?.fingerprint256, cert.serialNumber, `il certificato client "${dn(cert.subject as unknown as Record<string, unknown>)}"`);
    const cn = Array.isArray(cert.subject?.CN) ? cert.subject.CN[0] : cert.subject?.CN;
    const identity = cn ? this.byCN.get(cn) : undefined;
    if (!identity) {
      throw new ApeError('PARTE_NON_RICONOSCIUTA', `il certificato "${cn ?? '(senza CN)'}" non corrisponde a nessuna parte registrata`);
    }
    // The subject alone is not enough: it must come from the CA registered for that party.
    const issuerFp = cert.issuerCertificate?.fingerprint256;
    if (issuerFp !== this.issuer.get(identity.code)) {
      throw new ApeError('PARTE_NON_RICONOSCIUTA', `il certificato "${cn}" non è emesso dalla CA registrata per ${identity.code}`);
    }
    const san = cert.subjectaltname ?? '';
    if (san !== '' && !san.split(/,\s*/).includes(`DNS:${identity.subjectCN}`)) {
      throw new ApeError('PARTE_NON_RICONOSCIUTA', `il certificato "${cn}" non riporta ${identity.subjectCN} tra i nomi alternativi`);
    }
    observe({ identity: identity.code, remoteAddress: remote });
    const remoteAddress = remote;
    if (!identity.allowedIps.includes(remoteAddress)) {
      throw new ApeError('PARTE_NON_AUTORIZZATA', `${identity.code} non può chiamare dall'indirizzo ${remoteAddress}: non è tra gli IP registrati`);
    }
    return {
      identity,
      certificate: {
        subject: dn(cert.subject as unknown as Record<string, unknown>),
        issuer: dn(cert.issuer as unknown as Record<string, unknown>),
        fingerprint256: cert.fingerprint256,
        serialNumber: cert.serialNumber,
        validTo: cert.valid_to,
      },
      remoteAddress,
    };
  }
}
