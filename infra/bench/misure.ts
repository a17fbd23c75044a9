import type { Pool } from 'pg';
import { servizioProprio } from '../../shared/config/parte';
import type { FederationConfig } from '../../shared/config/schema';
import { ENTI_VERIFICATORI } from '../../shared/domain/types';

/**
 * What the benchmark reads from the federation's database after (and during) a run: every stage's
 * timestamps for the domande of one run (by protocol prefix), and counters of the work done (SOAP calls
 * accepted, messages published, transactions committed), to derive the per-domanda operation counts.
 * Queries name schemas explicitly and run as the schema owner.
 */
export function schemi(config: FederationConfig): { inps: string; hub: string; agenzie: string[] } {
  return {
    inps: servizioProprio(config, 'inpsGateway').schema,
    hub: servizioProprio(config, 'hub').schema,
    agenzie: ENTI_VERIFICATORI.flatMap((e) => (config.services.agencies[e] ? [servizioProprio(config, e).schema] : [])),
  };
}

/**
 * When the federation's work on a domanda ended: its closure, or INL's notice that it opened an inspection (the
 * istruttoria then waits for an inspector, up to its limit: the benchmark does not wait for one). Over
 * istruttoria i and its case to INL g (LEFT JOIN).
 */
const FINE_LAVORO = `COALESCE(i.chiusa_il, CASE WHEN i.stato = 'VALUTAZIONE_INL' AND g.stato_accertamento = 'AVVIATO' THEN g.aggiornata_il END)`;

/** An outcome as the load states what it expects: the esito, and the inspection INL opened when it did. */
export function esitoOsservato(esito: string, accertamento?: 'AVVIATO'): string {
  return accertamento ? `${esito} + accertamento ${accertamento}` : esito;
}

export interface IstantiFasi {
  /** ms epoch; one entry per event */
  ricevute: number[];
  pacchettiInviati: number[];
  pacchettiRicevutiParti: number[];
  esitiApplicati: number[];
  chiusure: number[];
  /** chiusa_il - ricevuta_il per closed domanda, ms */
  tempiChiusura: number[];
  /** the same for the domande with no packet to INL and no case reported to INL */
  tempiChiusuraSenzaInl: number[];
  esitiVerifica: Record<string, number>;
  nonChiuse: number;
  /** domande whose outcome is not the scenario's */
  inattese: number;
}

export async function leggiFasi(pool: Pool, config: FederationConfig, prefisso: string, attesi: Map<string, string>): Promise<IstantiFasi> {
  const s = schemi(config);
  const like = `${prefisso}.%`;
  const dom = await pool.query<{ protocollo: string; ricevuta: Date; chiusa: Date | null; esito: string | null; avviato: boolean; inl: boolean }>(
    `SELECT d.protocollo, d.ricevuta_il AS ricevuta, ${FINE_LAVORO} AS chiusa, i.esito_verifica AS esito,
            i.stato = 'VALUTAZIONE_INL' AND g.stato_accertamento = 'AVVIATO' AS avviato,
            EXISTS (SELECT 1 FROM ${s.inps}.pacchetto p WHERE p.istruttoria_id = i.id AND p.destinatario = 'INL') OR g.id IS NOT NULL AS inl
       FROM ${s.inps}.domanda d JOIN ${s.inps}.istruttoria i ON i.domanda_id = d.id
       LEFT JOIN ${s.inps}.segnalazione_inl g ON g.istruttoria_id = i.id
      WHERE d.protocollo LIKE $1`,
    [like],
  );
  const inviati = await pool.query<{ t: Date }>(
    `SELECT p.inviato_il AS t FROM ${s.inps}.pacchetto p JOIN ${s.inps}.istruttoria i ON i.id = p.istruttoria_id
       JOIN ${s.inps}.domanda d ON d.id = i.domanda_id WHERE d.protocollo LIKE $1 AND p.inviato_il IS NOT NULL`,
    [like],
  );
  const ricevutiParti: number[] = [];
  for (const a of s.agenzie) {
    const r = await pool.query<{ t: Date }>(`SELECT ricevuto_il AS t FROM ${a}.pacchetto_ricevuto WHERE contenuto->>'protocolloDomanda' LIKE $1`, [like]);
    ricevutiParti.push(...r.rows.map((x) => x.t.getTime()));
  }
  const esiti = await pool.query<{ t: Date }>(
    `SELECT e.ricevuto_il AS t FROM ${s.inps}.esito_ricevuto e JOIN ${s.inps}.pacchetto p ON p.id = e.pacchetto_id
       JOIN ${s.inps}.istruttoria i ON i.id = p.istruttoria_id JOIN ${s.inps}.domanda d ON d.id = i.domanda_id
      WHERE d.protocollo LIKE $1 AND e.applicato`,
    [like],
  );
  const esitiVerifica: Record<string, number> = {};
  let inattese = 0;
  const chiuse = dom.rows.filter((r) => r.chiusa !== null);
  for (const r of chiuse) {
    const esito = esitoOsservato(r.esito ?? 'NESSUNO', r.avviato ? 'AVVIATO' : undefined);
    esitiVerifica[esito] = (esitiVerifica[esito] ?? 0) + 1;
    const atteso = attesi.get(r.protocollo);
    if (atteso && atteso !== esito) inattese++;
  }
  return {
    ricevute: dom.rows.map((r) => r.ricevuta.getTime()),
    pacchettiInviati: inviati.rows.map((r) => r.t.getTime()),
    pacchettiRicevutiParti: ricevutiParti,
    esitiApplicati: esiti.rows.map((r) => r.t.getTime()),
    chiusure: chiuse.map((r) => r.chiusa!.getTime()),
    tempiChiusura: chiuse.map((r) => r.chiusa!.getTime() - r.ricevuta.getTime()),
    tempiChiusuraSenzaInl: chiuse.filter((r) => !r.inl).map((r) => r.chiusa!.getTime() - r.ricevuta.getTime()),
    esitiVerifica,
    nonChiuse: dom.rows.length - chiuse.length,
    inattese,
  };
}

export async function contaChiuse(pool: Pool, config: FederationConfig, prefisso: string): Promise<number> {
  const s = schemi(config);
  const r = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${s.inps}.domanda d JOIN ${s.inps}.istruttoria i ON i.domanda_id = d.id
       LEFT JOIN ${s.inps}.segnalazione_inl g ON g.istruttoria_id = i.id
      WHERE d.protocollo LIKE $1 AND ${FINE_LAVORO} IS NOT NULL`,
    [`${prefisso}.%`],
  );
  return r.rows[0]!.n;
}

export interface Contatori {
  /** SOAP requests accepted, by receiving schema (inps = gateway, hub, each agency) */
  soap: Record<string, number>;
  /** outbox rows (each one confirmed publish, then one consume), by schema */
  pubblicazioni: Record<string, number>;
  /** pg_stat_database.xact_commit of the federation's database */
  commit: number;
  /**
   * pg_stat_database.xact_rollback: transactions rolled back (a chain append refused because another process moved
   * a head is one; a handler's refusal another)
   */
  rollback: number;
  /** pg_stat_database.sessions: connections opened (the pools' own once full; more means connections replaced) */
  sessioni: number;
  /**
   * Transaction ids assigned (the next one, pg_snapshot_xmax of the current snapshot): one per transaction that
   * wrote, committed or rolled back, in the whole cluster (nothing else writes during a run). xact_commit also
   * counts every statement that only read, run on its own; these are the commits that flush the WAL.
   */
  scritture: number;
  /**
   * pg_stat_wal.wal_sync: the WAL's flushes to disk (fdatasync), in the whole cluster: a synchronous commit waits for
   * one unless another commit's flush took its record too (group commit); the WAL writer's own are counted as well.
   */
  flushWal: number;
}

export async function leggiContatori(pool: Pool, config: FederationConfig): Promise<Contatori> {
  const s = schemi(config);
  const soap: Record<string, number> = {};
  const pubblicazioni: Record<string, number> = {};
  for (const schema of [s.inps, s.hub, ...s.agenzie]) {
    const a = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.registro_accessi WHERE canale = 'SOAP' AND esito = 'ACCETTATA'`);
    soap[schema] = a.rows[0]!.n;
    const o = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox`);
    pubblicazioni[schema] = o.rows[0]!.n;
  }
  // Statistics reach pg_stat_database when backends report them (at most about a second late).
  // Reading the snapshot assigns no transaction id of its own.
  const c = await pool.query<{ n: string; r: string; s: string; x: string; w: string }>(
    `SELECT xact_commit::text AS n, xact_rollback::text AS r, sessions::text AS s, pg_snapshot_xmax(pg_current_snapshot())::text AS x,
            (SELECT wal_sync::text FROM pg_stat_wal) AS w
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const r = c.rows[0]!;
  return { soap, pubblicazioni, commit: Number(r.n), rollback: Number(r.r), sessioni: Number(r.s), scritture: Number(r.x), flushWal: Number(r.w) };
}

export function differenza(prima: Contatori, dopo: Contatori): Contatori {
  const d = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k]! - (a[k] ?? 0)]));
  return {
    soap: d(prima.soap, dopo.soap),
    pubblicazioni: d(prima.pubblicazioni, dopo.pubblicazioni),
    commit: dopo.commit - prima.commit,
    rollback: dopo.rollback - prima.rollback,
    sessioni: dopo.sessioni - prima.sessioni,
    scritture: dopo.scritture - prima.scritture,
    flushWal: dopo.flushWal - prima.flushWal,
  };
}

/** Mean size of the SOAP messages the services sent (registro_messaggi.dimensione), bytes. */
export async function dimensioneMediaMessaggi(pool: Pool, config: FederationConfig): Promise<number> {
  const s = schemi(config);
  let somma = 0;
  let n = 0;
  for (const schema of [s.inps, s.hub, ...s.agenzie]) {
    const r = await pool.query<{ somma: string | null; n: number }>(`SELECT sum(dimensione)::text AS somma, count(*)::int AS n FROM ${schema}.registro_messaggi WHERE direzione = 'INVIATO'`);
    somma += Number(r.rows[0]!.somma ?? 0);
    n += r.rows[0]!.n;
  }
  return n > 0 ? Math.round(somma / n) : 4000;
}

/** INL triggers stored on the run's istruttorie, by code: how many, on how many istruttorie. */
export async function indiciRilevati(pool: Pool, config: FederationConfig): Promise<Record<string, { indici: number; istruttorie: number }>> {
  const s = schemi(config);
  const r = await pool.query<{ codice: string; indici: number; istruttorie: number }>(
    `SELECT codice, count(*)::int AS indici, count(DISTINCT istruttoria_id)::int AS istruttorie FROM ${s.inps}.indice_inl GROUP BY codice ORDER BY codice`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.codice, { indici: x.indici, istruttorie: x.istruttorie }]));
}
