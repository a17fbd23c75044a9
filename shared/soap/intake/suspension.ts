/** Refuses suspended parties and operators (a supervisor's decision), from a cache kept current by the service. */
export interface SuspensionCheck {
  verifica(identity: string, operatoreId: string | null): void;
}

/** Stage: a suspended party is refused (PARTE_SOSPESA) as soon as it is identified, before admission. */
export function refuseSuspendedParty(check: SuspensionCheck | undefined, identity: string): void {
  check?.verifica(identity, null);
}

/** Stage: once the Operatore header is read, a suspended operator (OPERATORE_SOSPESO) or party is refused. */
export function refuseSuspendedOperator(check: SuspensionCheck | undefined, identity: string, operatoreId: string): void {
  check?.verifica(identity, operatoreId);
}
