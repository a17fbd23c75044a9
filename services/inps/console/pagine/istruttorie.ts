import { CATEGORIE, ENTI_VERIFICATORI } from '../../../../shared/domain/types';
import type { VistaIstruttoria } from '../../../../shared/messages/istruttoria';
import type { RigaElenco } from '../dati';
import { queryDi, REGOLE, STATI, TIPI, type FiltroIstruttorie } from '../filtri';
import { html, type Html } from '../html';
import { dataOra, tempoResiduo } from '../tempo';
import { etichetta } from './etichette';
import { layout, type Contesto } from './layout';

/** The istruttorie list (filters, results, pages) and one istruttoria's page. */

function select(nome: string, etichettaCampo: string, valori: readonly string[], scelto: string | undefined): Html {
  return html`<p><label for="f-${nome}">${etichettaCampo}</label>
<select id="f-${nome}" name="${nome}"><option value="">Tutti</option>${valori.map((v) => html`<option value="${v}"${v === scelto ? html` selected` : ''}>${etichetta(v)}</option>`)}</select></p>`;
}

export function paginaElenco(ctx: Contesto, f: FiltroIstruttorie, righe: RigaElenco[], altre: boolean, errore: string | null): Html {
  const ultima = righe[righe.length - 1];
  const corpo = html`<form method="get" action="/istruttorie" class="filtri" role="search" aria-label="Cerca e filtra le istruttorie">
  <p class="cerca"><label for="f-cerca">Cerca (codice fiscale, protocollo della domanda, id istruttoria, id pacchetto, correlation id)</label>
  <input id="f-cerca" name="cerca" value="${f.cerca ?? ''}" maxlength="200"></p>
  <fieldset><legend>Filtri</legend>
  ${select('stato', 'Stato', STATI, f.stato)}
  ${select('tipo', 'Tipo di domanda', TIPI, f.tipo)}
  ${select('categoria', 'Categoria (mansione gravosa)', CATEGORIE, f.categoria)}
  ${select('attesa', 'In attesa di', ENTI_VERIFICATORI, f.attesa)}
  ${select('regola', 'Regola di chiusura', REGOLE, f.regola)}
  <p><label for="f-dal">Aperta dal</label><input id="f-dal" name="dal" type="date" value="${f.dal ?? ''}"></p>
  <p><label for="f-al">Aperta fino al</label><input id="f-al" name="al" type="date" value="${f.al ?? ''}"></p>
  <p class="spunta"><input id="f-scadute" name="scadute" type="checkbox" value="1"${f.scadute ? html` checked` : ''}><label for="f-scadute">Solo con scadenze superate</label></p>
  </fieldset>
  <p><button type="submit">Cerca</button> <a href="/istruttorie">Azzera i filtri</a></p>
</form>
${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
<section id="risultati" aria-labelledby="titolo-risultati" data-aggiorna>
<h2 id="titolo-risultati">Risultati${f.dopo ? ' (pagina successiva)' : ''}</h2>
${righe.length === 0
  ? html`<p>Nessuna istruttoria corrisponde ai criteri.</p>`
  : html`<table class="elenco">
<caption class="visivamente-nascosto">Istruttorie, dalla più recente</caption>
<thead><tr><th scope="col">Protocollo domanda</th><th scope="col">Codice fiscale</th><th scope="col">Tipo</th><th scope="col">Aperta il</th><th scope="col">Stato</th><th scope="col">In attesa di</th><th scope="col">Esito / regola</th></tr></thead>
<tbody>${righe.map(
      (r) => html`<tr data-istruttoria="${r.id}"><th scope="row"><a href="/istruttorie/${r.id}">${r.protocollo}</a></th><td class="cf">${r.codice_fiscale}</td><td>${etichetta(r.tipo)}</td><td>${dataOra(r.aperta_il)}</td>
<td><span class="stato stato-${r.stato.toLowerCase()}">${etichetta(r.stato)}</span>${r.stato !== 'CHIUSA' && r.limite && r.limite < ctx.now ? html` <span class="avviso">limite superato</span>` : ''}</td>
<td>${(r.in_attesa ?? []).map(etichetta).join(', ')}</td><td>${etichetta(r.esito_verifica)}${r.regola_chiusura ? html`<br><small>${etichetta(r.regola_chiusura)}</small>` : ''}</td></tr>`,
    )}</tbody></table>`}
<nav aria-label="Pagine"><ul class="pagine">
${f.dopo ? html`<li><a href="/istruttorie?${queryDi(f)}">Prima pagina</a></li>` : ''}
${altre && ultima ? html`<li><a href="/istruttorie?${queryDi(f, { apertaIl: ultima.aperta_il, id: ultima.id })}" rel="next">Pagina successiva</a></li>` : ''}
</ul></nav>
</section>`;
  return layout('Istruttorie', corpo, ctx, { live: 'elenco' });
}

function valore(v: unknown): Html {
  if (v === null || v === undefined) return html`<em>non indicato</em>`;
  if (Array.isArray(v)) return html`<ol>${v.map((x) => html`<li>${valore(x)}</li>`)}</ol>`;
  if (typeof v === 'object') {
    return html`<dl class="dati">${Object.entries(v as Record<string, unknown>).map(([k, x]) => html`<dt>${k}</dt><dd>${valore(x)}</dd>`)}</dl>`;
  }
  return html`${String(v)}`;
}

export function paginaIstruttoria(ctx: Contesto, v: VistaIstruttoria, contenuti: Array<{ id: string; destinatario: string; contenuto: Record<string, unknown> }>): Html {
  const corpo = html`<div id="dettaglio" data-aggiorna>
<section aria-labelledby="t-sintesi">
<h2 id="t-sintesi">Sintesi</h2>
<dl class="sintesi">
  <dt>Protocollo domanda</dt><dd>${v.protocolloDomanda}</dd>
  <dt>Codice fiscale</dt><dd class="cf">${v.codiceFiscaleRichiedente}</dd>
  <dt>Tipo</dt><dd>${etichetta(v.tipoDomanda)}</dd>
  <dt>Identificativo istruttoria</dt><dd><code>${v.idIstruttoria}</code></dd>
  <dt>Stato</dt><dd id="stato-istruttoria"><span class="stato stato-${v.stato.toLowerCase()}">${etichetta(v.stato)}</span></dd>
  <dt>Presentata il</dt><dd>${dataOra(v.dataPresentazione)}</dd>
  ${v.esitoVerifica ? html`<dt>Esito della verifica</dt><dd>${etichetta(v.esitoVerifica)}</dd>` : ''}
  ${v.regolaChiusura ? html`<dt>Regola di chiusura</dt><dd>${etichetta(v.regolaChiusura)} (${dataOra(v.dataChiusura)})</dd>` : ''}
  ${v.accertamento ? html`<dt>Accertamento INL</dt><dd>${v.accertamento.stato ?? 'segnalato'}${v.accertamento.esito ? html`: ${v.accertamento.esito}` : ''}</dd>` : ''}
  ${v.riesame ? html`<dt>Riesame</dt><dd>richiesto il ${dataOra(v.riesame.richiestoIl)}: ${v.riesame.motivo}</dd>` : ''}
</dl>
</section>
<section aria-labelledby="t-scadenze">
<h2 id="t-scadenze">Scadenze</h2>
${v.scadenze.length === 0
  ? html`<p>Nessuna scadenza in corso.</p>`
  : html`<table><caption class="visivamente-nascosto">Scadenze dell'istruttoria</caption>
<thead><tr><th scope="col">Scadenza</th><th scope="col">Scade il</th><th scope="col">Tempo residuo</th><th scope="col">Stato</th></tr></thead>
<tbody>${v.scadenze.map((s) => {
      const t = tempoResiduo(s.scadeIl, ctx.now);
      return html`<tr><th scope="row">${s.descrizione}</th><td>${dataOra(s.scadeIl)}</td><td>${s.stato === 'IN_CORSO' ? html`<span class="${t.superata ? 'avviso' : ''}">${t.testo}</span>` : '—'}</td><td>${etichetta(s.stato)}</td></tr>`;
    })}</tbody></table>`}
</section>
<section aria-labelledby="t-pacchetti">
<h2 id="t-pacchetti">Pacchetti di verifica</h2>
<table><caption class="visivamente-nascosto">Pacchetti inviati alle amministrazioni e loro esiti</caption>
<thead><tr><th scope="col">Destinatario</th><th scope="col">Stato</th><th scope="col">Inviato il</th><th scope="col">Esito</th><th scope="col">Esiti per dato</th></tr></thead>
<tbody>${v.pacchetti.map(
    (p) => html`<tr><th scope="row">${etichetta(p.destinatario)}</th><td>${etichetta(p.stato)}${p.inRitardo ? html` <span class="avviso">in ritardo</span>` : ''}</td><td>${dataOra(p.inviatoIl)}</td><td>${etichetta(p.esito)}</td>
<td>${p.esitiDato.length === 0 ? '—' : html`<ul class="esiti">${p.esitiDato.map((e) => html`<li>rapporto ${e.riferimento}, ${e.dato}: ${etichetta(e.esito)}${e.nota ? html` (${e.nota})` : ''}</li>`)}</ul>`}</td></tr>`,
  )}</tbody></table>
</section>
<section aria-labelledby="t-cronologia">
<h2 id="t-cronologia">Cronologia</h2>
<ol class="cronologia" id="cronologia">${v.eventi.map(
    (e) => html`<li data-tipo="${e.tipo}"><time datetime="${e.avvenutoIl}">${dataOra(e.avvenutoIl)}</time> <span class="tipo-evento">${e.tipo}</span> ${e.descrizione}</li>`,
  )}</ol>
</section>
${v.indiciInl.length > 0
  ? html`<section aria-labelledby="t-indici"><h2 id="t-indici">Indici INL</h2><ul>${v.indiciInl.map((x) => html`<li>${x.codice}: ${x.descrizione}</li>`)}</ul></section>`
  : ''}
<section aria-labelledby="t-dati">
<h2 id="t-dati">Dati trasmessi a ciascuna amministrazione</h2>
<p>Solo i dati necessari alla competenza di ciascun destinatario (minimizzazione).</p>
${contenuti.map((c) => html`<details><summary>${etichetta(c.destinatario)} (pacchetto <code>${c.id}</code>)</summary>${valore(c.contenuto)}</details>`)}
</section>
</div>`;
  return layout(`Istruttoria ${v.protocolloDomanda}`, corpo, ctx, { live: v.idIstruttoria });
}
