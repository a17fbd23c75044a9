/**
 * Glossary. The domain's own Italian words are used for files, tables, queues and types.
 *
 *   domanda            an application for APE sociale or for early retirement of lavoratori precoci, filed
 *                      with INPS together with employer attestations (allegato 2 / allegato 3).
 *   attestazione       one work-relation block of an employer attestation: employer, period, CCNL, livello,
 *                      activity category (a..m), ISTAT profession, INAIL tariff voices. A change in the
 *                      relation is a further block.
 *   istruttoria        INPS's examination of one domanda; its verification part is what this broker runs.
 *   pacchetto (di verifica)
 *                      the individual verification packet INPS sends for one domanda to one party, holding
 *                      only what that party's competence needs (protocol art. 2-3).
 *   rapporto           an attestation as a party sees it inside a packet (minimised).
 *   esito              a party's answer for one declared datum: CONFORME, NON_CONFORME, NON_VERIFICABILE.
 *   scadenza           a legal deadline (5 calendar days for an esito; 30 days for the istruttoria).
 *   sollecito          a reminder sent to a party whose esito is overdue.
 *   accertamento       an INL inspection on data no archive could verify.
 *   riesame            re-examination of a closed istruttoria after a late inspection outcome.
 *   ente / party       a protocol party: INPS, MINLAVORO (the hub), ANPAL, INAIL, INL.
 *   identity           a certificate that may call an endpoint: a party's gateway or the INPS case system.
 *   operatore          the person (or system account) who caused a call; named on every call.
 */

export const ENTI = ['INPS', 'MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const;
export type Ente = (typeof ENTI)[number];
export const ENTI_VERIFICATORI = ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const satisfies readonly Ente[];
export type EnteVerificatore = (typeof ENTI_VERIFICATORI)[number];

/** The party a name stands for, in any case: a party's own code, or HUB, the Ministero's hub; undefined for any other name. */
export function parteDi(nome: string): Ente | undefined {
  const n = nome.toUpperCase();
  if (n === 'HUB') return 'MINLAVORO';
  return (ENTI as readonly string[]).includes(n) ? (n as Ente) : undefined;
}

export const CATEGORIE = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'L', 'M'] as const;
export type Categoria = (typeof CATEGORIE)[number];

export const ESITI = ['CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE'] as const;
export type Esito = (typeof ESITI)[number];

export type TipoDomanda = 'APE_SOCIALE' | 'PRECOCI';
export type TipoAttestazione = 'DATORE_PRIVATO_PA' | 'DATORE_DOMESTICO';

export const DATI_VERIFICATI = [
  'RAPPORTO_DI_LAVORO',
  'CCNL',
  'LIVELLO_INQUADRAMENTO',
  'PROFESSIONE_ISTAT',
  'GRANDE_GRUPPO_TARIFFA',
  'VOCE_TARIFFA',
  'TASSO_MEDIO_TARIFFA',
  'LAVORO_A_TURNI',
  'ATTIVITA_EDUCATIVA',
] as const;
export type DatoVerificato = (typeof DATI_VERIFICATI)[number];

/** Calendar dates are ISO strings (YYYY-MM-DD); instants are Date objects in UTC. */
export interface Periodo {
  dal: string;
  /** Absent while the relation is ongoing. */
  al?: string;
}

export interface DatoreLavoro {
  codiceFiscale: string;
  denominazione: string;
  matricolaInps?: string;
  patInail?: string;
}

export interface Attestazione {
  riferimento: number;
  tipo: TipoAttestazione;
  datore: DatoreLavoro;
  periodo: Periodo;
  ccnl?: string;
  livello?: string;
  categoria: Categoria;
  professioneIstat: string;
  vociTariffaInail: string[];
  lavoroATurni?: boolean;
  attivitaEducativa?: boolean;
  codiceRapportoDomestico?: string;
}

export interface Richiedente {
  codiceFiscale: string;
  cognome: string;
  nome: string;
  dataNascita: string;
}

export interface Domanda {
  protocollo: string;
  tipo: TipoDomanda;
  dataPresentazione: Date;
  dataDecorrenza: string;
  richiedente: Richiedente;
  attestazioni: Attestazione[];
}

/** One relation inside a packet: only the fields the recipient's competence needs. */
export interface Rapporto {
  riferimento: number;
  datore: { codiceFiscale: string; patInail?: string };
  periodo: Periodo;
  categoria: Categoria;
  ccnl?: string;
  livello?: string;
  professioneIstat?: string;
  vociTariffaInail?: string[];
  lavoroATurni?: boolean;
  attivitaEducativa?: boolean;
}

export interface ContenutoPacchetto {
  idPacchetto: string;
  idIstruttoria: string;
  protocolloDomanda: string;
  tipoDomanda: TipoDomanda;
  destinatario: EnteVerificatore;
  dataInvio: Date;
  lavoratore: { codiceFiscale: string };
  rapporti: Rapporto[];
}

export interface EsitoDato {
  riferimento: number;
  dato: DatoVerificato;
  esito: Esito;
  nota?: string;
}

export interface Operatore {
  id: string;
  ufficio: string;
}

/** What an operator's id may be: the contract's com:IdOperatore pattern (wsdl/xsd/comune.xsd). */
export const ID_OPERATORE = '^[A-Za-z0-9][A-Za-z0-9\\-_.:@]{0,63}$';
