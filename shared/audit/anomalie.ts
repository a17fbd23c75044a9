import type { Pool } from 'pg';
import type { SecurityConfig } from '../config/schema';

/**
 * Automated checks for anomalies in accesses (convenzione: "controlli automatizzati sugli accessi"), run
 * periodically over the access log; each finding is an alert for the supervisor, recorded once per subject and
 * period (the unique key makes re-running harmless, and several instances safe).
 *   FUORI_ORARIO          an operator's access outside the configured working hours and days (Europe/Rome)
 *   ISTRUTTORIE_ALTRUI    an operator reading more istruttorie they did not submit than the threshold (INPS)
 *   RIFIUTI_RIPETUTI      a party (or an address without a valid certificate) with a burst of refused calls
 */
export type EsitoControlli = { nuove: number };

function bucket(now: Date, minutes: number): string {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString();
}

export async function rilevaAnomalie(pool: Pool, now: Date, cfg: SecurityConfig, opts: { operatoriDiSistema: readonly string[]; istruttorie: boolean }): Promise<EsitoControlli> {
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

  if (opts.istruttorie) {
    const finestra = new Date(now.getTime() - cfg.finestraIstruttorieAltruiMinuti * 60_000);
    const altrui = await pool.query<{ operatore_id: string; n: number }>(
      `SELECT a.operatore_id, count(DISTINCT a.riferimenti->>'idIstruttoria')::int AS n
         FROM registro_accessi a
         JOIN istruttoria i ON i.id::text = a.riferimenti->>'idIstruttoria'
         JOIN domanda d ON d.id = i.domanda_id
        WHERE a.registrato_il >= $1 AND a.esito = 'ACCETTATA' AND a.operatore_id IS NOT NULL
          AND a.operazione IS DISTINCT FROM 'PresentaDomanda' AND d.operatore_id <> a.operatore_id AND NOT (a.operatore_id = ANY($2))
        GROUP BY 1 HAVING count(DISTINCT a.riferimenti->>'idIstruttoria') > $3`,
      [finestra, opts.operatoriDiSistema, cfg.sogliaIstruttorieAltrui],
    );
    for (const r of altrui.rows) {
      nuove += await allerta(pool, now, 'ISTRUTTORIE_ALTRUI', 'OPERATORE', r.operatore_id, bucket(now, cfg.finestraIstruttorieAltruiMinuti),
        `${r.n} istruttorie di altri operatori consultate in ${cfg.finestraIstruttorieAltruiMinuti} minuti (soglia ${cfg.sogliaIstruttorieAltrui})`, { istruttorie: r.n });
    }
  }

  const finestraRifiuti = new Date(now.getTime() - cfg.finestraRifiutiMinuti * 60_000);
  const rifiuti = await pool.query<{ soggetto: string; per_identita: boolean; n: number; codici: string[] }>(
    `SELECT COALESCE(identita, indirizzo_ip) AS soggetto, identita IS NOT NULL AS per_identita, count(*)::int AS n, array_agg(DISTINCT codice_errore) AS codici
       FROM registro_accessi WHERE registrato_il >= $1 AND esito = 'RIFIUTATA'
      GROUP BY 1, 2 HAVING count(*) > $2`,
    [finestraRifiuti, cfg.sogliaRifiuti],
  );
  for (const r of rifiuti.rows) {
    nuove += await allerta(pool, now, 'RIFIUTI_RIPETUTI', r.per_identita ? 'PARTE' : 'INDIRIZZO', r.soggetto, bucket(now, cfg.finestraRifiutiMinuti),
      `${r.n} chiamate rifiutate in ${cfg.finestraRifiutiMinuti} minuti (soglia ${cfg.sogliaRifiuti}): ${r.codici.filter(Boolean).join(', ')}`, { rifiuti: r.n, codici: r.codici });
  }
  return { nuove };
}

async function allerta(pool: Pool, now: Date, regola: string, tipo: 'OPERATORE' | 'PARTE' | 'INDIRIZZO', soggetto: string, chiave: string, descrizione: string, dettagli: Record<string, unknown>): Promise<number> {
  const r = await pool.query(
    `INSERT INTO allerta (regola, soggetto_tipo, soggetto, chiave, descrizione, dettagli, rilevata_il) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [regola, tipo, soggetto, chiave, descrizione, JSON.stringify(dettagli), now],
  );
  return r.rowCount ?? 0;
}
