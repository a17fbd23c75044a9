import { ApeError } from '../../shared/errors';
import { parseConfig } from '../../shared/config/load';
import { operatoreOfHeaders, operatoreHeader, correlationHeader } from '../../shared/messages/envelope';
import { localFederationConfig } from '../../infra/federation-config';

/** The pdnd section and the per-identity switch: what the loader refuses, naming the field. */
function valida(): any {
  return structuredClone(localFederationConfig({ postgresUrl: 'postgres://p@127.0.0.1/d', rabbitmqUrl: 'amqp://127.0.0.1', pkiDir: '/var/lib/ape/pki', basePort: 19600 }));
}

function errore(json: unknown): string {
  try {
    parseConfig(json, '/etc/ape');
  } catch (err) {
    expect((err as ApeError).code).toBe('CONFIGURAZIONE_NON_VALIDA');
    return (err as ApeError).message;
  }
  throw new Error('expected CONFIGURAZIONE_NON_VALIDA');
}

test('the generated configuration turns PDND on for INAIL only, every identity with a client; defaults filled in', () => {
  const c = parseConfig(valida(), '/etc/ape');
  expect(Object.values(c.identities).filter((i) => i.pdnd?.attivo).map((i) => i.code)).toEqual(['INAIL']);
  expect(c.identities.ANPAL!.pdnd).toEqual({ attivo: false, clientId: 'client-anpal' });
  expect(c.pdnd).toMatchObject({ tolleranzaSecondi: 60, anticipoRinnovoSecondi: 30, evidenzaDurataSecondi: 300, livelloAutenticazione: 'LoA3', server: { voucherDurataSecondi: 600 } });
  // An identity that says nothing about PDND has it off (and then no purposes: a purpose needs a client).
  const j = valida();
  delete j.identities.INL.pdnd;
  j.pdnd.finalita = j.pdnd.finalita.filter((f: { fruitore: string }) => f.fruitore !== 'INL');
  expect(parseConfig(j, '/etc/ape').identities.INL!.pdnd).toEqual({ attivo: false });
});

test('PDND on without a client, or without the pdnd section, or without a purpose, is refused by name', () => {
  const a = valida();
  delete a.identities.INAIL.pdnd.clientId;
  expect(errore(a)).toMatch(/identities\.INAIL\.pdnd\.clientId/);
  const b = valida();
  delete b.pdnd;
  expect(errore(b)).toMatch(/identities\.INAIL\.pdnd\.attivo.*pdnd section/);
  const c = valida();
  c.pdnd.finalita = c.pdnd.finalita.filter((f: { fruitore: string }) => f.fruitore !== 'INAIL');
  expect(errore(c)).toMatch(/no purpose .* INAIL/);
});

test('a purpose of an unknown e-service or consumer, a client or purpose listed twice, a port taken: refused', () => {
  const a = valida();
  a.pdnd.finalita[0].eservice = 'inps-inesistente';
  expect(errore(a)).toMatch(/pdnd\.finalita\[0\]\.eservice/);
  const b = valida();
  b.pdnd.finalita[0].fruitore = 'NESSUNO';
  expect(errore(b)).toMatch(/pdnd\.finalita\[0\]\.fruitore/);
  const c = valida();
  c.identities.ANPAL.pdnd.clientId = 'client-inail';
  expect(errore(c)).toMatch(/identities\.(ANPAL|INAIL)\.pdnd\.clientId.*already/);
  const d = valida();
  d.pdnd.finalita.push({ ...d.pdnd.finalita[0] });
  expect(errore(d)).toMatch(/listed twice/);
  const e = valida();
  e.pdnd.server.listen.port = e.services.hub.listen.port;
  expect(errore(e)).toMatch(/pdnd\.server\.listen\.port/);
  const f = valida();
  f.pdnd.tokenEndpoint = 'http://127.0.0.1/token';
  expect(errore(f)).toMatch(/tokenEndpoint/);
});

test('the operator of a call, as the PDND client reads it from the header blocks it sends', () => {
  const op = { id: 'OP-1&2', ufficio: 'Sede <Roma>' };
  expect(operatoreOfHeaders([correlationHeader('c-1'), operatoreHeader(op)])).toEqual(op);
  expect(operatoreOfHeaders([correlationHeader('c-1')])).toBeNull();
});
