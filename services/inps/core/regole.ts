import type { DeadlinesConfig, InlConfig } from '../../../shared/config/schema';
import { dataRoma, limiteIstruttoria, type LimiteIstruttoria } from '../../../shared/domain/scadenze';

/** The configured rules INPS applies to deadlines and INL triggers (one home: the federation config). */
export interface RegoleInps {
  deadlines: DeadlinesConfig;
  inl: InlConfig;
}

/** Configured cut-offs as dates: --MM-DD recurs every year, so it stands for that date in the submission's year and the next. */
export function scadenzeGraduatoriaPer(configurate: readonly string[], presentazione: Date): string[] {
  const anno = Number(dataRoma(presentazione).slice(0, 4));
  return configurate.flatMap((g) => (g.startsWith('--') ? [`${anno}${g.slice(1)}`, `${anno + 1}${g.slice(1)}`] : [g]));
}

export function limitePer(regole: RegoleInps, presentazione: Date): LimiteIstruttoria {
  return limiteIstruttoria(presentazione, {
    giorni: regole.deadlines.istruttoriaGiorni,
    scadenzeGraduatoria: scadenzeGraduatoriaPer(regole.deadlines.scadenzeGraduatoria, presentazione),
  });
}
