import { readBody, requirePost, requireTextXml } from '../../shared/soap/intake/request-body';
import { fakeRequest, refusal, refusalOf } from '../support/intake';

/** The HTTP side of the intake: method, content type, and the body read within its limit as UTF-8. */

test('only POST is a call; any other method is refused with METODO_NON_AMMESSO', () => {
  expect(refusal(() => requirePost('POST', '/ape/esiti'))).toBeNull();
  expect(refusal(() => requirePost('PUT', '/ape/esiti'))).toBe('METODO_NON_AMMESSO');
  expect(refusal(() => requirePost('GET', '/ape/esiti'))).toBe('METODO_NON_AMMESSO');
  expect(refusal(() => requirePost(undefined, '/ape/esiti'))).toBe('METODO_NON_AMMESSO');
});

test('SOAP 1.1 means text/xml, with or without parameters, in any case; anything else is CONTENT_TYPE_NON_VALIDO', () => {
  expect(refusal(() => requireTextXml({ 'content-type': 'text/xml' }))).toBeNull();
  expect(refusal(() => requireTextXml({ 'content-type': 'Text/XML; charset=utf-8' }))).toBeNull();
  expect(refusal(() => requireTextXml({ 'content-type': 'application/soap+xml; charset=utf-8' }))).toBe('CONTENT_TYPE_NON_VALIDO');
  expect(refusal(() => requireTextXml({ 'content-type': 'text/xmlx' }))).toBe('CONTENT_TYPE_NON_VALIDO');
  expect(refusal(() => requireTextXml({}))).toBe('CONTENT_TYPE_NON_VALIDO');
});

test('a body within the limit is read whole and decoded as UTF-8', async () => {
  const req = fakeRequest({ 'content-length': '9' });
  const body = readBody(req, 16);
  req.write(Buffer.from('<a>è'));
  req.end(Buffer.from('</a>'));
  await expect(body).resolves.toBe('<a>è</a>');
});

test('a declared length over the limit is refused before any byte is read, and the rest is drained', async () => {
  const req = fakeRequest({ 'content-length': '17' });
  const resume = jest.spyOn(req, 'resume');
  expect(await refusalOf(readBody(req, 16))).toBe('MESSAGGIO_TROPPO_GRANDE');
  expect(resume).toHaveBeenCalled();
});

test('a body that grows over the limit without declaring its length is refused as soon as it does', async () => {
  const req = fakeRequest();
  const body = readBody(req, 16);
  req.write(Buffer.alloc(10, 0x61));
  req.write(Buffer.alloc(10, 0x61));
  expect(await refusalOf(body)).toBe('MESSAGGIO_TROPPO_GRANDE');
});

test('bytes that are not UTF-8 are XML_MALFORMATO, as is a body cut by a stream error', async () => {
  const bad = fakeRequest();
  const body = readBody(bad, 16);
  bad.end(Buffer.from([0x3c, 0xc3, 0x28, 0x3e]));
  expect(await refusalOf(body)).toBe('XML_MALFORMATO');

  const cut = fakeRequest();
  const interrupted = readBody(cut, 16);
  cut.destroy(new Error('ECONNRESET'));
  expect(await refusalOf(interrupted)).toBe('XML_MALFORMATO');
});
