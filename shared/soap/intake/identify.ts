import type { TLSSocket } from 'node:tls';
import type { Caller, CallerRegistry } from '../identity';
import type { RequestContext } from './context';

/**
 * Stage: who is calling, from the TLS channel (client certificate from the party's CA, registered subject, allowed
 * source address: identity.ts). What is learnt before a refusal (the certificate presented, the identity it claims,
 * the address) goes into the access trace all the same.
 */
export function identifyCaller(ctx: Pick<RequestContext, 'access' | 'log'>, registry: CallerRegistry, socket: TLSSocket): Caller {
  const { access } = ctx;
  const caller = registry.identify(socket, (d) => {
    if (d.certificate) access.certificateSubject = d.certificate;
    if (d.identity) access.identity = d.identity;
    access.remoteAddress = d.remoteAddress;
  });
  access.identity = caller.identity.code;
  access.certificateSubject = `${caller.certificate.subject} (${caller.certificate.fingerprint256})`;
  access.remoteAddress = caller.remoteAddress;
  ctx.log = ctx.log.child({ caller: caller.identity.code });
  return caller;
}
