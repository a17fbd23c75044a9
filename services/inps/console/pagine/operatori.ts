import { html, type Html } from '../html';
import { dataOra } from '../tempo';
import { RUOLI } from '../utenti';
import { etichetta } from './etichette';
import { layout, type Contesto } from './layout';
import { esitoAzione } from './supervisione';

/** Operators and their suspensions (supervisors), console accounts (admins), and the confirmation of a suspension. */

export interface RigaOperatore {
  id: string;
  nome: string;
  ufficio: string;
  ruolo: string;
  attivo: boolean;
  sospeso: string | null;
}

const campoCsrf = (ctx: Contesto) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

const riattivaForm = (ctx: Contesto, id: string) =>
  html`<form method="post" action="/supervisione/riattiva">${campoCsrf(ctx)}<input type="hidden" name="operatore" value="${id}"><button type="submit">Riattiva<span class="visivamente-nascosto"> ${id}</span></button></form>`;

/** Suspending asks first (GET: a confirmation page), then acts (POST from that page). */
const sospendiForm = (id: string) =>
  html`<form method="get" action="/supervisione/sospendi" class="sospendi"><input type="hidden" name="operatore" value="${id}">
<label for="motivo-${id}">Motivo</label> <input id="motivo-${id}" name="motivo" required minlength="5" maxlength="500"> <button type="submit">Sospendi<span class="visivamente-nascosto"> ${id}</span></button></form>`;

function gestioneAccount(ctx: Contesto, o: RigaOperatore): Html {
  if (ctx.operatore.ruolo !== 'admin' || o.id === ctx.operatore.id || !o.attivo) return html``;
  return html`<form method="post" action="/supervisione/account/ruolo" class="in-linea">${campoCsrf(ctx)}<input type="hidden" name="operatore" value="${o.id}">
<label for="ruolo-${o.id}">Ruolo<span class="visivamente-nascosto"> di ${o.id}</span></label> <select id="ruolo-${o.id}" name="ruolo">${RUOLI.map((r) => html`<option value="${r}"${r === o.ruolo ? html` selected` : ''}>${etichetta(r)}</option>`)}</select>
<button type="submit">Cambia ruolo<span class="visivamente-nascosto"> di ${o.id}</span></button></form>
<form method="post" action="/supervisione/account/password" class="in-linea">${campoCsrf(ctx)}<input type="hidden" name="operatore" value="${o.id}">
<label for="pw-${o.id}">Nuova password<span class="visivamente-nascosto"> di ${o.id}</span></label> <input id="pw-${o.id}" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256">
<button type="submit">Imposta<span class="visivamente-nascosto"> la password di ${o.id}</span></button></form>
<form method="post" action="/supervisione/account/disattiva" class="in-linea">${campoCsrf(ctx)}<input type="hidden" name="operatore" value="${o.id}"><button type="submit">Disattiva<span class="visivamente-nascosto"> ${o.id}</span></button></form>`;
}

export function paginaOperatori(
  ctx: Contesto,
  operatori: RigaOperatore[],
  altreSospensioni: Array<{ soggetto: string; motivo: string; autore: string; sospesoIl: Date }>,
  puoSospendere: (o: RigaOperatore) => boolean,
  esito: { messaggio: string | null; errore: string | null },
  /** What a refused form had (kept to be corrected; never the password). */
  inviato: URLSearchParams = new URLSearchParams(),
): Html {
  const v = (k: string) => inviato.get(k) ?? '';
  const admin = ctx.operatore.ruolo === 'admin';
  const corpo = html`${esitoAzione(esito)}
<section aria-labelledby="t-console"><h2 id="t-console">Operatori della console</h2>
<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Operatori della console</caption>
<thead><tr><th scope="col">Operatore</th><th scope="col">Nome</th><th scope="col">Ufficio</th><th scope="col">Ruolo</th><th scope="col">Stato</th><th scope="col">Azioni</th></tr></thead>
<tbody>${operatori.map((o) => html`<tr data-operatore="${o.id}"><th scope="row" data-etichetta="Operatore">${o.id}</th><td data-etichetta="Nome">${o.nome}</td><td data-etichetta="Ufficio">${o.ufficio}</td><td data-etichetta="Ruolo">${etichetta(o.ruolo)}</td>
<td data-etichetta="Stato">${!o.attivo ? 'Disattivato' : o.sospeso ? html`<span class="avviso">Sospeso</span>: ${o.sospeso}` : 'Attivo'}</td>
<td data-etichetta="Azioni">${o.id === ctx.operatore.id || !o.attivo || !puoSospendere(o) ? '' : o.sospeso ? riattivaForm(ctx, o.id) : sospendiForm(o.id)}${gestioneAccount(ctx, o)}</td></tr>`)}</tbody></table></div>
</section>
${admin
  ? html`<section aria-labelledby="t-nuovo"><h2 id="t-nuovo">Nuovo account della console</h2>
<form method="post" action="/supervisione/account" class="filtri">${campoCsrf(ctx)}
<fieldset><legend>Dati dell'account</legend>
<p><label for="n-id">Identificativo</label><input id="n-id" name="id" required pattern="[A-Za-z0-9._\\-]{3,64}" maxlength="64" value="${v('id')}"></p>
<p><label for="n-nome">Nome e cognome</label><input id="n-nome" name="nome" required maxlength="200" value="${v('nome')}"></p>
<p><label for="n-ufficio">Ufficio (sede)</label><input id="n-ufficio" name="ufficio" required maxlength="200" value="${v('ufficio')}"></p>
<p><label for="n-ruolo">Ruolo</label><select id="n-ruolo" name="ruolo">${RUOLI.map((r) => html`<option value="${r}"${r === v('ruolo') ? html` selected` : ''}>${etichetta(r)}</option>`)}</select></p>
<p><label for="n-password">Password iniziale (almeno 12 caratteri, lettere e cifre o simboli)</label><input id="n-password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256"></p>
</fieldset><p><button type="submit">Crea l'account</button></p></form></section>`
  : ''}
<section aria-labelledby="t-altri"><h2 id="t-altri">Operatori dei sistemi istruttori</h2>
<p>Gli operatori che chiamano i servizi SOAP (intestazione Operatore) si sospendono per identificativo; la sospensione vale anche per la console. Si possono sospendere solo operatori esistenti (un account della console o un operatore già registrato nel registro degli accessi).</p>
<form method="get" action="/supervisione/sospendi" class="filtri">
<fieldset><legend>Sospendere un operatore</legend>
<p><label for="s-operatore">Identificativo operatore</label><input id="s-operatore" name="operatore" required maxlength="64" value="${v('operatore')}"></p>
<p><label for="s-motivo">Motivo</label><input id="s-motivo" name="motivo" required minlength="5" maxlength="500" value="${v('motivo')}"></p>
</fieldset><p><button type="submit">Sospendi</button></p></form>
${altreSospensioni.length === 0
  ? html`<p>Nessun altro operatore sospeso.</p>`
  : html`<div class="scorre"><table class="schede"><caption>Altre sospensioni attive</caption><thead><tr><th scope="col">Operatore</th><th scope="col">Motivo</th><th scope="col">Sospeso da</th><th scope="col">Il</th><th scope="col">Azione</th></tr></thead>
<tbody>${altreSospensioni.map((x) => html`<tr><th scope="row" data-etichetta="Operatore">${x.soggetto}</th><td data-etichetta="Motivo">${x.motivo}</td><td data-etichetta="Sospeso da">${x.autore}</td><td data-etichetta="Il">${dataOra(x.sospesoIl)}</td><td data-etichetta="Azione">${riattivaForm(ctx, x.soggetto)}</td></tr>`)}</tbody></table></div>`}
</section>`;
  return layout('Operatori', corpo, ctx);
}

/** The confirmation of a suspension: who, with their role and office when known, and why. */
export function paginaConfermaSospensione(ctx: Contesto, o: { id: string; descrizione: string; motivo: string }): Html {
  const corpo = html`<p>Si sta per sospendere <strong>${o.id}</strong> (${o.descrizione}). La sospensione ha effetto subito: ogni sua richiesta, alla console e ai servizi, sarà rifiutata.</p>
<form method="post" action="/supervisione/sospendi">${campoCsrf(ctx)}<input type="hidden" name="operatore" value="${o.id}">
<p><label for="c-motivo">Motivo</label><input id="c-motivo" name="motivo" value="${o.motivo}" required minlength="5" maxlength="500"></p>
<p><button type="submit" name="conferma" value="1">Conferma la sospensione</button> <a href="/supervisione/operatori">Annulla</a></p></form>`;
  return layout('Conferma la sospensione', corpo, ctx);
}
