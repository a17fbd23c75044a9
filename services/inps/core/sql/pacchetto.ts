import type { Tx } from '../../../../shared/db/pool';
import { testoInsert } from '../../../../shared/db/insert';
import type { Segnaposto } from '../../../../shared/db/segnaposti';
import { testoOutbox, type OutboxMessage } from '../../../../shared/outbox/outbox';
import type { ContenutoPacchetto, EnteVerificatore } from '../../../../shared/domain/types';
import type { StatoPacchetto } from '../../../../shared/domain/stati';
import { STATO_INIZIALE, TRANSIZIONI, type DatiMossa, type MossaPacchetto } from '../pacchetto-transizioni';

/**
 * Every write of a verification packet's state, one function per move of pacchetto-transizioni.ts, each one
 * statement whose guard is the table's source states (passed as a parameter, never typed again here); each says
 * whether the move happened and returns what its caller needs. A caller whose move may change the istruttoria too
 * (an esito, a deadline, a refusal) locks the istruttoria first (sql/istruttoria.ts bloccaIstruttoria), then the
 * packet: the one lock order of every INPS change. The dispatcher's receipt and resend lock only the packet.
 */

/** A packet as stored before sending: the send time is added when it leaves. */
export type PacchettoDaInviare = Omit<ContenutoPacchetto, 'dataInvio'>;

const origini = (m: MossaPacchetto): string[] => [...TRANSIZIONI[m].da];

/**
 * The packets of a new istruttoria, waiting to be sent, and the outbox messages that hand each to the dispatcher:
 * the parts of the domanda's one statement (domande.ts), written with `p`; none for no packet. `contenuto` is
 * exactly what each party will get.
 */
export function partiPacchetti(p: Segnaposto, istruttoriaId: string, pacchetti: readonly PacchettoDaInviare[], il: Date, invii: readonly OutboxMessage[]): string[] {
  if (pacchetti.length === 0) return [];
  return [
    testoInsert(p, 'pacchetto', ['id', 'istruttoria_id', 'destinatario', 'stato', 'contenuto', 'creato_il'], pacchetti.map((x) => [x.idPacchetto, istruttoriaId, x.destinatario, STATO_INIZIALE, JSON.stringify(x), il])),
    ...(invii.length > 0 ? [testoOutbox(p, invii)] : []),
  ];
}

export interface Ricezione {
  /** False when a receipt was already recorded (a repeated ack): the 5 days run from the first one. */
  prima: boolean;
  /** The packet's state after the receipt. */
  stato: StatoPacchetto;
  scadenzaEsito: Date;
}

/**
 * PRESA_IN_CARICO: the party's ack. The receipt is recorded whatever the packet's state (the first one fixes the
 * correlation id and the 5 days; each counts as a delivered attempt); the state moves only from the table's
 * source states. Null when there is no such packet.
 */
export async function presaInCarico(tx: Tx, idPacchetto: string, d: DatiMossa['PRESA_IN_CARICO']): Promise<Ricezione | null> {
  // The lock first, in a statement of its own: after waiting for a concurrent ack's transaction it reads the row as
  // that one committed it. (Read in the UPDATE's RETURNING, a CTE is evaluated with the statement's snapshot, from
  // before the other ack: both saw no receipt and both recorded one - found by the fault suite.)
  const prima = await tx.query<{ inviato_il: Date | null }>('SELECT inviato_il FROM pacchetto WHERE id = $1 FOR UPDATE', [idPacchetto]);
  const r = await tx.query<{ stato: StatoPacchetto; scadenza_esito: Date }>(
    `UPDATE pacchetto
        SET stato = CASE WHEN stato = ANY($5::text[]) THEN $6 ELSE stato END,
            correlation_id = COALESCE(correlation_id, $2),
            inviato_il = COALESCE(inviato_il, $3),
            scadenza_esito = COALESCE(scadenza_esito, $4),
            tentativi_invio = tentativi_invio + 1,
            ultimo_errore = NULL
      WHERE id = $1
      RETURNING stato, scadenza_esito`,
    [idPacchetto, d.correlationId, d.ricevutoIl, d.scadenzaEsito, origini('PRESA_IN_CARICO'), TRANSIZIONI.PRESA_IN_CARICO.a],
  );
  const row = r.rows[0];
  if (!row || !prima.rows[0]) return null;
  return { prima: prima.rows[0].inviato_il === null, stato: row.stato, scadenzaEsito: row.scadenza_esito };
}

/**
 * RISPOSTA: the party's esito applied (its data are in esito_dato), as the statement that moves the packet, written
 * with `p`: for the esito's one statement (esiti.ts), which checks that it touched the packet (the table's source
 * states allow the move).
 */
export function testoRispondi(p: Segnaposto, idPacchetto: string, d: DatiMossa['RISPOSTA']): string {
  return `UPDATE pacchetto SET stato = ${p(TRANSIZIONI.RISPOSTA.a)}, esito = ${p(d.esito)}, risposto_il = ${p(d.rispostoIl)},
            correlation_id = COALESCE(correlation_id, ${p(d.correlationId)}), in_ritardo = ${p(d.inRitardo)}
      WHERE id = ${p(idPacchetto)} AND stato = ANY(${p(origini('RISPOSTA'))}::text[])`;
}

/**
 * SCADENZA_ESITO: received, but no esito within its 5 days; the reminder is sent now. Returns what the reminder
 * needs, or null when the packet was not waiting for its esito.
 */
export async function scadeEsito(
  tx: Tx,
  idPacchetto: string,
  d: DatiMossa['SCADENZA_ESITO'],
): Promise<{ destinatario: EnteVerificatore; scadenzaEsito: Date; correlationId: string | null } | null> {
  const r = await tx.query<{ destinatario: EnteVerificatore; scadenza_esito: Date; correlation_id: string | null }>(
    `UPDATE pacchetto SET stato = $3, scaduto_il = $2, sollecitato_il = $2 WHERE id = $1 AND stato = ANY($4::text[])
      RETURNING destinatario, scadenza_esito, correlation_id`,
    [idPacchetto, d.il, TRANSIZIONI.SCADENZA_ESITO.a, origini('SCADENZA_ESITO')],
  );
  const p = r.rows[0];
  return p ? { destinatario: p.destinatario, scadenzaEsito: p.scadenza_esito, correlationId: p.correlation_id } : null;
}

/**
 * SCADENZA_INVIO: not delivered within its 5 days. Returns the delivery record for the timeline, or null when the
 * packet had reached its party meanwhile.
 */
export async function scadeInvio(
  tx: Tx,
  idPacchetto: string,
  d: DatiMossa['SCADENZA_INVIO'],
): Promise<{ destinatario: EnteVerificatore; tentativiInvio: number; ultimoErrore: string | null } | null> {
  const r = await tx.query<{ destinatario: EnteVerificatore; tentativi_invio: number; ultimo_errore: string | null }>(
    `UPDATE pacchetto SET stato = $3, scaduto_il = $2 WHERE id = $1 AND stato = ANY($4::text[]) RETURNING destinatario, tentativi_invio, ultimo_errore`,
    [idPacchetto, d.il, TRANSIZIONI.SCADENZA_INVIO.a, origini('SCADENZA_INVIO')],
  );
  const p = r.rows[0];
  return p ? { destinatario: p.destinatario, tentativiInvio: p.tentativi_invio, ultimoErrore: p.ultimo_errore } : null;
}

/**
 * A failed send, counted on the packet whatever its state; with `rifiuto` (the counterpart refused it for good)
 * it is also the RIFIUTO move, from the table's source states. Returns the packet's state after, null when there
 * is no such packet.
 */
export async function registraInvioFallito(tx: Tx, idPacchetto: string, d: DatiMossa['RIFIUTO'] & { rifiuto: boolean }): Promise<StatoPacchetto | null> {
  const r = await tx.query<{ stato: StatoPacchetto }>(
    `UPDATE pacchetto SET tentativi_invio = tentativi_invio + 1, ultimo_errore = $2,
            stato = CASE WHEN $3 AND stato = ANY($4::text[]) THEN $5 ELSE stato END
      WHERE id = $1 RETURNING stato`,
    [idPacchetto, d.errore, d.rifiuto, origini('RIFIUTO'), TRANSIZIONI.RIFIUTO.a],
  );
  return r.rows[0]?.stato ?? null;
}

/** REINVIO: a refused packet resent by an operator and accepted by its party waits again, as before its first send. */
export async function riammetti(tx: Tx, idPacchetto: string): Promise<boolean> {
  const r = await tx.query('UPDATE pacchetto SET stato = $2 WHERE id = $1 AND stato = ANY($3::text[])', [idPacchetto, TRANSIZIONI.REINVIO.a, origini('REINVIO')]);
  return r.rowCount === 1;
}
