import type { Accesso, Allerta } from '../../../../shared/audit/supervisione';
import { html, type Html } from '../html';
import { dataOra } from '../tempo';
import { etichetta } from './etichette';
import { layout, type Contesto } from './layout';

/** The supervisor's pages: the access log search, the alerts, the operators and their suspensions. */

export function paginaAccessi(ctx: Contesto, q: { operatore: string; cf: string; parte: string; dal: string; al: string }, risultato: { accessi: Accesso[]; totale: number } | null, errore: string | null): Html {
  const corpo = html`<form method="get" action="/supervisione/accessi" class="filtri" role="search" aria-label="Cerca nel registro degli accessi">
<fieldset><legend>Criteri (almeno uno tra operatore, cittadino, parte o data iniziale)</legend>
<p><label for="a-operatore">Operatore</label><input id="a-operatore" name="operatore" value="${q.operatore}"></p>
<p><label for="a-cf">Codice fiscale del cittadino</label><input id="a-cf" name="cf" value="${q.cf}" maxlength="16"></p>
<p><label for="a-parte">Parte (identità)</label><input id="a-parte" name="parte" value="${q.parte}"></p>
<p><label for="a-dal">Dal</label><input id="a-dal" name="dal" type="date" value="${q.dal}"></p>
<p><label for="a-al">Al</label><input id="a-al" name="al" type="date" value="${q.al}"></p>
</fieldset>
<p><button type="submit">Cerca</button></p>
</form>
${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
${risultato
  ? html`<section aria-labelledby="t-accessi"><h2 id="t-accessi">${risultato.totale} accessi${risultato.totale > risultato.accessi.length ? ` (i ${risultato.accessi.length} più recenti)` : ''}</h2>
<table><thead><tr><th scope="col">Quando</th><th scope="col">Canale</th><th scope="col">Parte</th><th scope="col">Operatore</th><th scope="col">Operazione</th><th scope="col">Esito</th><th scope="col">Istruttoria</th></tr></thead>
<tbody>${risultato.accessi.map((a) => html`<tr><td>${dataOra(a.registratoIl)}</td><td>${a.canale}</td><td>${a.identita ?? ''}</td><td>${a.operatoreId ?? ''}</td><td>${a.operazione ?? a.servizio}</td><td>${a.esito}${a.codiceErrore ? ` (${a.codiceErrore})` : ''}</td><td>${a.riferimenti.idIstruttoria ?? ''}</td></tr>`)}</tbody></table></section>`
  : ''}`;
  return layout('Registro degli accessi', corpo, ctx);
}

export function paginaAllerte(ctx: Contesto, allerte: Allerta[], messaggio: string | null): Html {
  const corpo = html`${messaggio ? html`<p class="conferma" role="status">${messaggio}</p>` : ''}
<p><a href="/supervisione/allerte?tutte=1">Mostra anche le allerte già prese in carico</a></p>
${allerte.length === 0
  ? html`<p>Nessuna allerta aperta.</p>`
  : html`<table><thead><tr><th scope="col">Rilevata il</th><th scope="col">Regola</th><th scope="col">Soggetto</th><th scope="col">Descrizione</th><th scope="col">Stato</th><th scope="col">Azione</th></tr></thead>
<tbody>${allerte.map((a) => html`<tr><td>${dataOra(a.rilevataIl)}</td><td>${a.regola}</td><td>${a.soggettoTipo} ${a.soggetto}</td><td>${a.descrizione}</td><td>${a.stato === 'APERTA' ? 'Aperta' : html`Presa in carico da ${a.gestitaDa ?? ''}`}</td>
<td>${a.stato === 'APERTA' ? html`<form method="post" action="/supervisione/allerte/${a.id}/presa-in-carico"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Prendi in carico<span class="visivamente-nascosto"> l'allerta ${a.id}</span></button></form>` : ''}</td></tr>`)}</tbody></table>`}`;
  return layout('Allerte', corpo, ctx);
}

const riattivaForm = (ctx: Contesto, id: string) =>
  html`<form method="post" action="/supervisione/riattiva"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="operatore" value="${id}"><button type="submit">Riattiva<span class="visivamente-nascosto"> ${id}</span></button></form>`;

export function paginaOperatori(
  ctx: Contesto,
  operatori: Array<{ id: string; nome: string; ufficio: string; ruolo: string; attivo: boolean; sospeso: string | null }>,
  altreSospensioni: Array<{ soggetto: string; motivo: string; autore: string; sospesoIl: Date }>,
  messaggio: string | null,
  errore: string | null,
): Html {
  const corpo = html`${messaggio ? html`<p class="conferma" role="status">${messaggio}</p>` : ''}${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
<section aria-labelledby="t-console"><h2 id="t-console">Operatori della console</h2>
<table><caption class="visivamente-nascosto">Operatori della console</caption>
<thead><tr><th scope="col">Operatore</th><th scope="col">Nome</th><th scope="col">Ufficio</th><th scope="col">Ruolo</th><th scope="col">Stato</th><th scope="col">Azione</th></tr></thead>
<tbody>${operatori.map((o) => html`<tr data-operatore="${o.id}"><th scope="row">${o.id}</th><td>${o.nome}</td><td>${o.ufficio}</td><td>${etichetta(o.ruolo)}</td>
<td>${!o.attivo ? 'Disattivato' : o.sospeso ? html`<span class="avviso">Sospeso</span>: ${o.sospeso}` : 'Attivo'}</td>
<td>${o.id === ctx.operatore.id
    ? ''
    : o.sospeso
      ? riattivaForm(ctx, o.id)
      : html`<form method="post" action="/supervisione/sospendi" class="sospendi"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="operatore" value="${o.id}">
<label for="motivo-${o.id}">Motivo</label> <input id="motivo-${o.id}" name="motivo" required minlength="5"> <button type="submit">Sospendi<span class="visivamente-nascosto"> ${o.id}</span></button></form>`}</td></tr>`)}</tbody></table>
</section>
<section aria-labelledby="t-altri"><h2 id="t-altri">Operatori dei sistemi istruttori</h2>
<p>Gli operatori che chiamano i servizi SOAP (intestazione Operatore) si sospendono per identificativo; la sospensione vale anche per la console.</p>
<form method="post" action="/supervisione/sospendi" class="filtri"><input type="hidden" name="_csrf" value="${ctx.csrf}">
<fieldset><legend>Sospendere un operatore</legend>
<p><label for="s-operatore">Identificativo operatore</label><input id="s-operatore" name="operatore" required maxlength="64"></p>
<p><label for="s-motivo">Motivo</label><input id="s-motivo" name="motivo" required minlength="5" maxlength="500"></p>
</fieldset><p><button type="submit">Sospendi</button></p></form>
${altreSospensioni.length === 0
  ? html`<p>Nessun altro operatore sospeso.</p>`
  : html`<table><caption>Altre sospensioni attive</caption><thead><tr><th scope="col">Operatore</th><th scope="col">Motivo</th><th scope="col">Sospeso da</th><th scope="col">Il</th><th scope="col">Azione</th></tr></thead>
<tbody>${altreSospensioni.map((x) => html`<tr><th scope="row">${x.soggetto}</th><td>${x.motivo}</td><td>${x.autore}</td><td>${dataOra(x.sospesoIl)}</td><td>${riattivaForm(ctx, x.soggetto)}</td></tr>`)}</tbody></table>`}
</section>`;
  return layout('Operatori', corpo, ctx);
}
