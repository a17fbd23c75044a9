import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { Riferimenti } from '../../../shared/audit/registri';
import { reinvia } from '../../strumenti/ops/reinvia';
import { vistaInps } from '../../strumenti/ops/storia-viste';
import { dellaSede } from './dati';
import { paginaErrore } from './pagine/layout';
import { paginaStoriaPacchetto } from './pagine/storia-pacchetto';
import { sollecita } from './sollecito';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';
import { sedeVisibile, type AmbitoFunzionari } from './utenti';

/**
 * A packet's delivery history (what `npm run ops -- storia` shows of INPS), its resend (`ops -- reinvia`) and a
 * reminder to its party (sollecito.ts), from the istruttoria's page: each an access record with the operator's id;
 * the resend and the reminder also an event on the timeline.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function gestoriPacchetti(d: { pool: Pool; clock: Clock; traccia: Traccia; ambitoFunzionari: AmbitoFunzionari }) {
  /** The packet of the path, when it belongs to the istruttoria and the operator may see it; otherwise the refusal. */
  const pacchetto = async (c: ChiamataOperatore, operazione: string): Promise<{ id: string; idIstruttoria: string } | { rifiuto: Risposta }> => {
    const id = c.parametri.pacchetto ?? '';
    const idIstruttoria = c.parametri.id ?? '';
    const nonTrovato = () => ({ rifiuto: Risposta.pagina(paginaErrore(c.contesto(), 'Pacchetto non trovato', 'Nessun pacchetto con questo identificativo in questa istruttoria.'), 404) });
    if (!UUID.test(id) || !UUID.test(idIstruttoria)) return nonTrovato();
    const r = await d.pool.query('SELECT 1 FROM pacchetto WHERE id = $1 AND istruttoria_id = $2', [id, idIstruttoria]);
    if (r.rowCount === 0) return nonTrovato();
    const sede = sedeVisibile(c.s.operatore, d.ambitoFunzionari);
    if (sede !== undefined && !(await dellaSede(d.pool, idIstruttoria, sede))) {
      await d.traccia(c.r, c.s, operazione, 'RIFIUTATA', { riferimenti: { idIstruttoria, idPacchetto: id }, codiceErrore: 'FUORI_SEDE' });
      return { rifiuto: Risposta.pagina(paginaErrore(c.contesto(), 'Istruttoria di un’altra sede', 'Questa istruttoria riguarda una domanda presentata da un’altra sede.'), 403) };
    }
    return { id, idIstruttoria };
  };

  /** A supervisor's action on a packet: done, traced, and the istruttoria shown again with its outcome (or why not). */
  const azione = (operazione: string, fatto: string, titolo: string, fn: (idPacchetto: string, operatore: string) => Promise<string>) => async (c: ChiamataOperatore): Promise<Risposta> => {
    const p = await pacchetto(c, operazione);
    if ('rifiuto' in p) return p.rifiuto;
    const riferimenti: Riferimenti = { idIstruttoria: p.idIstruttoria, idPacchetto: p.id };
    let destinatario: string;
    try {
      destinatario = await fn(p.id, c.s.operatore.id);
    } catch (err) {
      if (!(err instanceof ApeError && (err.code === 'TRANSIZIONE_NON_AMMESSA' || err.code === 'PACCHETTO_NON_TROVATO'))) throw err;
      await d.traccia(c.r, c.s, operazione, 'RIFIUTATA', { riferimenti, codiceErrore: err.code });
      return Risposta.pagina(paginaErrore(c.contesto(), titolo, `${err.message}.`), 409);
    }
    await d.traccia(c.r, c.s, operazione, 'ACCETTATA', { riferimenti });
    return Risposta.redirect(`/istruttorie/${p.idIstruttoria}?${new URLSearchParams({ fatto, soggetto: destinatario }).toString()}`);
  };

  return {
    storia: async (c: ChiamataOperatore): Promise<Risposta> => {
      const p = await pacchetto(c, 'console:storia-pacchetto');
      if ('rifiuto' in p) return p.rifiuto;
      const vista = await vistaInps(d.pool, p.id);
      await d.traccia(c.r, c.s, 'console:storia-pacchetto', 'ACCETTATA', { riferimenti: { idIstruttoria: p.idIstruttoria, idPacchetto: p.id } });
      if (!vista) return Risposta.pagina(paginaErrore(c.contesto(), 'Pacchetto non trovato', 'Nessun pacchetto con questo identificativo.'), 404);
      return Risposta.pagina(paginaStoriaPacchetto(c.contesto(), p.idIstruttoria, p.id, vista));
    },

    reinvia: azione('console:reinvia-pacchetto', 'reinviato', 'Reinvio non possibile', async (id, operatore) => (await reinvia({ ente: 'INPS', pool: d.pool, traccia: async () => undefined }, id, operatore, d.clock.now())).destinatario),

    sollecita: azione('console:sollecita-pacchetto', 'sollecitato', 'Sollecito non possibile', async (id, operatore) => (await sollecita(d.pool, id, operatore, d.clock.now())).destinatario),
  };
}
