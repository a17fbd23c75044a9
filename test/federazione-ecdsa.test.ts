import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { scenario } from '../infra/demo/dataset';
import { TestFederation } from './support/federation';
import { eventually } from './support/eventually';

/**
 * A federation whose development PKI gives EC P-256 keys (pki.keyType ECDSA-P256, issue 17): mutual TLS with EC
 * certificates, every message, response and origin signature ECDSA-SHA256, except INAIL's, which PDND is on for and
 * which keeps RSA (its PDND client assertions are RS256). Both methods meet on the same hops: INAIL's RSA-signed esiti
 * reach the hub that signs with ECDSA, INPS's ECDSA packets reach INAIL. Domande close as with RSA keys.
 */
let fed: TestFederation;

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'federazione-ecdsa',
    mutaConfig: (json) => {
      json.pki.keyType = 'ECDSA-P256';
    },
  });
}, 120_000);

afterAll(async () => {
  await fed?.stop();
});

test('the identities have EC P-256 certificates, INAIL (PDND on) an RSA one', () => {
  const tipi = Object.fromEntries(Object.keys(fed.config.identities).map((code) => [code, new X509Certificate(readFileSync(fed.identity(code).certFile)).publicKey.asymmetricKeyType]));
  expect(tipi).toEqual({ INPS: 'ec', INPS_ISTRUTTORIA: 'ec', HUB: 'ec', MINLAVORO: 'ec', ANPAL: 'ec', INAIL: 'rsa', INL: 'ec' });
});

test.each(['conforme', 'tasso-inail', 'turni-inl'])('scenario %s closes as with RSA keys, its packets and esiti through the hub', async (chiave) => {
  const s = scenario(chiave);
  const client = await fed.caseSystem();
  const protocollo = `INPS.ECDSA.${chiave.toUpperCase().replace(/-/g, '')}`;
  const r = await client.presentaDomanda(s.domanda(protocollo, new Date()));
  const chiusa = await eventually(async () => {
    const st = await client.statoIstruttoria({ IdIstruttoria: r.idIstruttoria });
    return st.Stato === s.atteso.stato ? st : undefined;
  }, { timeoutMs: 60_000, what: `${chiave} closed` });
  expect(chiusa.EsitoVerifica).toBe(s.atteso.esitoVerifica);
  // What the hub forwarded carries INPS's origin signature, ECDSA-SHA256 with INPS's EC certificate.
  const inoltrati = await fed.pool('hub').query<{ destinatario: string; stato: string; corpo: string }>("SELECT destinatario, stato, corpo FROM pacchetto_inoltro WHERE contenuto->>'protocolloDomanda' = $1", [protocollo]);
  expect(inoltrati.rows.length).toBeGreaterThan(0);
  for (const row of inoltrati.rows) {
    expect(row.stato).toBe('INOLTRATO');
    expect(row.corpo).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256">');
  }
});
