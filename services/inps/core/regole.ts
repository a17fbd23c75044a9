import type { DeadlinesConfig, InlConfig } from '../../../shared/config/schema';
import { controllaPresentazione, type Finestra } from '../../../shared/domain/graduatorie';
import { limiteIstruttoria, type LimiteIstruttoria } from '../../../shared/domain/scadenze';
import type { EnteVerificatore } from '../../../shared/domain/types';

/** The configured rules INPS applies to deadlines and INL triggers (one home: the federation config). */
export interface RegoleInps {
  deadlines: DeadlinesConfig;
  inl: InlConfig;
}

/**
 * A new domanda's presentation date against the instant INPS received it, and the graduatoria window it belongs
 * to (shared/domain/graduatorie.ts): refused when presented in the future or received after its window's
 * graduatoria.
 */
export function finestraDellaDomanda(regole: RegoleInps, dataPresentazione: Date, ricevutaIl: Date): Finestra | null {
  return controllaPresentazione(dataPresentazione, ricevutaIl, {
    calendario: regole.deadlines.calendarioGraduatorie,
    tolleranzaMs: regole.deadlines.tolleranzaPresentazioneSecondi * 1000,
  }).finestra;
}

/** How long INPS waits for INL (art. 5, case c): 30 days from presentation, or the window's graduatoria if earlier. */
export function limitePer(regole: RegoleInps, dataPresentazione: Date, finestra: Finestra | null): LimiteIstruttoria {
  return limiteIstruttoria(dataPresentazione, { giorni: regole.deadlines.istruttoriaGiorni, finestra });
}

/**
 * Calendar days a party has to answer a packet from its receipt: art. 5 gives MINLAVORO, ANPAL and INAIL 5 days;
 * it sets none for INL's own verification packets (categories F and H), whose term is the federation's, configured.
 */
export function giorniEsito(regole: Pick<RegoleInps, 'deadlines'>, destinatario: EnteVerificatore): number {
  return destinatario === 'INL' ? regole.deadlines.esitoInlGiorni : regole.deadlines.esitoGiorni;
}
