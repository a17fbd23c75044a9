import { CATEGORIE } from '../../../../shared/domain/types';
import type { PaginaElenco, RigaElenco } from '../dati';
import { ATTESE, ESITI_FILTRO, queryDi, REGOLE, STATI, TIPI, type FiltroIstruttorie } from '../filtri';
import { html, type Html } from '../html';
import { dataOra, dataScadenza, tempoResiduo } from '../tempo';
import { ente, etichetta, quanti } from './etichette';
import { layout, type Contesto } from './layout';
import { esitoMostrato, testoFinestra } from './sintesi';

/**
 * The istruttorie list: filters (kept as typed, even when refused), the total, the results (a table at desk width,
 * cards on a phone), pages before and after, the deadline order.
 */

function select(nome: string, etichettaCampo: string, valori: readonly string[], scelto: string, nomeValore: (v: string) => string = etichetta): Html {
  return html`<p><label for="f-${nome}">${etichettaCampo}</label>
<select id="f-${nome}" name="${nome}"><option value="">Tutti</option>${valori.map((v) => html`<option value="${v}"${v === scelto ? html` selected` : ''}>${nomeValore(v)}</option>`)}</select></p>`;
}

function scadenza(r: RigaElenco, now: Date): Html {
  if (!r.prossima) return html`—`;
  const t = tempoResiduo(r.prossima, now);
  return html`${dataScadenza(r.prossima)}<br><small class="${t.superata ? 'avviso' : ''}">${t.superata ? html`<span class="marcato">Scaduta</span>: ${t.testo}` : t.testo}</small>`;
}

function riga(r: RigaElenco, now: Date): Html {
  const esito = esitoMostrato(r.stato, r.esito_verifica);
  return html`<tr data-istruttoria="${r.id}"><th scope="row" data-etichetta="Protocollo"><a href="/istruttorie/${r.id}">${r.protocollo}</a></th>
<td class="cf" data-etichetta="Codice fiscale">${r.codice_fiscale}</td><td data-etichetta="Tipo">${etichetta(r.tipo)}</td><td data-etichetta="Aperta il">${dataOra(r.aperta_il)}</td>
<td data-etichetta="Stato"><span class="stato stato-${r.stato.toLowerCase()}">${etichetta(r.stato)}</span>${r.riesame_il ? html` <span class="avviso">riesame richiesto</span>` : ''}</td>
<td data-etichetta="In attesa di" class="attesa">${r.in_attesa.map((e) => ente(e)).join(', ') || '—'}</td>
<td data-etichetta="Prossima scadenza" class="scadenza">${scadenza(r, now)}</td>
<td data-etichetta="Esito">${esito.definitivo ? esito.testo : html`<em>${esito.testo}</em>`}${r.regola_chiusura ? html`<br><small>${etichetta(r.regola_chiusura)}</small>` : ''}</td>
<td data-etichetta="Graduatoria" class="finestra"><small>${testoFinestra({ chiusura: r.finestra_chiusura, graduatoria: r.finestra_graduatoria })}</small></td></tr>`;
}

function strumenti(ctx: Contesto, f: FiltroIstruttorie, salvati: Array<{ nome: string; query: string }>): Html {
  const { dopo: _d, prima: _p, pagina: _n, sede: _s, ...filtro } = f;
  const q = queryDi(filtro);
  return html`<section aria-labelledby="t-strumenti" class="strumenti"><h2 id="t-strumenti" class="visivamente-nascosto">Filtri salvati ed esportazione</h2>
${salvati.length > 0
  ? html`<p>Filtri salvati:</p><ul class="filtri-salvati">${salvati.map((x) => html`<li><a href="/istruttorie?${x.query}">${x.nome}</a>
<form method="post" action="/istruttorie/filtri/elimina" class="in-linea"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="nome" value="${x.nome}"><button type="submit" class="secondario">Elimina<span class="visivamente-nascosto"> il filtro ${x.nome}</span></button></form></li>`)}</ul>`
  : ''}
<form method="post" action="/istruttorie/filtri" class="in-linea"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="query" value="${q}">
<label for="nome-filtro">Salva questo filtro come</label> <input id="nome-filtro" name="nome" required maxlength="80"> <button type="submit">Salva il filtro</button></form>
<p><a href="/istruttorie.csv?${q}" download>Esporta in CSV l'elenco filtrato</a> (l'esportazione è registrata come accesso)</p>
</section>`;
}

export function paginaElenco(ctx: Contesto, grezzo: URLSearchParams, f: FiltroIstruttorie, p: PaginaElenco | null, errore: string | null, salvati: Array<{ nome: string; query: string }> = []): Html {
  const g = (k: string) => grezzo.get(k) ?? '';
  const numero = f.pagina ?? 1;
  const prima = p?.righe[0];
  const ultima = p?.righe[p.righe.length - 1];
  const cursore = (r: RigaElenco) => ({ chiave: r.chiave.toISOString(), id: r.id });
  const ordinaPerScadenza = f.ordine === 'scadenza';
  const corpo = html`<form method="get" action="/istruttorie" class="filtri" role="search" aria-label="Cerca e filtra le istruttorie">
  <p class="cerca"><label for="f-cerca">Cerca (codice fiscale, protocollo della domanda, id istruttoria, id pacchetto, correlation id)</label>
  <input id="f-cerca" name="cerca" value="${g('cerca')}" maxlength="200"></p>
  <fieldset><legend>Filtri</legend>
  ${select('stato', 'Stato', STATI, g('stato'))}
  ${select('tipo', 'Tipo di domanda', TIPI, g('tipo'))}
  ${select('categoria', 'Categoria (mansione gravosa)', CATEGORIE, g('categoria'))}
  ${select('attesa', 'In attesa di', ATTESE, g('attesa'))}
  ${select('esito', 'Esito (istruttorie chiuse)', ESITI_FILTRO, g('esito'))}
  ${select('regola', 'Regola di chiusura', REGOLE, g('regola'))}
  <p><label for="f-dal">Aperta dal</label><input id="f-dal" name="dal" type="date" value="${g('dal')}"></p>
  <p><label for="f-al">Aperta fino al</label><input id="f-al" name="al" type="date" value="${g('al')}"></p>
  <p class="spunta"><input id="f-scadute" name="scadute" type="checkbox" value="1"${g('scadute') === '1' ? html` checked` : ''}><label for="f-scadute">Solo con scadenze superate</label></p>
  <p class="spunta"><input id="f-riesame" name="riesame" type="checkbox" value="1"${g('riesame') === '1' ? html` checked` : ''}><label for="f-riesame">Solo con riesame richiesto</label></p>
  ${ordinaPerScadenza ? html`<input type="hidden" name="ordine" value="scadenza">` : ''}
  </fieldset>
  <p><button type="submit">Cerca</button> <a href="/istruttorie">Azzera i filtri</a></p>
</form>
${errore ? '' : strumenti(ctx, f, salvati)}
${errore ? html`<p class="errore" role="alert" id="errore-filtro">Filtro non valido: ${errore}. Correggere il campo e cercare di nuovo.</p>` : ''}
<section id="risultati" aria-labelledby="titolo-risultati" data-aggiorna>
<h2 id="titolo-risultati">${p ? html`Risultati: ${quanti(p.totale, 'istruttoria', 'istruttorie')}${numero > 1 ? ` — pagina ${numero}` : ''}` : 'Risultati'}</h2>
${!p
  ? ''
  : p.righe.length === 0
    ? html`<p>Nessuna istruttoria corrisponde ai criteri.</p>`
    : html`<p class="ordine">${ordinaPerScadenza
        ? html`Istruttorie aperte, dalla scadenza più vicina. <a href="/istruttorie?${queryDi({ ...f, ordine: undefined })}">Ordina per data di apertura</a>`
        : html`Dalla più recente. <a href="/istruttorie?${queryDi({ ...f, ordine: 'scadenza' })}">Ordina per prossima scadenza</a>`}</p>
<div class="scorre"><table class="elenco schede">
<caption class="visivamente-nascosto">Istruttorie${ordinaPerScadenza ? ', dalla scadenza più vicina' : ', dalla più recente'}</caption>
<thead><tr><th scope="col">Protocollo domanda</th><th scope="col">Codice fiscale</th><th scope="col">Tipo</th><th scope="col">Aperta il</th><th scope="col">Stato</th><th scope="col">In attesa di</th>
<th scope="col"${ordinaPerScadenza ? html` aria-sort="ascending"` : ''}><a href="/istruttorie?${queryDi({ ...f, ordine: ordinaPerScadenza ? undefined : 'scadenza' })}">Prossima scadenza</a></th><th scope="col">Esito</th><th scope="col">Graduatoria</th></tr></thead>
<tbody>${p.righe.map((r) => riga(r, ctx.now))}</tbody></table></div>`}
${p
  ? html`<nav aria-label="Pagine"><ul class="pagine">
${p.precedente && prima ? html`<li><a href="/istruttorie?${queryDi(f, { verso: 'prima', cursore: cursore(prima), numero: numero - 1 })}" rel="prev">Pagina precedente</a></li>` : ''}
${p.precedente ? html`<li><a href="/istruttorie?${queryDi(f)}">Prima pagina</a></li>` : ''}
${p.successiva && ultima ? html`<li><a href="/istruttorie?${queryDi(f, { verso: 'dopo', cursore: cursore(ultima), numero: numero + 1 })}" rel="next">Pagina successiva</a></li>` : ''}
</ul></nav>`
  : ''}
</section>`;
  return layout('Istruttorie', corpo, ctx, { live: 'elenco' });
}
