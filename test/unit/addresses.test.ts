import { ApeError } from '../../shared/errors';
import { parseConfig } from '../../shared/config/load';
import { addressForRecipient, addressOf, inpsEsitiUrl } from '../../shared/config/addresses';
import { localFederationConfig } from '../../infra/federation-config';

const BASE_PORT = 19500;

function config(muta: (j: any) => void = () => undefined) {
  const j: any = localFederationConfig({ postgresUrl: 'postgres://p@127.0.0.1/d', rabbitmqUrl: 'amqp://127.0.0.1', pkiDir: '/var/lib/ape/pki', basePort: BASE_PORT });
  muta(j);
  return parseConfig(j, '/etc/ape');
}

describe('the federation address book', () => {
  test('INPS serves the case system and the parties\' replies on its gateway, with the gateway\'s CN', () => {
    const c = config();
    expect(addressOf(c, 'INPS', 'istruttoria')).toEqual({ url: `https://127.0.0.1:${BASE_PORT}/ape/istruttoria`, expectedServerCN: 'pdd.inps.ape-precoci.local' });
    expect(addressOf(c, 'INPS', 'esiti')).toEqual({ url: `https://127.0.0.1:${BASE_PORT}/ape/esiti`, expectedServerCN: 'pdd.inps.ape-precoci.local' });
    expect(inpsEsitiUrl(c)).toBe(`https://127.0.0.1:${BASE_PORT}/ape/esiti`);
  });

  test('the hub and each party\'s node serve verifica, each with the CN of the identity it runs as', () => {
    const c = config();
    // The hub has its own identity (HUB), not the Ministero verifier's.
    expect(addressOf(c, 'hub', 'verifica')).toEqual({ url: `https://127.0.0.1:${BASE_PORT + 1}/ape/verifica`, expectedServerCN: 'hub.lavoro.ape-precoci.local' });
    expect(addressOf(c, 'MINLAVORO', 'verifica')).toEqual({ url: `https://127.0.0.1:${BASE_PORT + 2}/ape/verifica`, expectedServerCN: 'pdd.lavoro.ape-precoci.local' });
    expect(addressOf(c, 'INAIL', 'verifica')).toEqual({ url: `https://127.0.0.1:${BASE_PORT + 4}/ape/verifica`, expectedServerCN: 'pdd.inail.ape-precoci.local' });
    expect(addressOf(c, 'INL', 'verifica').url).toBe(`https://127.0.0.1:${BASE_PORT + 5}/ape/verifica`);
  });

  test('the expected CN follows the identity the service is configured with, not the party\'s name', () => {
    const c = config((j) => {
      j.identities.ANPAL_NUOVA = { ente: 'ANPAL', subjectCN: 'pdd2.anpal.ape-precoci.local', allowedIps: ['127.0.0.1'] };
      j.services.agencies.ANPAL.identity = 'ANPAL_NUOVA';
    });
    expect(addressOf(c, 'ANPAL', 'verifica').expectedServerCN).toBe('pdd2.anpal.ape-precoci.local');
  });

  test('a public URL with a trailing slash gives one slash before the contract path', () => {
    const c = config((j) => {
      j.services.hub.publicUrl = 'https://hub.lavoro.example.it/';
    });
    expect(addressOf(c, 'hub', 'verifica').url).toBe('https://hub.lavoro.example.it/ape/verifica');
  });

  test('INPS sends to the hub under hub routing, whoever the recipient', () => {
    const c = config();
    for (const e of ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const) expect(addressForRecipient(c, e)).toEqual(addressOf(c, 'hub', 'verifica'));
  });

  test('INPS sends to the recipient\'s own node under direct routing', () => {
    const c = config((j) => {
      j.routing = 'direct';
    });
    expect(addressForRecipient(c, 'INAIL')).toEqual(addressOf(c, 'INAIL', 'verifica'));
    expect(addressForRecipient(c, 'MINLAVORO').url).toBe(`https://127.0.0.1:${BASE_PORT + 2}/ape/verifica`);
  });

  test('a party with no node configured is a configuration error naming the missing section', () => {
    const c = config((j) => {
      j.routing = 'direct';
      delete j.services.agencies.INL;
    });
    let err: unknown;
    try {
      addressForRecipient(c, 'INL');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApeError);
    expect((err as ApeError).code).toBe('CONFIGURAZIONE_NON_VALIDA');
    expect((err as ApeError).message).toBe('services.agencies.INL is not configured');
  });

  // Checked by the type-check (npx tsc): an @ts-expect-error that finds no error is itself an error.
  test('asking a counterpart for a contract it does not serve does not compile', () => {
    const c = config();
    const wrong = [
      // @ts-expect-error the hub serves only verifica
      () => addressOf(c, 'hub', 'esiti'),
      // @ts-expect-error a party's node serves only verifica
      () => addressOf(c, 'INAIL', 'istruttoria'),
    ];
    expect(wrong).toHaveLength(2);
  });
});
