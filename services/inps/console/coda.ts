import type { Pool } from 'pg';
import type { Riferimenti } from '../../../shared/audit/registri';
import type { Clock } from '../../../shared/clock';
import { csv, inviaCsv } from './csv';
import { elencoIstruttorie, type RigaElenco } from './dati';
import { FiltroNonValido, leggiFiltro, queryDi, type FiltroIstruttorie } from './filtri';
import { paginaErrore } from './pagine/layout';
import { Risposta } from './risposta';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';
import { sedeVisibile, type AmbitoFunzionari } from './utenti';

/**
 * Queue tools of the istruttorie list: the CSV export of a filtered list (streamed; the export is an access record
 * with the officer's id, the filter and, for a citizen searched, its pseudonym only), and named filters saved per
 * officer (migration inps/006).
 */
const COLONNE = ['protocollo', 'codice_fiscale', 'tipo', 'aperta_il', 'stato', 'in_attesa_di', 'prossima_scadenza', 'esito', 'regola_chiusura', 'finestra_entro', 'graduatoria_entro', 'riesame_richiesto', 'id_istruttoria'];
const riga = (r: RigaElenco) => [
  r.protocollo, r.codice_fiscale, r.tipo, r.aperta_il, r.stato, r.in_attesa.join(' '), r.prossima, r.stato === 'CHIUSA' ? r.esito_verifica : '', r.regola_chiusura,
  r.finestra_chiusura, r.finestra_graduatoria, r.riesame_il ? 'sì' : '', r.id,
];

const CF = /^[A-Z0-9]{16}$/i;

export async function filtriSalvati(pool: Pool, operatoreId: string): Promise<Array<{ nome: string; query: string }>> {
  const { rows } = await pool.query<{ nome: string; query: string }>('SELECT nome, query FROM filtro_salvato WHERE operatore_id = $1 ORDER BY nome', [operatoreId]);
  return rows;
}

export function gestoriCoda(d: { pool: Pool; clock: Clock; traccia: Traccia; ambitoFunzionari: AmbitoFunzionari }) {
  return {
    esporta: async (c: ChiamataOperatore): Promise<Risposta | null> => {
      let f: FiltroIstruttorie;
      try {
        f = leggiFiltro(c.r.url.searchParams);
      } catch (err) {
        if (!(err instanceof FiltroNonValido)) throw err;
        return Risposta.pagina(paginaErrore(c.contesto(), 'Esportazione non riuscita', `Filtro non valido: ${err.message}.`), 400);
      }
      const { dopo: _dopo, prima: _prima, pagina: _pagina, ...filtro } = f;
      const sede = sedeVisibile(c.s.operatore, d.ambitoFunzionari);
      const cf = filtro.cerca && CF.test(filtro.cerca) ? filtro.cerca.toUpperCase() : undefined;
      await d.traccia(c.r, c.s, 'console:esporta-elenco', 'ACCETTATA', { riferimenti: { filtro: queryDi({ ...filtro, ...(cf && { cerca: undefined }) }) } as Riferimenti, ...(cf && { codiceFiscale: cf }) });
      await inviaCsv(c.res, 'istruttorie.csv', csv(COLONNE), async (scrivi) => {
        let pagina: FiltroIstruttorie = { ...filtro, ...(sede !== undefined && { sede }) };
        for (;;) {
          const p = await elencoIstruttorie(d.pool, pagina, d.clock.now(), 500);
          for (const r of p.righe) await scrivi(csv(riga(r)));
          const ultima = p.righe[p.righe.length - 1];
          if (!p.successiva || !ultima) return;
          pagina = { ...pagina, dopo: { chiave: ultima.chiave.toISOString(), id: ultima.id } };
        }
      });
      return null;
    },

    salvaFiltro: async (c: ChiamataOperatore): Promise<Risposta> => {
      const nome = (c.modulo.get('nome') ?? '').trim();
      const query = c.modulo.get('query') ?? '';
      let f: FiltroIstruttorie;
      try {
        f = leggiFiltro(new URLSearchParams(query));
        if (nome.length < 1 || nome.length > 80) throw new FiltroNonValido('il nome del filtro deve avere da 1 a 80 caratteri');
      } catch (err) {
        if (!(err instanceof FiltroNonValido)) throw err;
        return Risposta.pagina(paginaErrore(c.contesto(), 'Filtro non salvato', `${err.message}.`), 400);
      }
      const { dopo: _dopo, prima: _prima, pagina: _pagina, ...filtro } = f;
      const pulita = queryDi(filtro);
      await d.pool.query(
        'INSERT INTO filtro_salvato (operatore_id, nome, query, creato_il) VALUES ($1, $2, $3, $4) ON CONFLICT (operatore_id, nome) DO UPDATE SET query = EXCLUDED.query, creato_il = EXCLUDED.creato_il',
        [c.s.operatore.id, nome, pulita, d.clock.now()],
      );
      return Risposta.redirect(`/istruttorie?${pulita}`);
    },

    eliminaFiltro: async (c: ChiamataOperatore): Promise<Risposta> => {
      await d.pool.query('DELETE FROM filtro_salvato WHERE operatore_id = $1 AND nome = $2', [c.s.operatore.id, c.modulo.get('nome') ?? '']);
      return Risposta.redirect('/istruttorie');
    },
  };
}
