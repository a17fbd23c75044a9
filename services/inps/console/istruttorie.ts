import type { Pool } from 'pg';
import type { Clock } from '../../../shared/clock';
import { ApeError } from '../../../shared/errors';
import { caricaVista } from '../core/vista';
import { filtriSalvati } from './coda';
import { ente } from './pagine/etichette';
import { attestazioniDichiarate, contenutiPacchetti, dellaSede, elencoIstruttorie, eventiIstruttoria } from './dati';
import { sedeVisibile, type AmbitoFunzionari, type Sessione } from './utenti';
import { FiltroNonValido, leggiFiltro, type FiltroIstruttorie } from './filtri';
import { paginaElenco } from './pagine/elenco';
import { paginaIstruttoria } from './pagine/istruttoria';
import { paginaErrore } from './pagine/layout';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the istruttoria page says after a supervisor's action on one of its packets (post/redirect/get). */
function esitoAzionePacchetto(q: URLSearchParams): string | null {
  const parte = q.get('soggetto') ?? '';
  if (!['MINLAVORO', 'ANPAL', 'INAIL', 'INL'].includes(parte)) return null;
  if (q.get('fatto') === 'reinviato') return `Reinvio del pacchetto ${ente(parte, 'per')} chiesto.`;
  if (q.get('fatto') === 'sollecitato') return `Sollecito ${ente(parte, 'a')} chiesto.`;
  return null;
}

/** The istruttorie list with its search, and one istruttoria's page: views of citizen data, each traced. */
export function gestoriIstruttorie(d: { pool: Pool; clock: Clock; traccia: Traccia; ambitoFunzionari: AmbitoFunzionari }) {
  const giaTracciato = new VisteTracciate();
  const sede = (s: Sessione) => sedeVisibile(s.operatore, d.ambitoFunzionari);
  return {
    elenco: async ({ r, s, contesto }: ChiamataOperatore): Promise<Risposta> => {
      let f: FiltroIstruttorie = {};
      let errore: string | null = null;
      try {
        f = leggiFiltro(r.url.searchParams);
      } catch (err) {
        if (!(err instanceof FiltroNonValido)) throw err;
        errore = err.message;
      }
      // A refused filter shows no results (not "none match"): the form keeps what was typed, to be corrected.
      const ambito = sede(s);
      const [pagina, salvati] = await Promise.all([errore ? null : elencoIstruttorie(d.pool, ambito === undefined ? f : { ...f, sede: ambito }, d.clock.now()), filtriSalvati(d.pool, s.operatore.id)]);
      // The citizen searched for goes to the log as a pseudonym; other searched text only when it is an identifier
      // (it has digits and no spaces), never free text that might be a name.
      const cf = f.cerca && /^[A-Z0-9]{16}$/i.test(f.cerca) ? f.cerca.toUpperCase() : undefined;
      const identificativo = f.cerca && !cf && /\d/.test(f.cerca) && /^[\w.\-/]{1,100}$/.test(f.cerca) ? f.cerca : undefined;
      // The page refreshing itself (a change pushed over SSE) shows again what this session opened and traced: not a
      // new access. A "refresh" of something the session has not opened lately is traced like any view.
      if (!giaTracciato.ripetuta(r, s, `elenco:${r.url.search}`, d.clock.now())) await d.traccia(r, s, 'console:elenco', 'ACCETTATA', { riferimenti: { ...(identificativo && { protocollo: identificativo }) }, ...(cf && { codiceFiscale: cf }) });
      return Risposta.pagina(paginaElenco(contesto(), r.url.searchParams, f, pagina, errore, salvati), errore ? 400 : 200);
    },

    dettaglio: async ({ r, s, parametri, contesto }: ChiamataOperatore): Promise<Risposta> => {
      const id = parametri.id ?? '';
      if (!UUID.test(id)) return Risposta.pagina(paginaErrore(contesto(), 'Istruttoria non trovata', 'Identificativo non valido.'), 404);
      let vista;
      try {
        vista = await caricaVista(d.pool, { idIstruttoria: id });
      } catch (err) {
        if (err instanceof ApeError && err.code === 'ISTRUTTORIA_NON_TROVATA') {
          await d.traccia(r, s, 'console:istruttoria', 'RIFIUTATA', { riferimenti: { idIstruttoria: id }, codiceErrore: err.code });
          return Risposta.pagina(paginaErrore(contesto(), 'Istruttoria non trovata', `Nessuna istruttoria ${id}.`), 404);
        }
        throw err;
      }
      const ambito = sede(s);
      if (ambito !== undefined && !(await dellaSede(d.pool, id, ambito))) {
        await d.traccia(r, s, 'console:istruttoria', 'RIFIUTATA', { riferimenti: { idIstruttoria: id }, codiceErrore: 'FUORI_SEDE' });
        return Risposta.pagina(paginaErrore(contesto(), 'Istruttoria di un’altra sede', 'Questa istruttoria riguarda una domanda presentata da un’altra sede: non è consultabile con il suo profilo.'), 403);
      }
      const [contenuti, eventi, attestazioni] = await Promise.all([contenutiPacchetti(d.pool, id), eventiIstruttoria(d.pool, id), attestazioniDichiarate(d.pool, id)]);
      if (!giaTracciato.ripetuta(r, s, `istruttoria:${id}`, d.clock.now())) await d.traccia(r, s, 'console:istruttoria', 'ACCETTATA', { riferimenti: { idIstruttoria: id, protocollo: vista.protocolloDomanda }, codiceFiscale: vista.codiceFiscaleRichiedente });
      return Risposta.pagina(paginaIstruttoria(contesto(), vista, { contenuti, eventi, attestazioni, messaggio: esitoAzionePacchetto(r.url.searchParams) }));
    },
  };
}

/**
 * Views a session had traced, to recognise a page fetching itself again after a pushed change (static/console.js sends
 * X-Richiesta: aggiornamento): such a refresh of a view traced by the same session within 30 minutes is not a new
 * access. The header alone proves nothing (anyone can send it): what was not traced lately is traced.
 */
class VisteTracciate {
  private readonly viste = new Map<string, number>();

  ripetuta(r: { req: { headers: Record<string, string | string[] | undefined> } }, s: Sessione, vista: string, now: Date): boolean {
    const chiave = `${s.idHash}|${vista}`;
    const prima = this.viste.get(chiave);
    const ripetuta = r.req.headers['x-richiesta'] === 'aggiornamento' && prima !== undefined && now.getTime() - prima < 30 * 60_000;
    if (!ripetuta) {
      this.viste.delete(chiave);
      this.viste.set(chiave, now.getTime());
      while (this.viste.size > 10_000) this.viste.delete(this.viste.keys().next().value!);
    }
    return ripetuta;
  }
}
