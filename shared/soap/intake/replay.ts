import { ApeError } from '../../errors';
import type { VerifiedSignature } from './signature';

/** MessageIDs already accepted, kept until their Timestamp expires (a later copy fails the Timestamp check). */
export interface ReplayGuard {
  /** Records the MessageID; false when it was already recorded (a replay). */
  registra(messageId: string, sender: string, expiresAt: Date, now: Date): Promise<boolean>;
}

/** Stage: the MessageID of a verified signature is recorded; one recorded before is refused (ID_AUTH_SOAP_02). */
export async function refuseReplay(guard: ReplayGuard, signature: VerifiedSignature, identity: string, now: Date): Promise<void> {
  if (!(await guard.registra(signature.messageId, identity, signature.expires, now))) {
    throw new ApeError('MESSAGGIO_RIPETUTO', `wsa:MessageID ${signature.messageId.slice(0, 120)} già ricevuto: ogni messaggio deve avere un identificativo nuovo (ID_AUTH_SOAP_02, protezione da replay)`);
  }
}
