import type { Tx } from '../db/pool';

/** Kinds of events on an istruttoria's timeline. */
export type TipoEvento =
  | 'DOMANDA_RICEVUTA'
  | 'PACCHETTO_CREATO'
  | 'PACCHETTO_INVIATO'
  | 'PACCHETTO_RIFIUTATO'
  | 'ESITO_RICEVUTO'
  | 'ESITO_DUPLICATO'
  | 'VERIFICA_COMPLETATA'
  | 'VALUTAZIONE_INL_AVVIATA';

export interface Evento {
  istruttoriaId: string;
  pacchettoId?: string;
  tipo: TipoEvento;
  at: Date;
  dettagli?: Record<string, unknown>;
}

export async function registraEventi(tx: Tx, eventi: readonly Evento[]): Promise<void> {
  if (eventi.length === 0) return;
  await tx.query(
    `INSERT INTO evento (istruttoria_id, pacchetto_id, tipo, avvenuto_il, dettagli)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::jsonb[])`,
    [
      eventi.map((e) => e.istruttoriaId),
      eventi.map((e) => e.pacchettoId ?? null),
      eventi.map((e) => e.tipo),
      eventi.map((e) => e.at),
      eventi.map((e) => JSON.stringify(e.dettagli ?? {})),
    ],
  );
}
