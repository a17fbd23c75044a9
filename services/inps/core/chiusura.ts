import { riepilogo } from '../../../shared/domain/esiti';
import type { Esito, EsitoDato } from '../../../shared/domain/types';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

/**
 * Closing rules of the verification (protocol art. 5), as a pure function of the packets' state.
 *  - While some packet awaits its esito, the istruttoria stays IN_VERIFICA.
 *  - Every datum conforme or non conforme (cases a, b): INPS closes on the data it holds (ESITI_ARCHIVI).
 *  - Some datum non verificabile (case c): INL evaluates an inspection (VALUTAZIONE_INL).
 * The summary esito gives precedence to NON_CONFORME, then NON_VERIFICABILE.
 */
export interface PacchettoPerChiusura {
  stato: StatoPacchetto;
  esitiDato: readonly Pick<EsitoDato, 'esito'>[];
}

export interface DecisioneChiusura {
  stato: StatoIstruttoria;
  esitoVerifica: Esito;
  regola: RegolaChiusura | null;
}

export function valutaChiusura(pacchetti: readonly PacchettoPerChiusura[]): DecisioneChiusura | null {
  if (pacchetti.length === 0 || pacchetti.some((p) => p.stato !== 'RISPOSTO')) return null;
  const dati = pacchetti.flatMap((p) => p.esitiDato);
  const esito = riepilogo(dati);
  if (esito === null) return null;
  if (dati.some((d) => d.esito === 'NON_VERIFICABILE')) return { stato: 'VALUTAZIONE_INL', esitoVerifica: esito, regola: null };
  return { stato: 'CHIUSA', esitoVerifica: esito, regola: 'ESITI_ARCHIVI' };
}
