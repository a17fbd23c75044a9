import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../shared/db/pool';
import type { EnteVerificatore } from '../../../shared/domain/types';
import { QUEUES } from '../../../shared/amqp/topology';
import type { Riscontro, Segnalazione, Sollecito } from '../../../shared/messages/pacchetto';
import { testoInsert } from '../../../shared/db/insert';
import { testoOutbox } from '../../../shared/outbox/outbox';
import type { Segnaposto } from '../../../shared/db/segnaposti';
import { cambiInsieme } from '../../../shared/db/insieme';

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

export interface NuovoMessaggio {
  id?: string;
  istruttoriaId: string;
  destinatario: EnteVerificatore;
  corpo: CorpoMessaggio;
  correlationId?: string;
  now: Date;
}

/** A message and the outbox row that sends it, in one statement; returns its id. */
export async function creaMessaggio(tx: Tx, m: NuovoMessaggio): Promise<string> {
  const id = m.id ?? randomUUID();
  await cambiInsieme(tx, (p) => {
    const [riga, ...invio] = partiMessaggi(p, [{ ...m, id }]).parti;
    return { conta: riga!, altri: invio };
  });
  return id;
}

/**
 * Those messages and their outbox rows as the parts of a statement that does more, written with `p` (the art. 4
 * notices go with the esito that causes them: esiti.ts); none for no message.
 */
export function partiMessaggi(p: Segnaposto, messaggi: readonly NuovoMessaggio[]): { ids: string[]; parti: string[] } {
  if (messaggi.length === 0) return { ids: [], parti: [] };
  const ids = messaggi.map((m) => {
    const id = m.id ?? randomUUID();
    // The message id doubles as the business id the counterpart deduplicates on.
    if (m.corpo.tipo === 'RISCONTRO' && m.corpo.riscontro.idRiscontro === '') m.corpo.riscontro.idRiscontro = id;
    if (m.corpo.tipo === 'SOLLECITO' && m.corpo.sollecito.idSollecito === '') m.corpo.sollecito.idSollecito = id;
    return id;
  });
  const righe = testoInsert(
    p,
    'messaggio_uscita',
    ['id', 'tipo', 'destinatario', 'istruttoria_id', 'corpo', 'correlation_id', 'creato_il'],
    messaggi.map((m, i) => [ids[i], m.corpo.tipo, m.destinatario, m.istruttoriaId, JSON.stringify(m.corpo), m.correlationId, m.now]),
  );
  const invii = testoOutbox(
    p,
    messaggi.map((m, i) => {
      const msg: InvioMessaggioMsg = { idMessaggio: ids[i]! };
      return { routingKey: QUEUES.inpsInvioMessaggio, payload: msg, headers: { idIstruttoria: m.istruttoriaId, tipo: m.corpo.tipo } };
    }),
  );
  return { ids, parti: [righe, invii] };
}
