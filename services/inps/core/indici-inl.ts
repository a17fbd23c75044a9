import { DateTime } from 'luxon';
import type { Attestazione } from '../../../shared/domain/types';

/**
 * INL triggers (protocol art. 5 c), as pure rules over the data they need. Each rule returns the triggers it
 * matched with a readable description; the caller fetches the data (other domande, employer status, watch list).
 */
export type CodiceIndice = 'CINQUE_LAVORATORI_STESSO_DATORE' | 'TRE_DATORI_PERIODO_RILEVANTE' | 'IMPRESA_CESSATA' | 'INDICE_ELUSIVO';

export interface Indice {
  codice: CodiceIndice;
  descrizione: string;
  /** The employer the trigger concerns, when there is one. */
  datore?: string;
}

/** The relevant period for the employers count: the seven years before the decorrenza (DL 50/2017 art. 53). */
export function periodoRilevante(dataDecorrenza: string): { dal: string; al: string } {
  const d = DateTime.fromISO(dataDecorrenza, { zone: 'UTC' });
  return { dal: d.minus({ years: 7 }).toISODate()!, al: d.minus({ days: 1 }).toISODate()! };
}

/** "L'istante dichiara di aver lavorato presso tre o più datori di lavoro nel periodo rilevante." */
export function indiceTreDatori(attestazioni: readonly Attestazione[], dataDecorrenza: string, soglia: number): Indice | null {
  const { dal, al } = periodoRilevante(dataDecorrenza);
  const datori = new Set(
    attestazioni.filter((a) => a.periodo.dal <= al && (a.periodo.al ?? '9999-12-31') >= dal).map((a) => a.datore.codiceFiscale),
  );
  if (datori.size < soglia) return null;
  return { codice: 'TRE_DATORI_PERIODO_RILEVANTE', descrizione: `${datori.size} datori di lavoro dichiarati nel periodo rilevante ${dal}/${al} (soglia ${soglia})` };
}

/**
 * "Domande da parte di almeno cinque lavoratori appartenenti alla medesima impresa." With `almeno`, the count is a
 * lower bound (the most recent domande only were read) and the description says so.
 */
export function indiceStessoDatore(datore: string, lavoratoriDistinti: number, soglia: number, finestraGiorni: number, almeno = false): Indice | null {
  if (lavoratoriDistinti < soglia) return null;
  return {
    codice: 'CINQUE_LAVORATORI_STESSO_DATORE',
    datore,
    descrizione: `domande di ${almeno ? 'almeno ' : ''}${lavoratoriDistinti} lavoratori dello stesso datore di lavoro negli ultimi ${finestraGiorni} giorni (soglia ${soglia})`,
  };
}

/** "L'istante dichiara di aver lavorato presso un'impresa che risulti cessata." */
export function indiciImpreseCessate(attestazioni: readonly Attestazione[], cessate: ReadonlyMap<string, string>): Indice[] {
  const seen = new Set<string>();
  const out: Indice[] = [];
  for (const a of attestazioni) {
    const cf = a.datore.codiceFiscale;
    const il = cessate.get(cf);
    if (il === undefined || seen.has(cf)) continue;
    seen.add(cf);
    out.push({ codice: 'IMPRESA_CESSATA', datore: cf, descrizione: `${a.datore.denominazione} risulta cessata dal ${il}` });
  }
  return out;
}

export interface VoceOsservazione {
  tipo: 'DATORE' | 'RICHIEDENTE';
  codiceFiscale: string;
  motivo: string;
  ente: 'INPS' | 'INL';
}

/** "Particolari indici di comportamento elusivo individuati dallo stesso Ispettorato o dall'INPS." */
export function indiciElusivi(richiedente: string, attestazioni: readonly Attestazione[], lista: readonly VoceOsservazione[]): Indice[] {
  const datori = new Set(attestazioni.map((a) => a.datore.codiceFiscale));
  return lista
    .filter((v) => (v.tipo === 'RICHIEDENTE' ? v.codiceFiscale === richiedente : datori.has(v.codiceFiscale)))
    .map((v) => ({
      codice: 'INDICE_ELUSIVO' as const,
      ...(v.tipo === 'DATORE' && { datore: v.codiceFiscale }),
      descrizione: `${v.tipo === 'DATORE' ? 'datore di lavoro' : 'richiedente'} in lista di osservazione ${v.ente}: ${v.motivo}`,
    }));
}
