import { conCifraDiControllo, conControllo } from '../../shared/domain/codice-fiscale';
import type { Domanda, EnteVerificatore } from '../../shared/domain/types';
import { ARCHIVIO_INAIL, ARCHIVI_RAPPORTI, DATORI, scenario, type RigaPosizioneInail, type RigaRapporto, type ScenarioDemo } from '../demo/dataset';
import { chiaveDi, MIX } from './carico';
import { esitoOsservato } from './misure';

/**
 * The load at national shape (`npm run bench -- --archivi-generati`): every domanda from a worker of its own and
 * employers drawn from thousands, with the agency archives generated to match, so the five-workers and
 * three-employers rules fire on the volume they would meet in production rather than on six demo workers.
 *
 * Each domanda is a demo scenario (the mix of carico.ts, plus the three-employers ones below) with its people replaced:
 *
 *  - the worker: the scenario's worker with a new surname-and-name part (one per domanda, so no worker applies
 *    twice), the same birth date and municipality, a recomputed check character;
 *  - each employer: one of the employers of the scenario employer's "class", each with its own codice fiscale,
 *    matricola and PAT. Classes whose domande are verified by the archives (building, transport, cleaning, the
 *    hospital, the three building firms) draw their employers by Zipf's law: a few employers name hundreds of
 *    workers, most name one or two, as at national volume. Classes of the scenarios that end NON_VERIFICABILE
 *    (logistics, the nursery school, the household) give each employer at most four workers, so the five-workers
 *    rule never opens an inspection there and every domanda's outcome stays the scenario's, checked as in the
 *    demo load (the three-employers case that INL inspects draws its firms by Zipf: it is inspected either way);
 *  - the archive rows: the demo archives' rows about the scenario's worker and employers, with the same
 *    replacement (so a demo datum that does not conform, or that an archive lacks, stays so), and each generated
 *    employer's INAIL positions once.
 *
 * The draw is seeded: the same sizes give the same domande and archives.
 */

/**
 * Three building firms in seven years, each known to every archive: the archives confirm every datum, so the
 * domanda closes CONFORME on them (INL's triggers matter only for data no archive holds). Beside it
 * tre-datori-ispezione, whose last firm no archive knows: INPS reports the case with the three-employers trigger
 * and INL opens an inspection, where the benchmark's work on the domanda ends (misure.ts).
 */
const TRE_DATORI_CONFORME = 'tre-datori-conforme';

export const MIX_GENERATO: ReadonlyArray<{ chiave: string; peso: number }> = [...MIX, { chiave: TRE_DATORI_CONFORME, peso: 2 }, { chiave: 'tre-datori-ispezione', peso: 1 }];

/** At most this many workers per employer in the classes whose domande end NON_VERIFICABILE (the rule's threshold is five). */
const MASSIMO_PICCOLI = 4;
/** Employers per class in the Zipf classes: one for every this many domande of the class. */
const DOMANDE_PER_DATORE = 8;

type Datore = { codiceFiscale: string; denominazione: string; matricolaInps?: string; patInail?: string };

interface Slot {
  scenario: ScenarioDemo;
  /** esitoOsservato's form: the esito, and the inspection INL opens */
  atteso: string;
  lavoratore: string;
  /** demo employer's codice fiscale -> the employer of this domanda */
  datori: Map<string, Datore>;
}

export interface ArchiviGenerati {
  rapporti: Record<Exclude<EnteVerificatore, 'INAIL'>, RigaRapporto[]>;
  inail: RigaPosizioneInail[];
}

/** A seeded generator (mulberry32): the same run sizes draw the same load. */
function casuale(seme: number): () => number {
  let a = seme >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Six letters for n (base 26), the surname-and-name part of a generated person's codice fiscale. */
function lettere(n: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26);
  }
  return s;
}

/** A person like `cf` (same birth date, sex and municipality) with the name part of number n. */
function personaSimile(cf: string, n: number): string {
  return conControllo(lettere(n) + cf.slice(6, 15));
}

const CLASSI = Object.entries(DATORI) as Array<[string, Datore]>;
const CLASSI_PICCOLE = new Set<string>([DATORI.logistica.codiceFiscale, DATORI.comune.codiceFiscale, DATORI.famiglia.codiceFiscale]);

/** The j-th generated employer of the class of demo employer `d` (index k among the classes). */
function datoreGenerato(d: Datore, k: number, j: number): Datore {
  if (j >= 100_000) throw new Error(`the generated load has at most 100,000 employers per class (asked for the ${j + 1}th)`);
  const pubblico = d.codiceFiscale.startsWith('8');
  const codiceFiscale =
    d.codiceFiscale.length === 16
      ? personaSimile(d.codiceFiscale, 26 ** 5 + k * 100_000 + j) // a household: a person, apart from the workers' name parts
      : conCifraDiControllo(`${pubblico ? '8' : '0'}${k}${String(j).padStart(5, '0')}${pubblico ? '100' : '001'}`);
  return {
    codiceFiscale,
    denominazione: `${d.denominazione} (generato ${j + 1})`,
    ...(d.matricolaInps !== undefined && { matricolaInps: `9${k}${String(j).padStart(8, '0')}` }),
    ...(d.patInail !== undefined && { patInail: `9${k}${String(j).padStart(6, '0')}` }),
  };
}

/** Index of a Zipf(1) draw over n items. */
function zipf(n: number, u: number, armoniche: number[]): number {
  const bersaglio = u * armoniche[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (armoniche[mid]! < bersaglio) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CaricoGenerato {
  private readonly slot: Slot[] = [];
  readonly archivi: ArchiviGenerati = { rapporti: { MINLAVORO: [], ANPAL: [], INL: [] }, inail: [] };
  private prossimo = 0;

  /** `totale` domande in all the run's phases, each taking the next slot. */
  constructor(readonly totale: number, seme = 17) {
    const tipi = Array.from({ length: totale }, (_v, i) => tipoDi(i));
    const usi = new Map<string, number>();
    for (const t of tipi) for (const a of t.demo.attestazioni) usi.set(a.datore.codiceFiscale, (usi.get(a.datore.codiceFiscale) ?? 0) + 1);
    const nDatori = new Map([...usi].map(([cf, n]) => [cf, CLASSI_PICCOLE.has(cf) ? Math.ceil(n / MASSIMO_PICCOLI) : Math.max(1, Math.round(n / DOMANDE_PER_DATORE))]));
    const armoniche: number[] = [];
    for (let i = 1, h = 0; i <= Math.max(1, ...nDatori.values()); i++) armoniche.push((h += 1 / i));
    const rnd = casuale(seme);
    const contatori = new Map<string, number>();
    const datoriUsati = new Map<string, Datore>();
    for (let i = 0; i < totale; i++) {
      const { base, atteso, demo, righe } = tipi[i]!;
      const datori = new Map<string, Datore>();
      for (const a of demo.attestazioni) {
        const d = a.datore;
        if (datori.has(d.codiceFiscale)) continue;
        const k = CLASSI.findIndex(([, x]) => x.codiceFiscale === d.codiceFiscale);
        const c = contatori.get(d.codiceFiscale) ?? 0;
        contatori.set(d.codiceFiscale, c + 1);
        const j = CLASSI_PICCOLE.has(d.codiceFiscale) ? Math.floor(c / MASSIMO_PICCOLI) : zipf(nDatori.get(d.codiceFiscale)!, rnd(), armoniche);
        const g = datoreGenerato(d, k, j);
        datori.set(d.codiceFiscale, g);
        if (!datoriUsati.has(g.codiceFiscale)) {
          datoriUsati.set(g.codiceFiscale, g);
          for (const p of ARCHIVIO_INAIL.filter((x) => x.cf_datore === d.codiceFiscale)) this.archivi.inail.push({ ...p, pat: g.patInail!, cf_datore: g.codiceFiscale });
        }
      }
      const lavoratore = personaSimile(demo.richiedente.codiceFiscale, i);
      for (const ente of ENTI_RAPPORTI) {
        for (const r of righe[ente]) this.archivi.rapporti[ente].push({ ...r, cf_lavoratore: lavoratore, cf_datore: datori.get(r.cf_datore)!.codiceFiscale });
      }
      this.slot.push({ scenario: base, atteso, lavoratore, datori });
    }
  }

  /** The next domanda of the run, with the outcome its data imply. */
  prossima(protocollo: string, adesso: Date): { domanda: Domanda; atteso: Slot['atteso'] } {
    const s = this.slot[this.prossimo++];
    if (!s) throw new Error(`the generated load has ${this.totale} domande, all taken`);
    const d = s.scenario.domanda(protocollo, adesso);
    return {
      atteso: s.atteso,
      domanda: {
        ...d,
        richiedente: { ...d.richiedente, codiceFiscale: s.lavoratore },
        attestazioni: d.attestazioni.map((a) => ({ ...a, datore: { ...s.datori.get(a.datore.codiceFiscale)! } })),
      },
    };
  }

  /** Distinct workers per generated employer, largest first (what the five-workers rule counts). */
  lavoratoriPerDatore(): number[] {
    const n = new Map<string, Set<string>>();
    for (const s of this.slot) for (const g of s.datori.values()) (n.get(g.codiceFiscale) ?? n.set(g.codiceFiscale, new Set()).get(g.codiceFiscale)!).add(s.lavoratore);
    return [...n.values()].map((x) => x.size).sort((a, b) => b - a);
  }
}

const ENTI_RAPPORTI = ['MINLAVORO', 'ANPAL', 'INL'] as const;

/** A kind of domanda of the mix: its scenario, the outcome its archives give, and what every slot of it copies. */
interface Tipo {
  base: ScenarioDemo;
  atteso: string;
  /** the scenario's domanda with the demo people, whose codes the slots replace */
  demo: Domanda;
  /** each party's demo rows about the demo worker and the scenario's employers */
  righe: Record<(typeof ENTI_RAPPORTI)[number], RigaRapporto[]>;
}

const TIPI = new Map<string, Tipo>();

/** The kind of the i-th domanda, built once per kind. */
function tipoDi(i: number): Tipo {
  const chiave = chiaveDi(i, MIX_GENERATO);
  let t = TIPI.get(chiave);
  if (!t) TIPI.set(chiave, (t = creaTipo(chiave)));
  return t;
}

function creaTipo(chiave: string): Tipo {
  // tre-datori-conforme is tre-datori-ispezione with its third firm in the archives (righeDemo)
  const terzaImpresa = chiave === TRE_DATORI_CONFORME;
  const base = scenario(terzaImpresa ? 'tre-datori-ispezione' : chiave);
  const atteso = terzaImpresa ? 'CONFORME' : esitoOsservato(base.atteso.esitoVerifica, base.atteso.accertamento === 'AVVIATO' ? 'AVVIATO' : undefined);
  const demo = base.domanda('X', new Date(0));
  const datori = new Set(demo.attestazioni.map((a) => a.datore.codiceFiscale));
  const dellaDomanda = (ente: (typeof ENTI_RAPPORTI)[number]) =>
    righeDemo(ente, terzaImpresa).filter((r) => r.cf_lavoratore === demo.richiedente.codiceFiscale && datori.has(r.cf_datore));
  return { base, atteso, demo, righe: { MINLAVORO: dellaDomanda('MINLAVORO'), ANPAL: dellaDomanda('ANPAL'), INL: dellaDomanda('INL') } };
}

/**
 * The demo archive rows of a party; with `terzaImpresa`, also the relation of Paolo Blu with the third building
 * firm as he declares it (the demo archives leave it out so that INL inspects).
 */
function righeDemo(ente: (typeof ENTI_RAPPORTI)[number], terzaImpresa: boolean): RigaRapporto[] {
  const righe = ARCHIVI_RAPPORTI[ente];
  if (!terzaImpresa || ente === 'INL') return righe;
  const blu = scenario('tre-datori-ispezione').domanda('X', new Date(0));
  const a = blu.attestazioni.find((x) => x.datore.codiceFiscale === DATORI.scavi.codiceFiscale)!;
  return [
    ...righe,
    {
      cf_lavoratore: blu.richiedente.codiceFiscale,
      cf_datore: a.datore.codiceFiscale,
      dal: a.periodo.dal,
      al: a.periodo.al ?? '',
      ccnl: a.ccnl ?? '',
      livello: a.livello ?? '',
      professione_istat: a.professioneIstat,
      qualifica: 'OPERAIO',
      lavoro_a_turni: '',
      attivita_educativa: '',
    },
  ];
}
