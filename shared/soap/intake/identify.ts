import type { TLSSocket } from 'node:tls';
import { ApeError } from '../../errors';
import type { Caller, CallerRegistry } from '../identity';
import type { RequestContext } from './context';

/**
 * Stage: who is calling, from the TLS channel (client certificate from the party's CA, registered subject, allowed
 * source address: identity.ts). What is learnt before a refusal (the certificate presented, the identity it claims,
 * the address) goes into the access trace all the same. A call identification refuses is marked `unidentified` (its
 * access record is then aggregated) and handed to `refuse`, which decides how it is refused (admission.ts,
 * refuseUnidentified); by default with identification's own refusal.
 */
export function identifyCaller(
  ctx: Pick<RequestContext, 'access' | 'log' | 'unidentified'>,
  registry: CallerRegistry,
  socket: TLSSocket,
  refuse: (refusal: ApeError) => never = (refusal) => {
    throw refusal;
  },
): Caller {
  const { access } = ctx;
  let caller: Caller;
  try {
    caller = registry.identify(socket, (d) => {
      if (d.certificate) access.certificateSubject = d.certificate;
      if (d.identity) access.identity = d.identity;
      access.remoteAddress = d.remoteAddress;
    });
  } catch (err) {
    if (!(err instanceof ApeError)) throw err;
    ctx.unidentified = true;
    return refuse(err);
  }
  access.identity = caller.identity.code;
  access.certificateSubject = `${caller.certificate.subject} (${caller.certificate.fingerprint256})`;
  access.remoteAddress = caller.remoteAddress;
  ctx.log = ctx.log.child({ caller: caller.identity.code });
  return caller;
}
