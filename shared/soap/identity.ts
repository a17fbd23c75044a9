import type { TLSSocket, PeerCertificate } from 'node:tls';
import { ApeError } from '../errors';
import type { IdentityConfig } from '../config/schema';

/**
 * Who is calling: the client certificate must chain to the federation CA (checked by TLS), its subject CN
 * must be a configured identity, and the source address must be in that identity's allow-list
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

export class CallerRegistry {
  private readonly byCN: Map<string, IdentityConfig>;

  constructor(identities: readonly IdentityConfig[]) {
    this.byCN = new Map(identities.map((i) => [i.subjectCN, i]));
  }

  identify(socket: TLSSocket): Caller {
    const cert: PeerCertificate = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) {
      throw new ApeError('CERTIFICATO_ASSENTE', 'la chiamata deve presentare il certificato client della porta di dominio (mutua autenticazione TLS)');
    }
    if (!socket.authorized) {
      throw new ApeError('CERTIFICATO_NON_VALIDO', `certificato client non accettato: ${String(socket.authorizationError ?? 'non emesso dalla CA della federazione')}`);
    }
    const cn = Array.isArray(cert.subject?.CN) ? cert.subject.CN[0] : cert.subject?.CN;
    const identity = cn ? this.byCN.get(cn) : undefined;
    if (!identity) {
      throw new ApeError('PARTE_NON_RICONOSCIUTA', `il certificato "${cn ?? '(senza CN)'}" non corrisponde a nessuna parte registrata`);
    }
    const remoteAddress = normaliseIp(socket.remoteAddress);
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
