import { conCifraDiControllo, conControllo } from '../../shared/domain/codice-fiscale';
import type { Attestazione, Domanda, EnteVerificatore } from '../../shared/domain/types';

/**
 * Demo data: a handful of workers, employers and the parties' archives about them, chosen so that the demo
 * domande end in each interesting way (all conforme; non conforme; non verificabile; INL competence; domestic
 * work without INAIL). The archive CSVs in infra/demo/archivio/ are generated from this file
 * (`npm run demo:csv`) and checked against it by the tests.
 */

export const LAVORATORI = {
  rossi: { codiceFiscale: conControllo('RSSMRA60A01H501'), cognome: 'Rossi', nome: 'Mario', dataNascita: '1960-01-01' },
  bianchi: { codiceFiscale: conControllo('BNCGPP62M15F205'), cognome: 'Bianchi', nome: 'Giuseppe', dataNascita: '1962-08-15' },
  verdi: { codiceFiscale: conControllo('VRDLCU63E50L219'), cognome: 'Verdi', nome: 'Lucia', dataNascita: '1963-05-10' },
  gialli: { codiceFiscale: conControllo('GLLMRC65C20A944'), cognome: 'Gialli', nome: 'Marco', dataNascita: '1965-03-20' },
  costa: { codiceFiscale: conControllo('CSTANN61D45D612'), cognome: 'Costa', nome: 'Anna', dataNascita: '1961-04-05' },
  neri: { codiceFiscale: conControllo('NREFNC66B41G273'), cognome: 'Neri', nome: 'Francesca', dataNascita: '1966-02-01' },
  blu: { codiceFiscale: conControllo('BLUPLA62H12L736'), cognome: 'Blu', nome: 'Paolo', dataNascita: '1962-06-12' },
} as const;

export const DATORI = {
  edilizia: { codiceFiscale: conCifraDiControllo('0123456789'), denominazione: 'Edilizia Rossi Srl', matricolaInps: '1234567890', patInail: '12345678' },
  trasporti: { codiceFiscale: conCifraDiControllo('0234567890'), denominazione: 'Autotrasporti Bianchi Spa', matricolaInps: '2345678901', patInail: '23456789' },
  pulizie: { codiceFiscale: conCifraDiControllo('0345678901'), denominazione: 'Pulizie Verdi Soc. Coop.', matricolaInps: '3456789012', patInail: '34567890' },
  logistica: { codiceFiscale: conCifraDiControllo('0456789012'), denominazione: 'Logistica Gialli Srl', matricolaInps: '4567890123', patInail: '45678901' },
  ospedale: { codiceFiscale: conCifraDiControllo('8000123456'), denominazione: 'Azienda Ospedaliera San Luca', matricolaInps: '5678901234' },
  comune: { codiceFiscale: conCifraDiControllo('8000234567'), denominazione: 'Comune di Borgo Esempio - Asilo nido', matricolaInps: '6789012345' },
  famiglia: { codiceFiscale: conControllo('BRNLGU40A01H501'), denominazione: 'Bruni Luigi (datore domestico)' },
  cantieri: { codiceFiscale: conCifraDiControllo('0567890123'), denominazione: 'Cantieri Riuniti Srl', matricolaInps: '7890123456', patInail: '56789012' },
  scavi: { codiceFiscale: conCifraDiControllo('0678901234'), denominazione: 'Scavi e Movimento Terra Srl', matricolaInps: '8901234567', patInail: '67890123' },
} as const;

/** Archive rows of comunicazioni obbligatorie (MINLAVORO, ANPAL) and inspection records (INL). */
export interface RigaRapporto {
  cf_lavoratore: string;
  cf_datore: string;
  dal: string;
  al: string;
  ccnl: string;
  livello: string;
  professione_istat: string;
  qualifica: string;
  lavoro_a_turni: string;
  attivita_educativa: string;
}

export interface RigaPosizioneInail {
  pat: string;
  cf_datore: string;
  voce: string;
  grande_gruppo: string;
  tasso_per_mille: string;
}

const L = LAVORATORI;
const D = DATORI;

function co(l: { codiceFiscale: string }, d: { codiceFiscale: string }, r: Partial<RigaRapporto> & { dal: string }): RigaRapporto {
  return {
    cf_lavoratore: l.codiceFiscale,
    cf_datore: d.codiceFiscale,
    al: '',
    ccnl: '',
    livello: '',
    professione_istat: '',
    qualifica: '',
    lavoro_a_turni: '',
    attivita_educativa: '',
    ...r,
  };
}

const CO_COMUNI: RigaRapporto[] = [
  co(L.rossi, D.edilizia, { dal: '2014-01-07', ccnl: 'F012', livello: '2', professione_istat: '6.1.2.1', qualifica: 'OPERAIO' }),
  co(L.bianchi, D.trasporti, { dal: '2012-03-01', ccnl: 'I100', livello: '4', professione_istat: '7.4.2.3', qualifica: 'OPERAIO' }),
  co(L.verdi, D.pulizie, { dal: '2011-09-01', ccnl: 'K331', livello: '1', professione_istat: '8.1.4.1.0', qualifica: 'OPERAIO' }),
  co(L.gialli, D.logistica, { dal: '2015-05-04', ccnl: 'I100', livello: '5', professione_istat: '8.1.3.1', qualifica: 'OPERAIO' }),
  co(L.costa, D.ospedale, { dal: '2009-10-01', ccnl: 'H011', livello: 'D', professione_istat: '3.2.1.1', qualifica: 'IMPIEGATO' }),
  co(L.neri, D.comune, { dal: '2016-09-01', ccnl: 'E012', livello: 'C1', professione_istat: '2.6.4.2.0', qualifica: 'IMPIEGATO' }),
  co(L.blu, D.edilizia, { dal: '2018-03-01', al: '2020-12-31', ccnl: 'F012', livello: '2', professione_istat: '6.1.2.1', qualifica: 'OPERAIO' }),
  co(L.blu, D.cantieri, { dal: '2021-01-01', al: '2023-06-30', ccnl: 'F012', livello: '3', professione_istat: '6.1.2.1', qualifica: 'OPERAIO' }),
];

export const ARCHIVI_RAPPORTI: Readonly<Record<Exclude<EnteVerificatore, 'INAIL'>, RigaRapporto[]>> = {
  MINLAVORO: [...CO_COMUNI, co(L.neri, D.famiglia, { dal: '2012-01-01', al: '2016-08-31', ccnl: 'L061', livello: 'CS', professione_istat: '5.4.4.3' })],
  // ANPAL's archive has no record of Marco Gialli's relation: its esito is NON_VERIFICABILE.
  ANPAL: CO_COMUNI.filter((r) => r.cf_lavoratore !== L.gialli.codiceFiscale),
  INL: [
    co(L.costa, D.ospedale, { dal: '2009-10-01', lavoro_a_turni: 'true' }),
    co(L.neri, D.comune, { dal: '2016-09-01', attivita_educativa: 'true' }),
  ],
};

export const ARCHIVIO_INAIL: RigaPosizioneInail[] = [
  { pat: D.edilizia.patInail, cf_datore: D.edilizia.codiceFiscale, voce: '3110', grande_gruppo: '3', tasso_per_mille: '62.00' },
  { pat: D.edilizia.patInail, cf_datore: D.edilizia.codiceFiscale, voce: '3150', grande_gruppo: '3', tasso_per_mille: '48.00' },
  { pat: D.trasporti.patInail, cf_datore: D.trasporti.codiceFiscale, voce: '9121', grande_gruppo: '9', tasso_per_mille: '45.00' },
  // Cleaning on a low-risk voice: the average rate is not above 17 per mille.
  { pat: D.pulizie.patInail, cf_datore: D.pulizie.codiceFiscale, voce: '0410', grande_gruppo: '0', tasso_per_mille: '12.50' },
  { pat: D.logistica.patInail, cf_datore: D.logistica.codiceFiscale, voce: '9110', grande_gruppo: '9', tasso_per_mille: '38.00' },
  { pat: D.cantieri.patInail, cf_datore: D.cantieri.codiceFiscale, voce: '3110', grande_gruppo: '3', tasso_per_mille: '58.00' },
  { pat: D.scavi.patInail, cf_datore: D.scavi.codiceFiscale, voce: '3110', grande_gruppo: '3', tasso_per_mille: '66.00' },
];

function att(riferimento: number, datore: { codiceFiscale: string; denominazione: string; matricolaInps?: string; patInail?: string }, rest: Omit<Attestazione, 'riferimento' | 'datore' | 'tipo' | 'vociTariffaInail'> & Partial<Pick<Attestazione, 'tipo' | 'vociTariffaInail'>>): Attestazione {
  return { riferimento, tipo: 'DATORE_PRIVATO_PA', datore: { ...datore }, vociTariffaInail: [], ...rest };
}

export interface ScenarioDemo {
  chiave: string;
  descrizione: string;
  /** What the federation should conclude (stato CHIUSA, or VALUTAZIONE_INL while an inspection is open). */
  atteso: {
    esitoVerifica: 'CONFORME' | 'NON_CONFORME' | 'NON_VERIFICABILE';
    stato: 'CHIUSA' | 'VALUTAZIONE_INL';
    regola?: 'ESITI_ARCHIVI' | 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO';
    accertamento?: 'AVVIATO' | 'NON_AVVIATO';
  };
  domanda(protocollo: string, dataPresentazione: Date): Domanda;
}

export const SCENARI: readonly ScenarioDemo[] = [
  {
    chiave: 'conforme',
    descrizione: 'Mario Rossi, APE sociale, operaio edile (A): ogni archivio conferma ogni dato',
    atteso: { esitoVerifica: 'CONFORME', stato: 'CHIUSA', regola: 'ESITI_ARCHIVI' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'APE_SOCIALE', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.rossi },
      attestazioni: [att(1, D.edilizia, { periodo: { dal: '2014-01-07' }, ccnl: 'F012', livello: '2', categoria: 'A', professioneIstat: '6.1.2.1', vociTariffaInail: ['3110'] })],
    }),
  },
  {
    chiave: 'non-conforme',
    descrizione: 'Giuseppe Bianchi, APE sociale, autista di mezzi pesanti (E): il livello dichiarato non è quello in archivio',
    atteso: { esitoVerifica: 'NON_CONFORME', stato: 'CHIUSA', regola: 'ESITI_ARCHIVI' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'APE_SOCIALE', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.bianchi },
      attestazioni: [att(1, D.trasporti, { periodo: { dal: '2012-03-01' }, ccnl: 'I100', livello: '3S', categoria: 'E', professioneIstat: '7.4.2.3', vociTariffaInail: ['9121'] })],
    }),
  },
  {
    chiave: 'non-verificabile',
    descrizione: 'Marco Gialli, APE sociale, facchino (I): ANPAL non ha il rapporto in archivio; nessun indice, l\'INL non avvia accertamenti',
    atteso: { esitoVerifica: 'NON_VERIFICABILE', stato: 'CHIUSA', regola: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', accertamento: 'NON_AVVIATO' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'APE_SOCIALE', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.gialli },
      attestazioni: [att(1, D.logistica, { periodo: { dal: '2015-05-04' }, ccnl: 'I100', livello: '5', categoria: 'I', professioneIstat: '8.1.3.1', vociTariffaInail: ['9110'] })],
    }),
  },
  {
    chiave: 'tasso-inail',
    descrizione: 'Lucia Verdi, precoci, addetta alle pulizie (L): tasso medio INAIL non superiore al 17 per mille',
    atteso: { esitoVerifica: 'NON_CONFORME', stato: 'CHIUSA', regola: 'ESITI_ARCHIVI' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'PRECOCI', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.verdi },
      attestazioni: [att(1, D.pulizie, { periodo: { dal: '2011-09-01' }, ccnl: 'K331', livello: '1', categoria: 'L', professioneIstat: '8.1.4.1.0', vociTariffaInail: ['0410'] })],
    }),
  },
  {
    chiave: 'turni-inl',
    descrizione: 'Anna Costa, APE sociale, infermiera ospedaliera a turni (F): INL conferma i turni; nessun pacchetto a INAIL',
    atteso: { esitoVerifica: 'CONFORME', stato: 'CHIUSA', regola: 'ESITI_ARCHIVI' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'APE_SOCIALE', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.costa },
      attestazioni: [att(1, D.ospedale, { periodo: { dal: '2009-10-01' }, ccnl: 'H011', livello: 'D', categoria: 'F', professioneIstat: '3.2.1.1', lavoroATurni: true })],
    }),
  },
  {
    chiave: 'domestico-e-asilo',
    descrizione: 'Francesca Neri, precoci: assistente familiare presso una famiglia (G, allegato 3) poi educatrice di asilo nido (H)',
    atteso: { esitoVerifica: 'NON_VERIFICABILE', stato: 'CHIUSA', regola: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', accertamento: 'NON_AVVIATO' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'PRECOCI', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.neri },
      attestazioni: [
        att(1, D.famiglia, { tipo: 'DATORE_DOMESTICO', periodo: { dal: '2012-01-01', al: '2016-08-31' }, ccnl: 'L061', livello: 'CS', categoria: 'G', professioneIstat: '5.4.4.3', codiceRapportoDomestico: 'RD-2012-000451' }),
        att(2, D.comune, { periodo: { dal: '2016-09-01' }, ccnl: 'E012', livello: 'C1', categoria: 'H', professioneIstat: '2.6.4.2.0', attivitaEducativa: true }),
      ],
    }),
  },
  {
    chiave: 'tre-datori-ispezione',
    descrizione: "Paolo Blu, APE sociale, edile (A) presso tre imprese negli ultimi sette anni, l'ultima sconosciuta agli archivi: l'INL avvia un accertamento",
    atteso: { esitoVerifica: 'NON_VERIFICABILE', stato: 'VALUTAZIONE_INL', accertamento: 'AVVIATO' },
    domanda: (protocollo, dataPresentazione) => ({
      protocollo, tipo: 'APE_SOCIALE', dataPresentazione, dataDecorrenza: '2027-01-01', richiedente: { ...L.blu },
      attestazioni: [
        att(1, D.edilizia, { periodo: { dal: '2018-03-01', al: '2020-12-31' }, ccnl: 'F012', livello: '2', categoria: 'A', professioneIstat: '6.1.2.1', vociTariffaInail: ['3110'] }),
        att(2, D.cantieri, { periodo: { dal: '2021-01-01', al: '2023-06-30' }, ccnl: 'F012', livello: '3', categoria: 'A', professioneIstat: '6.1.2.1', vociTariffaInail: ['3110'] }),
        att(3, D.scavi, { periodo: { dal: '2023-07-01' }, ccnl: 'F012', livello: '3', categoria: 'A', professioneIstat: '6.1.3.1', vociTariffaInail: ['3110'] }),
      ],
    }),
  },
];

export function scenario(chiave: string): ScenarioDemo {
  const s = SCENARI.find((x) => x.chiave === chiave);
  if (!s) throw new Error(`no demo scenario "${chiave}"`);
  return s;
}
