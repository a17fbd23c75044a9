import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import type { IdentityConfig } from '../../shared/config/schema';
import { createCertificateAuthority, validityFrom } from '../../shared/pki/certificates';
import { CallerRegistry } from '../../shared/soap/identity';
import { startRequest } from '../../shared/soap/intake/context';
import { identifyCaller } from '../../shared/soap/intake/identify';
import { refusal } from '../support/intake';

/**
 * The TLS identity stage on a fake socket: the caller is the registered party its certificate names, from its CA and
 * its address; what the socket showed before a refusal is in the access trace all the same.
 */

const HOST = 'anpal.ape-precoci.local';
let dir: string;
let registry: CallerRegistry;
let caFingerprint: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'intake-identify-'));
  const ca = createCertificateAuthority({ commonName: 'CA di test identità' }, validityFrom(new Date(), 365));
  writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
  caFingerprint = new X509Certificate(ca.certPem).fingerprint256;
  registry = new CallerRegistry([anpalIdentity()]);
});

function anpalIdentity(): IdentityConfig {
  return {
    code: 'ANPAL',
    ente: 'ANPAL',
    description: 'ANPAL',
    subjectCN: HOST,
    allowedIps: ['10.0.0.7'],
    certFile: '',
    keyFile: '',
    caFile: path.join(dir, 'ca.pem'),
    sicurezzaMessaggio: 'ID_AUTH_SOAP_02',
  };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface FakePeer {
  cn?: string;
  issuer?: string;
  san?: string;
  authorized?: boolean;
  address?: string;
  none?: boolean;
}

function socket(p: FakePeer = {}): TLSSocket {
  const cert = p.none
    ? {}
    : {
        subject: { CN: p.cn ?? HOST, O: 'ANPAL' },
        issuer: { CN: 'CA di test identità' },
        fingerprint256: 'AB:CD',
        serialNumber: '01',
        valid_to: 'Jan  1 00:00:00 2030 GMT',
        issuerCertificate: { fingerprint256: p.issuer ?? caFingerprint },
        subjectaltname: p.san ?? `DNS:${p.cn ?? HOST}`,
      };
  return {
    getPeerCertificate: () => cert,
    disableRenegotiation: () => undefined,
    authorized: p.authorized ?? true,
    authorizationError: p.authorized === false ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : null,
    remoteAddress: p.address ?? '::ffff:10.0.0.7',
  } as unknown as TLSSocket;
}

function identify(p: FakePeer = {}, by: CallerRegistry = registry) {
  const ctx = startRequest({ url: '/ape/esiti', socket: { remoteAddress: p.address ?? '::ffff:10.0.0.7' } } as never, { now: () => new Date() }, pino({ level: 'silent' }));
  const code = refusal(() => identifyCaller(ctx, by, socket(p)));
  return { code, access: ctx.access, bindings: ctx.log.bindings() };
}

test('a registered party from its CA and address is identified, and named in the access trace and the log', () => {
  const ctx = startRequest({ url: '/ape/esiti', socket: { remoteAddress: '::ffff:10.0.0.7' } } as never, { now: () => new Date() }, pino({ level: 'silent' }));
  const caller = identifyCaller(ctx, registry, socket());
  expect(caller.identity.code).toBe('ANPAL');
  expect(ctx.access).toMatchObject({ identity: 'ANPAL', certificateSubject: `CN=${HOST}, O=ANPAL (AB:CD)`, remoteAddress: '10.0.0.7' });
  expect(ctx.log.bindings()).toMatchObject({ caller: 'ANPAL' });
});

test('no client certificate is CERTIFICATO_ASSENTE; one TLS did not accept is CERTIFICATO_NON_VALIDO, with its subject traced', () => {
  expect(identify({ none: true })).toMatchObject({ code: 'CERTIFICATO_ASSENTE', access: { identity: null, certificateSubject: null } });
  expect(identify({ authorized: false })).toMatchObject({ code: 'CERTIFICATO_NON_VALIDO', access: { identity: null, certificateSubject: `CN=${HOST}, O=ANPAL (AB:CD)` } });
});

test('a subject no party is registered with, or the right subject from another CA or without its SAN, is PARTE_NON_RICONOSCIUTA', () => {
  expect(identify({ cn: 'estraneo.example' }).code).toBe('PARTE_NON_RICONOSCIUTA');
  expect(identify({ issuer: '00:11' }).code).toBe('PARTE_NON_RICONOSCIUTA');
  expect(identify({ san: 'DNS:altro.example' }).code).toBe('PARTE_NON_RICONOSCIUTA');
});

test('the registered party calling from an address not in its allow-list is PARTE_NON_AUTORIZZATA, traced with its identity', () => {
  const r = identify({ address: '::ffff:10.0.0.8' });
  expect(r.code).toBe('PARTE_NON_AUTORIZZATA');
  expect(r.access).toMatchObject({ identity: 'ANPAL', remoteAddress: '10.0.0.8' });
  expect(r.bindings).not.toHaveProperty('caller');
});

test("a certificate on its CA's CRL is CERTIFICATO_REVOCATO, with the serial, date and reason, and its subject traced", () => {
  const revocations = {
    revoked: (ca: string | undefined, serial: string) =>
      ca === caFingerprint && serial === '01' ? { serial: '1', revokedAt: new Date('2026-03-01T10:00:00Z'), reason: 'keyCompromise' as const, ca: 'CN=CA di test identità', crlNumber: 4 } : null,
  };
  const withCrl = new CallerRegistry([anpalIdentity()], revocations);
  const r = identify({}, withCrl);
  expect(r.code).toBe('CERTIFICATO_REVOCATO');
  expect(r.access).toMatchObject({ certificateSubject: `CN=${HOST}, O=ANPAL (AB:CD)` });
  let message = '';
  try {
    identifyCaller(startRequest({ url: '/ape/esiti', socket: {} } as never, { now: () => new Date() }, pino({ level: 'silent' })), withCrl, socket());
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toBe(`il certificato client "CN=${HOST}, O=ANPAL" (numero di serie 1) è stato revocato da CN=CA di test identità il 2026-03-01T10:00:00.000Z (motivo: keyCompromise, CRL numero 4): serve un nuovo certificato emesso dalla CA`);
  // The same certificate from another CA is not the one revoked (and is refused for that, later).
  expect(identify({ issuer: '00:11' }, withCrl).code).toBe('PARTE_NON_RICONOSCIUTA');
});

test('a call identification refuses is marked unidentified (its record is aggregated) and handed to the refusal stage; an identified one is not', () => {
  const ctx = startRequest({ url: '/ape/esiti', socket: { remoteAddress: '::ffff:10.0.0.9' } } as never, { now: () => new Date() }, pino({ level: 'silent' }));
  const handed: string[] = [];
  const code = refusal(() =>
    identifyCaller(ctx, registry, socket({ address: '::ffff:10.0.0.9' }), (r) => {
      handed.push(r.code);
      throw r;
    }),
  );
  expect(code).toBe('PARTE_NON_AUTORIZZATA');
  expect(handed).toEqual(['PARTE_NON_AUTORIZZATA']);
  expect(ctx.unidentified).toBe(true);

  const ok = startRequest({ url: '/ape/esiti', socket: { remoteAddress: '::ffff:10.0.0.7' } } as never, { now: () => new Date() }, pino({ level: 'silent' }));
  identifyCaller(ok, registry, socket(), () => {
    throw new Error('not to be called');
  });
  expect(ok.unidentified).toBe(false);
});
