import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ApeError } from '../errors';
import { refusalOf } from './jose-errors';
import type { PdndClient } from './registry';

/**
 * The operator's tracking evidence (ModI AUDIT_REST_02, HTTP header Agid-JWT-TrackingEvidence): a JWT signed by the
 * consumer's client key (header kid, typ JWT, RS256) with iss = its client_id, aud = the e-service, purposeId, jti,
 * iat, nbf, exp (short) and the operator: userID (com:Operatore's IdOperatore), userLocation (its office), LoA. It
 * is bound to the voucher through the voucher's digest claim, the SHA-256 of this very token.
 */

export const TRACKING_EVIDENCE_HEADER = 'Agid-JWT-TrackingEvidence';

/** What an access record keeps of the evidence: its claims and its hash. */
export interface EvidenzaTracciamento {
  iss: string;
  aud: string;
  jti: string;
  iat: number;
  nbf: number | null;
  exp: number;
  purposeId: string;
  userID: string;
  userLocation: string;
  LoA: string;
  /** SHA-256 (hex) of the token: the voucher's digest value. */
  hash: string;
  /**
   * The evidence as it was sent (compact JWS), so that the consumer's signature can be checked again later, and the
   * voucher it was bound to (its jti, client and purpose: what links the record to PDND's own issuance record).
   */
  token?: string;
  voucher?: { jti: string; clientId: string; purposeId: string };
}

export function evidenceHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('hex');
}

export interface EvidenceToBuild {
  clientId: string;
  kid: string;
  key: KeyObject;
  audience: string;
  purposeId: string;
  operatore: { id: string; ufficio: string };
  loa: string;
  now: Date;
  validitySeconds: number;
}

export async function buildEvidence(e: EvidenceToBuild): Promise<{ token: string; hash: string; expiresAt: Date }> {
  const iat = Math.floor(e.now.getTime() / 1000);
  const token = await new SignJWT({ purposeId: e.purposeId, userID: e.operatore.id, userLocation: e.operatore.ufficio, LoA: e.loa })
    .setProtectedHeader({ alg: 'RS256', kid: e.kid, typ: 'JWT' })
    .setIssuer(e.clientId)
    .setAudience(e.audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + e.validitySeconds)
    .sign(e.key);
  return { token, hash: evidenceHash(token), expiresAt: new Date((iat + e.validitySeconds) * 1000) };
}

export interface EvidenceCheck {
  /** The client of the calling identity: the evidence must be signed with its registered key. */
  client: PdndClient;
  audience: string;
  /** From the verified voucher. */
  purposeId: string;
  voucherDigest: string | null;
  /** com:Operatore's IdOperatore of the call. */
  operatoreId: string;
  now: Date;
  skewSeconds: number;
  maxValiditySeconds: number;
}

const CODES = { invalid: 'EVIDENZA_NON_VALIDA', expired: 'EVIDENZA_NON_VALIDA', notYetValid: 'EVIDENZA_NON_VALIDA', wrongAudience: 'EVIDENZA_NON_VALIDA' } as const;

export async function verifyEvidence(token: string, c: EvidenceCheck): Promise<EvidenzaTracciamento> {
  let payload: JWTPayload;
  try {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new ApeError('EVIDENZA_NON_VALIDA', 'evidenza di tracciamento: non è un JWT firmato (JWS compatto: intestazione.payload.firma in base64url)');
    }
    if (header.kid !== c.client.kid) throw new ApeError('EVIDENZA_NON_VALIDA', `evidenza di tracciamento: kid ${String(header.kid).slice(0, 80)} non è la chiave registrata per il client ${c.client.clientId}`);
    ({ payload } = await jwtVerify(token, c.client.publicKey, {
      algorithms: ['RS256'],
      issuer: c.client.clientId,
      audience: c.audience,
      clockTolerance: c.skewSeconds,
      currentDate: c.now,
      requiredClaims: ['jti', 'iat', 'exp', 'purposeId', 'userID', 'userLocation', 'LoA'],
    }));
  } catch (err) {
    throw refusalOf(err, 'evidenza di tracciamento', CODES, 'locali');
  }
  const { iat, exp, nbf } = payload as { iat: number; exp: number; nbf?: number };
  if (iat > c.now.getTime() / 1000 + c.skewSeconds) throw new ApeError('EVIDENZA_NON_VALIDA', 'evidenza di tracciamento emessa nel futuro (iat oltre la tolleranza)');
  if (exp - iat > c.maxValiditySeconds) throw new ApeError('EVIDENZA_NON_VALIDA', `evidenza di tracciamento valida ${exp - iat} s: al massimo ${c.maxValiditySeconds} s`);
  const text = (v: unknown, claim: string) => {
    if (typeof v !== 'string' || v === '' || v.length > 256) throw new ApeError('EVIDENZA_NON_VALIDA', `evidenza di tracciamento: claim ${claim} non valido`);
    return v;
  };
  const purposeId = text(payload.purposeId, 'purposeId');
  if (purposeId !== c.purposeId) throw new ApeError('EVIDENZA_NON_VALIDA', 'evidenza di tracciamento: purposeId diverso da quello del voucher');
  const hash = evidenceHash(token);
  if (c.voucherDigest === null) throw new ApeError('EVIDENZA_NON_VINCOLATA', 'il voucher non porta il claim digest: chiederlo con la client assertion che porta il digest di questa evidenza');
  if (hash !== c.voucherDigest) throw new ApeError('EVIDENZA_NON_VINCOLATA', "l'evidenza di tracciamento non è quella del voucher (SHA-256 diverso dal claim digest)");
  const userID = text(payload.userID, 'userID');
  if (userID !== c.operatoreId) throw new ApeError('OPERATORE_NON_CORRISPONDENTE', `l'evidenza di tracciamento indica l'operatore ${userID.slice(0, 64)}, la chiamata com:Operatore ${c.operatoreId}`);
  return {
    iss: c.client.clientId,
    aud: c.audience,
    jti: text(payload.jti, 'jti'),
    iat,
    nbf: nbf ?? null,
    exp,
    purposeId,
    userID,
    userLocation: text(payload.userLocation, 'userLocation'),
    LoA: text(payload.LoA, 'LoA'),
    hash,
  };
}
