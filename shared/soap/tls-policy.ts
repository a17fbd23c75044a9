import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * The TLS policy of every TLS server and client of the project (SOAP endpoints, the SOAP client, the web console),
 * written once here: TLS 1.3, and TLS 1.2 with ECDHE key exchange and AEAD ciphers only, as AgID's
 * recommendations on TLS (AgID-RACCSECTLS-01, "Raccomandazioni in merito allo standard Transport Layer Security")
 * ask of PA services. Left out on purpose: static RSA key exchange (AES128-SHA and the like: no forward secrecy),
 * CBC with SHA-1 or SHA-2 MACs (ECDHE-RSA-AES128-SHA...), finite-field DHE (slow, and not needed by any party),
 * TLS 1.1 and older. docs/INTEGRAZIONE.md ("TLS e revoca dei certificati") tells counterparts the same list.
 */

/** TLS 1.3 suites, by their IANA names (OpenSSL uses the same for TLS 1.3). */
export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

/** TLS 1.2 suites, by their OpenSSL names (IANA: TLS_ECDHE_{ECDSA,RSA}_WITH_{AES_256_GCM_SHA384,CHACHA20_POLY1305_SHA256,AES_128_GCM_SHA256}). */
export const TLS12_SUITES = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
] as const;

/**
 * Node takes both lists in one `ciphers` string and sets the TLS 1.3 ones apart; a string without TLS 1.3 names
 * would switch TLS 1.3 off, hence both, in order of preference.
 */
const CIPHERS = [...TLS13_SUITES, ...TLS12_SUITES].join(':');

/** For a client (https.Agent, tls.connect): what it offers. */
export const TLS_CLIENT_POLICY: Readonly<Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>> = Object.freeze({
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: CIPHERS,
});

/** For a server (https.createServer): what it accepts, its own order of preference first. */
export const TLS_SERVER_POLICY: Readonly<Pick<TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'honorCipherOrder'>> = Object.freeze({
  ...TLS_CLIENT_POLICY,
  honorCipherOrder: true,
});
