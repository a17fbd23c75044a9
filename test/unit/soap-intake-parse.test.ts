import { envelope, operatoreHeader } from '../../shared/messages/envelope';
import { OPERATIONS } from '../../shared/messages/contracts';
import { writeStatoIstruttoria } from '../../shared/messages/istruttoria';
import { parseRequest, validateRequest } from '../../shared/soap/intake/parse';
import { WSSE_NS } from '../../shared/soap/wssecurity';
import { el, Xml } from '../../shared/xml/write';
import { refusal } from '../support/intake';

/** The body read as a SOAP envelope, then checked against the contracts' XSD and its mustUnderstand headers. */

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const operatore = operatoreHeader({ id: 'OP-1', ufficio: 'Sede di Roma' });
const stato = writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-000001' });
const request = (headers: Xml[] = [operatore], body: Xml = stato) => envelope(headers, body);
/** A header block of the given namespace marked mustUnderstand, as raw XML. */
const marked = (ns: string, value = '1'): Xml => new Xml(`<x:Blocco xmlns:x="${ns}" soap:mustUnderstand="${value}"/>`);

test('a well-formed request is parsed into its headers and payload', () => {
  const env = parseRequest(request());
  expect(env.payloadName).toBe(OPERATIONS.StatoIstruttoria.payload);
  expect(env.headers.map((h) => h.local)).toEqual(['Operatore']);
  expect(refusal(() => validateRequest(env))).toBeNull();
});

test('a DTD, malformed XML and a non-SOAP root are refused by the parse with their own codes', () => {
  expect(refusal(() => parseRequest(`<!DOCTYPE x [<!ENTITY a "b">]>${request()}`))).toBe('DTD_NON_AMMESSA');
  expect(refusal(() => parseRequest(request().replace('</soap:Body>', '')))).toBe('XML_MALFORMATO');
  expect(refusal(() => parseRequest('<?xml version="1.0"?><Envelope/>'))).toBe('SOAP_NON_VALIDO');
});

test('a payload that the contracts do not allow is parsed, and refused by validation with SCHEMA_NON_VALIDO', () => {
  const env = parseRequest(request([operatore], el('ist:StatoIstruttoria', el('ist:Altro', 'x'))));
  expect(refusal(() => validateRequest(env))).toBe('SCHEMA_NON_VALIDO');
});

test('a header marked mustUnderstand in a namespace this endpoint does not process is INTESTAZIONE_NON_COMPRESA', () => {
  const env = parseRequest(request([operatore, marked('urn:sconosciuto')]));
  expect(refusal(() => validateRequest(env))).toBe('INTESTAZIONE_NON_COMPRESA');
  // SOAP 1.1 spells it 1 or true; 0 means the receiver may ignore the block.
  expect(refusal(() => validateRequest(parseRequest(request([operatore, marked('urn:sconosciuto', 'true')]))))).toBe('INTESTAZIONE_NON_COMPRESA');
  expect(refusal(() => validateRequest(parseRequest(request([operatore, marked('urn:sconosciuto', '0')]))))).toBeNull();
});

test('mustUnderstand on the blocks this endpoint processes (WS-Security) is accepted', () => {
  const env = parseRequest(request([operatore, marked(WSSE_NS)]));
  expect(env.headers[1]!.attrs[`{${SOAP_NS}}mustUnderstand`]).toBe('1');
  expect(refusal(() => validateRequest(env))).toBeNull();
});
