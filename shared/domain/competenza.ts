import type { Attestazione, Categoria, DatoVerificato, EnteVerificatore, Rapporto } from './types';

/**
 * The competence table of protocol allegato 1: which party verifies what, for each activity category.
 * This table drives packet minimisation (each party receives only what it verifies) and the check that
 * an esito covers exactly the data its packet asked about.
 */
export interface CompetenzaCategoria {
  descrizione: string;
  /** ISTAT CP2011 codes verified by MINLAVORO and ANPAL; a declared code matches a prefix or descends from it. */
  professioniIstat: readonly string[];
  /** Category A: only workers classified as operai. */
  soloOperai: boolean;
  /** INAIL grandi gruppi di tariffa; null when INAIL has no competence (F, H). */
  grandiGruppiInail: readonly number[] | null;
  /** INL's own competence (column "Altro"). */
  datoInl: 'LAVORO_A_TURNI' | 'ATTIVITA_EDUCATIVA' | null;
}

export const COMPETENZE: Readonly<Record<Categoria, CompetenzaCategoria>> = {
  A: { descrizione: "Operai dell'industria estrattiva, dell'edilizia e della manutenzione degli edifici", professioniIstat: ['6.1', '8.4.1', '8.4.2'], soloOperai: true, grandiGruppiInail: [3, 7], datoInl: null },
  B: { descrizione: 'Conduttori di gru o di macchinari mobili per la perforazione nelle costruzioni', professioniIstat: ['7.4.4.1', '7.4.4.2', '7.4.4.3'], soloOperai: false, grandiGruppiInail: [3, 9], datoInl: null },
  C: { descrizione: 'Conciatori di pelli e di pellicce', professioniIstat: ['6.5.4.1'], soloOperai: false, grandiGruppiInail: [2], datoInl: null },
  D: { descrizione: 'Conduttori di convogli ferroviari e personale viaggiante', professioniIstat: ['7.4.1.1'], soloOperai: false, grandiGruppiInail: [9], datoInl: null },
  E: { descrizione: 'Conduttori di mezzi pesanti e camion', professioniIstat: ['7.4.2.3'], soloOperai: false, grandiGruppiInail: [7, 9], datoInl: null },
  F: { descrizione: 'Professioni sanitarie infermieristiche ed ostetriche ospedaliere con lavoro organizzato in turni', professioniIstat: ['3.2.1.1'], soloOperai: false, grandiGruppiInail: null, datoInl: 'LAVORO_A_TURNI' },
  G: { descrizione: 'Addetti all\'assistenza personale di persone in condizioni di non autosufficienza', professioniIstat: ['5.4.4.3'], soloOperai: false, grandiGruppiInail: [0], datoInl: null },
  H: { descrizione: "Insegnanti della scuola dell'infanzia e educatori degli asili nido", professioniIstat: ['2.6.4.2.0'], soloOperai: false, grandiGruppiInail: null, datoInl: 'ATTIVITA_EDUCATIVA' },
  I: { descrizione: 'Facchini, addetti allo spostamento merci e assimilati', professioniIstat: ['8.1.3.1'], soloOperai: false, grandiGruppiInail: [0, 9], datoInl: null },
  L: { descrizione: 'Personale non qualificato addetto ai servizi di pulizia', professioniIstat: ['8.1.4.1.0', '8.1.4.3.0'], soloOperai: false, grandiGruppiInail: [0], datoInl: null },
  M: { descrizione: 'Operatori ecologici e altri raccoglitori e separatori di rifiuti', professioniIstat: ['8.1.4.5.0'], soloOperai: false, grandiGruppiInail: [0], datoInl: null },
};

/** INAIL's threshold: the average tariff rate must be above 17 per mille. */
export const SOGLIA_TASSO_MEDIO_PER_MILLE = 17;

/** A declared ISTAT code matches when it equals a listed code or descends from it (6.1 covers 6.1.2.1.0). */
export function professioneAmmessa(categoria: Categoria, codiceIstat: string): boolean {
  return COMPETENZE[categoria].professioniIstat.some((p) => codiceIstat === p || codiceIstat.startsWith(`${p}.`));
}

/** INAIL verifies categories A-E, G in firms (domestic work pays INPS's unified contribution), I-M. */
export function competenzaInail(att: Pick<Attestazione, 'categoria' | 'tipo'>): boolean {
  if (COMPETENZE[att.categoria].grandiGruppiInail === null) return false;
  return !(att.categoria === 'G' && att.tipo === 'DATORE_DOMESTICO');
}

/** The parties that verify an attestation, in the order packets are created. */
export function entiCompetenti(att: Pick<Attestazione, 'categoria' | 'tipo'>): EnteVerificatore[] {
  const enti: EnteVerificatore[] = ['MINLAVORO', 'ANPAL'];
  if (competenzaInail(att)) enti.push('INAIL');
  if (COMPETENZE[att.categoria].datoInl !== null) enti.push('INL');
  return enti;
}

/** The relation as one party sees it: only its fields (protocol art. 2, Garante's minimisation). */
export function rapportoPer(ente: EnteVerificatore, att: Attestazione): Rapporto {
  const base: Rapporto = {
    riferimento: att.riferimento,
    datore: { codiceFiscale: att.datore.codiceFiscale },
    periodo: { ...att.periodo },
    categoria: att.categoria,
  };
  switch (ente) {
    case 'MINLAVORO':
    case 'ANPAL':
      return {
        ...base,
        ...(att.ccnl !== undefined && { ccnl: att.ccnl }),
        ...(att.livello !== undefined && { livello: att.livello }),
        professioneIstat: att.professioneIstat,
      };
    case 'INAIL':
      return {
        ...base,
        datore: { codiceFiscale: att.datore.codiceFiscale, ...(att.datore.patInail !== undefined && { patInail: att.datore.patInail }) },
        vociTariffaInail: [...att.vociTariffaInail],
      };
    case 'INL':
      return COMPETENZE[att.categoria].datoInl === 'LAVORO_A_TURNI'
        ? { ...base, ...(att.lavoroATurni !== undefined && { lavoroATurni: att.lavoroATurni }) }
        : { ...base, ...(att.attivitaEducativa !== undefined && { attivitaEducativa: att.attivitaEducativa }) };
  }
}

/** The relations each party must receive for a domanda; parties with none get no packet. */
export function rapportiPerEnte(attestazioni: readonly Attestazione[]): Map<EnteVerificatore, Rapporto[]> {
  const out = new Map<EnteVerificatore, Rapporto[]>();
  for (const att of attestazioni) {
    for (const ente of entiCompetenti(att)) {
      const list = out.get(ente) ?? [];
      list.push(rapportoPer(ente, att));
      out.set(ente, list);
    }
  }
  return out;
}

/** The data a party must answer for one relation of its packet: one esito each. */
export function datiDaVerificare(ente: EnteVerificatore, rapporto: Rapporto): DatoVerificato[] {
  switch (ente) {
    case 'MINLAVORO':
    case 'ANPAL': {
      const dati: DatoVerificato[] = ['RAPPORTO_DI_LAVORO'];
      if (rapporto.ccnl !== undefined) dati.push('CCNL');
      if (rapporto.livello !== undefined) dati.push('LIVELLO_INQUADRAMENTO');
      dati.push('PROFESSIONE_ISTAT');
      return dati;
    }
    case 'INAIL':
      return ['GRANDE_GRUPPO_TARIFFA', 'VOCE_TARIFFA', 'TASSO_MEDIO_TARIFFA'];
    case 'INL':
      return [COMPETENZE[rapporto.categoria].datoInl ?? 'RAPPORTO_DI_LAVORO'];
  }
}

const CAMPI_BASE = ['riferimento', 'datore', 'periodo', 'categoria'] as const;
const CAMPI_PER_ENTE: Readonly<Record<EnteVerificatore, readonly string[]>> = {
  MINLAVORO: [...CAMPI_BASE, 'ccnl', 'livello', 'professioneIstat'],
  ANPAL: [...CAMPI_BASE, 'ccnl', 'livello', 'professioneIstat'],
  INAIL: [...CAMPI_BASE, 'vociTariffaInail'],
  INL: [...CAMPI_BASE, 'lavoroATurni', 'attivitaEducativa'],
};

/**
 * Defence in depth for minimisation: the fields present in a packet's relations that the recipient's
 * competence does not cover (empty when the packet is minimised). Checked again by the hub and the recipient.
 */
export function campiEccedenti(ente: EnteVerificatore, rapporti: readonly Rapporto[]): string[] {
  const allowed = new Set(CAMPI_PER_ENTE[ente]);
  const extra = new Set<string>();
  for (const r of rapporti) {
    for (const [k, v] of Object.entries(r)) if (v !== undefined && !allowed.has(k)) extra.add(k);
    if (ente !== 'INAIL' && r.datore.patInail !== undefined) extra.add('datore.patInail');
    // A relation of a category outside the recipient's competence should not have been sent at all
    // (domestic G relations cannot be told apart here; INPS does not send them to INAIL).
    if (!entiCompetenti({ categoria: r.categoria, tipo: 'DATORE_PRIVATO_PA' }).includes(ente)) extra.add(`rapporto ${r.riferimento} (categoria ${r.categoria})`);
  }
  return [...extra];
}
