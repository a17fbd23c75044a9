import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction, type Tx } from '../db/pool';
import { canonico } from './catena';
import { codiceDatore, codiciDatori, contenutoPseudonimizzato, datorePersona, datoriPersone, descrizioniRimosse, indiceSenzaDatori, posizioniRimosse, type ContenutoConDatori } from './datori-persone';
import type { Registri } from './registri';

/**
 * Retention (convenzione: data kept only as long as strictly necessary): after the configured period, personal
 * data is replaced by keyed pseudonyms (the same HMAC the access log uses, so old accesses stay searchable by
 * codice fiscale) or removed. Employers who are persons (sole traders, households: datori-persone.ts) are
 * treated like the citizen wherever their code or name was copied; companies' codes stay. What was removed is
 * recorded in the chained retention log as a digest, so the audit chains stay verifiable and nothing personal
 * survives in them. Batches are claimed with SKIP LOCKED: several instances may run.
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
  // Employers who are persons: a household (whatever its code), a sole trader (datori-persone.ts datorePersona).
  const attestazioni = (await tx.query<{ riferimento: number; tipo: string; datore_codice_fiscale: string; datore_denominazione: string; codice_rapporto_domestico: string | null; matricola_inps: string | null; pat_inail: string | null }>(
    'SELECT riferimento, tipo, datore_codice_fiscale, datore_denominazione, codice_rapporto_domestico, matricola_inps, pat_inail FROM attestazione WHERE domanda_id = $1 ORDER BY riferimento',
    [domandaId],
  )).rows.filter((a) => a.tipo === 'DATORE_DOMESTICO' || datorePersona(a.datore_codice_fiscale));
  // Where the istruttoria copied their codes and names: its INL triggers (and their timeline events), packets, case.
  const indici = (await tx.query<{ id: string; codice: string; datore_cf: string; descrizione: string }>('SELECT id, codice, datore_cf, descrizione FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [istruttoriaId])).rows;
  const pacchetti = (await tx.query<{ id: string; contenuto: ContenutoConDatori }>('SELECT id, contenuto FROM pacchetto WHERE istruttoria_id = $1 ORDER BY id', [istruttoriaId])).rows;
  const segnalazioni = (await tx.query<{ id: string; corpo: { segnalazione: ContenutoConDatori } }>(`SELECT id, corpo FROM messaggio_uscita WHERE istruttoria_id = $1 AND tipo = 'SEGNALAZIONE' ORDER BY id`, [istruttoriaId])).rows;
  // The attestazioni name every employer the rest copies; a person's code found only elsewhere goes all the same.
  const datori = datoriPersone(
    (cf) => registri.pseudonimo(cf),
    [...indici.map((i) => i.datore_cf), ...pacchetti.flatMap((p) => codiciDatori(p.contenuto)), ...segnalazioni.flatMap((s) => codiciDatori(s.corpo.segnalazione))],
    attestazioni.map((a) => ({ codiceFiscale: a.datore_codice_fiscale, denominazione: a.datore_denominazione })),
  );
  const indiciCambiati = indici.flatMap((prima) => {
    const dopo = indiceSenzaDatori({ codice: prima.codice, descrizione: prima.descrizione, datore: prima.datore_cf }, datori);
    return dopo.datore !== prima.datore_cf || dopo.descrizione !== prima.descrizione ? [{ prima, dopo }] : [];
  });

  await tx.query(`UPDATE domanda SET codice_fiscale = $2, cognome = '[rimosso]', nome = '[rimosso]', data_nascita = NULL WHERE id = $1`, [domandaId, pseudo]);
  if (attestazioni.length > 0) {
    await tx.query(
      `UPDATE attestazione a SET datore_codice_fiscale = p.pseudonimo, datore_denominazione = '[rimosso]', codice_rapporto_domestico = NULL,
                                matricola_inps = NULL, pat_inail = NULL
         FROM unnest($2::int[], $3::text[]) AS p(riferimento, pseudonimo) WHERE a.domanda_id = $1 AND a.riferimento = p.riferimento`,
      [domandaId, attestazioni.map((a) => a.riferimento), attestazioni.map((a) => codiceDatore(a.datore_codice_fiscale, datori))],
    );
  }
  if (indiciCambiati.length > 0) {
    // UNIQUE (istruttoria_id, codice, datore_cf) still holds: one pseudonym per code, none equal to a code.
    await tx.query(
      `UPDATE indice_inl i SET datore_cf = n.datore_cf, descrizione = n.descrizione
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS n(id, datore_cf, descrizione) WHERE i.id = n.id`,
      [indiciCambiati.map((c) => c.prima.id), indiciCambiati.map((c) => c.dopo.datore), indiciCambiati.map((c) => c.dopo.descrizione)],
    );
    // A trigger's timeline event holds its description, not its employer: rewritten as the trigger's was.
    const descrizioni = Object.fromEntries(indiciCambiati.map((c) => [c.prima.descrizione, c.dopo.descrizione]));
    await tx.query(
      `UPDATE evento SET dettagli = jsonb_set(dettagli, '{descrizione}', $2::jsonb -> (dettagli ->> 'descrizione'))
        WHERE istruttoria_id = $1 AND tipo = 'INDICE_INL_RILEVATO' AND $2::jsonb ? (dettagli ->> 'descrizione')`,
      [istruttoriaId, JSON.stringify(descrizioni)],
    );
  }
  if (pacchetti.length > 0) {
    await tx.query('UPDATE pacchetto p SET contenuto = n.contenuto FROM unnest($1::uuid[], $2::jsonb[]) AS n(id, contenuto) WHERE p.id = n.id', [
      pacchetti.map((p) => p.id),
      pacchetti.map((p) => JSON.stringify(contenutoPseudonimizzato(p.contenuto, pseudo, datori))),
    ]);
  }
  if (segnalazioni.length > 0) {
    await tx.query('UPDATE messaggio_uscita m SET corpo = n.corpo FROM unnest($1::uuid[], $2::jsonb[]) AS n(id, corpo) WHERE m.id = n.id', [
      segnalazioni.map((s) => s.id),
      segnalazioni.map((s) => JSON.stringify({ ...s.corpo, segnalazione: contenutoPseudonimizzato(s.corpo.segnalazione, pseudo, datori) })),
    ]);
  }
  await tx.query('UPDATE istruttoria SET pseudonimizzata_il = $2 WHERE id = $1', [istruttoriaId, now]);
  await registra(registri, 'istruttoria', istruttoriaId, { domanda: d, datori: attestazioni.map(({ tipo: _tipo, ...a }) => a), codici: [...datori.keys()], indici: indiciCambiati.map((c) => c.prima) }, now);
}

/**
 * The hub and the parties' nodes: packets (and INL cases) handled more than `giorni` ago. The worker's code becomes its
 * pseudonym, and so does the code of each employer who is a person (datori-persone.ts), in the relations and in INL's
 * triggers; companies' codes stay.
 */
export async function conservazioneParte(pool: Pool, registri: Registri, now: Date, giorni: number, tabelle: ReadonlyArray<'pacchetto_inoltro' | 'pacchetto_ricevuto' | 'accertamento' | 'messaggio_inoltro'>): Promise<RapportoConservazione[]> {
  const limite = new Date(now.getTime() - giorni * 86_400_000);
  const out: RapportoConservazione[] = [];
  for (const t of tabelle) {
    const spec = SPEC[t];
    let trattati = 0;
    for (;;) {
      const fatti = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ k: string; contenuto: ContenutoConDatori | null; corpo: string | null }>(
          `SELECT ${spec.chiave} AS k, ${spec.contenuto} AS contenuto, ${spec.corpo} AS corpo FROM ${t}
            WHERE pseudonimizzato_il IS NULL AND ${spec.concluso} AND ${spec.data} < $1
            ORDER BY ${spec.data} LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [limite, BATCH],
        );
        for (const r of rows) {
          const c = r.contenuto;
          const cf = c?.lavoratore?.codiceFiscale ?? null;
          const datori = datoriPersone((x) => registri.pseudonimo(x), c ? codiciDatori(c) : []);
          const dopo = c && contenutoPseudonimizzato(c, cf === null ? null : registri.pseudonimo(cf), datori);
          await tx.query(spec.aggiorna, [r.k, dopo && JSON.stringify(dopo), now]);
          // Without persons among the employers, the digest is of what it always was.
          const rimossiDatori = datori.size === 0 ? {} : { datori: [...datori.keys()], posizioni: c ? posizioniRimosse(c, datori) : [], descrizioni: descrizioniRimosse(c?.indici ?? [], dopo?.indici ?? []) };
          await registra(registri, t, r.k, { cf, corpo: r.corpo, ...rimossiDatori }, now);
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

// `aggiorna` takes the key, the content rewritten (datori-persone.ts contenutoPseudonimizzato) and the time.
const SPEC = {
  // The signed payload the hub forwarded (corpo) holds the codice fiscale too: removed, its digest kept.
  pacchetto_inoltro: {
    chiave: 'id_pacchetto', data: 'ricevuto_il', concluso: "stato = 'INOLTRATO'", contenuto: 'contenuto', corpo: 'corpo',
    aggiorna: 'UPDATE pacchetto_inoltro SET contenuto = $2::jsonb, corpo = NULL, pseudonimizzato_il = $3 WHERE id_pacchetto = $1',
  },
  pacchetto_ricevuto: {
    chiave: 'id_pacchetto', data: 'ricevuto_il', concluso: "stato = 'ESITO_CONSEGNATO'", contenuto: 'contenuto', corpo: 'NULL::text',
    aggiorna: 'UPDATE pacchetto_ricevuto SET contenuto = $2::jsonb, pseudonimizzato_il = $3 WHERE id_pacchetto = $1',
  },
  // A case holds INL's triggers too, each with the employer it concerns and a description.
  accertamento: {
    chiave: 'id_segnalazione', data: 'ricevuto_il', concluso: "stato IN ('CONCLUSO', 'NON_AVVIATO')", contenuto: 'contenuto', corpo: 'NULL::text',
    aggiorna: 'UPDATE accertamento SET contenuto = $2::jsonb, pseudonimizzato_il = $3 WHERE id_segnalazione = $1',
  },
  // Forwarded XML bodies are not kept at all once forwarded and old: the digest stays in the retention log.
  messaggio_inoltro: {
    chiave: 'id_messaggio', data: 'ricevuto_il', concluso: "stato = 'INOLTRATO'", contenuto: 'NULL::jsonb', corpo: 'corpo',
    aggiorna: `UPDATE messaggio_inoltro SET corpo = '', pseudonimizzato_il = $3 WHERE id_messaggio = $1 AND $2::jsonb IS NULL`,
  },
} as const;
