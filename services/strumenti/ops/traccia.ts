import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { Pseudonimizzatore } from '../../../shared/audit/pseudonimi';
import { Registri } from '../../../shared/audit/registri';
import type { Clock } from '../../../shared/clock';
import type { FederationConfig } from '../../../shared/config/schema';
import { createPool } from '../../../shared/db/pool';
import { ApeError, toError } from '../../../shared/errors';
import { schemaOf } from '../../../shared/runtime/schemas';

/**
 * The operations CLI works on other services' data (their queues, their packets): every consultation and every
 * action is an access in that service's own trace, channel CLI, with the operator who asked.
 */
export interface Schema {
  ente: string;
  pool: Pool;
  /** Appends the access to this service's trace; `rifiuto` is the error code of an action refused. */
  traccia(operazione: string, riferimenti?: Record<string, string>, rifiuto?: string): Promise<void>;
}

export class Schemi {
  private readonly aperti = new Map<string, Schema>();
  private pseudonimi: Pseudonimizzatore | null = null;

  constructor(
    private readonly config: FederationConfig,
    private readonly clock: Clock,
    private readonly operatore: string,
  ) {}

  /** The schema of INPS, HUB or a party, opened once. */
  di(ente: string): Schema {
    const e = ente.toUpperCase();
    const esistente = this.aperti.get(e);
    if (esistente) return esistente;
    const pool = createPool(this.config.postgres.url, schemaOf(this.config, e), { max: 2, applicationName: 'ops-cli' });
    this.pseudonimi ??= Pseudonimizzatore.daFile(this.config.security.pepperFile);
    const registri = new Registri(pool, this.pseudonimi);
    const schema: Schema = {
      ente: e,
      pool,
      traccia: (operazione, riferimenti = {}, rifiuto) =>
        registri.registraAccesso(
          {
            requestId: randomUUID(), at: this.clock.now(), service: 'ops', operation: operazione, identity: null, certificateSubject: null,
            operatore: { id: this.operatore, ufficio: `Operazioni ${e}` }, remoteAddress: 'locale',
            outcome: rifiuto === undefined ? 'ACCETTATA' : 'RIFIUTATA', faultCode: rifiuto ?? null, durationMs: 0,
            riferimenti,
          },
          'CLI',
        ),
    };
    this.aperti.set(e, schema);
    return schema;
  }

  async chiudi(): Promise<void> {
    // Swallowed: the command is over and its outcome decided; a pool that fails to close has nothing left to lose.
    await Promise.all([...this.aperti.values()].map((s) => s.pool.end().catch(() => undefined)));
    this.aperti.clear();
  }
}

/** Runs an action and traces it: accepted with what it did, or refused with its error code (then rethrown). */
export async function tracciata<T>(s: Schema, operazione: string, riferimenti: Record<string, string>, azione: () => Promise<T>, esito: (r: T) => Record<string, string> = () => ({})): Promise<T> {
  let r: T;
  try {
    r = await azione();
  } catch (err) {
    const codice = err instanceof ApeError ? err.code : 'NON_ESEGUITA';
    // The action's own error is what the operator must see, so it is the one rethrown; a refusal that could not be
    // traced is not silent either (the convenzione wants every access traced): it is reported on stderr.
    await s.traccia(operazione, riferimenti, codice).catch((tracciaErr: unknown) => {
      console.error(`attenzione: il rifiuto di ${operazione} non è stato registrato nella traccia di ${s.ente}: ${toError(tracciaErr).message}`);
    });
    throw err;
  }
  await s.traccia(operazione, { ...riferimenti, ...esito(r) });
  return r;
}
