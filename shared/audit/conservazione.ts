import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction, type Tx } from '../db/pool';
import { canonico } from './catena';
import type { Registri } from './registri';

/**
 * Retention (convenzione: data kept only as long as strictly necessary): after the configured period, personal
 * data is replaced by keyed pseudonyms (the same HMAC the access log uses, so old accesses stay searchable by
 * codice fiscale) or removed. What was removed is recorded in the chained retention log as a digest, so the
 * audit chains stay verifiable and nothing personal survives in them. Batches are claimed with SKIP LOCKED:
 * several instances may run.
 */
export interface RapportoConservazione {
  oggetto: string;
  trattati: number;
}

const BATCH = 100;

function impronta(v: unknown): string {
  return createHash('sha256').update(canonico(v)).digest('hex');
}

async function registra(registri: Registri, oggetto: string, chiave: string, rimosso: unknown, now: Date): Promise<void> {
  await registri.registraConservazione({ oggetto, chiave, azione: 'PSEUDONIMIZZATO', improntaRimossa: impronta(rimosso) }, now);
}

/** INPS: closed istruttorie past the period (and not awaiting re-examination). */
export async function conservazioneInps(pool: Pool, registri: Registri, now: Date, giorni: number): Promise<RapportoConservazione> {
  const limite = new Date(now.getTime() - giorni * 86_400_000);
  let trattati = 0;
  for (;;) {
    const fatti = await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ id: string; domanda_id: string }>(
        `SELECT id, domanda_id FROM istruttoria
          WHERE stato = 'CHIUSA' AND pseudonimizzata_il IS NULL AND chiusa_il < $1 AND riesame_il IS NULL
          ORDER BY chiusa_il LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [limite, BATCH],
      );
      // Their employers still waiting for the five-workers rule (one no later domanda names): a household's code is
      // a person's. One statement, rows taken in key order, the order a pass of the rule takes them in.
      await tx.query(
        `DELETE FROM stesso_datore_da_esaminare WHERE (datore_codice_fiscale, data_presentazione, domanda_id) IN (
           SELECT datore_codice_fiscale, data_presentazione, domanda_id FROM stesso_datore_da_esaminare
            WHERE domanda_id = ANY($1::uuid[]) ORDER BY 1, 2, 3 FOR UPDATE)`,
        [rows.map((r) => r.domanda_id)],
      );
      for (const r of rows) await pseudonimizzaIstruttoria(tx, registri, r.id, r.domanda_id, now);
      return rows.length;
    });
    trattati += fatti;
    if (fatti < BATCH) return { oggetto: 'istruttoria', trattati };
  }
}

async function pseudonimizzaIstruttoria(tx: Tx, registri: Registri, istruttoriaId: string, domandaId: string, now: Date): Promise<void> {
  const d = (await tx.query<{ codice_fiscale: string; cognome: string; nome: string; data_nascita: Date | null }>('SELECT codice_fiscale, cognome, nome, data_nascita FROM domanda WHERE id = $1', [domandaId])).rows[0]!;
  const pseudo = registri.pseudonimo(d.codice_fiscale);
  const datori = (await tx.query<{ riferimento: number; datore_codice_fiscale: string; datore_denominazione: string; codice_rapporto_domestico: string | null }>(
    `SELECT riferimento, datore_codice_fiscale, datore_denominazione, codice_rapporto_domestico FROM attestazione WHERE domanda_id = $1 AND tipo = 'DATORE_DOMESTICO'`,
    [domandaId],
  )).rows;
  await tx.query(`UPDATE domanda SET codice_fiscale = $2, cognome = '[rimosso]', nome = '[rimosso]', data_nascita = NULL WHERE id = $1`, [domandaId, pseudo]);
  // A domestic employer is a natural person too.
  for (const a of datori) {
    await tx.query(
      `UPDATE attestazione SET datore_codice_fiscale = $3, datore_denominazione = '[rimosso]', codice_rapporto_domestico = NULL WHERE domanda_id = $1 AND riferimento = $2`,
      [domandaId, a.riferimento, registri.pseudonimo(a.datore_codice_fiscale)],
    );
  }
  await tx.query(`UPDATE pacchetto SET contenuto = jsonb_set(contenuto, '{lavoratore,codiceFiscale}', to_jsonb($2::text)) WHERE istruttoria_id = $1`, [istruttoriaId, pseudo]);
  await tx.query(
    `UPDATE messaggio_uscita SET corpo = jsonb_set(corpo, '{segnalazione,lavoratore,codiceFiscale}', to_jsonb($2::text)) WHERE istruttoria_id = $1 AND tipo = 'SEGNALAZIONE'`,
    [istruttoriaId, pseudo],
  );
  await tx.query('UPDATE istruttoria SET pseudonimizzata_il = $2 WHERE id = $1', [istruttoriaId, now]);
  await registra(registri, 'istruttoria', istruttoriaId, { domanda: d, datoriDomestici: datori }, now);
}

/** The hub and the parties' nodes: packets (and INL cases) handled more than `giorni` ago. */
export async function conservazioneParte(pool: Pool, registri: Registri, now: Date, giorni: number, tabelle: ReadonlyArray<'pacchetto_inoltro' | 'pacchetto_ricevuto' | 'accertamento' | 'messaggio_inoltro'>): Promise<RapportoConservazione[]> {
  const limite = new Date(now.getTime() - giorni * 86_400_000);
  const out: RapportoConservazione[] = [];
  for (const t of tabelle) {
    const spec = SPEC[t];
    let trattati = 0;
    for (;;) {
      const fatti = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ k: string; cf: string | null; corpo: string | null }>(
          `SELECT ${spec.chiave} AS k, ${spec.cf} AS cf, ${spec.corpo} AS corpo FROM ${t}
            WHERE pseudonimizzato_il IS NULL AND ${spec.concluso} AND ${spec.data} < $1
            ORDER BY ${spec.data} LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [limite, BATCH],
        );
        for (const r of rows) {
          await tx.query(spec.aggiorna, [r.k, r.cf ? registri.pseudonimo(r.cf) : null, now]);
          await registra(registri, t, r.k, { cf: r.cf, corpo: r.corpo }, now);
        }
        return rows.length;
      });
      trattati += fatti;
      if (fatti < BATCH) break;
    }
    out.push({ oggetto: t, trattati });
  }
  return out;
}

const SPEC = {
  // The signed payload the hub forwarded (corpo) holds the codice fiscale too: removed, its digest kept.
  pacchetto_inoltro: {
    chiave: 'id_pacchetto', data: 'ricevuto_il', concluso: "stato = 'INOLTRATO'", cf: "contenuto->'lavoratore'->>'codiceFiscale'", corpo: 'corpo',
    aggiorna: `UPDATE pacchetto_inoltro SET contenuto = jsonb_set(contenuto, '{lavoratore,codiceFiscale}', to_jsonb($2::text)), corpo = NULL, pseudonimizzato_il = $3 WHERE id_pacchetto = $1`,
  },
  pacchetto_ricevuto: {
    chiave: 'id_pacchetto', data: 'ricevuto_il', concluso: "stato = 'ESITO_CONSEGNATO'", cf: "contenuto->'lavoratore'->>'codiceFiscale'", corpo: 'NULL::text',
    aggiorna: `UPDATE pacchetto_ricevuto SET contenuto = jsonb_set(contenuto, '{lavoratore,codiceFiscale}', to_jsonb($2::text)), pseudonimizzato_il = $3 WHERE id_pacchetto = $1`,
  },
  accertamento: {
    chiave: 'id_segnalazione', data: 'ricevuto_il', concluso: "stato IN ('CONCLUSO', 'NON_AVVIATO')", cf: "contenuto->'lavoratore'->>'codiceFiscale'", corpo: 'NULL::text',
    aggiorna: `UPDATE accertamento SET contenuto = jsonb_set(contenuto, '{lavoratore,codiceFiscale}', to_jsonb($2::text)), pseudonimizzato_il = $3 WHERE id_segnalazione = $1`,
  },
  // Forwarded XML bodies are not kept at all once forwarded and old: the digest stays in the retention log.
  messaggio_inoltro: {
    chiave: 'id_messaggio', data: 'ricevuto_il', concluso: "stato = 'INOLTRATO'", cf: 'NULL::text', corpo: 'corpo',
    aggiorna: `UPDATE messaggio_inoltro SET corpo = '', pseudonimizzato_il = $3 WHERE id_messaggio = $1 AND $2::text IS NULL`,
  },
} as const;
