import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../shared/db/pool';
import type { EnteVerificatore } from '../../../shared/domain/types';
import { QUEUES } from '../../../shared/amqp/topology';
import type { Riscontro, Segnalazione, Sollecito } from '../../../shared/messages/pacchetto';
import { enqueue } from '../../../shared/outbox/outbox';

/**
 * Messages INPS sends besides packets, stored with the state change that causes them and sent by the
 * dispatcher through the hub: reminders (SollecitaEsito), cases for INL (SegnalaCaso), notices of a party's
 * esito to the other parties (NotificaRiscontro).
 */
type TipoMessaggio = 'SOLLECITO' | 'SEGNALAZIONE' | 'RISCONTRO';

/** Stored body of each kind: the message as the writer needs it, with dates as ISO strings. */
export type CorpoMessaggio =
  | { tipo: 'SOLLECITO'; sollecito: Omit<Sollecito, 'scadenza' | 'dataSollecito'> & { scadenza: string; dataSollecito: string } }
  | { tipo: 'SEGNALAZIONE'; segnalazione: Omit<Segnalazione, 'dataInvio' | 'limiteAttesa'> & { limiteAttesa: string } }
  | { tipo: 'RISCONTRO'; riscontro: Omit<Riscontro, 'dataEsito'> & { dataEsito: string } };

export interface InvioMessaggioMsg {
  idMessaggio: string;
}

export async function creaMessaggio(
  tx: Tx,
  m: { id?: string; istruttoriaId: string; destinatario: EnteVerificatore; corpo: CorpoMessaggio; correlationId?: string; now: Date },
): Promise<string> {
  const id = m.id ?? randomUUID();
  // The message id doubles as the business id the counterpart deduplicates on.
  if (m.corpo.tipo === 'RISCONTRO' && m.corpo.riscontro.idRiscontro === '') m.corpo.riscontro.idRiscontro = id;
  if (m.corpo.tipo === 'SOLLECITO' && m.corpo.sollecito.idSollecito === '') m.corpo.sollecito.idSollecito = id;
  await tx.query(
    `INSERT INTO messaggio_uscita (id, tipo, destinatario, istruttoria_id, corpo, correlation_id, creato_il) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, m.corpo.tipo, m.destinatario, m.istruttoriaId, JSON.stringify(m.corpo), m.correlationId ?? null, m.now],
  );
  const msg: InvioMessaggioMsg = { idMessaggio: id };
  await enqueue(tx, { routingKey: QUEUES.inpsInvioMessaggio, payload: msg, headers: { idIstruttoria: m.istruttoriaId, tipo: m.corpo.tipo } });
  return id;
}
