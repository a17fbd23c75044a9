import type { Allerta } from '../../../../shared/audit/supervisione';
import { html, type Html } from '../html';
import { dataOra } from '../tempo';
import { etichetta } from './etichette';
import { layout, type Contesto } from './layout';
import { esitoAzione } from './supervisione';

/** The alerts of the anomaly rules: each linked to the accesses behind it, taken in charge, closed with a note. */

/** The access log search that shows what an alert is about: its subject's accesses from the day before it. */
export function accessiDi(a: Allerta): string {
  const q = new URLSearchParams();
  if (a.soggettoTipo === 'OPERATORE') q.set('operatore', a.soggetto);
  else if (a.soggettoTipo === 'PARTE') q.set('parte', a.soggetto);
  else q.set('indirizzo', a.soggetto);
  const giorno = new Date(a.rilevataIl.getTime() - 86_400_000);
  q.set('dal', giorno.toISOString().slice(0, 10));
  return `/supervisione/accessi?${q.toString()}`;
}

function stato(a: Allerta): Html {
  if (a.stato === 'CHIUSA') return html`Chiusa da ${a.chiusaDa ?? ''} il ${dataOra(a.chiusaIl)}: <q>${a.nota ?? ''}</q>`;
  if (a.stato === 'PRESA_IN_CARICO') return html`Presa in carico da ${a.gestitaDa ?? ''} il ${dataOra(a.gestitaIl)}`;
  return html`Aperta`;
}

function azioni(ctx: Contesto, a: Allerta): Html {
  if (a.stato === 'CHIUSA') return html``;
  return html`${a.stato === 'APERTA' ? html`<form method="post" action="/supervisione/allerte/${a.id}/presa-in-carico"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Prendi in carico<span class="visivamente-nascosto"> l'allerta ${a.id}</span></button></form>` : ''}
<form method="post" action="/supervisione/allerte/${a.id}/chiudi" class="chiudi-allerta"><input type="hidden" name="_csrf" value="${ctx.csrf}">
<label for="nota-${a.id}">Nota di chiusura<span class="visivamente-nascosto"> dell'allerta ${a.id}</span></label> <input id="nota-${a.id}" name="nota" required minlength="5" maxlength="2000">
<button type="submit">Chiudi<span class="visivamente-nascosto"> l'allerta ${a.id}</span></button></form>`;
}

export function paginaAllerte(ctx: Contesto, allerte: Allerta[], tutte: boolean, esito: { messaggio: string | null; errore: string | null }): Html {
  const corpo = html`${esitoAzione(esito)}
<p>${tutte ? html`<a href="/supervisione/allerte">Mostra solo le allerte da gestire</a>` : html`<a href="/supervisione/allerte?tutte=1">Mostra anche le allerte chiuse</a>`}</p>
${allerte.length === 0
  ? html`<p>Nessuna allerta da gestire.</p>`
  : html`<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Allerte</caption><thead><tr><th scope="col">Rilevata il</th><th scope="col">Regola</th><th scope="col">Soggetto</th><th scope="col">Descrizione</th><th scope="col">Stato</th><th scope="col">Azioni</th></tr></thead>
<tbody>${allerte.map((a) => html`<tr data-allerta="${a.id}"><td data-etichetta="Rilevata il">${dataOra(a.rilevataIl)}</td><th scope="row" data-etichetta="Regola">${etichetta(a.regola)}</th>
<td data-etichetta="Soggetto">${etichetta(a.soggettoTipo)} ${a.soggetto}<br><a href="${accessiDi(a)}">Accessi collegati<span class="visivamente-nascosto"> all'allerta ${a.id}</span></a></td>
<td data-etichetta="Descrizione">${a.descrizione}</td><td data-etichetta="Stato">${stato(a)}</td><td data-etichetta="Azioni">${azioni(ctx, a)}</td></tr>`)}</tbody></table></div>`}`;
  return layout('Allerte', corpo, ctx);
}
