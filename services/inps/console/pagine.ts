import { CATEGORIE, ENTI_VERIFICATORI } from '../../../shared/domain/types';
import type { VistaIstruttoria } from '../../../shared/messages/istruttoria';
import type { Accesso, Allerta } from '../../../shared/audit/supervisione';
import { html, type Html } from './html';
import { queryDi, REGOLE, STATI, TIPI, type FiltroIstruttorie } from './filtri';
import type { RigaElenco, StatParte, VolumeGiorno } from './dati';
import { dataOra, tempoResiduo } from './tempo';
import type { OperatoreConsole } from './utenti';

/** The console's pages: semantic HTML, Italian labels, no inline script or style (the CSP forbids both). */

export interface Contesto {
  operatore: OperatoreConsole;
  csrf: string;
  now: Date;
  percorso: string;
}

const ETICHETTE: Record<string, string> = {
  IN_VERIFICA: 'In verifica',
  VALUTAZIONE_INL: 'Valutazione INL',
  CHIUSA: 'Chiusa',
  APE_SOCIALE: 'APE sociale',
  PRECOCI: 'Lavoratori precoci',
  ESITI_ARCHIVI: 'Esiti degli archivi',
  ESITO_ACCERTAMENTO: "Esito dell'accertamento INL",
  AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO: 'Autocertificazioni, nessun accertamento',
  AUTOCERTIFICAZIONI_TERMINE: 'Autocertificazioni, termine raggiunto',
  CONFORME: 'Conforme',
  NON_CONFORME: 'Non conforme',
  NON_VERIFICABILE: 'Non verificabile',
  DA_INVIARE: 'Da inviare',
  INVIATO: 'Inviato, in attesa di esito',
  RISPOSTO: 'Esito ricevuto',
  SCADUTO: 'Scaduto',
  RIFIUTATO: 'Rifiutato',
  IN_CORSO: 'In corso',
  RISPETTATA: 'Rispettata',
  SUPERATA: 'Superata',
  NON_PIU_RILEVANTE: 'Non più rilevante',
  MINLAVORO: 'Ministero del Lavoro',
  ANPAL: 'ANPAL',
  INAIL: 'INAIL',
  INL: 'INL',
  officer: 'Funzionario istruttore',
  supervisor: 'Supervisore',
  admin: 'Amministratore',
};
export const etichetta = (v: string | null | undefined): string => (v ? (ETICHETTE[v] ?? v) : '');

const puoSupervisionare = (o: OperatoreConsole) => o.ruolo === 'supervisor' || o.ruolo === 'admin';

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
      ${puoSupervisionare(ctx.operatore) ? [voce('/supervisione/accessi', 'Registro accessi'), voce('/supervisione/allerte', 'Allerte'), voce('/supervisione/operatori', 'Operatori')] : ''}
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

/** `token`: the login form's anti-CSRF token (double submit with a pre-session cookie). */
export function paginaLogin(errore: string | null, id: string, token: string): Html {
  return layout(
    'Accesso',
    html`${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
<form method="post" action="/login" class="modulo-login"><input type="hidden" name="_csrf" value="${token}">
  <p><label for="utente">Identificativo operatore</label>
  <input id="utente" name="utente" autocomplete="username" required value="${id}"></p>
  <p><label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Accedi</button></p>
</form>`,
    null,
  );
}

export function paginaErrore(ctx: Contesto | null, titolo: string, messaggio: string): Html {
  return layout(titolo, html`<p class="errore" role="alert">${messaggio}</p><p><a href="/istruttorie">Torna alle istruttorie</a></p>`, ctx);
}

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

const ore = (x: number | null) => (x === null ? '—' : x < 1 ? `${Math.round(x * 60)} min` : `${x.toFixed(1)} h`);

/** A bar chart of domande and esiti per day, drawn on the server; the same numbers follow in a table. */
export function grafico(volumi: VolumeGiorno[]): Html {
  const w = 720;
  const h = 220;
  const margine = { sx: 40, dx: 10, su: 10, giu: 40 };
  const max = Math.max(1, ...volumi.map((v) => Math.max(v.domande, v.esiti)));
  const passo = (w - margine.sx - margine.dx) / Math.max(1, volumi.length);
  const altezza = (n: number) => ((h - margine.su - margine.giu) * n) / max;
  const base = h - margine.giu;
  const barra = Math.max(2, passo / 2 - 2);
  return html`<svg class="grafico" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="g-titolo g-desc">
<title id="g-titolo">Domande ricevute ed esiti per giorno</title>
<desc id="g-desc">Barre per giorno: domande ricevute (scure) ed esiti ricevuti (chiare), dal ${volumi[0]?.giorno ?? ''} al ${volumi[volumi.length - 1]?.giorno ?? ''}; massimo ${max}. I valori sono nella tabella che segue.</desc>
<line x1="${margine.sx}" y1="${base}" x2="${w - margine.dx}" y2="${base}" class="asse"/>
<text x="${margine.sx - 6}" y="${margine.su + 10}" class="etichetta-asse" text-anchor="end">${max}</text>
<text x="${margine.sx - 6}" y="${base}" class="etichetta-asse" text-anchor="end">0</text>
${volumi.map((v, i) => {
    const x = margine.sx + i * passo + 1;
    return html`<g><rect x="${x.toFixed(1)}" y="${(base - altezza(v.domande)).toFixed(1)}" width="${barra.toFixed(1)}" height="${altezza(v.domande).toFixed(1)}" class="barra-domande"><title>${v.giorno}: ${v.domande} domande</title></rect>
<rect x="${(x + barra + 1).toFixed(1)}" y="${(base - altezza(v.esiti)).toFixed(1)}" width="${barra.toFixed(1)}" height="${altezza(v.esiti).toFixed(1)}" class="barra-esiti"><title>${v.giorno}: ${v.esiti} esiti</title></rect>
${i % 2 === 0 ? html`<text x="${(x + barra).toFixed(1)}" y="${base + 16}" class="etichetta-asse" text-anchor="middle">${v.giorno.slice(5)}</text>` : ''}</g>`;
  })}
</svg>`;
}

export function paginaCruscotto(ctx: Contesto, parti: StatParte[], volumi: VolumeGiorno[]): Html {
  const corpo = html`<section aria-labelledby="t-parti">
<h2 id="t-parti">Pacchetti per amministrazione</h2>
<table><caption>Tempi di risposta calcolati sugli esiti degli ultimi 30 giorni (dall'invio alla risposta)</caption>
<thead><tr><th scope="col">Amministrazione</th><th scope="col">In attesa</th><th scope="col">Scaduti</th><th scope="col">Esiti (30 giorni)</th><th scope="col">Mediana</th><th scope="col">95° percentile</th></tr></thead>
<tbody>${parti.map((p) => html`<tr><th scope="row">${etichetta(p.destinatario)}</th><td>${p.inAttesa}</td><td${p.scaduti > 0 ? html` class="avviso"` : ''}>${p.scaduti}</td><td>${p.risposti}</td><td>${ore(p.medianaOre)}</td><td>${ore(p.p95Ore)}</td></tr>`)}</tbody></table>
</section>
<section aria-labelledby="t-volumi">
<h2 id="t-volumi">Volumi per giorno</h2>
<figure>${grafico(volumi)}<figcaption><span class="legenda legenda-domande"></span> domande ricevute <span class="legenda legenda-esiti"></span> esiti ricevuti</figcaption></figure>
<table><caption>Volumi per giorno (ora di Roma)</caption>
<thead><tr><th scope="col">Giorno</th><th scope="col">Domande ricevute</th><th scope="col">Esiti ricevuti</th></tr></thead>
<tbody>${volumi.map((v) => html`<tr><th scope="row">${v.giorno}</th><td>${v.domande}</td><td>${v.esiti}</td></tr>`)}</tbody></table>
</section>`;
  return layout('Cruscotto', corpo, ctx);
}

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
