import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import { withTransaction } from '../../../shared/db/pool';
import type { PrimaIstruzione } from '../../../shared/db/prima-istruzione';
import { impronta } from '../../../shared/domain/impronta';
import type { Operatore } from '../../../shared/domain/types';
import type { NotificaAccertamento } from '../../../shared/messages/esiti';
import { aggiornaIstruttoria } from './aggiorna';
import { esitoDaAccertamento } from './ciclo';
import { registraEventi, type Evento } from './eventi';
import { valutaRiesame } from './esiti';
import type { RegoleInps } from './regole';
import { bloccaELeggiIstruttoria } from './sql/istruttoria';
import type { StatoIstruttoria, EsitoAccertamento, StatoAccertamento } from '../../../shared/domain/stati';

/** Transitions INL may report: a decision on a case, then (if opened) its conclusion. */
const AMMESSE: Readonly<Record<string, readonly StatoAccertamento[]>> = {
  nessuno: ['AVVIATO', 'NON_AVVIATO', 'CONCLUSO'],
  AVVIATO: ['CONCLUSO'],
  // INL may open an inspection after first declining, even once INPS has closed the case.
  NON_AVVIATO: ['AVVIATO', 'CONCLUSO'],
  CONCLUSO: [],
};

export interface NotificaApplicata {
  applicata: boolean;
  statoIstruttoria: StatoIstruttoria;
  riesame: boolean;
}

/**
 * Applies INL's NotificaAccertamento on a case INPS sent it: whether an inspection was opened and, later, its
 * outcome. Before closure it drives the lifecycle (no inspection: close on the self-declarations; outcome:
 * close on it). After closure it is recorded, and flags a riesame when it contradicts the closing outcome.
 * The same notice delivered twice changes state once.
 */
export async function applicaNotificaAccertamento(
  pool: Pool,
  n: NotificaAccertamento,
  ctx: { correlationId: string; operatore: Operatore; now: Date; regole: RegoleInps; primaIstruzione?: PrimaIstruzione | undefined },
): Promise<NotificaApplicata> {
  if (n.stato === 'CONCLUSO' && !n.esito) throw new ApeError('DATI_INCOERENTI', 'un accertamento CONCLUSO deve indicare Esito');
  if (n.stato !== 'CONCLUSO' && n.esito) throw new ApeError('DATI_INCOERENTI', `Esito ammesso solo con Stato CONCLUSO, non ${n.stato}`);
  return withTransaction(pool, async (tx) => {
    const ref = await tx.query<{ istruttoria_id: string }>('SELECT istruttoria_id FROM segnalazione_inl WHERE id = $1', [n.idSegnalazione]);
    if (!ref.rows[0]) throw new ApeError('SEGNALAZIONE_NON_TROVATA', `nessuna segnalazione ${n.idSegnalazione}`);
    const istruttoriaId = ref.rows[0].istruttoria_id;
    const istruttoria = await bloccaELeggiIstruttoria(tx, istruttoriaId);
    const statoIstruttoria = istruttoria.stato;
    const s = (
      await tx.query<{ correlation_id: string | null; stato_accertamento: StatoAccertamento | null; esito_accertamento: EsitoAccertamento | null }>(
        'SELECT correlation_id, stato_accertamento, esito_accertamento FROM segnalazione_inl WHERE id = $1 FOR UPDATE',
        [n.idSegnalazione],
      )
    ).rows[0]!;
    if (s.correlation_id !== null && s.correlation_id !== ctx.correlationId) {
      throw new ApeError('CORRELAZIONE_NON_VALIDA', `X-Correlation-ID ${ctx.correlationId} non corrisponde a quello della segnalazione ${n.idSegnalazione}`);
    }
    const hash = impronta({ ...n, dataEvento: undefined });
    const chiusa = statoIstruttoria === 'CHIUSA';
    const registra = (applicata: boolean) =>
      tx.query(
        `INSERT INTO notifica_accertamento (segnalazione_id, stato, esito, ricevuta_il, impronta, applicata, dopo_chiusura, operatore_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [n.idSegnalazione, n.stato, n.esito ?? null, ctx.now, hash, applicata, chiusa, ctx.operatore.id],
      );

    if (s.stato_accertamento === n.stato) {
      const prev = await tx.query('SELECT 1 FROM notifica_accertamento WHERE segnalazione_id = $1 AND applicata AND impronta = $2', [n.idSegnalazione, hash]);
      if (prev.rowCount === 0) throw new ApeError('TRANSIZIONE_NON_AMMESSA', `la segnalazione ${n.idSegnalazione} è già ${n.stato} con dati diversi`);
      await registra(false);
      return { applicata: false, statoIstruttoria, riesame: false };
    }
    if (!AMMESSE[s.stato_accertamento ?? 'nessuno']!.includes(n.stato)) {
      throw new ApeError('TRANSIZIONE_NON_AMMESSA', `la segnalazione ${n.idSegnalazione} è ${s.stato_accertamento}: non può diventare ${n.stato}`);
    }
    await registra(true);
    await tx.query(
      `UPDATE segnalazione_inl SET stato_accertamento = $2, esito_accertamento = COALESCE($3, esito_accertamento), id_accertamento = COALESCE($4, id_accertamento),
              ispettore = $5, nota = COALESCE($6, nota), aggiornata_il = $7, correlation_id = COALESCE(correlation_id, $8)
        WHERE id = $1`,
      [n.idSegnalazione, n.stato, n.esito ?? null, n.idAccertamento ?? null, ctx.operatore.id, n.nota ?? null, ctx.now, ctx.correlationId],
    );
    const tipo = n.stato === 'AVVIATO' ? 'ACCERTAMENTO_AVVIATO' : n.stato === 'NON_AVVIATO' ? 'ACCERTAMENTO_NON_AVVIATO' : 'ACCERTAMENTO_CONCLUSO';
    const eventi: Evento[] = [{ istruttoriaId, tipo, at: ctx.now, dettagli: { idAccertamento: n.idAccertamento, esito: n.esito, ispettore: ctx.operatore.id } }];
    let riesame = false;
    if (chiusa) {
      if (n.stato === 'CONCLUSO') {
        eventi.push({ istruttoriaId, tipo: 'ACCERTAMENTO_DOPO_CHIUSURA', at: ctx.now, dettagli: { esito: n.esito } });
        await registraEventi(tx, eventi);
        riesame = await valutaRiesame(tx, istruttoriaId, esitoDaAccertamento(n.esito!), 'ACCERTAMENTO', `esito dell'accertamento INL ${n.esito} pervenuto dopo la chiusura`, ctx.now);
      } else {
        await registraEventi(tx, eventi);
      }
      return { applicata: true, statoIstruttoria, riesame };
    }
    await registraEventi(tx, eventi);
    const agg = await aggiornaIstruttoria(tx, istruttoria, ctx.now, ctx.regole);
    return { applicata: true, statoIstruttoria: agg.stato, riesame };
  }, { primaIstruzione: ctx.primaIstruzione });
}
