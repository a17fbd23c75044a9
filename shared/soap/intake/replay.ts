import { ApeError } from '../../errors';
import type { PrimaIstruzione } from '../../db/prima-istruzione';
import type { Logger } from '../../log';
import type { VerifiedSignature } from './signature';

/** MessageIDs already accepted, kept until their Timestamp expires (a later copy fails the Timestamp check). */
export interface ReplayGuard {
  /** Records the MessageID; false when it was already recorded (a replay). */
  registra(messageId: string, sender: string, expiresAt: Date, now: Date): Promise<boolean>;
  /**
   * The same record as the first statement of the transaction the handler opens on the guard's database (given to
   * the handler as CallContext.primaIstruzione), refusing a copy there with MESSAGGIO_RIPETUTO; absent, the record
   * is written before the handler.
   */
  nellaTransazione?(messageId: string, sender: string, expiresAt: Date, now: Date): PrimaIstruzione;
}

export const MESSAGGIO_RIPETUTO = (messageId: string) =>
  `wsa:MessageID ${messageId.slice(0, 120)} già ricevuto: ogni messaggio deve avere un identificativo nuovo (ID_AUTH_SOAP_02, protezione da replay)`;

/** Stage: the MessageID of a verified signature is recorded; one recorded before is refused (ID_AUTH_SOAP_02). */
export async function refuseReplay(guard: ReplayGuard, signature: VerifiedSignature, identity: string, now: Date): Promise<void> {
  if (!(await guard.registra(signature.messageId, identity, signature.expires, now))) {
    throw new ApeError('MESSAGGIO_RIPETUTO', MESSAGGIO_RIPETUTO(signature.messageId));
  }
}

/**
 * Stage around what follows the signature check: every verified MessageID is recorded once, and a copy is refused
 * before the handler changes anything. By default the record is written first. For an operation that takes it in
 * its transaction (`nellaTransazione`), where the guard can, the record is the first statement of the handler's own
 * transaction (one commit per call instead of two): the handler passes it to the withTransaction that makes its
 * change. A handler that took none (it changed nothing) has the record written alone after it, and its answer is
 * refused if that finds a copy. A call refused before committing it has it written alone too, so that a copy of a
 * refused message is refused as a replay, like that of an accepted one.
 */
export async function guardedByReplay<T>(
  guard: ReplayGuard,
  call: { signature: VerifiedSignature; identity: string; now: Date; nellaTransazione: boolean },
  log: Logger,
  rest: (primaIstruzione?: PrimaIstruzione) => Promise<T>,
): Promise<T> {
  const { signature, identity, now } = call;
  if (!call.nellaTransazione || !guard.nellaTransazione) {
    await refuseReplay(guard, signature, identity, now);
    return rest();
  }
  const prima = guard.nellaTransazione(signature.messageId, identity, signature.expires, now);
  let result: T;
  try {
    result = await rest(prima);
  } catch (err) {
    if (!prima.chiudi() && !(err instanceof ApeError && err.code === 'MESSAGGIO_RIPETUTO')) {
      await guard.registra(signature.messageId, identity, signature.expires, now).catch((e: unknown) => log.error({ err: e }, 'replay record of a refused call not written'));
    }
    throw err;
  }
  if (!prima.chiudi()) await refuseReplay(guard, signature, identity, now);
  return result;
}
