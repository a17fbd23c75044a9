import type { Accesso } from '../../../../shared/audit/supervisione';
import { html, type Html } from '../html';
import { dataOra } from '../tempo';
import { etichetta } from './etichette';
import { layout, type Contesto } from './layout';

/** The supervisor's access log search, and what every supervisor page shows after an action (post/redirect/get). */

export function esitoAzione(e: { messaggio: string | null; errore: string | null }): Html {
  return html`${e.messaggio ? html`<p class="conferma" role="status">${e.messaggio}</p>` : ''}${e.errore ? html`<p class="errore" role="alert">${e.errore}</p>` : ''}`;
}

export interface CriteriAccessi {
  operatore: string;
  cf: string;
  parte: string;
  indirizzo: string;
  dal: string;
  al: string;
}

export const ACCESSI_PER_PAGINA = 50;

function riga(a: Accesso): Html {
  const id = a.riferimenti.idIstruttoria;
  return html`<tr><td data-etichetta="Quando">${dataOra(a.registratoIl)}</td><td data-etichetta="Canale">${etichetta(a.canale)}</td><td data-etichetta="Parte">${a.identita ? etichetta(a.identita) : ''}</td>
<td data-etichetta="Operatore">${a.operatoreId ?? ''}${a.operatoreUfficio ? html`<br><small>${a.operatoreUfficio}</small>` : ''}</td><td data-etichetta="Operazione">${etichetta(a.operazione ?? a.servizio)}</td>
<td data-etichetta="Esito">${etichetta(a.esito)}${a.codiceErrore ? html` <small>(${etichetta(a.codiceErrore).toLowerCase()})</small>` : ''}</td>
<td data-etichetta="Istruttoria">${id ? html`<a href="/istruttorie/${id}">${a.riferimenti.protocollo ?? 'apri'}<span class="visivamente-nascosto"> istruttoria ${id}</span></a>` : ''}</td></tr>`;
}

export function paginaAccessi(ctx: Contesto, q: CriteriAccessi, risultato: { accessi: Accesso[]; totale: number; pagina: number } | null, errore: string | null): Html {
  const criteri = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''));
  const pagine = risultato ? Math.max(1, Math.ceil(risultato.totale / ACCESSI_PER_PAGINA)) : 1;
  const vai = (n: number) => {
    const x = new URLSearchParams(criteri);
    if (n > 1) x.set('pagina', String(n));
    return `/supervisione/accessi?${x.toString()}`;
  };
  const corpo = html`<form method="get" action="/supervisione/accessi" class="filtri" role="search" aria-label="Cerca nel registro degli accessi">
<fieldset><legend>Criteri (almeno uno tra operatore, cittadino, parte, indirizzo o data iniziale)</legend>
<p><label for="a-operatore">Operatore</label><input id="a-operatore" name="operatore" value="${q.operatore}"></p>
<p><label for="a-cf">Codice fiscale del cittadino</label><input id="a-cf" name="cf" value="${q.cf}" maxlength="16"></p>
<p><label for="a-parte">Parte (identità)</label><input id="a-parte" name="parte" value="${q.parte}"></p>
<p><label for="a-indirizzo">Indirizzo di rete</label><input id="a-indirizzo" name="indirizzo" value="${q.indirizzo}"></p>
<p><label for="a-dal">Dal</label><input id="a-dal" name="dal" type="date" value="${q.dal}"></p>
<p><label for="a-al">Al</label><input id="a-al" name="al" type="date" value="${q.al}"></p>
</fieldset>
<p><button type="submit">Cerca</button></p>
</form>
${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
${risultato
  ? html`<section aria-labelledby="t-accessi"><h2 id="t-accessi">${risultato.totale === 1 ? '1 accesso' : `${risultato.totale} accessi`}${pagine > 1 ? ` — pagina ${risultato.pagina} di ${pagine}` : ''}</h2>
<p><a href="/supervisione/accessi.csv?${criteri.toString()}" download>Esporta in CSV tutti gli accessi trovati</a> (l'esportazione è registrata come accesso)</p>
<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Accessi, dal più recente</caption><thead><tr><th scope="col">Quando</th><th scope="col">Canale</th><th scope="col">Parte</th><th scope="col">Operatore</th><th scope="col">Operazione</th><th scope="col">Esito</th><th scope="col">Istruttoria</th></tr></thead>
<tbody>${risultato.accessi.map(riga)}</tbody></table></div>
<nav aria-label="Pagine del registro"><ul class="pagine">
${risultato.pagina > 1 ? html`<li><a href="${vai(risultato.pagina - 1)}" rel="prev">Pagina precedente</a></li>` : ''}
${risultato.pagina < pagine ? html`<li><a href="${vai(risultato.pagina + 1)}" rel="next">Pagina successiva</a></li>` : ''}
</ul></nav></section>`
  : ''}`;
  return layout('Registro degli accessi', corpo, ctx);
}
