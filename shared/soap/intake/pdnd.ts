import type { IncomingHttpHeaders } from 'node:http';
import { ApeError, toError } from '../../errors';
import { metrics } from '../../metrics/metrics';
import type { PdndGuard } from '../../pdnd/guard';
import type { RequestContext } from './context';

/**
 * Stage: when PDND is on for the caller's identity, its call carries a valid PDND voucher for this endpoint's
 * e-service (Authorization: Bearer) and the operator's tracking evidence bound to it (Agid-JWT-TrackingEvidence),
 * naming the operator of com:Operatore. Runs once the caller is identified, the signature checked and the operator
 * read. The evidence's claims and hash go into the call's access record. A refusal is counted by reason; a voucher
 * refusal answers 401 (403 when it is not this caller's) with WWW-Authenticate (RFC 6750).
 */
export async function checkPdnd(
  ctx: Pick<RequestContext, 'access'>,
  guard: PdndGuard | undefined,
  call: { headers: IncomingHttpHeaders; audience: string; caller: string; operatoreId: string },
  res: { setHeader(name: string, value: string): unknown },
): Promise<void> {
  if (!guard?.requires(call.caller)) return;
  try {
    ctx.access.evidenza = await guard.check({
      authorization: call.headers.authorization,
      evidence: single(call.headers['agid-jwt-trackingevidence']),
      audience: call.audience,
      caller: call.caller,
      operatoreId: call.operatoreId,
    });
  } catch (thrown) {
    const err = toError(thrown);
    if (err instanceof ApeError) {
      metrics().pdndRifiuti.inc({ motivo: err.code, chiamante: call.caller });
      const challenge = wwwAuthenticate(err);
      if (challenge) res.setHeader('WWW-Authenticate', challenge);
    }
    throw err;
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
}

/** RFC 6750 §3: invalid_request without a token, invalid_token for a bad one, insufficient_scope for another's. */
function wwwAuthenticate(err: ApeError): string | null {
  if (!err.code.startsWith('VOUCHER_')) return null;
  const error = err.code === 'VOUCHER_ASSENTE' ? 'invalid_request' : err.httpStatus === 403 ? 'insufficient_scope' : 'invalid_token';
  return `Bearer realm="pdnd", error="${error}", error_description="${err.code}"`;
}
