import type { HostileRequest } from '../hostile-http';
import type { Code, HostileCase } from './cases';
import { type CaseKit, post, TEXT_XML } from './kit';

/**
 * Hostile requests refused at the HTTP layer, before any XML is read: bodies over the size limit (declared or
 * streamed), content types other than text/xml, methods other than POST.
 */

// ------------------------------------------------------------------------------------------ oversize
export function oversize(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const max = kit.ctx.maxBodyBytes;
  const form = r.pick(['content-length', 'content-length', 'content-length-limit-plus-one', 'chunked', 'chunked', 'chunked-tiny-chunks', 'lying-content-length', 'at-limit', 'below-limit'] as const);
  const size = r.int(max + 1, 4 * max);
  const chunk = r.logInt(512, 65_536);
  const declared = r.pick([max + 1, 10 * max, 2 ** 31, 2 ** 40, 999_999_999_999]);
  const repro =
    form === 'content-length' ? `valid domanda padded to ${size} bytes with a header comment, Content-Length`
    : form === 'content-length-limit-plus-one' ? `valid domanda padded to ${max + 1} bytes, Content-Length`
    : form === 'chunked' ? `valid domanda padded to ${size} bytes, chunked in ${chunk}-byte chunks, no Content-Length`
    : form === 'chunked-tiny-chunks' ? `valid domanda padded to ${max + 1 + (size % 4096)} bytes in 100-byte chunks`
    : form === 'lying-content-length' ? `valid domanda, Content-Length: ${declared}`
    : form === 'at-limit' ? `invalid domanda (Categoria J) padded to exactly ${max} bytes`
    : `invalid domanda (Categoria J) padded to ${max - 1} bytes`;
  return kit.make('oversize', `oversize:${form}`, repro, (prot) => {
    const padded = (bytes: number, invalid = false) => {
      const env = kit.envelope(prot, (p) => (invalid ? p.replace('<ist:Categoria>A</ist:Categoria>', '<ist:Categoria>J</ist:Categoria>') : p));
      const fill = bytes - Buffer.byteLength(env) - '<!---->'.length;
      if (fill < 0) throw new Error('envelope larger than the target size');
      return Buffer.from(env.replace('<soap:Header>', `<soap:Header><!--${'x'.repeat(fill)}-->`), 'utf8');
    };
    const chunks = (b: Buffer, n: number) => {
      const out: Buffer[] = [];
      for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
      return out;
    };
    const TOO_BIG: readonly Code[] = ['MESSAGGIO_TROPPO_GRANDE'];
    switch (form) {
      case 'content-length':
        return { request: post(padded(size)), expect: TOO_BIG };
      case 'content-length-limit-plus-one':
        return { request: post(padded(max + 1)), expect: TOO_BIG };
      case 'chunked':
        return { request: { method: 'POST', headers: { ...TEXT_XML }, body: chunks(padded(size), chunk) }, expect: TOO_BIG };
      case 'chunked-tiny-chunks':
        return { request: { method: 'POST', headers: { ...TEXT_XML }, body: chunks(padded(max + 1 + (size % 4096)), 100) }, expect: TOO_BIG };
      case 'lying-content-length':
        return { request: { method: 'POST', headers: { ...TEXT_XML, 'Content-Length': String(declared) }, body: kit.envelope(prot) }, expect: TOO_BIG };
      case 'at-limit':
        return { request: post(padded(max, true)), expect: ['SCHEMA_NON_VALIDO', 'XML_TROPPO_COMPLESSO'] };
      case 'below-limit':
        return { request: post(padded(max - 1, true)), expect: ['SCHEMA_NON_VALIDO', 'XML_TROPPO_COMPLESSO'] };
    }
  });
}

// -------------------------------------------------------------------------------------- content type
export function contentType(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const known = [
    'application/json', 'application/json; charset=utf-8', 'application/soap+xml', 'application/soap+xml; charset=utf-8; action="urn:it:ape-precoci:istruttoria:v1:PresentaDomanda"',
    'text/plain', 'text/plain; charset=utf-8', 'text/html', 'multipart/related; type="text/xml"; boundary=MIMEBoundary', 'multipart/form-data; boundary=x',
    'application/xml', 'application/x-www-form-urlencoded', 'application/octet-stream', '*/*', 'xml', 'text', 'text/x-xml', 'application/text+xml',
    'text/xm', 'texto/xml', 'application/xml; x=text/xml', 'text/plain; type=text/xml', 'application/xop+xml; type="text/xml"', 'image/svg+xml',
  ];
  const choice = r.chance(0.12) ? null : r.chance(0.15) ? `${r.ncname(8)}/${r.ncname(10)}` : r.pick(known);
  const ct = choice !== null && choice.trim().toLowerCase().startsWith('text/xml') ? 'application/json' : choice;
  const shape = ct?.startsWith('multipart') ? 'multipart' : ct?.includes('json') ? 'json' : 'soap';
  return kit.make('content-type', `content-type:${ct === null ? 'missing' : known.includes(ct) ? ct.split(';')[0] : 'random'}`, `valid domanda sent with Content-Type ${ct === null ? '(none)' : JSON.stringify(ct)}`, (prot) => {
    const env = kit.envelope(prot);
    const body =
      shape === 'multipart'
        ? `--MIMEBoundary\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-ID: <root>\r\n\r\n${env}\r\n--MIMEBoundary--\r\n`
        : shape === 'json'
          ? JSON.stringify({ PresentaDomanda: { ProtocolloDomanda: prot, xml: env } })
          : env;
    const headers: Record<string, string> = ct === null ? {} : { 'Content-Type': ct };
    return { request: { method: 'POST', headers, body }, expect: ['CONTENT_TYPE_NON_VALIDO'] };
  });
}

// ------------------------------------------------------------------------------------------- methods
export function method(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const m = r.pick(['PUT', 'PUT', 'DELETE', 'DELETE', 'PATCH', 'PATCH', 'OPTIONS', 'GET', 'GET', 'GET'] as const);
  const query = r.pick(['', '', '?', '?wsdl=1', '?xsd', '?wsdl&x=1', '?%77sdl', '?wsd', `?${r.ncname(6)}`, '?wsdl#frag'.replace('#frag', '%23')]);
  const suffix = m === 'GET' ? r.pick(['', '', '', '/', '/x', '/../istruttoria']) : '';
  const withBody = r.chance(0.6);
  return kit.make('method', `method:${m}`, `${m} /ape/istruttoria${suffix}${query}${withBody ? ' with a valid domanda as body' : ''}`, (prot) => {
    const base = '/ape/istruttoria';
    const path = `${base}${suffix}${query}`;
    const headers: Record<string, string> = withBody ? { ...TEXT_XML } : {};
    const request: HostileRequest = { method: m, path, headers, ...(withBody ? { body: kit.envelope(prot) } : {}) };
    const normalised = new URL(path, 'https://x').pathname;
    const expect: readonly Code[] = m !== 'GET' ? ['METODO_NON_AMMESSO'] : normalised === base ? ['METODO_NON_AMMESSO'] : ['OPERAZIONE_SCONOSCIUTA'];
    return { request, expect };
  });
}
