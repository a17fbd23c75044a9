import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { campiEccedenti } from '../domain/competenza';
import { impronta } from '../domain/impronta';
import type { ContenutoPacchetto, Operatore } from '../domain/types';
import { correlationHeader } from '../messages/envelope';
import { readVerificaPacchetto, writeVerificaPacchettoRisposta } from '../messages/pacchetto';
import { registraUnaVolta } from '../outbox/richiesta-una-volta';
import type { CallContext, SoapReply } from '../soap/server';
import type { XmlReader } from '../xml/read';
import type { Origine } from './origine';

/**
 * Receiving a verification packet (ModI NONBLOCK_PUSH_SOAP steps 1-2), shared by the Ministero's hub and
 * every verifying party's node: check it, store it with its reply address and correlation id, and queue the
 * work it causes, in one transaction, before answering ACCEPTED with X-Correlation-ID.
 * The same packet delivered again (a sender's retry) gets the same correlation id and changes nothing;
 * another packet with the same id is refused.
 */

/** Work message queued for a received packet. */
export interface PacchettoRicevutoMsg {
  idPacchetto: string;
}

export interface RicezioneOptions {
  pool: Pool;
  /** pacchetto_inoltro (hub) or pacchetto_ricevuto (party node). */
  table: 'pacchetto_inoltro' | 'pacchetto_ricevuto';
  /**
   * Extra columns and values stored with the packet: the hub, destinatario and the signed payload it forwards
   * unchanged (corpo); a node, mittente.
   */
  extraColumns: (p: ContenutoPacchetto, ctx: CallContext, origine: Origine) => Record<string, string>;
  /** Routing key of the work queued for a new packet. */
  routingKey: string;
  /** Throws when this endpoint must not accept the packet (wrong recipient...). */
  checkRecipient: (p: ContenutoPacchetto) => void;
  /** Only INPS's own esiti endpoint may be a reply address: personal data never goes elsewhere. */
  allowedReplyTo: readonly string[];
}

/** `payload` is the content whose origin signature was verified (origine.ts): nothing else is read. */
export async function riceviPacchetto(opts: RicezioneOptions, payload: XmlReader, ctx: CallContext, origine: Origine): Promise<SoapReply> {
  const p = readVerificaPacchetto(payload);
  ctx.traccia({ riferimenti: { idPacchetto: p.idPacchetto, idIstruttoria: p.idIstruttoria, protocollo: p.protocolloDomanda }, codiceFiscale: p.lavoratore.codiceFiscale });
  const replyTo = ctx.headers.required('X-ReplyTo');
  if (!opts.allowedReplyTo.includes(replyTo)) {
    throw new ApeError('DATI_INCOERENTI', `X-ReplyTo ${replyTo} non è un endpoint esiti registrato (${opts.allowedReplyTo.join(', ')})`);
  }
  opts.checkRecipient(p);
  const eccedenti = campiEccedenti(p.destinatario, p.rapporti);
  if (eccedenti.length > 0) {
    throw new ApeError('DATI_INCOERENTI', `il pacchetto per ${p.destinatario} contiene dati non di sua competenza: ${eccedenti.join(', ')}`);
  }
  const proposed = ctx.headers.optional('X-Correlation-ID')?.value() ?? randomUUID();
  const hash = impronta({ ...p, dataInvio: undefined });
  const op: Operatore = ctx.operatore;

  // The packet, the message that hands it to the worker and the call's replay record, in one statement and one
  // commit; neither packet nor message when it was there already (a sender's retry, under a new MessageID).
  const msg: PacchettoRicevutoMsg = { idPacchetto: p.idPacchetto };
  const { nuova, correlationId } = await registraUnaVolta(opts.pool, ctx.primaIstruzione, {
    tabella: opts.table,
    chiave: 'id_pacchetto',
    riga: {
      id_pacchetto: p.idPacchetto,
      correlation_id: proposed,
      reply_to: replyTo,
      operatore_id: op.id,
      operatore_ufficio: op.ufficio,
      contenuto: JSON.stringify(p),
      impronta: hash,
      ricevuto_il: ctx.receivedAt,
      stato: 'RICEVUTO',
      ...opts.extraColumns(p, ctx, origine),
    },
    messaggi: [{ routingKey: opts.routingKey, payload: msg, headers: { correlationId: proposed } }],
    diverso: `il pacchetto ${p.idPacchetto} è già stato ricevuto con un contenuto diverso`,
  });
  if (!nuova) ctx.log.info({ idPacchetto: p.idPacchetto, correlationId }, 'packet received again; same ack');
  ctx.log.info({ idPacchetto: p.idPacchetto, destinatario: p.destinatario, correlationId }, 'packet accepted');
  return { headers: [correlationHeader(correlationId)], body: writeVerificaPacchettoRisposta() };
}
