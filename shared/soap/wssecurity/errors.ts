import { ApeError } from '../../errors';

/** The refusal codes of message security, and the error that carries them. */

export type WsSecurityCode = 'FIRMA_ASSENTE' | 'FIRMA_NON_VALIDA' | 'ALGORITMO_NON_AMMESSO' | 'TIMESTAMP_NON_VALIDO' | 'DESTINATARIO_NON_VALIDO' | 'INTESTAZIONE_NON_FIRMATA';

/**
 * Thrown by verifyEnvelope. It is an ApeError (the codes are in shared/errors.ts: actor Client, not
 * retryable, HTTP 500), so the SOAP layer turns it into a Fault like any other refusal.
 */
export class WsSecurityError extends ApeError {
  constructor(
    override readonly code: WsSecurityCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'WsSecurityError';
  }
}

/** Refuses the message with a code the sender can act on. */
export function fail(code: WsSecurityCode, message: string): never {
  throw new WsSecurityError(code, message);
}
