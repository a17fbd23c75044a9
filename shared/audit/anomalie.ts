import type { Pool } from 'pg';
import type { SecurityConfig } from '../config/schema';

/**
 * Automated checks for anomalies in accesses (convenzione: "controlli automatizzati sugli accessi"), run
 * periodically over the access log; each finding is an alert for the supervisor, recorded once per subject and
 * period (the unique key makes re-running harmless, and several instances safe).
 *   FUORI_ORARIO          an operator's access outside the configured working hours and days (Europe/Rome)
 *   ISTRUTTORIE_ALTRUI    an operator reading, or trying to read (refused FUORI_SEDE where officers are scoped to
 *                         their office), more istruttorie of another office (sede) than the threshold
 *                         (INPS): domande are submitted by the case systems' operators, so "not submitted by me" is
 *                         every officer's normal work; "outside my office" is not. Supervisors and admins of the
 *                         console, who see all offices by role, are excepted
 *   VOLUME_ANOMALO        an operator reading far more istruttorie in the period than their own average for such a
 *                         period over the last 14 days of activity (and more than a floor): a baseline per person
 *   RIFIUTI_RIPETUTI      a party (or an address without a valid certificate) with a burst of refused calls; run more
 *                         often than the others (periodic.ts) and also raised by the intake itself for calls without
 *                         an identity (rifiuti-senza-identita.ts), so a flood is reported within a minute of its start
 */
export type EsitoControlli = { nuove: number };

function bucket(now: Date, minutes: number): string {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString();
}

/** Every rule at `now`; `rifiuti: false` leaves RIFIUTI_RIPETUTI out (the periodic task runs it on its own, more often). */
export async function rilevaAnomalie(pool: Pool, now: Date, cfg: SecurityConfig, opts: { operatoriDiSistema: readonly string[]; istruttorie: boolean; rifiuti?: boolean }): Promise<EsitoControlli> {
  let nuove = 0;
  const giorno = new Date(now.getTime() - 86_400_000);

  const fuori = await pool.query<{ operatore_id: string; giorno: string; accessi: number; primo: Date }>(
    `SELECT operatore_id, to_char(registrato_il AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD') AS giorno, count(*)::int AS accessi, min(registrato_il) AS primo
       FROM registro_accessi
      WHERE registrato_il >= $1 AND esito = 'ACCETTATA' AND operatore_id IS NOT NULL AND NOT (operatore_id = ANY($2))
        AND ((registrato_il AT TIME ZONE 'Europe/Rome')::time < $3::time OR (registrato_il AT TIME ZONE 'Europe/Rome')::time >= $4::time
             OR NOT (extract(isodow FROM registrato_il AT TIME ZONE 'Europe/Rome')::int = ANY($5)))
      GROUP BY 1, 2`,
    [giorno, opts.operatoriDiSistema, cfg.orarioLavoro.da, cfg.orarioLavoro.a === '24:00' ? '23:59:59.999' : cfg.orarioLavoro.a, cfg.orarioLavoro.giorni],
  );
  for (const r of fuori.rows) {
    nuove += await allerta(pool, now, 'FUORI_ORARIO', 'OPERATORE', r.operatore_id, r.giorno, `${r.accessi} accessi fuori dall'orario di lavoro (${cfg.orarioLavoro.da}-${cfg.orarioLavoro.a}) il ${r.giorno}`, { accessi: r.accessi, primo: r.primo });
  }

  if (opts.istruttorie) nuove += await rilevaIstruttorie(pool, now, cfg, opts.operatoriDiSistema);

  if (opts.rifiuti !== false) nuove += await rilevaRifiutiRipetuti(pool, now, cfg);
  return { nuove };
}

/** Console accounts that see every office by role: their reading across offices is their job. */
const SUPERVISORI = `SELECT oc.id FROM operatore_console oc WHERE oc.ruolo IN ('supervisor', 'admin')`;

/** ISTRUTTORIE_ALTRUI and VOLUME_ANOMALO, on the INPS schema (istruttorie, domande, console accounts). */
async function rilevaIstruttorie(pool: Pool, now: Date, cfg: SecurityConfig, operatoriDiSistema: readonly string[]): Promise<number> {
  let nuove = 0;
  const minuti = cfg.finestraIstruttorieAltruiMinuti;
  const finestra = new Date(now.getTime() - minuti * 60_000);
  const altrui = await pool.query<{ operatore_id: string; n: number }>(
    `SELECT a.operatore_id, count(DISTINCT a.riferimenti->>'idIstruttoria')::int AS n
       FROM registro_accessi a
       JOIN istruttoria i ON i.id::text = a.riferimenti->>'idIstruttoria'
       JOIN domanda d ON d.id = i.domanda_id
      WHERE a.registrato_il >= $1 AND (a.esito = 'ACCETTATA' OR a.codice_errore = 'FUORI_SEDE') AND a.operatore_id IS NOT NULL
        AND a.operazione IS DISTINCT FROM 'PresentaDomanda' AND d.operatore_ufficio IS DISTINCT FROM a.operatore_ufficio
        AND NOT (a.operatore_id = ANY($2)) AND a.operatore_id NOT IN (${SUPERVISORI})
      GROUP BY 1 HAVING count(DISTINCT a.riferimenti->>'idIstruttoria') > $3`,
    [finestra, operatoriDiSistema, cfg.sogliaIstruttorieAltrui],
  );
  for (const r of altrui.rows) {
    nuove += await allerta(pool, now, 'ISTRUTTORIE_ALTRUI', 'OPERATORE', r.operatore_id, bucket(now, minuti),
      `${r.n} istruttorie di altre sedi consultate o tentate in ${minuti} minuti (soglia ${cfg.sogliaIstruttorieAltrui})`, { istruttorie: r.n });
  }
  // Each operator's istruttorie read in this period against their own average per period of activity over the
  // 14 days before it (periods without any reading do not lower the average: nights and days off are not work).
  const volume = await pool.query<{ operatore_id: string; n: number; media: number | null }>(
    `WITH ora AS (
       SELECT operatore_id, count(DISTINCT riferimenti->>'idIstruttoria')::int AS n FROM registro_accessi
        WHERE registrato_il >= $1 AND esito = 'ACCETTATA' AND operatore_id IS NOT NULL AND riferimenti ? 'idIstruttoria'
          AND NOT (operatore_id = ANY($2)) AND operazione IS DISTINCT FROM 'PresentaDomanda'
        GROUP BY 1),
     prima AS (
       SELECT a.operatore_id, avg(a.n)::float AS media FROM (
         SELECT operatore_id, floor(extract(epoch FROM registrato_il) / ($3::int * 60)) AS periodo, count(DISTINCT riferimenti->>'idIstruttoria') AS n
           FROM registro_accessi
          WHERE registrato_il >= $1::timestamptz - interval '14 days' AND registrato_il < $1 AND esito = 'ACCETTATA' AND riferimenti ? 'idIstruttoria'
            AND operatore_id IN (SELECT operatore_id FROM ora) AND operazione IS DISTINCT FROM 'PresentaDomanda'
          GROUP BY 1, 2) a GROUP BY 1)
     SELECT ora.operatore_id, ora.n, prima.media FROM ora LEFT JOIN prima USING (operatore_id)
      WHERE ora.n > $4 AND ora.n > $5 * COALESCE(prima.media, 0)`,
    [finestra, operatoriDiSistema, minuti, cfg.sogliaVolumeMinima, cfg.fattoreVolume],
  );
  for (const r of volume.rows) {
    const base = r.media === null ? 'nessuna attività nei 14 giorni precedenti' : `media abituale ${Math.round(r.media * 10) / 10} per periodo`;
    nuove += await allerta(pool, now, 'VOLUME_ANOMALO', 'OPERATORE', r.operatore_id, bucket(now, minuti),
      `${r.n} istruttorie consultate in ${minuti} minuti (${base}; soglia: ${cfg.fattoreVolume} volte la media e almeno ${cfg.sogliaVolumeMinima})`, { istruttorie: r.n, media: r.media });
  }
  return nuove;
}

/**
 * RIFIUTI_RIPETUTI on the log: the refused calls of each party (or, for calls without an identity, of each source
 * address) in the last finestraRifiutiMinuti, an aggregated record counting for all the calls it holds.
 */
export async function rilevaRifiutiRipetuti(pool: Pool, now: Date, cfg: SecurityConfig): Promise<number> {
  const finestra = new Date(now.getTime() - cfg.finestraRifiutiMinuti * 60_000);
  const { rows } = await pool.query<{ soggetto: string; per_identita: boolean; codice: string | null; n: number }>(
    `SELECT COALESCE(a.identita, a.indirizzo_ip) AS soggetto, a.identita IS NOT NULL AS per_identita, c.codice, sum(c.n)::int AS n
       FROM registro_accessi a
       CROSS JOIN LATERAL (
         SELECT key AS codice, value::int AS n FROM jsonb_each_text(a.riferimenti #> '{rifiutiAggregati,codici}')
         UNION ALL
         SELECT a.codice_errore, 1 WHERE NOT (a.riferimenti ? 'rifiutiAggregati')
       ) c
      WHERE a.registrato_il >= $1 AND a.esito = 'RIFIUTATA'
      GROUP BY 1, 2, 3`,
    [finestra],
  );
  const perSoggetto = new Map<string, { soggetto: string; perIdentita: boolean; rifiuti: number; codici: Record<string, number> }>();
  for (const r of rows) {
    const chiave = `${r.per_identita}|${r.soggetto}`;
    const s = perSoggetto.get(chiave) ?? { soggetto: r.soggetto, perIdentita: r.per_identita, rifiuti: 0, codici: {} };
    s.rifiuti += r.n;
    if (r.codice) s.codici[r.codice] = (s.codici[r.codice] ?? 0) + r.n;
    perSoggetto.set(chiave, s);
  }
  let nuove = 0;
  for (const s of perSoggetto.values()) {
    if (s.rifiuti <= cfg.sogliaRifiuti) continue;
    nuove += await allerta(pool, now, 'RIFIUTI_RIPETUTI', s.perIdentita ? 'PARTE' : 'INDIRIZZO', s.soggetto, bucket(now, cfg.finestraRifiutiMinuti),
      `${s.rifiuti} chiamate rifiutate in ${cfg.finestraRifiutiMinuti} minuti (soglia ${cfg.sogliaRifiuti}): ${Object.keys(s.codici).sort().join(', ')}`, { rifiuti: s.rifiuti, codici: s.codici });
  }
  return nuove;
}

/**
 * RIFIUTI_RIPETUTI for a source address whose calls without an identity went over the threshold within one minute,
 * raised as the count crosses it (rifiuti-senza-identita.ts) rather than once the minute's record is written; the
 * same key as the rule on the log, so the two never raise it twice for one period.
 */
export async function allertaRifiutiSenzaIdentita(pool: Pool, cfg: SecurityConfig, sorgente: string, conteggio: { rifiuti: number; codici: Record<string, number> }, at: Date): Promise<number> {
  return allerta(pool, at, 'RIFIUTI_RIPETUTI', 'INDIRIZZO', sorgente, bucket(at, cfg.finestraRifiutiMinuti),
    `${conteggio.rifiuti} chiamate senza identità rifiutate da ${sorgente} in meno di un minuto (soglia ${cfg.sogliaRifiuti} in ${cfg.finestraRifiutiMinuti} minuti): ${Object.keys(conteggio.codici).sort().join(', ')}`,
    { rifiuti: conteggio.rifiuti, codici: conteggio.codici });
}

async function allerta(pool: Pool, now: Date, regola: string, tipo: 'OPERATORE' | 'PARTE' | 'INDIRIZZO', soggetto: string, chiave: string, descrizione: string, dettagli: Record<string, unknown>): Promise<number> {
  const r = await pool.query(
    `INSERT INTO allerta (regola, soggetto_tipo, soggetto, chiave, descrizione, dettagli, rilevata_il) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [regola, tipo, soggetto, chiave, descrizione, JSON.stringify(dettagli), now],
  );
  return r.rowCount ?? 0;
}
