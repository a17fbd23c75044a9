import { readFileSync } from 'node:fs';
import https from 'node:https';
import { XMLParser } from 'fast-xml-parser';

/**
 * A raw HTTPS sender for hostile-input tests: any method, any headers (or none), a body sent with a
 * Content-Length (true or false) or chunked, over mutual TLS, one connection per request (agent: false).
 * It never throws: a connection the server closes after answering is normal for refused bodies, and an
 * error before any answer is reported in `error` for the test to judge. The answer is read with
 * fast-xml-parser, independently of the code under test.
 */
export interface HostileTls {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

export function loadTls(files: { keyFile: string; certFile: string; caFile: string }): HostileTls {
  return { key: readFileSync(files.keyFile), cert: readFileSync(files.certFile), ca: readFileSync(files.caFile) };
}

export interface HostileRequest {
  method?: string;
  /** Header name -> value; a header is sent only if listed (Content-Length included, see `body`). */
  headers?: Record<string, string>;
  /**
   * A single buffer is sent with its true Content-Length unless headers already carry one;
   * a list of buffers is sent chunked (Transfer-Encoding: chunked, no Content-Length).
   */
  body?: Buffer | string | readonly Buffer[];
  /** Path and query appended to the origin of `url` instead of its own. */
  path?: string;
  timeoutMs?: number;
}

export interface ParsedFault {
  faultcode: string;
  faultstring: string;
  codice: string;
  descrizione: string;
  ritentabile: string;
}

export interface HostileResponse {
  status: number | null;
  body: string;
  /** The SOAP Fault, when the answer is one; null otherwise. */
  fault: ParsedFault | null;
  /** Transport error before a complete answer arrived (null when an answer arrived). */
  error: string | null;
  ms: number;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The SOAP 1.1 Fault in a response body, read with fast-xml-parser; null if the body is not a Fault. */
export function parseFault(text: string): ParsedFault | null {
  let json: Obj;
  try {
    json = parser.parse(text) as Obj;
  } catch {
    return null;
  }
  const fault = obj(obj(obj(json.Envelope)?.Body)?.Fault);
  if (!fault) return null;
  const detail = obj(obj(fault.detail)?.ErroreApe);
  return {
    faultcode: str(fault.faultcode),
    faultstring: str(fault.faultstring),
    codice: str(detail?.Codice),
    descrizione: str(detail?.Descrizione),
    ritentabile: str(detail?.Ritentabile),
  };
}

export function sendHostile(url: string, tls: HostileTls, r: HostileRequest): Promise<HostileResponse> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve) => {
    const target = new URL(url);
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    const chunked = Array.isArray(r.body);
    const single = chunked ? null : r.body === undefined ? null : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body as string, 'utf8');
    const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
    if (single && !hasLength) headers['Content-Length'] = String(single.length);
    if (chunked) headers['Transfer-Encoding'] = 'chunked';

    let status: number | null = null;
    let done = false;
    const chunks: Buffer[] = [];
    const finish = (error: string | null) => {
      if (done) return;
      done = true;
      const body = Buffer.concat(chunks).toString('utf8');
      resolve({ status, body, fault: error ? null : parseFault(body), error, ms: elapsed() });
    };
    const req = https.request(
      {
        host: target.hostname,
        port: target.port,
        path: r.path ?? `${target.pathname}${target.search}`,
        method: r.method ?? 'POST',
        headers,
        key: tls.key,
        cert: tls.cert,
        ca: tls.ca,
        agent: false,
        timeout: r.timeoutMs ?? 60_000,
      },
      (res) => {
        status = res.statusCode ?? null;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(null));
        res.on('error', (e) => finish(`response: ${e.message}`));
        res.on('aborted', () => finish('response aborted'));
      },
    );
    req.on('timeout', () => {
      finish(`no answer within ${r.timeoutMs ?? 60_000} ms`);
      req.destroy();
    });
    // After a complete answer, an error is the server closing while we were still sending: expected for refused bodies.
    req.on('error', (e: NodeJS.ErrnoException) => finish(`${e.code ?? ''} ${e.message}`.trim()));
    req.on('close', () => {
      if (!done) finish('connection closed without a complete answer');
    });
    if (chunked) {
      for (const c of r.body as readonly Buffer[]) {
        if (req.destroyed) break;
        req.write(c);
      }
      req.end();
    } else if (single) {
      req.end(single);
    } else {
      req.end();
    }
  });
}
