import type { ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import type { Registri, Riferimenti } from '../../../shared/audit/registri';
import { cercaAccessi, chiudiAllerta, elencoAllerte, prendiInCarico, type Accesso, type FiltroAccessi } from '../../../shared/audit/supervisione';
import type { Clock } from '../../../shared/clock';
import { inizioGiornoRoma } from '../../../shared/domain/scadenze';
import { ApeError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import { csv, inviaCsv } from './csv';
import { FiltroNonValido } from './filtri';
import { paginaAllerte } from './pagine/allerte';
import { ACCESSI_PER_PAGINA, paginaAccessi, type CriteriAccessi } from './pagine/supervisione';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';

/**
 * The supervisor's access log (search, pages, CSV export) and alerts (take in charge, close with a note). Every
 * action answers with a redirect to its page (post/redirect/get: a reload never acts twice), and is traced.
 */
export const MESSAGGI_ESITO: Record<string, (soggetto: string) => string> = {
  'presa-in-carico': (x) => `Allerta ${x} presa in carico.`,
  chiusa: (x) => `Allerta ${x} chiusa.`,
  sospeso: (x) => `Operatore ${x} sospeso.`,
  riattivato: (x) => `Operatore ${x} riattivato.`,
  creato: (x) => `Account ${x} creato.`,
  ruolo: (x) => `Ruolo di ${x} aggiornato.`,
  disattivato: (x) => `Account ${x} disattivato.`,
  password: (x) => `Nuova password impostata per ${x}; le sue sessioni aperte sono chiuse.`,
  riprovati: (x) => (x === '1' ? '1 messaggio rimesso in lavoro.' : `${x} messaggi rimessi in lavoro.`),
};

/** The message of the action a redirect reports (`?fatto=codice&soggetto=id`). */
export function messaggioDa(q: URLSearchParams): string | null {
  const m = MESSAGGI_ESITO[q.get('fatto') ?? ''];
  return m ? m((q.get('soggetto') ?? '').slice(0, 64)) : null;
}

export function dopoAzione(pagina: string, fatto: string, soggetto: string): Risposta {
  return Risposta.redirect(`${pagina}?${new URLSearchParams({ fatto, soggetto }).toString()}`);
}

function criteri(p: URLSearchParams): CriteriAccessi {
  const t = (k: string) => (p.get(k) ?? '').trim();
  return { operatore: t('operatore'), cf: t('cf').toUpperCase(), parte: t('parte').toUpperCase(), indirizzo: t('indirizzo'), dal: t('dal'), al: t('al') };
}

function giorno(v: string): Date | undefined {
  if (v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !DateTime.fromISO(v).isValid) throw new FiltroNonValido(`data non valida: ${v}`);
  return inizioGiornoRoma(v);
}

const COLONNE_CSV = ['registrato_il', 'canale', 'servizio', 'operazione', 'identita', 'operatore_id', 'operatore_ufficio', 'indirizzo_ip', 'esito', 'codice_errore', 'id_istruttoria', 'protocollo'];
const rigaCsv = (a: Accesso) => [a.registratoIl.toISOString(), a.canale, a.servizio, a.operazione, a.identita, a.operatoreId, a.operatoreUfficio, a.indirizzoIp, a.esito, a.codiceErrore, a.riferimenti.idIstruttoria, a.riferimenti.protocollo];

export function gestoriSupervisione(d: { pool: Pool; clock: Clock; registri: Pick<Registri, 'pseudonimo'>; traccia: Traccia; log: Logger }) {
  const filtro = (q: CriteriAccessi): FiltroAccessi => {
    const dal = giorno(q.dal);
    const al = giorno(q.al);
    return {
      ...(q.operatore && { operatore: q.operatore }),
      ...(q.cf && { interessato: d.registri.pseudonimo(q.cf) }),
      ...(q.parte && { identita: q.parte }),
      ...(q.indirizzo && { indirizzo: q.indirizzo }),
      ...(dal && { dal }),
      ...(al && { al: new Date(al.getTime() + 86_400_000) }),
    };
  };
  const traccia = (c: ChiamataOperatore, operazione: string, q: CriteriAccessi, esito: 'ACCETTATA' | 'RIFIUTATA' = 'ACCETTATA') =>
    d.traccia(c.r, c.s, operazione, esito, { riferimenti: { ...(q.operatore && { operatore: q.operatore }), ...(q.parte && { parte: q.parte }) } as Riferimenti, ...(q.cf && { codiceFiscale: q.cf }) });

  const azioneAllerta = (operazione: string, fatto: string, fn: (id: number, c: ChiamataOperatore) => Promise<void>) => async (c: ChiamataOperatore): Promise<Risposta> => {
    const id = c.parametri.allerta ?? '';
    try {
      await fn(Number(id), c);
    } catch (err) {
      if (!(err instanceof ApeError && err.code === 'DATI_INCOERENTI')) throw err;
      await d.traccia(c.r, c.s, operazione, 'RIFIUTATA', { riferimenti: { allerta: id } as Riferimenti, codiceErrore: err.code });
      const lista = await elencoAllerte(d.pool, false);
      return Risposta.pagina(paginaAllerte(c.contesto(), lista, false, { messaggio: null, errore: err.message }), 400);
    }
    await d.traccia(c.r, c.s, operazione, 'ACCETTATA', { riferimenti: { allerta: id } as Riferimenti });
    return dopoAzione('/supervisione/allerte', fatto, id);
  };

  return {
    accessi: async (c: ChiamataOperatore): Promise<Risposta> => {
      const p = c.r.url.searchParams;
      const q = criteri(p);
      if (!q.operatore && !q.cf && !q.parte && !q.indirizzo && !q.dal) return Risposta.pagina(paginaAccessi(c.contesto(), q, null, null));
      const pagina = Math.max(1, Math.min(100_000, Number.parseInt(p.get('pagina') ?? '1', 10) || 1));
      try {
        const risultato = await cercaAccessi(d.pool, { ...filtro(q), limite: ACCESSI_PER_PAGINA, offset: (pagina - 1) * ACCESSI_PER_PAGINA });
        await traccia(c, 'console:supervisione-accessi', q);
        return Risposta.pagina(paginaAccessi(c.contesto(), q, { ...risultato, pagina }, null));
      } catch (err) {
        if (err instanceof FiltroNonValido || (err instanceof ApeError && err.code === 'DATI_INCOERENTI')) return Risposta.pagina(paginaAccessi(c.contesto(), q, null, err.message), 400);
        throw err;
      }
    },

    /** Every access found, as CSV, streamed page by page; the export is itself an access record. */
    esportaAccessi: async (c: ChiamataOperatore & { res: ServerResponse }): Promise<Risposta | null> => {
      const q = criteri(c.r.url.searchParams);
      let f: FiltroAccessi;
      try {
        f = filtro(q);
        if (Object.keys(f).length === 0) throw new FiltroNonValido('indicare almeno un criterio');
      } catch (err) {
        if (err instanceof FiltroNonValido) return Risposta.pagina(paginaAccessi(c.contesto(), q, null, err.message), 400);
        throw err;
      }
      await traccia(c, 'console:esporta-accessi', q);
      await inviaCsv(c.res, 'registro-accessi.csv', csv(COLONNE_CSV), async (scrivi) => {
        // Keyset pages (seq before the last one written): the export costs the same at its end as at its start.
        for (let primaDi: number | undefined; ; ) {
          const { accessi } = await cercaAccessi(d.pool, { ...f, limite: 1000, senzaTotale: true, ...(primaDi !== undefined && { primaDi }) });
          for (const a of accessi) await scrivi(csv(rigaCsv(a)));
          if (accessi.length < 1000) return;
          primaDi = accessi[accessi.length - 1]!.seq;
        }
      });
      return null;
    },

    allerte: async (c: ChiamataOperatore): Promise<Risposta> => {
      const tutte = c.r.url.searchParams.get('tutte') === '1';
      const lista = await elencoAllerte(d.pool, tutte);
      await d.traccia(c.r, c.s, 'console:supervisione-allerte', 'ACCETTATA');
      return Risposta.pagina(paginaAllerte(c.contesto(), lista, tutte, { messaggio: messaggioDa(c.r.url.searchParams), errore: null }));
    },

    presaInCarico: azioneAllerta('console:presa-in-carico', 'presa-in-carico', (id, c) => prendiInCarico(d.pool, id, c.s.operatore.id, d.clock.now())),

    chiudiAllerta: azioneAllerta('console:chiudi-allerta', 'chiusa', (id, c) => chiudiAllerta(d.pool, id, c.s.operatore.id, c.modulo.get('nota') ?? '', d.clock.now())),
  };
}
