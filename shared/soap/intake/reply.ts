import type { ServerResponse } from 'node:http';
import { ApeError, toError } from '../../errors';
import { faultEnvelope, faultOf } from '../../messages/envelope';
import type { Reply, RequestContext } from './context';

/**
 * A refusal (ApeError) becomes its SOAP Fault with its code and HTTP status; anything else is a bug, logged with
 * its stack and answered as ERRORE_INTERNO naming the request, without details.
 */
export function faultReply(ctx: Pick<RequestContext, 'requestId' | 'access' | 'log'>, thrown: unknown, res: { setHeader(name: string, value: string): unknown }): Reply {
  const err = toError(thrown);
  let fault: ApeError;
  if (err instanceof ApeError) {
    fault = err;
    ctx.log.info({ code: err.code, reason: err.message }, 'SOAP request refused');
  } else {
    fault = new ApeError('ERRORE_INTERNO', `errore interno (richiesta ${ctx.requestId}): riprovare più tardi`);
    ctx.log.error({ err }, 'SOAP handler failed');
  }
  ctx.access.faultCode = fault.code;
  if (fault.code === 'MESSAGGIO_TROPPO_GRANDE') res.setHeader('Connection', 'close');
  return { status: fault.httpStatus, body: faultEnvelope(faultOf(fault)) };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(reply.body), 'X-Content-Type-Options': 'nosniff' });
  res.end(reply.body);
}
