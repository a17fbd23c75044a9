import { impronta } from '../../shared/domain/impronta';

describe('impronta', () => {
  test('is a SHA-256 hex digest', () => {
    expect(impronta({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  test('is the hash of the canonical JSON (sorted keys, no spaces)', () => {
    // sha256('{"a":1,"b":"x"}')
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(impronta({ b: 'x', a: 1 })).toBe(createHash('sha256').update('{"a":1,"b":"x"}').digest('hex'));
  });

  test('the order of object keys does not matter, at any depth', () => {
    const a = { idPacchetto: 'P1', ente: 'INAIL', esiti: [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }], datore: { cf: 'X', pat: 'Y' } };
    const b = { datore: { pat: 'Y', cf: 'X' }, esiti: [{ esito: 'CONFORME', dato: 'CCNL', riferimento: 1 }], ente: 'INAIL', idPacchetto: 'P1' };
    expect(impronta(a)).toBe(impronta(b));
  });

  test('the order of array elements does matter', () => {
    expect(impronta({ voci: ['3110', '3150'] })).not.toBe(impronta({ voci: ['3150', '3110'] }));
  });

  test('keys whose value is undefined are ignored', () => {
    expect(impronta({ a: 1, b: undefined })).toBe(impronta({ a: 1 }));
    expect(impronta({ x: { nota: undefined, esito: 'CONFORME' } })).toBe(impronta({ x: { esito: 'CONFORME' } }));
  });

  test('null is a value, unlike undefined', () => {
    expect(impronta({ a: 1, b: null })).not.toBe(impronta({ a: 1 }));
  });

  test('Dates are hashed as their ISO string', () => {
    const d = new Date('2026-03-10T09:00:00.000Z');
    expect(impronta({ dataInvio: d })).toBe(impronta({ dataInvio: '2026-03-10T09:00:00.000Z' }));
    expect(impronta({ dataInvio: d })).toBe(impronta({ dataInvio: new Date(d.getTime()) }));
    expect(impronta({ dataInvio: d })).not.toBe(impronta({ dataInvio: new Date(d.getTime() + 1) }));
  });

  test('different content gives a different hash', () => {
    const base = { idPacchetto: 'P1', esiti: [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }] };
    expect(impronta(base)).not.toBe(impronta({ ...base, idPacchetto: 'P2' }));
    expect(impronta(base)).not.toBe(impronta({ ...base, esiti: [{ riferimento: 1, dato: 'CCNL', esito: 'NON_CONFORME' }] }));
    expect(impronta(base)).not.toBe(impronta({ ...base, extra: true }));
  });

  test('types are told apart (1 vs "1", nested object vs its JSON text)', () => {
    expect(impronta({ a: 1 })).not.toBe(impronta({ a: '1' }));
    expect(impronta({ a: { b: 1 } })).not.toBe(impronta({ a: '{"b":1}' }));
  });

  test('equal content built separately gives the same hash', () => {
    const build = () => ({ a: [1, 2, { c: new Date(0), d: 'x' }] });
    expect(impronta(build())).toBe(impronta(build()));
  });
});
