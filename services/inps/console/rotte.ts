import type { Pool } from 'pg';
import type { Registri } from '../../../shared/audit/registri';
import type { CacheSospensioni } from '../../../shared/audit/sospensioni';
import type { Clock } from '../../../shared/clock';
import type { Logger } from '../../../shared/log';
import type { Aggiornamenti } from './aggiornamenti';
import { gestoriCoda } from './coda';
import { gestoreCruscotto } from './cruscotto';
import { gestoriIstruttorie } from './istruttorie';
import type { RegoleLimiti } from './limiti-login';
import { gestoriLogin } from './login';
import { Risposta } from './risposta';
import type { ArchivioSessioni } from './sessione';
import { gestoriOperatori } from './operatori';
import { gestoriPacchetti } from './pacchetti';
import { gestoriScarti } from './scarti';
import { gestoriSupervisione } from './supervisione';
import { TabellaRotte, type Area } from './tabella-rotte';
import type { Traccia } from './traccia';
import { RUOLI, RUOLI_SUPERVISIONE, type AmbitoFunzionari } from './utenti';

export interface DipendenzeRotte {
  pool: Pool;
  clock: Clock;
  registri: Pick<Registri, 'pseudonimo'>;
  sospensioni: Pick<CacheSospensioni, 'verifica' | 'refresh'>;
  sessioni: ArchivioSessioni;
  traccia: Traccia;
  aggiornamenti: Pick<Aggiornamenti, 'apri'>;
  log: Logger;
  /** RabbitMQ, for the dead letters of INPS's queues (null: that page says it is not configured). */
  rabbitmqUrl: string | null;
  /** Login throttling rules (default REGOLE_LIMITI). */
  regoleLogin?: RegoleLimiti;
  /** Which istruttorie officers see (services.inpsConsole.ambitoFunzionari). */
  ambitoFunzionari: AmbitoFunzionari;
}

/** The supervisor's pages, reserved as a whole (see Area). */
export const AREE: readonly Area[] = [{ prefisso: '/supervisione/', ruoli: RUOLI_SUPERVISIONE, rifiuto: 'Questa pagina è riservata ai supervisori.' }];

/** Every page and action of the console, and who may use it. A new page is one line here and its handler. */
export function rotteConsole(d: DipendenzeRotte): TabellaRotte {
  const login = gestoriLogin(d);
  const istruttorie = gestoriIstruttorie(d);
  const coda = gestoriCoda(d);
  const pacchetti = gestoriPacchetti(d);
  const scarti = gestoriScarti(d);
  const supervisione = gestoriSupervisione(d);
  const operatori = gestoriOperatori(d);
  return new TabellaRotte(
    [
      { metodo: 'GET', percorso: '/login', pubblica: true, gestore: login.pagina },
      { metodo: 'POST', percorso: '/login', pubblica: true, gestore: login.entra },
      { metodo: 'POST', percorso: '/logout', ruoli: RUOLI, gestore: login.esci },

      { metodo: 'GET', percorso: '/', ruoli: RUOLI, gestore: async () => Risposta.redirect('/istruttorie') },
      { metodo: 'GET', percorso: '/istruttorie', ruoli: RUOLI, gestore: istruttorie.elenco },
      { metodo: 'GET', percorso: '/istruttorie.csv', ruoli: RUOLI, gestore: coda.esporta },
      { metodo: 'POST', percorso: '/istruttorie/filtri', ruoli: RUOLI, gestore: coda.salvaFiltro },
      { metodo: 'POST', percorso: '/istruttorie/filtri/elimina', ruoli: RUOLI, gestore: coda.eliminaFiltro },
      { metodo: 'GET', percorso: '/istruttorie/:id', ruoli: RUOLI, gestore: istruttorie.dettaglio },
      { metodo: 'GET', percorso: '/istruttorie/:id/pacchetti/:pacchetto', ruoli: RUOLI, gestore: pacchetti.storia },
      { metodo: 'POST', percorso: '/istruttorie/:id/pacchetti/:pacchetto/reinvia', ruoli: RUOLI_SUPERVISIONE, gestore: pacchetti.reinvia },
      { metodo: 'POST', percorso: '/istruttorie/:id/pacchetti/:pacchetto/sollecita', ruoli: RUOLI_SUPERVISIONE, gestore: pacchetti.sollecita },
      { metodo: 'GET', percorso: '/cruscotto', ruoli: RUOLI, gestore: gestoreCruscotto(d) },
      {
        metodo: 'GET',
        percorso: '/eventi',
        ruoli: RUOLI,
        flusso: true,
        gestore: async ({ r, res, s }) => {
          d.aggiornamenti.apri(r.req, res, s);
          return null;
        },
      },

      { metodo: 'GET', percorso: '/supervisione/accessi', ruoli: RUOLI_SUPERVISIONE, gestore: supervisione.accessi },
      { metodo: 'GET', percorso: '/supervisione/accessi.csv', ruoli: RUOLI_SUPERVISIONE, gestore: supervisione.esportaAccessi },
      { metodo: 'GET', percorso: '/supervisione/allerte', ruoli: RUOLI_SUPERVISIONE, gestore: supervisione.allerte },
      { metodo: 'POST', percorso: '/supervisione/allerte/:allerta(\\d{1,15})/presa-in-carico', ruoli: RUOLI_SUPERVISIONE, gestore: supervisione.presaInCarico },
      { metodo: 'POST', percorso: '/supervisione/allerte/:allerta(\\d{1,15})/chiudi', ruoli: RUOLI_SUPERVISIONE, gestore: supervisione.chiudiAllerta },
      { metodo: 'GET', percorso: '/supervisione/operatori', ruoli: RUOLI_SUPERVISIONE, gestore: operatori.pagina },
      { metodo: 'GET', percorso: '/supervisione/sospendi', ruoli: RUOLI_SUPERVISIONE, gestore: operatori.confermaSospensione },
      { metodo: 'POST', percorso: '/supervisione/sospendi', ruoli: RUOLI_SUPERVISIONE, gestore: operatori.sospendi },
      { metodo: 'POST', percorso: '/supervisione/riattiva', ruoli: RUOLI_SUPERVISIONE, gestore: operatori.riattiva },
      { metodo: 'GET', percorso: '/supervisione/scarti', ruoli: RUOLI_SUPERVISIONE, gestore: scarti.pagina },
      { metodo: 'POST', percorso: '/supervisione/scarti/riprova', ruoli: RUOLI_SUPERVISIONE, gestore: scarti.riprova },
      { metodo: 'POST', percorso: '/supervisione/account', ruoli: ['admin'], gestore: operatori.creaAccount },
      { metodo: 'POST', percorso: '/supervisione/account/ruolo', ruoli: ['admin'], gestore: operatori.cambiaRuolo },
      { metodo: 'POST', percorso: '/supervisione/account/disattiva', ruoli: ['admin'], gestore: operatori.disattiva },
      { metodo: 'POST', percorso: '/supervisione/account/password', ruoli: ['admin'], gestore: operatori.password },
    ],
    AREE,
  );
}
