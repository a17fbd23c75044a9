import { OPERATIONS } from '../../shared/messages/contracts';
import { authoriseCaller, checkSoapAction, findOperation, findService } from '../../shared/soap/intake/operation';
import type { SoapOperation, SoapService } from '../../shared/soap/service';
import { refusal } from '../support/intake';

/** Which operation a call is (path, payload, SOAPAction) and whether the identified caller may call it. */

const operation = (name: keyof typeof OPERATIONS, callers: string[]): SoapOperation => ({
  name,
  ...OPERATIONS[name],
  callers,
  handle: () => Promise.reject(new Error('not called by these stages')),
});
const presenta = operation('PresentaDomanda', ['INPS-SISTEMA']);
const stato = operation('StatoIstruttoria', ['INPS-SISTEMA', 'INL']);
const istruttoria: SoapService = { path: '/ape/istruttoria', wsdl: 'inps-istruttoria.wsdl', operations: [presenta, stato] };
const byPath = new Map([[istruttoria.path, istruttoria]]);

test('the service is the one served on the URL path; any other path is OPERAZIONE_SCONOSCIUTA', () => {
  expect(findService(byPath, '/ape/istruttoria')).toBe(istruttoria);
  expect(refusal(() => findService(byPath, '/ape/esiti'))).toBe('OPERAZIONE_SCONOSCIUTA');
  expect(refusal(() => findService(byPath, '/ape/istruttoria/'))).toBe('OPERAZIONE_SCONOSCIUTA');
});

test('the operation is the one whose request element is the payload; a payload of another service is OPERAZIONE_SCONOSCIUTA', () => {
  expect(findOperation(istruttoria, OPERATIONS.StatoIstruttoria.payload)).toBe(stato);
  expect(refusal(() => findOperation(istruttoria, OPERATIONS.NotificaEsito.payload))).toBe('OPERAZIONE_SCONOSCIUTA');
});

test("SOAPAction may be absent, empty or the operation's own, quoted or not; another operation's is OPERAZIONE_SCONOSCIUTA", () => {
  const own = OPERATIONS.PresentaDomanda.soapAction;
  for (const header of [undefined, '', '""', own, `"${own}"`]) expect(refusal(() => checkSoapAction(presenta, header))).toBeNull();
  expect(refusal(() => checkSoapAction(presenta, OPERATIONS.StatoIstruttoria.soapAction))).toBe('OPERAZIONE_SCONOSCIUTA');
  expect(refusal(() => checkSoapAction(presenta, `'${own}'`))).toBe('OPERAZIONE_SCONOSCIUTA');
});

test("only the operation's callers are authorised; another registered party is PARTE_NON_AUTORIZZATA", () => {
  expect(refusal(() => authoriseCaller(stato, 'INL'))).toBeNull();
  expect(refusal(() => authoriseCaller(presenta, 'INL'))).toBe('PARTE_NON_AUTORIZZATA');
});
