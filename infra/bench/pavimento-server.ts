import { readFileSync } from 'node:fs';
import https from 'node:https';
import { TLS_SERVER_POLICY } from '../../shared/soap/tls-policy';

/**
 * The raw floor's SOAP peer: an HTTPS server requiring a client certificate from the federation's CA (the
 * same PKI and TLS policy as the services), which reads each request body and answers a fixed envelope of
 * the configured size. No parsing, validation, signature or storage: that is the broker's logic the floor leaves out.
 * Started by pavimento.ts with fork(); announces its port over IPC.
 */
const [keyFile, certFile, caFile, dimensione] = process.argv.slice(2);
if (!keyFile || !certFile || !caFile) {
  console.error('usage: pavimento-server.js <key> <cert> <ca> [response bytes]');
  process.exit(2);
}
const riempitivo = 'x'.repeat(Math.max(0, Number(dimensione ?? 1500) - 200));
const risposta = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Ack><Esito>ACCEPTED</Esito><Nota>${riempitivo}</Nota></Ack></soap:Body></soap:Envelope>`,
);
const server = https.createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), ca: readFileSync(caFile), requestCert: true, rejectUnauthorized: true, ...TLS_SERVER_POLICY },
  (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': risposta.length, 'x-ricevuti': String(n) });
      res.end(risposta);
    });
  },
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.send?.({ porta: typeof a === 'object' && a ? a.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
