import { Type } from '@sinclair/typebox';
import { choice, IDENTITY_CODE, integer, ListenSchema, text, url, withDefault } from './schema-parts';

/** The identity's PDND client and switch (identities.X.pdnd): off unless said otherwise. */
export const IdentityPdndSchema = withDefault(
  Type.Object(
    {
      attivo: withDefault(
        Type.Boolean({ description: 'PDND on for this identity (migration switch, reported at every start): its calls to our endpoints must carry a PDND voucher (Authorization: Bearer) and the operator\'s tracking evidence (Agid-JWT-TrackingEvidence), and our clients running as this identity obtain and send them.' }),
        false,
      ),
      clientId: Type.Optional(text({ description: 'The identity\'s PDND client (client_id): iss and sub of its client assertions, client_id of its vouchers. Required when attivo.' })),
      kid: Type.Optional(text({ description: 'The kid under which the client\'s public key (the identity\'s certificate key) is registered on PDND. Default: its RFC 7638 JWK thumbprint.' })),
    },
    { additionalProperties: false },
  ),
  { attivo: false },
);

/**
 * PDND (Piattaforma Digitale Nazionale Dati) as the ModI authorisation layer: vouchers from its authorization server,
 * the e-services of the federation, and the purposes (finalità) each consumer's agreement covers. A real deployment
 * points tokenEndpoint, jwksUrl and issuer at PDND's own; `server` runs the local stand-in (development, tests).
 */
export const PdndSchema = Type.Object(
  {
    tokenEndpoint: url(['https'], 'The authorization server\'s token endpoint (client_credentials with a client_assertion); also the aud of client assertions.'),
    jwksUrl: url(['https'], 'The authorization server\'s JWKS: the keys vouchers are signed with.'),
    issuer: text({ description: 'The iss of every voucher (PDND: interop.pagopa.it; the local server: its publicUrl).' }),
    audienceClientAssertion: Type.Optional(
      text({ description: 'The aud of our clients\' client assertions, as the authorization server expects it (PDND shows it in its back office, e.g. auth.interop.pagopa.it/client-assertion). Default: tokenEndpoint.' }),
    ),
    caFile: Type.Optional(
      text({ description: 'CA bundle the authorization server\'s TLS certificate (token endpoint, JWKS) is checked against. PDND\'s comes from a public CA: the system\'s bundle, e.g. /etc/ssl/certs/ca-certificates.crt. Default: the federation\'s CAs (the local server).' }),
    ),
    tolleranzaSecondi: withDefault(integer(0, 300, 'Clock skew tolerated on exp, nbf and iat of vouchers and tracking evidence, in seconds.'), 60),
    jwksCacheSecondi: withDefault(integer(10, 86_400, 'How long the JWKS is kept before it is fetched again, in seconds (an unknown kid fetches it at once, at most every 30 s).'), 600),
    anticipoRinnovoSecondi: withDefault(integer(1, 600, 'A client obtains a new voucher this many seconds before the one it holds expires.'), 30),
    evidenzaDurataSecondi: withDefault(integer(10, 3600, 'Validity of the tracking evidence our clients build, in seconds.'), 300),
    evidenzaDurataMassimaSecondi: withDefault(integer(10, 3600, 'Longest validity (exp - iat) of tracking evidence our endpoints accept, in seconds.'), 600),
    livelloAutenticazione: withDefault(choice(['LoA1', 'LoA2', 'LoA3', 'LoA4'] as const, 'The LoA our clients declare for their operators in the tracking evidence.'), 'LoA3'),
    eservices: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
      Type.Object(
        {
          erogatore: choice(['INPS', 'hub', 'MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const, 'Who provides it: INPS\'s gateway, the Ministero\'s hub, a party\'s node.'),
          contratto: choice(['istruttoria', 'esiti', 'verifica'] as const, 'The contract (wsdl/) it serves; its endpoint\'s URL is the voucher\'s aud.'),
        },
        { additionalProperties: false },
      ),
      { description: 'The federation\'s e-services by id: each is one endpoint, whose URL is the audience of its vouchers.' },
    ),
    finalita: Type.Array(
      Type.Object(
        {
          purposeId: text({ description: 'The purpose\'s id on PDND (the purposeId of vouchers).' }),
          eservice: text({ description: 'An e-service of pdnd.eservices.' }),
          fruitore: text({ pattern: IDENTITY_CODE, description: 'The consuming identity (identities.*), whose client may use the purpose.' }),
          accordo: withDefault(choice(['ATTIVO', 'SOSPESO'] as const, 'State of the consumer\'s agreement on the e-service: a voucher for a purpose of a suspended agreement is refused.'), 'ATTIVO'),
        },
        { additionalProperties: false },
      ),
      { description: 'The purposes (finalità) registered under each consumer\'s agreement on an e-service.' },
    ),
    server: Type.Optional(
      Type.Object(
        {
          listen: ListenSchema,
          voucherDurataSecondi: withDefault(integer(30, 86_400, 'Validity of the vouchers it issues, in seconds.'), 600),
        },
        { description: 'The local authorization server (infra/pdnd, development and tests): its key pair and certificate are the development PKI\'s pdnd.{key,cert}.pem.' },
      ),
    ),
  },
  { additionalProperties: false },
);

