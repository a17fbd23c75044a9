import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool, withTransaction } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { dropDatabase, ensureDatabase } from '../../infra/local/postgres';
import { conCifraDiControllo, conControllo } from '../../shared/domain/codice-fiscale';
import { datiDaVerificare } from '../../shared/domain/competenza';
import type { Attestazione, Domanda, EnteVerificatore, Esito, EsitoDato, Operatore, Rapporto, Richiedente, TipoDomanda } from '../../shared/domain/types';
import type { Clock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { Scheduler } from '../../shared/scheduler/timers';
import { registraDomanda } from '../../services/inps/core/domande';
import type { PacchettoDaInviare } from '../../services/inps/core/sql/pacchetto';
import { registraPresaInCarico } from '../../services/inps/core/presa-in-carico';
import { applicaEsito, type EsitoApplicato } from '../../services/inps/core/esiti';
import type { CorpoMessaggio } from '../../services/inps/core/messaggi';
import { giorniEsito, type RegoleInps } from '../../services/inps/core/regole';
import { calendarioPratica, type CalendarioGraduatorie } from '../../shared/domain/graduatorie';

export { calendarioPratica };
import { gestoriTimerInps } from '../../services/inps/core/timer-inps';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto } from '../../shared/domain/stati';

/**
 * Helpers for in-process tests of the INPS-side lifecycle against a real PostgreSQL database: a throwaway
 * database migrated with the INPS schema, fresh valid identities (workers, employers), domande built from them,
 * the parties' side of the exchange played by hand (ack of a packet, esito), and the bench the files of
 * test/istruttoria/ share (bancoIstruttorie).
 */

export const OPERATORE: Operatore = { id: 'INPS-OP-TEST', ufficio: 'Roma Centro' };

/** A database of its own for one test file, migrated like the INPS services' schema. */
export class DatabaseInps {
  private constructor(
    readonly url: string,
    readonly pool: Pool,
  ) {}

  static async crea(nome: string): Promise<DatabaseInps> {
    const url = `postgres://postgres@127.0.0.1:5432/t_${nome}_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(url);
    const pool = createPool(url, 'inps', { max: 4 });
    await migrate(pool, 'inps', ['messaging', 'inps']);
    return new DatabaseInps(url, pool);
  }

  async elimina(): Promise<void> {
    // Swallowed: cleaning up; the database is dropped next anyway.
    await this.pool.end().catch(() => undefined);
    await dropDatabase(this.url);
  }
}

export function regole(
  o: { calendario?: CalendarioGraduatorie; esitoInlGiorni?: number; sogliaStessoDatore?: number; finestraStessoDatoreGiorni?: number; sogliaDatori?: number } = {},
): RegoleInps {
  return {
    deadlines: { esitoGiorni: 5, esitoInlGiorni: o.esitoInlGiorni ?? 5, istruttoriaGiorni: 30, tolleranzaPresentazioneSecondi: 120, calendarioGraduatorie: o.calendario ?? {} },
    inl: {
      sogliaStessoDatore: o.sogliaStessoDatore ?? 5,
      finestraStessoDatoreGiorni: o.finestraStessoDatoreGiorni ?? 365,
      sogliaDatori: o.sogliaDatori ?? 3,
      apertura: 'indici',
    },
  };
}

// Fresh identities: a per-process random base keeps them apart from the demo dataset; counters keep them apart from each other.
const LETTERE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
let nLavoratori = Math.floor(Math.random() * 1000) * 1000;
let nDatori = 0;
const baseDatori = 10_000_000 + Math.floor(Math.random() * 80_000_000);

/** A new worker with a valid codice fiscale, born 1 January 1960 (63 or more at a 2027 decorrenza). */
export function nuovoLavoratore(nome = 'Prova'): Richiedente {
  const n = nLavoratori++;
  const cognome = `${LETTERE[Math.floor(n / 676) % 26]}${LETTERE[Math.floor(n / 26) % 26]}${LETTERE[n % 26]}`;
  return { codiceFiscale: conControllo(`TST${cognome}60A01H501`), cognome: `Test${cognome}`, nome, dataNascita: '1960-01-01' };
}

/** A new employer (legal person) with a valid 11-digit codice fiscale. */
export function nuovoDatore(denominazione?: string): Attestazione['datore'] {
  const n = nDatori++;
  const cf = conCifraDiControllo(`0${String(baseDatori + n).padStart(9, '0')}`);
  return { codiceFiscale: cf, denominazione: denominazione ?? `Impresa di prova ${n} Srl`, matricolaInps: String(1_000_000_000 + n), patInail: String(10_000_000 + n) };
}

/** A construction worker's relation (category A): packets for MINLAVORO, ANPAL and INAIL. */
export function rapportoEdile(riferimento: number, datore: Attestazione['datore'], dal = '2014-01-07', al?: string): Attestazione {
  return {
    riferimento,
    tipo: 'DATORE_PRIVATO_PA',
    datore: { ...datore },
    periodo: al === undefined ? { dal } : { dal, al },
    ccnl: 'F012',
    livello: '2',
    categoria: 'A',
    professioneIstat: '6.1.2.1',
    vociTariffaInail: ['3110'],
  };
}

export function domanda(o: {
  protocollo: string;
  presentazione: Date;
  richiedente?: Richiedente;
  tipo?: TipoDomanda;
  attestazioni?: Attestazione[];
  decorrenza?: string;
}): Domanda {
  return {
    protocollo: o.protocollo,
    tipo: o.tipo ?? 'APE_SOCIALE',
    dataPresentazione: o.presentazione,
    dataDecorrenza: o.decorrenza ?? '2027-01-01',
    richiedente: o.richiedente ?? nuovoLavoratore(),
    attestazioni: o.attestazioni ?? [rapportoEdile(1, nuovoDatore())],
  };
}

export interface Pacchetto {
  id: string;
  destinatario: EnteVerificatore;
  stato: StatoPacchetto;
  contenuto: PacchettoDaInviare;
  correlationId: string | null;
  scadenzaEsito: Date | null;
  inRitardo: boolean;
}

export async function pacchettiDi(pool: Pool, istruttoriaId: string): Promise<Map<EnteVerificatore, Pacchetto>> {
  const r = await pool.query<{ id: string; destinatario: EnteVerificatore; stato: StatoPacchetto; contenuto: PacchettoDaInviare; correlation_id: string | null; scadenza_esito: Date | null; in_ritardo: boolean }>(
    'SELECT id, destinatario, stato, contenuto, correlation_id, scadenza_esito, in_ritardo FROM pacchetto WHERE istruttoria_id = $1',
    [istruttoriaId],
  );
  return new Map(
    r.rows.map((p) => [
      p.destinatario,
      { id: p.id, destinatario: p.destinatario, stato: p.stato, contenuto: p.contenuto, correlationId: p.correlation_id, scadenzaEsito: p.scadenza_esito, inRitardo: p.in_ritardo },
    ]),
  );
}

export async function pacchetto(pool: Pool, istruttoriaId: string, ente: EnteVerificatore): Promise<Pacchetto> {
  const p = (await pacchettiDi(pool, istruttoriaId)).get(ente);
  if (!p) throw new Error(`no packet for ${ente} in istruttoria ${istruttoriaId}`);
  return p;
}

/** The party acknowledges the packet (ACCEPTED with its X-Correlation-ID) at `at`; returns the correlation id. */
export async function presaInCarico(pool: Pool, p: Pick<Pacchetto, 'id' | 'contenuto'>, at: Date, r: RegoleInps, correlationId: string = randomUUID()): Promise<string> {
  await withTransaction(pool, (tx) =>
    registraPresaInCarico(tx, { idPacchetto: p.id, idIstruttoria: p.contenuto.idIstruttoria, correlationId, ricevutoIl: at, via: 'test', esitoGiorni: giorniEsito(r, p.contenuto.destinatario) }),
  );
  return correlationId;
}

/** A complete esito for a packet: one answer per datum it asked; `esito` may choose per relation and datum. */
export function esitiPer(ente: EnteVerificatore, rapporti: readonly Rapporto[], esito: Esito | ((r: Rapporto, dato: string) => Esito) = 'CONFORME'): EsitoDato[] {
  return rapporti.flatMap((r) => datiDaVerificare(ente, r).map((dato) => ({ riferimento: r.riferimento, dato, esito: typeof esito === 'function' ? esito(r, dato) : esito })));
}

/** The packet's party notifies its esito at `at` with the correlation id it acknowledged. */
export async function rispondi(
  pool: Pool,
  p: Pick<Pacchetto, 'id' | 'destinatario' | 'contenuto'>,
  correlationId: string,
  at: Date,
  r: RegoleInps,
  esito: Esito | ((r: Rapporto, dato: string) => Esito) = 'CONFORME',
): Promise<EsitoApplicato> {
  return applicaEsito(
    pool,
    { idPacchetto: p.id, ente: p.destinatario, dataEsito: at, esitiDato: esitiPer(p.destinatario, p.contenuto.rapporti, esito) },
    { correlationId, enteChiamante: p.destinatario, operatore: { id: `SYS-${p.destinatario}`, ufficio: p.destinatario }, now: at, regole: r },
  );
}

export const ore = (n: number) => n * 3_600_000;
export const giorni = (n: number) => n * 86_400_000;
export const dopo = (d: Date, ms: number) => new Date(d.getTime() + ms);

/** The value of a key that must be there. */
export function get<K, V>(m: ReadonlyMap<K, V>, k: K): V {
  const v = m.get(k);
  if (v === undefined) throw new Error(`missing ${String(k)}`);
  return v;
}

export interface RigaIstruttoria {
  stato: StatoIstruttoria;
  esito_verifica: Esito | null;
  regola_chiusura: RegolaChiusura | null;
  chiusa_il: Date | null;
  limite: Date;
  limite_motivo: string;
  riesame_il: Date | null;
  riesame_motivo: string | null;
}

export interface RigaMessaggio {
  id: string;
  destinatario: EnteVerificatore;
  corpo: CorpoMessaggio;
  correlation_id: string | null;
  creato_il: Date;
}

/**
 * The bench of one test file of the INPS-side lifecycle (test/istruttoria/): a database of its own, created before
 * the file's tests and dropped after them, and the moves and readings those tests share, bound to it. The
 * functions the gateway, dispatcher and scheduler call are called directly, time is a ManualClock moved by hand,
 * and the parties' acks and esiti are played by the test. Each test builds its own domande.
 */
export function bancoIstruttorie(nome: string) {
  let db: DatabaseInps | undefined;
  beforeAll(async () => {
    db = await DatabaseInps.crea(nome);
  });
  afterAll(async () => {
    await db?.elimina();
  });
  const pool = (): Pool => {
    if (!db) throw new Error('the database of the bench exists only from beforeAll on');
    return db.pool;
  };
  const log = createLogger('test');
  let nProtocollo = 0;

  /** Acks every packet of the istruttoria at `at`; returns each party's correlation id and packet. */
  async function presaInCaricoDiTutti(id: string, at: Date, r: RegoleInps): Promise<Map<EnteVerificatore, { p: Pacchetto; corr: string }>> {
    const out = new Map<EnteVerificatore, { p: Pacchetto; corr: string }>();
    for (const [ente, p] of await pacchettiDi(pool(), id)) out.set(ente, { p, corr: await presaInCarico(pool(), p, at, r) });
    return out;
  }

  return {
    /** The file's database (from beforeAll on). */
    get pool(): Pool {
      return pool();
    },

    protocollo: (tag: string) => `INPS.LC.${tag}.${String(++nProtocollo).padStart(4, '0')}`,

    scheduler: (clock: Clock, r: RegoleInps) => new Scheduler({ pool: pool(), clock, handlers: gestoriTimerInps(r), log }),

    async presenta(d: Domanda, now: Date, r: RegoleInps): Promise<string> {
      const ric = await registraDomanda(pool(), d, OPERATORE, now, r);
      expect(ric.stato).toBe('IN_VERIFICA');
      return ric.idIstruttoria;
    },

    async istruttoria(id: string): Promise<RigaIstruttoria> {
      const r = await pool().query<RigaIstruttoria>(
        'SELECT stato, esito_verifica, regola_chiusura, chiusa_il, limite, limite_motivo, riesame_il, riesame_motivo FROM istruttoria WHERE id = $1',
        [id],
      );
      return r.rows[0]!;
    },

    async tipiEventi(id: string): Promise<string[]> {
      const r = await pool().query<{ tipo: string }>('SELECT tipo FROM evento WHERE istruttoria_id = $1 ORDER BY id', [id]);
      return r.rows.map((x) => x.tipo);
    },

    async eventi(id: string, tipo: string): Promise<Array<{ pacchetto_id: string | null; avvenuto_il: Date; dettagli: Record<string, unknown> }>> {
      const r = await pool().query<{ pacchetto_id: string | null; avvenuto_il: Date; dettagli: Record<string, unknown> }>(
        'SELECT pacchetto_id, avvenuto_il, dettagli FROM evento WHERE istruttoria_id = $1 AND tipo = $2 ORDER BY id',
        [id, tipo],
      );
      return r.rows;
    },

    async messaggi(id: string, tipo: CorpoMessaggio['tipo']): Promise<RigaMessaggio[]> {
      const r = await pool().query<RigaMessaggio>(
        `SELECT id, destinatario, corpo, correlation_id, creato_il FROM messaggio_uscita WHERE istruttoria_id = $1 AND tipo = $2 ORDER BY creato_il, destinatario`,
        [id, tipo],
      );
      return r.rows;
    },

    async timer(tipo: string, chiave: string): Promise<{ stato: string; scade_il: Date } | undefined> {
      const r = await pool().query<{ stato: string; scade_il: Date }>('SELECT stato, scade_il FROM timer WHERE tipo = $1 AND chiave = $2', [tipo, chiave]);
      return r.rows[0];
    },

    async statiPacchetti(id: string): Promise<Record<string, StatoPacchetto>> {
      return Object.fromEntries([...(await pacchettiDi(pool(), id))].map(([ente, p]) => [ente, p.stato]));
    },

    async esitiRicevuti(idPacchetto: string): Promise<Array<{ applicato: boolean; in_ritardo: boolean; correlation_id: string }>> {
      const r = await pool().query<{ applicato: boolean; in_ritardo: boolean; correlation_id: string }>(
        'SELECT applicato, in_ritardo, correlation_id FROM esito_ricevuto WHERE pacchetto_id = $1 ORDER BY id',
        [idPacchetto],
      );
      return r.rows;
    },

    presaInCaricoDiTutti,

    async segnalazione(id: string): Promise<{ id: string; stato_accertamento: string | null; esito_accertamento: string | null; correlation_id: string | null }> {
      const r = await pool().query<{ id: string; stato_accertamento: string | null; esito_accertamento: string | null; correlation_id: string | null }>(
        'SELECT id, stato_accertamento, esito_accertamento, correlation_id FROM segnalazione_inl WHERE istruttoria_id = $1',
        [id],
      );
      expect(r.rows).toHaveLength(1);
      return r.rows[0]!;
    },

    async codiciIndici(id: string): Promise<Array<{ codice: string; datore_cf: string }>> {
      const r = await pool().query<{ codice: string; datore_cf: string }>('SELECT codice, datore_cf FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [id]);
      return r.rows;
    },

    /** Acks every packet and answers: MINLAVORO and INAIL CONFORME, ANPAL NON_VERIFICABILE on the ISTAT profession. */
    async portaInValutazioneInl(id: string, t0: Date, r: RegoleInps): Promise<void> {
      const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
      let ultimo: StatoIstruttoria | undefined;
      for (const [ente, { p, corr }] of parti) {
        const res = await rispondi(pool(), p, corr, dopo(t0, giorni(1)), r, (_r, dato) => (ente === 'ANPAL' && dato === 'PROFESSIONE_ISTAT' ? 'NON_VERIFICABILE' : 'CONFORME'));
        ultimo = res.statoIstruttoria;
      }
      expect(ultimo).toBe('VALUTAZIONE_INL');
    },
  };
}
