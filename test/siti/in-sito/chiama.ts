import { postRaw, type RawTls } from '../../support/raw-soap';

/**
 * Run on a party's host (test:siti, `ip netns exec`): one raw SOAP call as an identity, from a given source address
 * of that host; prints the status, the Fault's code and Retry-After as JSON on stdout.
 */
interface Chiamata {
  url: string;
  tls: RawTls;
  localAddress: string;
  soapAction: string;
  body: string;
}

const c = JSON.parse(process.argv[2] ?? '{}') as Chiamata;
postRaw(c.url, c.body, { tls: c.tls, soapAction: c.soapAction, localAddress: c.localAddress, firma: true }).then(
  (r) => console.log(JSON.stringify({ status: r.status, codice: r.fault?.code ?? null, retryAfter: r.headers['retry-after'] ?? null })),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
