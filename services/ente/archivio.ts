import type { Pool } from 'pg';
import type { Rapporto } from '../../shared/domain/types';
import type { DatiArchivio, RecordRapporto, VocePat } from './verifica';

/**
 * A party's archive as the verification sees it. The reference implementation reads PostgreSQL tables
 * loaded from CSV (import-archivio.ts); a party plugs its own systems in behind this interface.
 */
export interface Archivio {
  datiPer(cfLavoratore: string, rapporto: Rapporto): Promise<DatiArchivio>;
}

export class ArchivioPostgres implements Archivio {
  constructor(private readonly pool: Pool) {}

  async datiPer(cfLavoratore: string, r: Rapporto): Promise<DatiArchivio> {
    const [rapporti, voci] = await Promise.all([
      this.pool.query<{ dal: string; al: string | null; ccnl: string | null; livello: string | null; professione_istat: string | null; qualifica: string | null; lavoro_a_turni: boolean | null; attivita_educativa: boolean | null }>(
        `SELECT to_char(dal, 'YYYY-MM-DD') AS dal, to_char(al, 'YYYY-MM-DD') AS al, ccnl, livello, professione_istat, qualifica, lavoro_a_turni, attivita_educativa
           FROM archivio_rapporto WHERE cf_lavoratore = $1 AND cf_datore = $2`,
        [cfLavoratore, r.datore.codiceFiscale],
      ),
      r.datore.patInail
        ? this.pool.query<{ cf_datore: string; voce: string; grande_gruppo: number; tasso_per_mille: string }>(
            'SELECT cf_datore, voce, grande_gruppo, tasso_per_mille FROM archivio_posizione_inail WHERE pat = $1',
            [r.datore.patInail],
          )
        : Promise.resolve({ rows: [] as Array<{ cf_datore: string; voce: string; grande_gruppo: number; tasso_per_mille: string }> }),
    ]);
    return {
      rapporti: rapporti.rows.map((x) => {
        const rec: RecordRapporto = { dal: x.dal };
        if (x.al !== null) rec.al = x.al;
        if (x.ccnl !== null) rec.ccnl = x.ccnl;
        if (x.livello !== null) rec.livello = x.livello;
        if (x.professione_istat !== null) rec.professioneIstat = x.professione_istat;
        if (x.qualifica !== null) rec.qualifica = x.qualifica;
        if (x.lavoro_a_turni !== null) rec.lavoroATurni = x.lavoro_a_turni;
        if (x.attivita_educativa !== null) rec.attivitaEducativa = x.attivita_educativa;
        return rec;
      }),
      vociPat: voci.rows.map((v): VocePat => ({ cfDatore: v.cf_datore, voce: v.voce, grandeGruppo: v.grande_gruppo, tassoPerMille: Number(v.tasso_per_mille) })),
    };
  }
}
