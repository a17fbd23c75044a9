import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import type { Registri, Riferimenti } from '../../../shared/audit/registri';
import { riattiva, sospendi, type CacheSospensioni } from '../../../shared/audit/sospensioni';
import { cercaAccessi, elencoAllerte, prendiInCarico, sospensioniAttive } from '../../../shared/audit/supervisione';
import type { Clock } from '../../../shared/clock';
import { inizioGiornoRoma } from '../../../shared/domain/scadenze';
import { ApeError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import { operatoriConSospensione } from './dati';
import { FiltroNonValido } from './filtri';
import { paginaAccessi, paginaAllerte, paginaOperatori } from './pagine/supervisione';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';

/**
 * The supervisor's pages (access log search, alerts, operators) and actions (take an alert in charge, suspend or
 * reinstate an operator). Who may use them is the route table's concern (rotte.ts).
 */
export function gestoriSupervisione(d: {
  pool: Pool;
  clock: Clock;
  registri: Pick<Registri, 'pseudonimo'>;
  sospensioni: Pick<CacheSospensioni, 'refresh'>;
  traccia: Traccia;
  log: Logger;
}) {
  const allerte = async ({ r, s, contesto }: ChiamataOperatore, messaggio: string | null = null): Promise<Risposta> => {
    const lista = await elencoAllerte(d.pool, r.url.searchParams.get('tutte') === '1');
    await d.traccia(r, s, 'console:supervisione-allerte', 'ACCETTATA');
    return Risposta.pagina(paginaAllerte(contesto(), lista, messaggio));
  };

  const operatori = async ({ contesto }: ChiamataOperatore, messaggio: string | null = null, errore: string | null = null): Promise<Risposta> => {
    const [account, attive] = await Promise.all([operatoriConSospensione(d.pool), sospensioniAttive(d.pool)]);
    const altre = attive.filter((x) => x.tipo === 'OPERATORE' && !account.some((o) => o.id === x.soggetto));
    return Risposta.pagina(paginaOperatori(contesto(), account, altre, messaggio, errore), errore ? 400 : 200);
  };

  /** A supervisor's action: done, audited, and the page shown again with the outcome. */
  const azione = async (
    { r, s }: ChiamataOperatore,
    operazione: string,
    riferimenti: Record<string, string>,
    fn: () => Promise<void>,
    dopo: (msg: string | null, err: string | null) => Promise<Risposta>,
    fatto: string,
  ): Promise<Risposta> => {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof ApeError && err.code === 'DATI_INCOERENTI')) throw err;
      await d.traccia(r, s, operazione, 'RIFIUTATA', { riferimenti: riferimenti as Riferimenti, codiceErrore: err.code });
      return dopo(null, err.message);
    }
    await d.traccia(r, s, operazione, 'ACCETTATA', { riferimenti: riferimenti as Riferimenti });
    d.log.info({ operazione, supervisore: s.operatore.id, ...riferimenti, requestId: r.requestId }, 'supervisor action');
    return dopo(fatto, null);
  };

  /** Suspends or reinstates the operator named in the form (never oneself). */
  const sospensioneOperatore = (sospendere: boolean) => async (c: ChiamataOperatore): Promise<Risposta> => {
    const { s, modulo } = c;
    const op = (modulo.get('operatore') ?? '').trim();
    if (op === '' || op === s.operatore.id || op.length > 64) return operatori(c, null, 'Indicare un altro operatore.');
    return azione(
      c, sospendere ? 'console:sospendi' : 'console:riattiva', { operatore: op },
      async () => {
        if (sospendere) await sospendi(d.pool, { tipo: 'OPERATORE', soggetto: op, motivo: modulo.get('motivo') ?? '', autore: s.operatore.id }, d.clock.now());
        else await riattiva(d.pool, { tipo: 'OPERATORE', soggetto: op, autore: s.operatore.id }, d.clock.now());
        // Effective at once in this process (the NOTIFY reaches the other services).
        await d.sospensioni.refresh();
      },
      (msg, err) => operatori(c, msg, err),
      sospendere ? `Operatore ${op} sospeso.` : `Operatore ${op} riattivato.`,
    );
  };

  return {
    accessi: async ({ r, s, contesto }: ChiamataOperatore): Promise<Risposta> => {
      const p = r.url.searchParams;
      const q = { operatore: (p.get('operatore') ?? '').trim(), cf: (p.get('cf') ?? '').trim().toUpperCase(), parte: (p.get('parte') ?? '').trim().toUpperCase(), dal: p.get('dal') ?? '', al: p.get('al') ?? '' };
      if (!q.operatore && !q.cf && !q.parte && !q.dal) return Risposta.pagina(paginaAccessi(contesto(), q, null, null));
      const giorno = (v: string) => {
        if (v === '') return undefined;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !DateTime.fromISO(v).isValid) throw new FiltroNonValido(`data non valida: ${v}`);
        return inizioGiornoRoma(v);
      };
      try {
        const dal = giorno(q.dal);
        const al = giorno(q.al);
        const risultato = await cercaAccessi(d.pool, {
          ...(q.operatore && { operatore: q.operatore }),
          ...(q.cf && { interessato: d.registri.pseudonimo(q.cf) }),
          ...(q.parte && { identita: q.parte }),
          ...(dal && { dal }),
          ...(al && { al: new Date(al.getTime() + 86_400_000) }),
          limite: 200,
        });
        await d.traccia(r, s, 'console:supervisione-accessi', 'ACCETTATA', { riferimenti: { ...(q.operatore && { operatore: q.operatore }), ...(q.parte && { parte: q.parte }) } as Riferimenti, ...(q.cf && { codiceFiscale: q.cf }) });
        return Risposta.pagina(paginaAccessi(contesto(), q, risultato, null));
      } catch (err) {
        if (err instanceof FiltroNonValido || (err instanceof ApeError && err.code === 'DATI_INCOERENTI')) return Risposta.pagina(paginaAccessi(contesto(), q, null, err.message), 400);
        throw err;
      }
    },

    allerte: (c: ChiamataOperatore): Promise<Risposta> => allerte(c),

    operatori: (c: ChiamataOperatore): Promise<Risposta> => operatori(c),

    presaInCarico: async (c: ChiamataOperatore): Promise<Risposta> => {
      const id = c.parametri.allerta ?? '';
      return azione(c, 'console:presa-in-carico', { allerta: id }, () => prendiInCarico(d.pool, Number(id), c.s.operatore.id, d.clock.now()), (msg, err) => allerte(c, msg ?? err), `Allerta ${id} presa in carico.`);
    },

    sospendi: sospensioneOperatore(true),

    riattiva: sospensioneOperatore(false),
  };
}
