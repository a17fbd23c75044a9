import { readFileSync } from 'node:fs';
import https from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { signEnvelope } from '../../shared/soap/wssecurity';

/**
 * Raw HTTPS for protocol tests: exact bytes out, and the answer read with an independent XML parser
 * (fast-xml-parser), so tests do not trust the code under test to read its own faults.
 */
export interface RawTls {
  keyFile?: string;
  certFile?: string;
  key?: string;
  cert?: string;
  caFile: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  fault: { faultcode: string; code: string; message: string; retryable: string } | null;
  json: Record<string, unknown>;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

/** The envelope signed as the TLS identity would sign it (ModI ID_AUTH_SOAP_02), addressed to url. */
export function firmato(url: string, body: string, tls: RawTls): string {
  const keyPem = tls.key ?? readFileSync(tls.keyFile!, 'utf8');
  const certPem = tls.cert ?? readFileSync(tls.certFile!, 'utf8');
  return signEnvelope(body, { keyPem, certPem, to: url, now: new Date() });
}

export function postRaw(
  url: string,
  content: string | Buffer,
  o: { tls: RawTls; contentType?: string; soapAction?: string; method?: string; firma?: boolean; headers?: Record<string, string>; localAddress?: string },
): Promise<RawResponse> {
  const body = o.firma ? firmato(url, content.toString(), o.tls) : content;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'Content-Type': o.contentType ?? 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) };
    if (o.soapAction !== undefined) headers.SOAPAction = o.soapAction;
    Object.assign(headers, o.headers);
    const req = https.request(
      url,
      {
        method: o.method ?? 'POST',
        headers,
        ca: readFileSync(o.tls.caFile),
        ...(o.tls.keyFile && { key: readFileSync(o.tls.keyFile) }),
        ...(o.tls.certFile && { cert: readFileSync(o.tls.certFile) }),
        ...(o.tls.key && { key: o.tls.key }),
        ...(o.tls.cert && { cert: o.tls.cert }),
        agent: false,
        ...(o.localAddress && { localAddress: o.localAddress }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = parser.parse(text) as Record<string, unknown>;
          } catch {
            /* not XML */
          }
          const f = ((json.Envelope as Record<string, unknown> | undefined)?.Body as Record<string, unknown> | undefined)?.Fault as Record<string, unknown> | undefined;
          const detail = (f?.detail as Record<string, unknown> | undefined)?.ErroreApe as Record<string, string> | undefined;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json,
            fault: f ? { faultcode: String(f.faultcode), code: detail?.Codice ?? '', message: detail?.Descrizione ?? String(f.faultstring), retryable: detail?.Ritentabile ?? '' } : null,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** An envelope with the given header blocks and body, namespaces declared on the Envelope. */
export function rawEnvelope(headers: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:com="urn:it:ape-precoci:comune:v1" ` +
    `xmlns:ist="urn:it:ape-precoci:istruttoria:v1" xmlns:esi="urn:it:ape-precoci:esiti:v1" xmlns:pac="urn:it:ape-precoci:pacchetto:v1">` +
    `<soap:Header>${headers}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

export const OPERATORE = '<com:Operatore><com:IdOperatore>INPS-OP-TEST</com:IdOperatore><com:Ufficio>Sede di test</com:Ufficio></com:Operatore>';
