import type { Pool } from 'pg';
import type { Riferimenti } from '../../../shared/audit/registri';
import { riattiva, sospendi, type CacheSospensioni } from '../../../shared/audit/sospensioni';
import { sospensioniAttive } from '../../../shared/audit/supervisione';
import type { Clock } from '../../../shared/clock';
import { ApeError } from '../../../shared/errors';
import type { Logger } from '../../../shared/log';
import { operatoriConSospensione } from './dati';
import { etichetta } from './pagine/etichette';
import { paginaConfermaSospensione, paginaOperatori, type RigaOperatore } from './pagine/operatori';
import { Risposta } from './risposta';
import { dopoAzione, messaggioDa } from './supervisione';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';
import { cambiaPassword, cambiaRuolo, creaOperatore, disattiva, type OperatoreConsole } from './utenti';

/**
 * Operators: suspensions with an existence check, a confirmation and a role hierarchy (a supervisor suspends
 * officers and the case systems' operators, never another supervisor or an admin; an admin anyone but themself),
 * and the admins' management of console accounts. Each action traced, each answered with a redirect.
 */

/** Whether `chi` may suspend or reinstate the console account `bersaglio` (not a console account: any supervisor). */
export function puoSospendere(chi: Pick<OperatoreConsole, 'id' | 'ruolo'>, bersaglio: { id: string; ruolo: string } | null): boolean {
  if (bersaglio?.id === chi.id) return false;
  if (chi.ruolo === 'admin') return true;
  return chi.ruolo === 'supervisor' && (bersaglio === null || bersaglio.ruolo === 'officer');
}

export function gestoriOperatori(d: { pool: Pool; clock: Clock; sospensioni: Pick<CacheSospensioni, 'refresh'>; traccia: Traccia; log: Logger }) {
  const pagina = async (c: ChiamataOperatore, esito: { messaggio: string | null; errore: string | null }, status = 200, inviato?: URLSearchParams): Promise<Risposta> => {
    const [account, attive] = await Promise.all([operatoriConSospensione(d.pool), sospensioniAttive(d.pool)]);
    const altre = attive.filter((x) => x.tipo === 'OPERATORE' && !account.some((o) => o.id === x.soggetto));
    return Risposta.pagina(paginaOperatori(c.contesto(), account, altre, (o: RigaOperatore) => puoSospendere(c.s.operatore, o), esito, inviato), status);
  };

  /** The operator to suspend: a console account, or an operator of the case systems already in the access log. */
  const trova = async (id: string): Promise<{ account: { id: string; ruolo: string; nome: string; ufficio: string } | null; noto: boolean; ufficio: string | null }> => {
    const a = await d.pool.query<{ id: string; ruolo: string; nome: string; ufficio: string }>('SELECT id, ruolo, nome, ufficio FROM operatore_console WHERE id = $1', [id]);
    if (a.rows[0]) return { account: a.rows[0], noto: true, ufficio: a.rows[0].ufficio };
    const s = await d.pool.query<{ operatore_ufficio: string | null }>(`SELECT operatore_ufficio FROM registro_accessi WHERE operatore_id = $1 AND canale = 'SOAP' ORDER BY registrato_il DESC LIMIT 1`, [id]);
    return { account: null, noto: s.rows.length > 0, ufficio: s.rows[0]?.operatore_ufficio ?? null };
  };

  const rifiuto = async (c: ChiamataOperatore, operazione: string, soggetto: string, codice: string, errore: string): Promise<Risposta> => {
    await d.traccia(c.r, c.s, operazione, 'RIFIUTATA', { riferimenti: { operatore: soggetto } as Riferimenti, codiceErrore: codice });
    // The refused suspension or new account comes back as it was typed (a GET's query or a POST's fields).
    const inviato = ['console:sospendi', 'console:crea-account'].includes(operazione) ? (c.r.req.method === 'POST' ? c.modulo : c.r.url.searchParams) : undefined;
    return pagina(c, { messaggio: null, errore }, codice === 'RUOLO_NON_AUTORIZZATO' ? 403 : 400, inviato);
  };

  /** Checks who may be suspended or reinstated by this operator; null when allowed, otherwise the refusal. */
  const controlla = async (c: ChiamataOperatore, operazione: string, op: string): Promise<{ rifiuto: Risposta } | { descrizione: string }> => {
    if (op === '' || op.length > 64) return { rifiuto: await rifiuto(c, operazione, op, 'DATI_INCOERENTI', 'Indicare l’identificativo di un operatore.') };
    if (op === c.s.operatore.id) return { rifiuto: await rifiuto(c, operazione, op, 'DATI_INCOERENTI', 'Non è possibile sospendere o riattivare se stessi.') };
    const t = await trova(op);
    if (!t.noto) return { rifiuto: await rifiuto(c, operazione, op, 'OPERATORE_SCONOSCIUTO', `Nessun operatore ${op}: né un account della console né un operatore dei sistemi istruttori presente nel registro degli accessi.`) };
    if (!puoSospendere(c.s.operatore, t.account)) return { rifiuto: await rifiuto(c, operazione, op, 'RUOLO_NON_AUTORIZZATO', `Il suo ruolo non consente di sospendere o riattivare un ${etichetta(t.account?.ruolo).toLowerCase()}.`) };
    const descrizione = t.account ? `${t.account.nome}, ${etichetta(t.account.ruolo).toLowerCase()}, ${t.account.ufficio}` : `operatore dei sistemi istruttori${t.ufficio ? `, ${t.ufficio}` : ''}`;
    return { descrizione };
  };

  const esegui = async (c: ChiamataOperatore, operazione: string, op: string, fn: () => Promise<void>, fatto: string, pagina_ = '/supervisione/operatori'): Promise<Risposta> => {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof ApeError && err.code === 'DATI_INCOERENTI')) throw err;
      return rifiuto(c, operazione, op, err.code, err.message);
    }
    await d.traccia(c.r, c.s, operazione, 'ACCETTATA', { riferimenti: { operatore: op } as Riferimenti });
    d.log.info({ operazione, supervisore: c.s.operatore.id, operatore: op, requestId: c.r.requestId }, 'supervisor action');
    return dopoAzione(pagina_, fatto, op);
  };

  return {
    pagina: (c: ChiamataOperatore): Promise<Risposta> => pagina(c, { messaggio: messaggioDa(c.r.url.searchParams), errore: null }),

    /** GET: the confirmation page of a suspension (nothing changes yet). */
    confermaSospensione: async (c: ChiamataOperatore): Promise<Risposta> => {
      const p = c.r.url.searchParams;
      const op = (p.get('operatore') ?? '').trim();
      const ok = await controlla(c, 'console:sospendi', op);
      if ('rifiuto' in ok) return ok.rifiuto;
      return Risposta.pagina(paginaConfermaSospensione(c.contesto(), { id: op, descrizione: ok.descrizione, motivo: (p.get('motivo') ?? '').slice(0, 500) }));
    },

    sospendi: async (c: ChiamataOperatore): Promise<Risposta> => {
      const op = (c.modulo.get('operatore') ?? '').trim();
      const ok = await controlla(c, 'console:sospendi', op);
      if ('rifiuto' in ok) return ok.rifiuto;
      if (c.modulo.get('conferma') !== '1') return rifiuto(c, 'console:sospendi', op, 'DATI_INCOERENTI', 'La sospensione va confermata.');
      return esegui(c, 'console:sospendi', op, async () => {
        await sospendi(d.pool, { tipo: 'OPERATORE', soggetto: op, motivo: c.modulo.get('motivo') ?? '', autore: c.s.operatore.id }, d.clock.now());
        // Effective at once in this process (the NOTIFY reaches the other services).
        await d.sospensioni.refresh();
      }, 'sospeso');
    },

    riattiva: async (c: ChiamataOperatore): Promise<Risposta> => {
      const op = (c.modulo.get('operatore') ?? '').trim();
      const ok = await controlla(c, 'console:riattiva', op);
      if ('rifiuto' in ok) return ok.rifiuto;
      return esegui(c, 'console:riattiva', op, async () => {
        await riattiva(d.pool, { tipo: 'OPERATORE', soggetto: op, autore: c.s.operatore.id }, d.clock.now());
        await d.sospensioni.refresh();
      }, 'riattivato');
    },

    creaAccount: async (c: ChiamataOperatore): Promise<Risposta> => {
      const m = c.modulo;
      const id = (m.get('id') ?? '').trim();
      return esegui(c, 'console:crea-account', id, () => creaOperatore(d.pool, { id, nome: m.get('nome') ?? '', ufficio: m.get('ufficio') ?? '', ruolo: m.get('ruolo') ?? '', password: m.get('password') ?? '' }, d.clock.now()), 'creato');
    },

    cambiaRuolo: async (c: ChiamataOperatore): Promise<Risposta> => {
      const id = (c.modulo.get('operatore') ?? '').trim();
      if (id === c.s.operatore.id) return rifiuto(c, 'console:ruolo-account', id, 'DATI_INCOERENTI', 'Non è possibile cambiare il proprio ruolo.');
      return esegui(c, 'console:ruolo-account', id, () => cambiaRuolo(d.pool, id, c.modulo.get('ruolo') ?? '', d.clock.now()), 'ruolo');
    },

    /** A new password set by an admin: it also ends the account's sessions (utenti.ts cambiaPassword). */
    password: async (c: ChiamataOperatore): Promise<Risposta> => {
      const id = (c.modulo.get('operatore') ?? '').trim();
      if (id === c.s.operatore.id) return rifiuto(c, 'console:password-account', id, 'DATI_INCOERENTI', 'La propria password si cambia con la riga di comando.');
      return esegui(c, 'console:password-account', id, () => cambiaPassword(d.pool, id, c.modulo.get('password') ?? '', d.clock.now()), 'password');
    },

    disattiva: async (c: ChiamataOperatore): Promise<Risposta> => {
      const id = (c.modulo.get('operatore') ?? '').trim();
      if (id === c.s.operatore.id) return rifiuto(c, 'console:disattiva-account', id, 'DATI_INCOERENTI', 'Non è possibile disattivare il proprio account.');
      return esegui(c, 'console:disattiva-account', id, () => disattiva(d.pool, id, d.clock.now()), 'disattivato');
    },
  };
}
