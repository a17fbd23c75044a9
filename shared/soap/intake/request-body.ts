import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ApeError } from '../../errors';

/** The HTTP side of a SOAP 1.1 request: POST, Content-Type text/xml, a body within the size limit in valid UTF-8. */

export function requirePost(method: string | undefined, pathname: string): void {
  if (method !== 'POST') throw new ApeError('METODO_NON_AMMESSO', `metodo ${method} non ammesso: usare POST (o GET ${pathname}?wsdl)`);
}

export function requireTextXml(headers: IncomingHttpHeaders): void {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (contentType.split(';')[0]!.trim() !== 'text/xml') {
    throw new ApeError('CONTENT_TYPE_NON_VALIDO', `Content-Type "${contentType || '(assente)'}" non ammesso: SOAP 1.1 richiede text/xml`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the body up to maxBytes; larger bodies are refused without buffering them. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new ApeError('MESSAGGIO_TROPPO_GRANDE', `messaggio di ${declared} byte oltre il limite di ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        req.resume();
        reject(new ApeError('MESSAGGIO_TROPPO_GRANDE', `messaggio oltre il limite di ${maxBytes} byte`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve(UTF8.decode(Buffer.concat(chunks)));
      } catch (err) {
        reject(new ApeError('XML_MALFORMATO', 'il corpo non è UTF-8 valido', { cause: err }));
      }
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(new ApeError('XML_MALFORMATO', 'lettura del corpo interrotta', { cause: err }));
    });
  });
}
