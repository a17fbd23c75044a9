import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt, decodeProtectedHeader, exportJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { toError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { kidOf, type PdndRegistry } from '../../shared/pdnd/registry';
import { TLS_SERVER_POLICY } from '../../shared/soap/tls-policy';

/**
 * A local stand-in for PDND's authorization server (development and tests), following PDND's interoperability
 * spec: the token endpoint takes client_credentials with a client_assertion (RFC 7521/7523: RS256, iss = sub = the
 * client_id, aud = the token endpoint, jti used once, iat, exp, purposeId, and `digest` to bind tracking evidence),
 * checks the client's registered key (kid), that the purpose is the client's consumer's under an active agreement,
 * and issues a voucher: RS256, kid, typ at+jwt, iss, sub = client_id, aud = the e-service's audience, purposeId,
 * client_id, jti, iat, nbf, exp (short), digest copied. The JWKS endpoint publishes the signing key and those
 * before it (key rotation). Clients, e-services, agreements and purposes come from the configuration (registry).
 */

export interface AuthorizationServerOptions {
  keyPem: string;
  certPem: string;
  caPem: readonly (string | Buffer)[];
  registry: PdndRegistry;
  voucherSeconds: number;
  log: Logger;
  now?: () => Date;
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JWK;
}

export interface AuthorizationServer {
  server: https.Server;
  /** Signs from now on with a new key; the old one stays in the JWKS (vouchers it signed are still valid). */
  rotate(keyPem: string): Promise<string>;
  /** Token requests answered, by outcome (tests count them). */
  readonly issued: number;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function createAuthorizationServer(o: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const now = o.now ?? (() => new Date());
  const keys: SigningKey[] = [];
  const usedAssertions = new Map<string, number>();
  const tokenPath = new URL(o.registry.pdnd.tokenEndpoint).pathname;
  const jwksPath = new URL(o.registry.pdnd.jwksUrl).pathname;
  let issued = 0;

  async function addKey(keyPem: string): Promise<string> {
    const privateKey = createPrivateKey(keyPem);
    const publicKey = createPublicKey(privateKey);
    const kid = await kidOf(publicKey);
    keys.unshift({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
    return kid;
  }
  await addKey(o.keyPem);

  const server = https.createServer({ key: o.keyPem, cert: o.certPem, ca: [...o.caPem], ...TLS_SERVER_POLICY }, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      o.log.error({ err: toError(err) }, 'PDND authorization server: request failed');
      json(res, 500, { error: 'server_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (req.method === 'GET' && url.pathname === jwksPath) return json(res, 200, { keys: keys.map((k) => k.jwk) });
    if (req.method !== 'POST' || url.pathname !== tokenPath) return json(res, 404, { error: 'not_found' });
    const form = new URLSearchParams(await readBody(req));
    const outcome = await token(form);
    if ('error' in outcome) o.log.info({ error: outcome.error, reason: outcome.error_description }, 'PDND token request refused');
    else issued += 1;
    json(res, 'error' in outcome ? (outcome.error === 'invalid_client' ? 401 : 400) : 200, outcome);
  }

  async function token(form: URLSearchParams): Promise<Record<string, unknown>> {
    const refuse = (error: string, error_description: string) => ({ error, error_description });
    if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return refuse('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    const assertion = form.get('client_assertion') ?? '';
    let clientId: unknown;
    let kid: unknown;
    try {
      clientId = decodeJwt(assertion).iss;
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      return refuse('invalid_client', 'client_assertion is not a JWT');
    }
    const client = typeof clientId === 'string' ? o.registry.client(clientId) : undefined;
    if (!client) return refuse('invalid_client', 'unknown client');
    if (form.has('client_id') && form.get('client_id') !== client.clientId) return refuse('invalid_client', 'client_id differs from the assertion\'s iss');
    if (kid !== client.kid) return refuse('invalid_client', 'kid is not a key registered for the client');
    const at = now();
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(assertion, client.publicKey, {
        algorithms: ['RS256'],
        issuer: client.clientId,
        subject: client.clientId,
        audience: o.registry.pdnd.audienceClientAssertion ?? o.registry.pdnd.tokenEndpoint,
        currentDate: at,
        clockTolerance: o.registry.pdnd.tolleranzaSecondi,
        requiredClaims: ['jti', 'iat', 'exp', 'purposeId'],
      }));
    } catch (err) {
      return refuse('invalid_client', `client_assertion: ${toError(err).message}`);
    }
    for (const [j, exp] of usedAssertions) if (exp < at.getTime()) usedAssertions.delete(j);
    if (usedAssertions.has(claims.jti!)) return refuse('invalid_client', 'client_assertion jti already used');
    usedAssertions.set(claims.jti!, claims.exp! * 1000 + o.registry.pdnd.tolleranzaSecondi * 1000);
    const purpose = typeof claims.purposeId === 'string' ? o.registry.purpose(claims.purposeId) : undefined;
    if (!purpose || purpose.fruitore !== client.identity.code) return refuse('invalid_request', 'purposeId is not a purpose of the client\'s consumer');
    if (!purpose.accordoAttivo) return refuse('invalid_request', 'the purpose\'s agreement is not active');
    const digest = claims.digest as { alg?: unknown; value?: unknown } | undefined;
    if (digest !== undefined && (digest.alg !== 'SHA256' || typeof digest.value !== 'string' || !/^[0-9a-f]{64}$/.test(digest.value))) {
      return refuse('invalid_request', 'digest must be { alg: "SHA256", value: <hex SHA-256> }');
    }
    const key = keys[0]!;
    const iat = Math.floor(at.getTime() / 1000);
    const voucher = await new SignJWT({ client_id: client.clientId, purposeId: purpose.purposeId, ...(digest && { digest: { alg: 'SHA256', value: digest.value } }) })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(o.registry.pdnd.issuer)
      .setSubject(client.clientId)
      .setAudience(purpose.eservice.audience)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + o.voucherSeconds)
      .sign(key.privateKey);
    return { access_token: voucher, token_type: 'Bearer', expires_in: o.voucherSeconds };
  }

  return {
    server,
    rotate: addKey,
    get issued() {
      return issued;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage, max = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) req.destroy(new Error('request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
