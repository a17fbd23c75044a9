import type { Riferimenti, Registri } from '../../../shared/audit/registri';
import type { Clock } from '../../../shared/clock';
import { ApeError, toError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import type { Richiesta } from './richiesta';
import type { Sessione } from './utenti';

/**
 * The console's access records (channel CONSOLE in the access log, convenzione quadro): one per view of citizen data,
 * supervisor action, login, logout and refusal, with the officer's id and, for a citizen, the keyed pseudonym only.
 */
export interface OpzioniTraccia {
  riferimenti?: Riferimenti;
  /** The citizen concerned: the log keeps its pseudonym, never the code. */
  codiceFiscale?: string;
  codiceErrore?: string;
  /** Who, before a session exists (login): the id typed or the account's. */
  operatoreId?: string;
}

export type Traccia = (r: Richiesta, s: Sessione | null, operazione: string, esito: 'ACCETTATA' | 'RIFIUTATA', opts?: OpzioniTraccia) => Promise<void>;

export function creaTraccia(d: { registri: Pick<Registri, 'registraAccesso'>; clock: Clock; log: Logger }): Traccia {
  return (r, s, operazione, esito, opts = {}) =>
    d.registri
      .registraAccesso(
        {
          requestId: r.requestId,
          at: d.clock.now(),
          service: 'inps-console',
          operation: operazione,
          identity: null,
          certificateSubject: null,
          operatore: s ? { id: s.operatore.id, ufficio: s.operatore.ufficio } : opts.operatoreId ? { id: opts.operatoreId, ufficio: '' } : null,
          remoteAddress: r.ip,
          outcome: esito,
          faultCode: opts.codiceErrore ?? null,
          durationMs: Date.now() - r.inizio,
          ...(opts.riferimenti && { riferimenti: opts.riferimenti }),
          ...(opts.codiceFiscale && { codiceFiscale: opts.codiceFiscale }),
        },
        'CONSOLE',
      )
      // Not swallowed: a record that cannot be written is an error in the service's log, with the request id to
      // reconcile it; the answer itself goes on.
      .catch((err: unknown) => d.log.error({ err: toError(err).message, requestId: r.requestId }, 'cannot record a console access'));
}

/** The code an access record keeps of a refusal: an ApeError's code (none for anything else). */
export function codiceDi(err: unknown): string | undefined {
  const e = toError(err);
  return e instanceof ApeError ? e.code : undefined;
}
