import { ApeError } from '../../shared/errors';
import { refuseSuspendedOperator, refuseSuspendedParty, type SuspensionCheck } from '../../shared/soap/intake/suspension';
import { refusal } from '../support/intake';

/** Suspension: the party is checked once identified, the operator once the Operatore header is read. */

const check: SuspensionCheck = {
  verifica(identity, operatoreId) {
    if (identity === 'ANPAL') throw new ApeError('PARTE_SOSPESA', 'sospesa');
    if (operatoreId === 'OP-9') throw new ApeError('OPERATORE_SOSPESO', 'sospeso');
  },
};

test('a suspended party is refused with PARTE_SOSPESA; another passes', () => {
  expect(refusal(() => refuseSuspendedParty(check, 'ANPAL'))).toBe('PARTE_SOSPESA');
  expect(refusal(() => refuseSuspendedParty(check, 'INAIL'))).toBeNull();
});

test('a suspended operator is refused with OPERATORE_SOSPESO, whichever party calls for them', () => {
  expect(refusal(() => refuseSuspendedOperator(check, 'INAIL', 'OP-9'))).toBe('OPERATORE_SOSPESO');
  expect(refusal(() => refuseSuspendedOperator(check, 'INAIL', 'OP-1'))).toBeNull();
  expect(refusal(() => refuseSuspendedOperator(check, 'ANPAL', 'OP-1'))).toBe('PARTE_SOSPESA');
});

test('a server without a suspension check refuses nobody', () => {
  expect(refusal(() => refuseSuspendedParty(undefined, 'ANPAL'))).toBeNull();
  expect(refusal(() => refuseSuspendedOperator(undefined, 'ANPAL', 'OP-9'))).toBeNull();
});
