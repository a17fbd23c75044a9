import { html, type Html } from '../html';
import { RUOLI_SUPERVISIONE, type OperatoreConsole } from '../utenti';
import { etichetta } from './etichette';

/**
 * The console's pages, one file per family in this folder: semantic HTML, Italian labels, no inline script or
 * style (the CSP forbids both). Here the frame every page shares (head, navigation, logout form) and the error page.
 */

/** What a page needs of the request: who is looking, the form token, the time, the path (current menu item). */
export interface Contesto {
  operatore: OperatoreConsole;
  csrf: string;
  now: Date;
  percorso: string;
}

const puoSupervisionare = (o: OperatoreConsole) => RUOLI_SUPERVISIONE.includes(o.ruolo);

export function layout(titolo: string, corpo: Html, ctx: Contesto | null, opts: { live?: string } = {}): Html {
  const voce = (href: string, testo: string) =>
    html`<li><a href="${href}"${ctx && (ctx.percorso === href || (href !== '/' && ctx.percorso.startsWith(href))) ? html` aria-current="page"` : ''}>${testo}</a></li>`;
  return html`<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${titolo} · Console istruttorie INPS</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body${opts.live ? html` data-live="${opts.live}"` : ''}>
<a class="salta" href="#contenuto">Vai al contenuto</a>
<header class="testata">
  <p class="marchio">Console istruttorie APE sociale e lavoratori precoci</p>
  ${ctx
    ? html`<nav aria-label="Navigazione principale"><ul>
      ${voce('/istruttorie', 'Istruttorie')}${voce('/cruscotto', 'Cruscotto')}
      ${puoSupervisionare(ctx.operatore) ? [voce('/supervisione/accessi', 'Registro accessi'), voce('/supervisione/allerte', 'Allerte'), voce('/supervisione/operatori', 'Operatori'), voce('/supervisione/scarti', 'Scarti')] : ''}
    </ul></nav>
    <form method="post" action="/logout" class="esci"><input type="hidden" name="_csrf" value="${ctx.csrf}">
      <span>${ctx.operatore.nome} (${ctx.operatore.id}, ${etichetta(ctx.operatore.ruolo)})</span> <button type="submit">Esci</button></form>`
    : ''}
</header>
<main id="contenuto" tabindex="-1">
<h1>${titolo}</h1>
<p id="annuncio" class="annuncio" role="status" aria-live="polite"></p>
${corpo}
</main>
</body>
</html>`;
}

export function paginaErrore(ctx: Contesto | null, titolo: string, messaggio: string): Html {
  return layout(titolo, html`<p class="errore" role="alert">${messaggio}</p><p><a href="/istruttorie">Torna alle istruttorie</a></p>`, ctx);
}
