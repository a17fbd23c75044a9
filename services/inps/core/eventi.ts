import type { Tx } from '../../../shared/db/pool';
import { segnaposti, type Segnaposto } from '../../../shared/db/segnaposti';

/** Kinds of events on an istruttoria's timeline. */
export type TipoEvento =
  | 'DOMANDA_RICEVUTA'
  | 'CONTROLLI_INPS'
  | 'PACCHETTO_CREATO'
  | 'PACCHETTO_INVIATO'
  | 'PACCHETTO_RIFIUTATO'
  | 'ESITO_RICEVUTO'
  | 'ESITO_DUPLICATO'
  | 'ESITO_IN_RITARDO'
  | 'ESITO_DOPO_CHIUSURA'
  | 'PACCHETTO_SCADUTO'
  | 'PACCHETTO_NON_CONSEGNATO'
  | 'PACCHETTO_REINVIATO'
  | 'SOLLECITO_INVIATO'
  | 'SOLLECITO_RICHIESTO'
  | 'MESSAGGIO_INVIATO'
  | 'MESSAGGIO_RIFIUTATO'
  | 'INDICE_INL_RILEVATO'
  | 'VALUTAZIONE_INL_AVVIATA'
  | 'ACCERTAMENTO_AVVIATO'
  | 'ACCERTAMENTO_NON_AVVIATO'
  | 'ACCERTAMENTO_CONCLUSO'
  | 'ACCERTAMENTO_DOPO_CHIUSURA'
  | 'LIMITE_RAGGIUNTO'
  | 'VERIFICA_COMPLETATA'
  | 'RIESAME_RICHIESTO';

export interface Evento {
  istruttoriaId: string;
  pacchettoId?: string;
  tipo: TipoEvento;
  at: Date;
  dettagli?: Record<string, unknown>;
}

export async function registraEventi(tx: Tx, eventi: readonly Evento[]): Promise<void> {
  if (eventi.length === 0) return;
  const { params, p } = segnaposti();
  await tx.query(inserisciEventi(p, eventi), params);
}

/** The statement inserting these events, its values written with `p` (for a statement of which it is a part). */
export function inserisciEventi(p: Segnaposto, eventi: readonly Evento[]): string {
  return `INSERT INTO evento (istruttoria_id, pacchetto_id, tipo, avvenuto_il, dettagli)
     SELECT * FROM unnest(${p(eventi.map((e) => e.istruttoriaId))}::uuid[], ${p(eventi.map((e) => e.pacchettoId ?? null))}::uuid[], ${p(eventi.map((e) => e.tipo))}::text[], ${p(eventi.map((e) => e.at))}::timestamptz[], ${p(eventi.map((e) => JSON.stringify(e.dettagli ?? {})))}::jsonb[])`;
}

const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** A readable Italian line for the timeline (StatoIstruttoria, the console). */
export function descriviEvento(tipo: string, d: Record<string, unknown>): string {
  switch (tipo as TipoEvento) {
    case 'DOMANDA_RICEVUTA':
      return `domanda ${s(d.protocollo)} ricevuta dall'operatore ${s(d.operatore)}; istruttoria aperta`;
    case 'CONTROLLI_INPS':
      return `controlli INPS sulle attestazioni: ${s(d.sintesi)}`;
    case 'PACCHETTO_CREATO':
      return `pacchetto di verifica per ${s(d.destinatario)} creato (${s(d.rapporti)} rapporti)`;
    case 'PACCHETTO_INVIATO':
      return `pacchetto preso in carico (correlation id ${s(d.correlationId)}); esito atteso entro ${s(d.scadenza)}`;
    case 'PACCHETTO_RIFIUTATO':
      return `pacchetto rifiutato dalla controparte: ${s(d.errore)}`;
    case 'ESITO_RICEVUTO':
      return `esito ${s(d.esito)} da ${s(d.ente)}`;
    case 'ESITO_DUPLICATO':
      return `esito ricevuto di nuovo da ${s(d.ente)}: registrato, nessuna modifica`;
    case 'ESITO_IN_RITARDO':
      return `esito ${s(d.esito)} da ${s(d.ente)} dopo la scadenza del ${s(d.scadenza)}: applicato e registrato come tardivo`;
    case 'ESITO_DOPO_CHIUSURA':
      return `esito ${s(d.esito)} da ${s(d.ente)} dopo la chiusura dell'istruttoria: registrato, non applicato`;
    case 'PACCHETTO_SCADUTO':
      return `nessun esito da ${s(d.destinatario)} entro la scadenza del ${s(d.scadenza)}: i dati sono trattati come non verificabili; sollecito inviato`;
    case 'PACCHETTO_NON_CONSEGNATO':
      return `pacchetto per ${s(d.destinatario)} non consegnato entro il ${s(d.scadenza)} (${s(d.tentativi)} tentativi; ultimo errore: ${s(d.errore)}): i dati sono trattati come non verificabili, i tentativi di consegna continuano`;
    case 'PACCHETTO_REINVIATO':
      return `nuovo invio del pacchetto chiesto dall'operatore ${s(d.operatore)} (stato ${s(d.stato)})`;
    case 'SOLLECITO_INVIATO':
      return `sollecito consegnato a ${s(d.destinatario)}`;
    case 'SOLLECITO_RICHIESTO':
      return `sollecito a ${s(d.destinatario)} chiesto dall'operatore ${s(d.operatore)}`;
    case 'MESSAGGIO_INVIATO':
      return `${s(d.tipo).toLowerCase()} consegnato a ${s(d.destinatario)}`;
    case 'MESSAGGIO_RIFIUTATO':
      return `${s(d.tipo).toLowerCase()} rifiutato da ${s(d.destinatario)}: ${s(d.errore)}`;
    case 'INDICE_INL_RILEVATO':
      return `indice INL ${s(d.codice)}: ${s(d.descrizione)}`;
    case 'VALUTAZIONE_INL_AVVIATA':
      return `dati non verificabili: caso segnalato all'INL (${s(d.indici)} indici), attesa al più fino al ${s(d.limite)}`;
    case 'ACCERTAMENTO_AVVIATO':
      return `l'INL ha avviato un accertamento (${s(d.idAccertamento)})`;
    case 'ACCERTAMENTO_NON_AVVIATO':
      return "l'INL non avvia accertamenti";
    case 'ACCERTAMENTO_CONCLUSO':
      return `accertamento INL concluso: ${s(d.esito)}`;
    case 'ACCERTAMENTO_DOPO_CHIUSURA':
      return `esito dell'accertamento INL (${s(d.esito)}) ricevuto dopo la chiusura dell'istruttoria`;
    case 'LIMITE_RAGGIUNTO':
      return `raggiunto il limite di attesa (${s(d.motivo)}): l'istruttoria si chiude sulle autocertificazioni`;
    case 'VERIFICA_COMPLETATA':
      return `verifica chiusa: esito ${s(d.esitoVerifica)}, regola ${s(d.regola)}`;
    case 'RIESAME_RICHIESTO':
      return `riesame richiesto: ${s(d.motivo)}`;
  }
  return tipo;
}
