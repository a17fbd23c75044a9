import { createHash } from 'node:crypto';
import type { Registri } from '../../audit/registri';
import type { RifiutiSenzaIdentita } from '../../audit/rifiuti-senza-identita';
import { toError } from '../../errors';
import { metrics } from '../../metrics/metrics';
import { sourceKey } from '../../net/source-key';
import type { RequestContext } from './context';

/** What a finished call leaves behind, accepted or refused: its access trace and message log entries, its metrics. */

/** The two chained logs a call is written to. */
export type CallRegisters = Pick<Registri, 'registraAccesso' | 'registraMessaggio'>;

/** Where the refusals of callers without an identity are counted, to be written as one record per address and minute. */
export type UnidentifiedRefusals = Pick<RifiutiSenzaIdentita, 'conta'>;

/**
 * The access trace entry of every call, and the message log entry of a call that reached its handler, committed
 * before its response leaves. A failure to write them does not change the answer: it is logged as an error.
 * A call identification refused is only counted (`unidentified`), at no cost to the chains or the database: a flood
 * of them must not grow the log nor slow the registered parties' calls, which wait for their own records.
 */
export async function writeRecords(
  registri: CallRegisters | undefined,
  ctx: Pick<RequestContext, 'access' | 'received' | 'log' | 'unidentified'>,
  unidentified?: UnidentifiedRefusals,
): Promise<void> {
  const { access, received } = ctx;
  if (ctx.unidentified && unidentified) {
    unidentified.conta(access, sourceKey(access.remoteAddress));
    return;
  }
  if (!registri) return;
  try {
    await Promise.all([
      registri.registraAccesso(access),
      received && access.identity
        ? registri.registraMessaggio(
            {
              direzione: 'RICEVUTO',
              operazione: received.operation,
              controparte: access.identity,
              messageId: received.messageId,
              correlationId: received.correlationId,
              improntaCorpo: createHash('sha256').update(received.body).digest('hex'),
              dimensione: Buffer.byteLength(received.body),
              esito: access.outcome === 'ACCETTATA' ? 'ACCETTATO' : `RIFIUTATO ${access.faultCode ?? ''}`.trim(),
              ...(access.riferimenti && { riferimenti: access.riferimenti }),
            },
            access.at,
          )
        : Promise.resolve(),
    ]);
  } catch (err) {
    // The change (if any) is committed: answer anyway, and make the gap loud.
    ctx.log.error({ err: toError(err).message, requestId: access.requestId }, 'access trace not written');
  }
}

/** The call's latency by operation, caller and outcome; a Fault is also counted by its code. */
export function observeCall(ctx: Pick<RequestContext, 'access' | 'started'>, method: string | undefined): void {
  const { access } = ctx;
  const m = metrics();
  m.soapIngresso.observe(
    { operazione: access.operation ?? (method === 'GET' ? 'documento' : 'sconosciuta'), chiamante: access.identity ?? 'sconosciuto', esito: access.faultCode ?? 'OK' },
    (Date.now() - ctx.started) / 1000,
  );
  if (access.faultCode) m.errore(access.faultCode, 'soap_fault_inviato');
}
