import type { Pool } from 'pg';
import type { Clock } from '../../../shared/clock';
import { statistichePerParte, volumiPerGiorno } from './dati';
import { paginaCruscotto } from './pagine/cruscotto';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';

/** The dashboard: aggregate figures only, no citizen data (so no access record). */
export function gestoreCruscotto(d: { pool: Pool; clock: Clock }) {
  return async ({ contesto }: ChiamataOperatore): Promise<Risposta> => {
    const now = d.clock.now();
    const [parti, volumi] = await Promise.all([statistichePerParte(d.pool, now), volumiPerGiorno(d.pool, now)]);
    return Risposta.pagina(paginaCruscotto(contesto(), parti, volumi));
  };
}
