import type { Ente, EsitoDato } from '../domain/types';
import { el, Xml, xsDateTime } from '../xml/write';
import type { XmlReader } from '../xml/read';
import { readEsitiDato, writeEsitiDato } from './istruttoria';

/** Codec of wsdl/inps-esiti.wsdl (payloads in namespace esi:). */

export const OP_NOTIFICA_ESITO = 'NotificaEsito';

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
