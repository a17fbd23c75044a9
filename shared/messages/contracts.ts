import { NS, clark } from '../xml/namespaces';

/** Where each contract is served and what its operations are called (wsdl/). */
export const CONTRACTS = {
  istruttoria: { path: '/ape/istruttoria', wsdl: 'inps-istruttoria.wsdl' },
  esiti: { path: '/ape/esiti', wsdl: 'inps-esiti.wsdl' },
  verifica: { path: '/ape/verifica', wsdl: 'verifica-pacchetto.wsdl' },
} as const;

export const OPERATIONS = {
  PresentaDomanda: { payload: clark(NS.ist, 'PresentaDomanda'), soapAction: 'urn:it:ape-precoci:istruttoria:v1:PresentaDomanda' },
  StatoIstruttoria: { payload: clark(NS.ist, 'StatoIstruttoria'), soapAction: 'urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria' },
  NotificaEsito: { payload: clark(NS.esi, 'NotificaEsito'), soapAction: 'urn:it:ape-precoci:esiti:v1:NotificaEsito' },
  VerificaPacchetto: { payload: clark(NS.pac, 'VerificaPacchetto'), soapAction: 'urn:it:ape-precoci:pacchetto:v1:VerificaPacchetto' },
  SollecitaEsito: { payload: clark(NS.pac, 'SollecitaEsito'), soapAction: 'urn:it:ape-precoci:pacchetto:v1:SollecitaEsito' },
  SegnalaCaso: { payload: clark(NS.pac, 'SegnalaCaso'), soapAction: 'urn:it:ape-precoci:pacchetto:v1:SegnalaCaso' },
  NotificaRiscontro: { payload: clark(NS.pac, 'NotificaRiscontro'), soapAction: 'urn:it:ape-precoci:pacchetto:v1:NotificaRiscontro' },
  NotificaAccertamento: { payload: clark(NS.esi, 'NotificaAccertamento'), soapAction: 'urn:it:ape-precoci:esiti:v1:NotificaAccertamento' },
} as const;

/**
 * WS-Addressing actions of the answers (wsam:Action in the WSDLs' portTypes): an ack's is its operation's SOAP action
 * followed by "Risposta"; every Fault's is WS-Addressing's SOAP fault action.
 */
export function responseAction(soapAction: string): string {
  return `${soapAction}Risposta`;
}
export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';
