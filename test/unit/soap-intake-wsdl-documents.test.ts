import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WSDL_DIR } from '../../shared/paths';
import { CONTRACTS } from '../../shared/messages/contracts';
import { WsdlDocuments } from '../../shared/soap/intake/wsdl-documents';

/** GET on an endpoint: its WSDL with the served address, and the XSD it imports; nothing else. */

const PUBLIC = 'https://inps.example:9443';
const documents = new WsdlDocuments([{ ...CONTRACTS.esiti, operations: [] }], PUBLIC);
const at = (p: string) => new URL(p, 'https://localhost');

test('?wsdl (any case) gives the service WSDL with this endpoint as soap:address and its schema imports served from here', () => {
  const wsdl = documents.find(at('/ape/esiti?wsdl'))!;
  expect(wsdl).toContain(`<soap:address location="${PUBLIC}/ape/esiti"/>`);
  expect(wsdl).toContain(`schemaLocation="${PUBLIC}/wsdl/xsd/esiti.xsd"`);
  expect(wsdl).not.toContain('schemaLocation="xsd/');
  expect(documents.find(at('/ape/esiti?WSDL'))).toBe(wsdl);
});

test('the XSD of the contracts are served as they are; other files, other paths and other services are not', () => {
  expect(documents.find(at('/wsdl/xsd/comune.xsd'))).toBe(readFileSync(path.join(WSDL_DIR, 'xsd', 'comune.xsd'), 'utf8'));
  expect(documents.find(at('/wsdl/xsd/contratti.xsd'))).toBeNull();
  expect(documents.find(at('/wsdl/xsd/../../package.json'))).toBeNull();
  expect(documents.find(at('/ape/esiti'))).toBeNull();
  expect(documents.find(at('/ape/esiti?wsdl=1'))).toBeNull();
  expect(documents.find(at('/ape/istruttoria?wsdl'))).toBeNull();
});
