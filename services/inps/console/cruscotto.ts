import type { Pool } from 'pg';
import type { Clock } from '../../../shared/clock';
import { statistichePerParte, volumiPerGiorno } from './dati';
import { paginaCruscotto } from './pagine/cruscotto';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import { sedeVisibile, type AmbitoFunzionari } from './utenti';

/**
 * The dashboard: aggregate figures only, no citizen data (so no access record). An officer's figures are those of
 * their office's istruttorie, as the lists they link to (services.inpsConsole.ambitoFunzionari).
 */
export function gestoreCruscotto(d: { pool: Pool; clock: Clock; ambitoFunzionari: AmbitoFunzionari }) {
  return async ({ s, contesto }: ChiamataOperatore): Promise<Risposta> => {
    const now = d.clock.now();
    const sede = sedeVisibile(s.operatore, d.ambitoFunzionari);
    const [parti, volumi] = await Promise.all([statistichePerParte(d.pool, now, sede), volumiPerGiorno(d.pool, now, 14, sede)]);
    return Risposta.pagina(paginaCruscotto(contesto(), parti, volumi));
  };
}
