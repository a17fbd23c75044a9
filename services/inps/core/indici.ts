import type { Tx } from '../../../shared/db/pool';
import { aggiungiGiorni, dataRoma, inizioGiornoRoma } from '../../../shared/domain/scadenze';
import type { Attestazione, Categoria, TipoAttestazione } from '../../../shared/domain/types';
import { indiceStessoDatore, indiceTreDatori, indiciElusivi, indiciImpreseCessate, type Indice, type VoceOsservazione } from './indici-inl';
import type { RegoleInps } from './regole';
import { registraEventi, type Evento } from './eventi';

/**
 * INL triggers with the data they need from the INPS database: the other domande naming an employer, the
 * employer-status source (datore_stato), the watch list (lista_osservazione). Matched triggers are stored on
 * the istruttoria (indice_inl) once, with a timeline event.
 */

/** The window's first instant: the start, in Rome, of the day `giorni` calendar days before the submission's. */
function inizioFinestra(presentazione: Date, giorni: number): Date {
  return inizioGiornoRoma(aggiungiGiorni(dataRoma(presentazione), -giorni));
}

/**
 * Distinct workers whose domande name the employer, submitted in the window ending at `presentazione`.
 * Read from the employer's attestazioni in the window (index on employer and submission instant, inps/007), each
 * joined to its domanda by primary key (OFFSET 0 keeps the planner from flattening the subquery): a join left to
 * the planner, with statistics older than the data, compared every domanda in the window with every attestazione
 * of the employer (100 ms for 1,300 domande, growing with the square of the volume).
 *
 * The most recent attestazioni are read first, at most $4 of them: the rule asks for at least five workers, and a
 * large employer has them among its last few domande, so its count costs the same whether it has fifty domande in
 * the window or five thousand (18 ms for the largest employer of a national year, read whole). Only when the
 * bounded read ends below the threshold with rows left over (a few workers filing many domande) is the window
 * counted whole.
 */
export const SQL_LAVORATORI_DEL_DATORE = `SELECT count(DISTINCT codice_fiscale)::int AS n, count(*)::int AS lette FROM (
       SELECT d.codice_fiscale
         FROM attestazione a
         CROSS JOIN LATERAL (SELECT codice_fiscale FROM domanda WHERE id = a.domanda_id OFFSET 0) d
        WHERE a.datore_codice_fiscale = $1 AND a.data_presentazione >= $2 AND a.data_presentazione <= $3
        ORDER BY a.data_presentazione DESC
        LIMIT $4) recenti`;

/** Attestazioni the bounded count reads at most: ten times the threshold. */
export const LETTURA_LIMITATA = 10;

/** The employer's distinct workers in the window: exact, or (`almeno`) a lower bound already at the threshold. */
async function lavoratoriDelDatore(tx: Tx, datore: string, presentazione: Date, finestraGiorni: number, soglia: number): Promise<{ n: number; almeno: boolean }> {
  const inizio = inizioFinestra(presentazione, finestraGiorni);
  const limite = LETTURA_LIMITATA * soglia;
  const r = (await tx.query<{ n: number; lette: number }>(SQL_LAVORATORI_DEL_DATORE, [datore, inizio, presentazione, limite])).rows[0]!;
  if (r.lette < limite) return { n: r.n, almeno: false };
  if (r.n >= soglia) return { n: r.n, almeno: true };
  const tutte = await tx.query<{ n: number }>(SQL_LAVORATORI_DEL_DATORE, [datore, inizio, presentazione, null]);
  return { n: tutte.rows[0]!.n, almeno: false };
}

export interface DomandaPerIndici {
  istruttoriaId: string;
  richiedente: string;
  presentazione: Date;
  decorrenza: string;
  attestazioni: Attestazione[];
}

export async function caricaDomandaPerIndici(tx: Tx, istruttoriaId: string): Promise<DomandaPerIndici> {
  const d = await tx.query<{ codice_fiscale: string; data_presentazione: Date; decorrenza: string }>(
    `SELECT d.codice_fiscale, d.data_presentazione, to_char(d.data_decorrenza, 'YYYY-MM-DD') AS decorrenza
       FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id WHERE i.id = $1`,
    [istruttoriaId],
  );
  const a = await tx.query<{ riferimento: number; tipo: TipoAttestazione; datore_codice_fiscale: string; datore_denominazione: string; dal: string; al: string | null; categoria: Categoria; professione_istat: string }>(
    `SELECT a.riferimento, a.tipo, a.datore_codice_fiscale, a.datore_denominazione, to_char(a.dal, 'YYYY-MM-DD') AS dal,
            to_char(a.al, 'YYYY-MM-DD') AS al, a.categoria, a.professione_istat
       FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id WHERE i.id = $1 ORDER BY a.riferimento`,
    [istruttoriaId],
  );
  const row = d.rows[0]!;
  return {
    istruttoriaId,
    richiedente: row.codice_fiscale,
    presentazione: row.data_presentazione,
    decorrenza: row.decorrenza,
    attestazioni: a.rows.map((x) => ({
      riferimento: x.riferimento,
      tipo: x.tipo,
      datore: { codiceFiscale: x.datore_codice_fiscale, denominazione: x.datore_denominazione },
      periodo: x.al === null ? { dal: x.dal } : { dal: x.dal, al: x.al },
      categoria: x.categoria,
      professioneIstat: x.professione_istat,
      vociTariffaInail: [],
    })),
  };
}

/** Evaluates every trigger for one domanda now. */
export async function valutaIndici(tx: Tx, d: DomandaPerIndici, regole: RegoleInps): Promise<Indice[]> {
  const datori = [...new Set(d.attestazioni.map((a) => a.datore.codiceFiscale))];
  const out: Indice[] = [];
  const tre = indiceTreDatori(d.attestazioni, d.decorrenza, regole.inl.sogliaDatori);
  if (tre) out.push(tre);
  for (const datore of datori) {
    const i = await indiceDelDatore(tx, datore, d.presentazione, regole);
    if (i) out.push(i);
  }
  const cessate = await tx.query<{ cf_datore: string; cessata_il: string }>(
    `SELECT cf_datore, to_char(cessata_il, 'YYYY-MM-DD') AS cessata_il FROM datore_stato WHERE cf_datore = ANY($1) AND cessata_il IS NOT NULL`,
    [datori],
  );
  out.push(...indiciImpreseCessate(d.attestazioni, new Map(cessate.rows.map((r) => [r.cf_datore, r.cessata_il]))));
  const lista = await tx.query<{ tipo: 'DATORE' | 'RICHIEDENTE'; codice_fiscale: string; motivo: string; ente: 'INPS' | 'INL' }>(
    `SELECT tipo, codice_fiscale, motivo, ente FROM lista_osservazione WHERE rimosso_il IS NULL AND codice_fiscale = ANY($1)`,
    [[d.richiedente, ...datori]],
  );
  out.push(...indiciElusivi(d.richiedente, d.attestazioni, lista.rows.map((r): VoceOsservazione => ({ tipo: r.tipo, codiceFiscale: r.codice_fiscale, motivo: r.motivo, ente: r.ente }))));
  return out;
}

/** Stores triggers on an istruttoria (each once) with their events; returns the newly stored ones. */
export async function registraIndici(tx: Tx, istruttoriaId: string, indici: readonly Indice[], now: Date): Promise<Indice[]> {
  const nuovi: Indice[] = [];
  for (const i of indici) {
    const r = await tx.query(
      `INSERT INTO indice_inl (istruttoria_id, codice, datore_cf, descrizione, rilevato_il) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (istruttoria_id, codice, datore_cf) DO NOTHING`,
      [istruttoriaId, i.codice, i.datore ?? '', i.descrizione, now],
    );
    if (r.rowCount === 1) nuovi.push(i);
  }
  const eventi: Evento[] = nuovi.map((i) => ({ istruttoriaId, tipo: 'INDICE_INL_RILEVATO', at: now, dettagli: { codice: i.codice, descrizione: i.descrizione } }));
  await registraEventi(tx, eventi);
  return nuovi;
}

export async function indiciRegistrati(tx: Tx, istruttoriaId: string): Promise<Indice[]> {
  const r = await tx.query<{ codice: Indice['codice']; datore_cf: string; descrizione: string }>(
    'SELECT codice, datore_cf, descrizione FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id',
    [istruttoriaId],
  );
  return r.rows.map((x) => (x.datore_cf ? { codice: x.codice, datore: x.datore_cf, descrizione: x.descrizione } : { codice: x.codice, descrizione: x.descrizione }));
}

async function indiceDelDatore(tx: Tx, datore: string, presentazione: Date, regole: RegoleInps): Promise<Indice | null> {
  const { sogliaStessoDatore: soglia, finestraStessoDatoreGiorni: finestra } = regole.inl;
  const { n, almeno } = await lavoratoriDelDatore(tx, datore, presentazione, finestra, soglia);
  return indiceStessoDatore(datore, n, soglia, finestra, almeno);
}

/**
 * Flags with the trigger the employer's open istruttorie in the window not examined yet, in one statement; returns
 * those it flagged. The domande waiting to be examined (stesso_datore_da_esaminare, inps/008, filled as attestazioni
 * are written) are taken in one order and dropped whether flagged or closed: a pass reads the domande since the
 * last one (its own, for an employer long over the threshold), not the employer's window. Two passes for one
 * employer take its waiting domande in the same order; the second finds them gone.
 */
export const SQL_SEGNALA_APERTE_DEL_DATORE = `WITH esaminate AS (
         DELETE FROM stesso_datore_da_esaminare q
          WHERE q.datore_codice_fiscale = $1 AND q.data_presentazione >= $2
            AND q.domanda_id IN (SELECT domanda_id FROM stesso_datore_da_esaminare
                                  WHERE datore_codice_fiscale = $1 AND data_presentazione >= $2
                                  ORDER BY data_presentazione, domanda_id FOR UPDATE)
         RETURNING q.domanda_id)
       INSERT INTO indice_inl (istruttoria_id, codice, datore_cf, descrizione, rilevato_il)
       SELECT i.id, $3, $1, $4, $5::timestamptz FROM esaminate e JOIN istruttoria i ON i.domanda_id = e.domanda_id
        WHERE i.stato <> 'CHIUSA'
        ORDER BY i.id
       ON CONFLICT (istruttoria_id, codice, datore_cf) DO NOTHING
       RETURNING istruttoria_id`;

/**
 * The five-workers rule at submission: when a domanda brings an employer's distinct workers in the window to
 * the threshold, this istruttoria and every still-open istruttoria naming that employer in the window are flagged
 * (those a previous pass examined already were, or were closed).
 */
export async function segnalaStessoDatore(tx: Tx, d: DomandaPerIndici, regole: RegoleInps, now: Date): Promise<void> {
  // Employers in code order, whatever the domanda's: two domande naming the same two employers take their waiting
  // rows in the same order (in the domanda's, one would hold the first employer's rows and wait for the second's
  // while the other did the reverse: a deadlock, the submission refused).
  for (const datore of [...new Set(d.attestazioni.map((a) => a.datore.codiceFiscale))].sort()) {
    const indice = await indiceDelDatore(tx, datore, d.presentazione, regole);
    if (!indice) continue;
    const { rows } = await tx.query<{ istruttoria_id: string }>(SQL_SEGNALA_APERTE_DEL_DATORE, [
      datore,
      inizioFinestra(d.presentazione, regole.inl.finestraStessoDatoreGiorni),
      indice.codice,
      indice.descrizione,
      now,
    ]);
    await registraEventi(tx, rows.map((r): Evento => ({ istruttoriaId: r.istruttoria_id, tipo: 'INDICE_INL_RILEVATO', at: now, dettagli: { codice: indice.codice, descrizione: indice.descrizione } })));
  }
}
