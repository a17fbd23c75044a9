import type { Ente, EsitoDato } from '../domain/types';
import { el, opt, Xml, xsDateTime } from '../xml/write';
import type { XmlReader } from '../xml/read';
import { readEsitiDato, writeEsitiDato } from './istruttoria';
import type { EsitoAccertamento, StatoAccertamento } from '../domain/stati';

/** Codec of wsdl/inps-esiti.wsdl (payloads in namespace esi:). */

export interface NotificaEsito {
  idPacchetto: string;
  ente: Ente;
  dataEsito: Date;
  esitiDato: EsitoDato[];
}

export function writeNotificaEsito(n: NotificaEsito): Xml {
  return el('esi:NotificaEsito', [
    el('esi:IdPacchetto', n.idPacchetto),
    el('esi:Ente', n.ente),
    el('esi:DataEsito', xsDateTime(n.dataEsito)),
    writeEsitiDato('esi', n.esitiDato),
  ]);
}

export function readNotificaEsito(r: XmlReader): NotificaEsito {
  return {
    idPacchetto: r.text('IdPacchetto'),
    ente: r.text('Ente') as Ente,
    dataEsito: r.dateTime('DataEsito'),
    esitiDato: readEsitiDato(r.child('EsitiDato')),
  };
}

export function writeNotificaEsitoRisposta(): Xml {
  return el('esi:NotificaEsitoRisposta', el('esi:Esito', 'OK'));
}


export interface NotificaAccertamento {
  idSegnalazione: string;
  stato: StatoAccertamento;
  dataEvento: Date;
  idAccertamento?: string;
  esito?: EsitoAccertamento;
  nota?: string;
}

export function writeNotificaAccertamento(n: NotificaAccertamento): Xml {
  return el('esi:NotificaAccertamento', [
    el('esi:IdSegnalazione', n.idSegnalazione),
    el('esi:Stato', n.stato),
    el('esi:DataEvento', xsDateTime(n.dataEvento)),
    opt('esi:IdAccertamento', n.idAccertamento),
    opt('esi:Esito', n.esito),
    opt('esi:Nota', n.nota),
  ]);
}

export function readNotificaAccertamento(r: XmlReader): NotificaAccertamento {
  const n: NotificaAccertamento = { idSegnalazione: r.text('IdSegnalazione'), stato: r.text('Stato') as StatoAccertamento, dataEvento: r.dateTime('DataEvento') };
  const id = r.optText('IdAccertamento');
  if (id !== undefined) n.idAccertamento = id;
  const esito = r.optText('Esito');
  if (esito !== undefined) n.esito = esito as EsitoAccertamento;
  const nota = r.optText('Nota');
  if (nota !== undefined) n.nota = nota;
  return n;
}

export function writeNotificaAccertamentoRisposta(): Xml {
  return el('esi:NotificaAccertamentoRisposta', el('esi:Esito', 'OK'));
}
