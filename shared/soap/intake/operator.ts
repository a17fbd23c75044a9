import type { Operatore } from '../../domain/types';
import { RequestHeaders } from '../../messages/envelope';
import type { ParsedEnvelope } from '../../xml/envelope';
import { XmlReader } from '../../xml/read';
import type { RequestContext } from './context';

/**
 * Stage: the contract's header blocks (each at most once) and the Operatore every call must name (convenzione:
 * who caused it; OPERATORE_ASSENTE otherwise), recorded in the access trace.
 */
export function readOperator(ctx: Pick<RequestContext, 'access'>, env: ParsedEnvelope): { headers: RequestHeaders; operatore: Operatore } {
  const headers = new RequestHeaders(env.headers.map((h) => new XmlReader(h)));
  const operatore = headers.operatore();
  ctx.access.operatore = operatore;
  return { headers, operatore };
}
