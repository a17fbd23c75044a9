import type { EventoConsole } from '../dati';
import { html, type Html } from '../html';
import { dataOra, dataScadenza } from '../tempo';
import { ente, etichetta, quanti } from './etichette';

/**
 * The istruttoria's timeline as officers read it: each line names the party that acted, in Italian, with its
 * dates to the second in Rome time. (StatoIstruttoria keeps its own wording: services/inps/core/eventi.ts.)
 */
const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const quando = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? dataScadenza(new Date(v)) : s(v));
/** An esito's label: the summary codes (CONFORME...) in words. */
const esito = (v: unknown) => `«${etichetta(s(v))}»`;

const MESSAGGI: Record<string, { nome: string; femminile: boolean }> = {
  SOLLECITO: { nome: 'sollecito', femminile: false },
  SEGNALAZIONE: { nome: 'segnalazione del caso', femminile: true },
  RISCONTRO: { nome: 'riscontro degli esiti', femminile: false },
};
function messaggio(tipo: unknown, consegnato: boolean): string {
  const m = MESSAGGI[s(tipo)] ?? { nome: 'messaggio', femminile: false };
  return `${m.nome} ${consegnato ? (m.femminile ? 'consegnata' : 'consegnato') : m.femminile ? 'rifiutata' : 'rifiutato'}`;
}

/** Who acted, and what happened, for one event. */
export function rigaEvento(e: EventoConsole): { parte: string; testo: string } {
  const d = e.dettagli;
  const parte = s(d.ente) || e.destinatario || 'INPS';
  switch (e.tipo) {
    case 'DOMANDA_RICEVUTA':
      return { parte: 'INPS', testo: `domanda ${s(d.protocollo)} ricevuta dall'operatore ${s(d.operatore)}; istruttoria aperta` };
    case 'CONTROLLI_INPS':
      return { parte: 'INPS', testo: `controlli sulle attestazioni: ${s(d.sintesi).replace(/\b[A-Z][A-Z0-9_]+\b/g, (c) => etichetta(c))}` };
    case 'PACCHETTO_CREATO':
      return { parte: 'INPS', testo: `pacchetto di verifica ${ente(s(d.destinatario), 'per')} creato (${quanti(Number(d.rapporti ?? 0), 'rapporto', 'rapporti')})` };
    case 'PACCHETTO_INVIATO':
      return { parte, testo: `pacchetto preso in carico ${ente(parte, 'da')} (correlation id ${s(d.correlationId)}); esito atteso entro il ${quando(d.scadenza)}` };
    case 'PACCHETTO_RIFIUTATO':
      return { parte, testo: `pacchetto rifiutato ${ente(parte, 'da')}: ${s(d.errore)}` };
    case 'ESITO_RICEVUTO':
      return { parte, testo: `esito ${esito(d.esito)} ricevuto ${ente(parte, 'da')}` };
    case 'ESITO_DUPLICATO':
      return { parte, testo: `esito ricevuto di nuovo ${ente(parte, 'da')}: registrato, nessuna modifica` };
    case 'ESITO_IN_RITARDO':
      return { parte, testo: `esito ${esito(d.esito)} ricevuto ${ente(parte, 'da')} dopo la scadenza del ${quando(d.scadenza)}: applicato e registrato come tardivo` };
    case 'ESITO_DOPO_CHIUSURA':
      return { parte, testo: `esito ${esito(d.esito)} ricevuto ${ente(parte, 'da')} dopo la chiusura dell'istruttoria: registrato, non applicato` };
    case 'PACCHETTO_SCADUTO':
      return { parte: 'INPS', testo: `nessun esito ${ente(s(d.destinatario), 'da')} entro il ${quando(d.scadenza)}: i dati sono trattati come non verificabili; sollecito inviato` };
    case 'PACCHETTO_NON_CONSEGNATO':
      return { parte: 'INPS', testo: `pacchetto ${ente(s(d.destinatario), 'per')} non consegnato entro il ${quando(d.scadenza)} (${quanti(Number(d.tentativi ?? 0), 'tentativo', 'tentativi')}; ultimo errore: ${s(d.errore)}): i dati sono trattati come non verificabili, i tentativi di consegna continuano` };
    case 'PACCHETTO_REINVIATO':
      return { parte: 'INPS', testo: `nuovo invio del pacchetto ${e.destinatario ? ente(e.destinatario, 'per') : ''} chiesto dall'operatore ${s(d.operatore)} (stato: ${etichetta(s(d.stato)).toLowerCase()})` };
    case 'SOLLECITO_RICHIESTO':
      return { parte: 'INPS', testo: `sollecito ${ente(s(d.destinatario), 'a')} chiesto dall'operatore ${s(d.operatore)}` };
    case 'SOLLECITO_INVIATO':
    case 'MESSAGGIO_INVIATO':
      return { parte: 'INPS', testo: `${messaggio(d.tipo ?? 'SOLLECITO', true)} ${ente(s(d.destinatario), 'a')}` };
    case 'MESSAGGIO_RIFIUTATO':
      return { parte: s(d.destinatario) || 'INPS', testo: `${messaggio(d.tipo, false)} ${ente(s(d.destinatario), 'da')}: ${s(d.errore)}` };
    case 'INDICE_INL_RILEVATO':
      return { parte: 'INPS', testo: `indice per l'INL ${s(d.codice)}: ${s(d.descrizione)}` };
    case 'VALUTAZIONE_INL_AVVIATA':
      return { parte: 'INPS', testo: `dati non verificabili: caso segnalato all'INL (${quanti(Number(d.indici ?? 0), 'indice', 'indici')}); attesa al più fino al ${quando(d.limite)}` };
    case 'ACCERTAMENTO_AVVIATO':
      return { parte: 'INL', testo: `l'INL ha avviato un accertamento (${s(d.idAccertamento)})` };
    case 'ACCERTAMENTO_NON_AVVIATO':
      return { parte: 'INL', testo: "l'INL non avvia accertamenti" };
    case 'ACCERTAMENTO_CONCLUSO':
      return { parte: 'INL', testo: `accertamento concluso: ${etichetta(s(d.esito))}` };
    case 'ACCERTAMENTO_DOPO_CHIUSURA':
      return { parte: 'INL', testo: `esito dell'accertamento (${etichetta(s(d.esito))}) ricevuto dopo la chiusura dell'istruttoria` };
    case 'LIMITE_RAGGIUNTO':
      return { parte: 'INPS', testo: `raggiunto il limite di attesa (${s(d.motivo)}): l'istruttoria si chiude sulle autocertificazioni` };
    case 'VERIFICA_COMPLETATA':
      return { parte: 'INPS', testo: `verifica chiusa: esito ${esito(d.esitoVerifica)}, regola «${etichetta(s(d.regola))}»` };
    case 'RIESAME_RICHIESTO':
      return { parte: 'INPS', testo: `riesame richiesto: ${s(d.motivo)}` };
  }
  return { parte, testo: etichetta(e.tipo) };
}

export function cronologia(eventi: EventoConsole[]): Html {
  return html`<ol class="cronologia" id="cronologia">${eventi.map((e) => {
    const r = rigaEvento(e);
    return html`<li data-tipo="${e.tipo}"><time datetime="${e.avvenutoIl.toISOString()}">${dataOra(e.avvenutoIl)}</time> <strong class="parte">${etichetta(r.parte)}</strong>: ${r.testo}</li>`;
  })}</ol>`;
}
