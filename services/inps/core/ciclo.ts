import { riepilogo } from '../../../shared/domain/esiti';
import type { Esito } from '../../../shared/domain/types';
import type { EsitoAccertamento, RegolaChiusura, StatoAccertamento, StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

/**
 * The lifecycle of an istruttoria's verification (protocol art. 5) as one pure decision over its state:
 *
 *   IN_VERIFICA      while some packet awaits its esito within its days (5 for MINLAVORO, ANPAL, INAIL: art. 5;
 *                    INL's own packets: the configured term). The parties owe their answers whatever the wait limit:
 *                    the limit does not apply here.
 *     -> CHIUSA / ESITI_ARCHIVI            every packet answered, every datum conforme or non conforme (a, b):
 *                                          INPS completes on the archives' answers.
 *     -> VALUTAZIONE_INL                   some datum non verificabile, or some party overdue or refusing (c):
 *                                          INPS sends INL the case with the triggers that matched.
 *   VALUTAZIONE_INL
 *     -> CHIUSA / AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO   INL opened no inspection.
 *     -> CHIUSA / ESITO_ACCERTAMENTO                       the inspection outcome arrived.
 *     -> CHIUSA / AUTOCERTIFICAZIONI_TERMINE               the wait limit passed (30 days from presentation, or
 *                                          the graduatoria of the domanda's window when earlier): INPS closes on the
 *                                          self-declarations and its own documents. A limit already passed when
 *                                          the case reaches INL closes it at once (the case still goes to INL, whose
 *                                          outcome may come later and lead to a riesame).
 *
 * The summary esito gives precedence to NON_CONFORME, then NON_VERIFICABILE (an overdue or refused packet counts
 * as non verificabile); an inspection outcome, when it closes the case, decides it.
 */
export interface StatoVerifica {
  stato: StatoIstruttoria;
  limite: Date | null;
  pacchetti: ReadonlyArray<{ stato: StatoPacchetto; esitiDato: ReadonlyArray<{ esito: Esito }> }>;
  accertamento: { stato: StatoAccertamento | null; esito: EsitoAccertamento | null } | null;
}

export type Decisione =
  | { tipo: 'NESSUNA' }
  | { tipo: 'SEGNALA_INL'; esitoVerifica: Esito }
  | { tipo: 'CHIUDI'; regola: RegolaChiusura; esitoVerifica: Esito };

const IN_ATTESA: readonly StatoPacchetto[] = ['DA_INVIARE', 'INVIATO'];

/** Summary of what the archives said; a packet without an answer (overdue, refused, or still pending when the limit closes the case) counts as non verificabile. */
export function esitoComplessivo(s: Pick<StatoVerifica, 'pacchetti'>): Esito {
  const dati: Array<{ esito: Esito }> = s.pacchetti.flatMap((p) => p.esitiDato);
  if (s.pacchetti.some((p) => p.stato !== 'RISPOSTO')) dati.push({ esito: 'NON_VERIFICABILE' });
  return riepilogo(dati) ?? 'NON_VERIFICABILE';
}

export function esitoDaAccertamento(e: EsitoAccertamento): Esito {
  return e === 'REQUISITI_CONFERMATI' ? 'CONFORME' : 'NON_CONFORME';
}

export function decidi(s: StatoVerifica, now: Date): Decisione {
  if (s.stato === 'CHIUSA') return { tipo: 'NESSUNA' };
  if (s.stato === 'IN_VERIFICA') {
    if (s.pacchetti.length === 0 || s.pacchetti.some((p) => IN_ATTESA.includes(p.stato))) return { tipo: 'NESSUNA' };
    const nonVerificati =
      s.pacchetti.some((p) => p.stato === 'SCADUTO' || p.stato === 'RIFIUTATO') ||
      s.pacchetti.some((p) => p.esitiDato.some((d) => d.esito === 'NON_VERIFICABILE'));
    return nonVerificati
      ? { tipo: 'SEGNALA_INL', esitoVerifica: esitoComplessivo(s) }
      : { tipo: 'CHIUDI', regola: 'ESITI_ARCHIVI', esitoVerifica: esitoComplessivo(s) };
  }
  // VALUTAZIONE_INL: waiting for INL, at most until the limit.
  const acc = s.accertamento;
  if (acc?.stato === 'CONCLUSO' && acc.esito) {
    return { tipo: 'CHIUDI', regola: 'ESITO_ACCERTAMENTO', esitoVerifica: esitoDaAccertamento(acc.esito) };
  }
  if (acc?.stato === 'NON_AVVIATO') {
    return { tipo: 'CHIUDI', regola: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', esitoVerifica: esitoComplessivo(s) };
  }
  if (s.limite !== null && now.getTime() >= s.limite.getTime()) {
    return { tipo: 'CHIUDI', regola: 'AUTOCERTIFICAZIONI_TERMINE', esitoVerifica: esitoComplessivo(s) };
  }
  return { tipo: 'NESSUNA' };
}

/**
 * Whether information arriving after closure contradicts the outcome the istruttoria was closed with, so the
 * case must be re-examined (riesame): anything non conforme on a case closed favourably; an inspection that
 * confirms the requisites of a case closed as non conforme.
 */
export function contraddiceChiusura(esitoChiusura: Esito | null, nuovo: Esito, fonte: 'ACCERTAMENTO' | 'ESITO'): boolean {
  if (nuovo === 'NON_CONFORME') return esitoChiusura !== 'NON_CONFORME';
  return fonte === 'ACCERTAMENTO' && nuovo === 'CONFORME' && esitoChiusura === 'NON_CONFORME';
}
