import { SCENARI, type ScenarioDemo } from '../demo/dataset';
import type { Domanda } from '../../shared/domain/types';

/**
 * The synthetic load: domande built from the demo scenarios (infra/demo/dataset.ts), whose workers and
 * employers the agency nodes' demo archives know, so each domanda ends as the scenario says. The mix covers
 * both kinds of domanda, categories A, E, F, G, H, I, L, private, public and domestic employers, and every
 * outcome (conforme, non conforme, non verificabile closed after INL's decision). The scenario whose INL
 * inspection stays open (tre-datori-ispezione) is left out: the benchmark measures domande that close.
 */
export const MIX: ReadonlyArray<{ chiave: string; peso: number }> = [
  { chiave: 'conforme', peso: 8 },
  { chiave: 'non-conforme', peso: 3 },
  { chiave: 'non-verificabile', peso: 3 },
  { chiave: 'tasso-inail', peso: 2 },
  { chiave: 'turni-inl', peso: 2 },
  { chiave: 'domestico-e-asilo', peso: 2 },
];

/** The demo scenario of the i-th domanda (chiaveDi). */
export function scenarioDi(i: number, mix = MIX): ScenarioDemo {
  const chiave = chiaveDi(i, mix);
  return SCENARI.find((s) => s.chiave === chiave)!;
}

/**
 * The kind of the i-th domanda: the mix's weights laid out over a cycle of their sum, interleaved (largest
 * remainder first) so any stretch of the run sees every kind in about its share.
 */
export function chiaveDi(i: number, mix: ReadonlyArray<{ chiave: string; peso: number }>): string {
  const totale = mix.reduce((s, m) => s + m.peso, 0);
  const k = ((i % totale) + totale) % totale;
  const conteggi = mix.map(() => 0);
  let scelto = 0;
  for (let passo = 0; passo <= k; passo++) {
    // the kind furthest behind its share after `passo` picks
    let migliore = 0;
    let ritardo = -Infinity;
    mix.forEach((m, j) => {
      const r = ((passo + 1) * m.peso) / totale - conteggi[j]!;
      if (r > ritardo) {
        ritardo = r;
        migliore = j;
      }
    });
    conteggi[migliore]!++;
    scelto = migliore;
  }
  return mix[scelto]!.chiave;
}

/** The protocol of a run's i-th domanda of a phase. */
export function protocolloSintetico(prefisso: string, i: number): string {
  return `${prefisso}.${String(i).padStart(6, '0')}`;
}

export function domandaSintetica(prefisso: string, i: number, adesso: Date): { domanda: Domanda; scenario: ScenarioDemo } {
  const scenario = scenarioDi(i);
  return { scenario, domanda: scenario.domanda(protocolloSintetico(prefisso, i), adesso) };
}
