import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { withTransaction } from '../db/pool';
import { insertRows } from '../db/insert';
import { controllaCompletezza, riepilogo } from '../domain/esiti';
import { impronta } from '../domain/impronta';
import type { Ente, EsitoDato, Operatore } from '../domain/types';
import type { NotificaEsito } from '../messages/esiti';
import type { StatoIstruttoria, StatoPacchetto } from '../messages/istruttoria';
import { valutaChiusura } from './chiusura';
import type { PacchettoDaInviare } from './domande';
import { registraEventi, type Evento } from './eventi';

export interface EsitoApplicato {
  applicato: boolean;
  statoIstruttoria: StatoIstruttoria;
}

/**
 * Applies a party's esito to its packet, once. Checks: the packet exists, the caller is its recipient,
 * the correlation id is the one acknowledged, and the esito answers exactly the data the packet asked.
 * A repeated delivery of the same esito is recorded and changes nothing; a different esito for an
 * answered packet is refused. When every packet has answered, the closing rules decide the istruttoria.
 */
export async function applicaEsito(
  pool: Pool,
  n: NotificaEsito,
  ctx: { correlationId: string; enteChiamante: Ente; operatore: Operatore; now: Date },
): Promise<EsitoApplicato> {
  return withTransaction(pool, async (tx) => {
    const ref = await tx.query<{ istruttoria_id: string }>('SELECT istruttoria_id FROM pacchetto WHERE id = $1', [n.idPacchetto]);
    if (!ref.rows[0]) throw new ApeError('PACCHETTO_NON_TROVATO', `nessun pacchetto ${n.idPacchetto}`);
    const istruttoriaId = ref.rows[0].istruttoria_id;
    // Lock order: istruttoria, then packet (the dispatcher only ever locks a packet).
    const ist = await tx.query<{ stato: StatoIstruttoria }>('SELECT stato FROM istruttoria WHERE id = $1 FOR UPDATE', [istruttoriaId]);
    const p = (
      await tx.query<{ destinatario: Ente; stato: StatoPacchetto; correlation_id: string | null; contenuto: PacchettoDaInviare }>(
        'SELECT destinatario, stato, correlation_id, contenuto FROM pacchetto WHERE id = $1 FOR UPDATE',
        [n.idPacchetto],
      )
    ).rows[0]!;
    if (n.ente !== p.destinatario) throw new ApeError('DATI_INCOERENTI', `il pacchetto ${n.idPacchetto} è destinato a ${p.destinatario}, non a ${n.ente}`);
    if (ctx.enteChiamante !== p.destinatario) {
      throw new ApeError('MITTENTE_NON_DESTINATARIO', `${ctx.enteChiamante} non può notificare l'esito di un pacchetto destinato a ${p.destinatario}`);
    }
    if (p.correlation_id !== null && p.correlation_id !== ctx.correlationId) {
      throw new ApeError('CORRELAZIONE_NON_VALIDA', `X-Correlation-ID ${ctx.correlationId} non corrisponde a quello del pacchetto ${n.idPacchetto}`);
    }
    const esiti: EsitoDato[] = controllaCompletezza(p.contenuto.destinatario, p.contenuto.rapporti, n.esitiDato);
    const hash = impronta({ idPacchetto: n.idPacchetto, ente: n.ente, esiti });

    if (p.stato === 'RISPOSTO') {
      const prev = await tx.query<{ impronta: string }>('SELECT impronta FROM esito_ricevuto WHERE pacchetto_id = $1 AND applicato', [n.idPacchetto]);
      if (prev.rows[0]?.impronta !== hash) {
        throw new ApeError('ESITO_GIA_REGISTRATO', `per il pacchetto ${n.idPacchetto} è già registrato un esito diverso`);
      }
      await tx.query(
        `INSERT INTO esito_ricevuto (pacchetto_id, correlation_id, ente, ricevuto_il, impronta, applicato, operatore_id) VALUES ($1, $2, $3, $4, $5, false, $6)`,
        [n.idPacchetto, ctx.correlationId, n.ente, ctx.now, hash, ctx.operatore.id],
      );
      await registraEventi(tx, [{ istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_DUPLICATO', at: ctx.now }]);
      return { applicato: false, statoIstruttoria: ist.rows[0]!.stato };
    }

    await insertRows(tx, 'esito_dato', ['pacchetto_id', 'riferimento', 'dato', 'esito', 'nota'], esiti.map((e) => [n.idPacchetto, e.riferimento, e.dato, e.esito, e.nota ?? null]));
    await tx.query(
      `UPDATE pacchetto SET stato = 'RISPOSTO', esito = $2, risposto_il = $3, correlation_id = COALESCE(correlation_id, $4) WHERE id = $1`,
      [n.idPacchetto, riepilogo(esiti), ctx.now, ctx.correlationId],
    );
    await tx.query(
      `INSERT INTO esito_ricevuto (pacchetto_id, correlation_id, ente, ricevuto_il, impronta, applicato, operatore_id) VALUES ($1, $2, $3, $4, $5, true, $6)`,
      [n.idPacchetto, ctx.correlationId, n.ente, ctx.now, hash, ctx.operatore.id],
    );
    const eventi: Evento[] = [
      { istruttoriaId, pacchettoId: n.idPacchetto, tipo: 'ESITO_RICEVUTO', at: ctx.now, dettagli: { ente: n.ente, esito: riepilogo(esiti), dataEsito: n.dataEsito.toISOString() } },
    ];

    let stato = ist.rows[0]!.stato;
    if (stato === 'IN_VERIFICA') {
      const all = await tx.query<{ stato: StatoPacchetto; esiti: Array<{ esito: EsitoDato['esito'] }> | null }>(
        `SELECT p.stato, (SELECT json_agg(json_build_object('esito', e.esito)) FROM esito_dato e WHERE e.pacchetto_id = p.id) AS esiti
           FROM pacchetto p WHERE p.istruttoria_id = $1`,
        [istruttoriaId],
      );
      const decisione = valutaChiusura(all.rows.map((r) => ({ stato: r.stato, esitiDato: r.esiti ?? [] })));
      if (decisione) {
        stato = decisione.stato;
        await tx.query(
          `UPDATE istruttoria SET stato = $2, esito_verifica = $3, regola_chiusura = $4, chiusa_il = CASE WHEN $2 = 'CHIUSA' THEN $5::timestamptz END, aggiornata_il = $5 WHERE id = $1`,
          [istruttoriaId, decisione.stato, decisione.esitoVerifica, decisione.regola, ctx.now],
        );
        eventi.push({
          istruttoriaId,
          tipo: decisione.stato === 'CHIUSA' ? 'VERIFICA_COMPLETATA' : 'VALUTAZIONE_INL_AVVIATA',
          at: ctx.now,
          dettagli: { esitoVerifica: decisione.esitoVerifica, regola: decisione.regola },
        });
      }
    }
    await registraEventi(tx, eventi);
    return { applicato: true, statoIstruttoria: stato };
  });
}
