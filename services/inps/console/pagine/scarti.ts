import { deadLetterQueue } from '../../../../shared/amqp/topology';
import type { CodaEsaminata } from '../../../strumenti/ops/scarti';
import { html, type Html } from '../html';
import { layout, type Contesto } from './layout';
import { esitoAzione } from './supervisione';

/** INPS's dead letters per queue, the first of each, and their replay (one, or all of a queue). */
const NOMI: Record<string, string> = {
  'inps.pacchetto.invio': 'Invio dei pacchetti di verifica',
  'inps.messaggio.invio': 'Invio di solleciti, segnalazioni e riscontri',
};

const riprovaForm = (ctx: Contesto, coda: string, messaggio: string | null, etichetta: string) =>
  html`<form method="post" action="/supervisione/scarti/riprova" class="in-linea"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="coda" value="${coda}">${messaggio ? html`<input type="hidden" name="messaggio" value="${messaggio}">` : ''}<button type="submit">${etichetta}</button></form>`;

export function paginaScarti(ctx: Contesto, esame: CodaEsaminata[], esito: { messaggio: string | null; errore: string | null }): Html {
  const corpo = html`${esitoAzione(esito)}
<p>Messaggi che il servizio di invio di INPS ha rinunciato a consegnare dopo tutti i tentativi. Rimetterli in lavoro dopo aver rimosso la causa (per esempio un destinatario di nuovo raggiungibile): il messaggio è lo stesso, e chi lo riceve lo applica una sola volta.</p>
${esame.map((e) => html`<section aria-labelledby="t-${e.coda}"><h2 id="t-${e.coda}">${NOMI[e.coda] ?? e.coda}</h2>
${!e.scarti
  ? html`<p>Coda non ancora dichiarata (il servizio di invio non è mai partito).</p>`
  : e.scarti.messaggi === 0
    ? html`<p>Nessun messaggio scartato.</p>`
    : html`<p>${e.scarti.messaggi === 1 ? '1 messaggio scartato' : `${e.scarti.messaggi} messaggi scartati`} in <code>${deadLetterQueue(e.coda)}</code>. ${riprovaForm(ctx, e.coda, null, e.scarti.messaggi === 1 ? 'Rimetti in lavoro il messaggio' : `Rimetti in lavoro tutti i ${e.scarti.messaggi} messaggi`)}</p>
<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Primi messaggi scartati</caption><thead><tr><th scope="col">Messaggio</th><th scope="col">Errore</th><th scope="col">Motivo</th><th scope="col">Tentativi</th><th scope="col">Contenuto</th><th scope="col">Azione</th></tr></thead>
<tbody>${e.primi.map((s) => html`<tr data-scarto="${s.messaggio}"><th scope="row" data-etichetta="Messaggio"><code>${s.messaggio}</code></th><td data-etichetta="Errore">${s.errore}</td><td data-etichetta="Motivo">${s.motivo}</td><td data-etichetta="Tentativi">${s.tentativo}</td><td data-etichetta="Contenuto">${s.contenuto}</td>
<td data-etichetta="Azione">${riprovaForm(ctx, e.coda, s.messaggio, 'Rimetti in lavoro')}</td></tr>`)}</tbody></table></div>`}
</section>`)}`;
  return layout('Messaggi scartati', corpo, ctx);
}
