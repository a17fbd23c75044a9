import type { VistaIstruttoria, VistaScadenza } from '../../../../shared/messages/istruttoria';
import type { AttestazioneDichiarata, EventoConsole } from '../dati';
import { html, type Html } from '../html';
import { dataOra, dataScadenza, tempoResiduo } from '../tempo';
import { cronologia } from './cronologia';
import { ente, etichetta } from './etichette';
import { layout, type Contesto } from './layout';
import { perche } from './perche';
import { esitoMostrato, prossimoPasso, testoFinestra } from './sintesi';

/** One istruttoria's page: in brief, why its outcome, summary, deadlines, packets, timeline, data sent. */

/** A key of a packet's stored content, for people: "datoreLavoro" → "datore lavoro". */
const chiave = (k: string) => k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function valore(v: unknown): Html {
  if (v === null || v === undefined) return html`<em>non indicato</em>`;
  if (Array.isArray(v)) return html`<ol>${v.map((x) => html`<li>${valore(x)}</li>`)}</ol>`;
  if (typeof v === 'object') return html`<dl class="dati">${Object.entries(v as Record<string, unknown>).map(([k, x]) => html`<dt>${chiave(k)}</dt><dd>${valore(x)}</dd>`)}</dl>`;
  if (typeof v === 'boolean') return html`${v ? 'sì' : 'no'}`;
  return html`${String(v)}`;
}

/** A deadline's name, its party named with the right article. */
function nomeScadenza(s: VistaScadenza, v: VistaIstruttoria): string {
  const p = v.pacchetti.find((x) => x.idPacchetto === s.idPacchetto);
  if (s.tipo === 'ESITO_PACCHETTO' && p) return `Esito ${ente(p.destinatario, 'di')} (${p.destinatario === 'INL' ? 'termine configurato' : '5 giorni solari dalla ricezione'})`;
  if (s.tipo === 'CONSEGNA_PACCHETTO' && p) return `Consegna del pacchetto ${ente(p.destinatario, 'a')}`;
  return `Attesa massima per l'INL: ${s.descrizione.replace(/^[^:]*:\s*/, '')}`;
}

export function paginaIstruttoria(ctx: Contesto, v: VistaIstruttoria, dati: { eventi: EventoConsole[]; attestazioni: AttestazioneDichiarata[]; contenuti: Array<{ id: string; destinatario: string; contenuto: Record<string, unknown> }>; messaggio?: string | null }): Html {
  const esito = esitoMostrato(v.stato, v.esitoVerifica);
  const puoReinviare = ctx.operatore.ruolo !== 'officer';
  const passo = prossimoPasso(v);
  const corpo = html`${dati.messaggio ? html`<p class="conferma" role="status">${dati.messaggio}</p>` : ''}<div id="dettaglio" data-aggiorna>
<section aria-labelledby="t-breve" class="in-breve">
<h2 id="t-breve">In breve</h2>
<dl class="sintesi">
  <dt>Stato</dt><dd id="stato-istruttoria"><span class="stato stato-${v.stato.toLowerCase()}">${etichetta(v.stato)}</span></dd>
  <dt>Esito</dt><dd id="esito-istruttoria">${esito.definitivo ? html`<strong>${esito.testo}</strong>` : esito.testo}</dd>
  <dt>Graduatoria</dt><dd id="finestra">${testoFinestra(v.finestra)}</dd>
  ${passo ? html`<dt>Prossimo passo</dt><dd id="prossimo-passo">${passo}</dd>` : ''}
</dl>
</section>
${perche(v, dati.attestazioni)}
<section aria-labelledby="t-sintesi">
<h2 id="t-sintesi">Sintesi</h2>
<dl class="sintesi">
  <dt>Protocollo domanda</dt><dd>${v.protocolloDomanda}</dd>
  <dt>Codice fiscale</dt><dd class="cf">${v.codiceFiscaleRichiedente}</dd>
  <dt>Tipo</dt><dd>${etichetta(v.tipoDomanda)}</dd>
  <dt>Identificativo istruttoria</dt><dd><code>${v.idIstruttoria}</code></dd>
  <dt>Presentata il</dt><dd>${dataOra(v.dataPresentazione)}</dd>
  ${v.finestra ? html`<dt>Finestra di presentazione</dt><dd>${v.finestra.numero}ª finestra ${v.finestra.anno}: domande presentate dal ${v.finestra.apertura.split('-').reverse().join('/')} al ${v.finestra.chiusura.split('-').reverse().join('/')}</dd>` : ''}
  ${v.regolaChiusura ? html`<dt>Regola di chiusura</dt><dd>${etichetta(v.regolaChiusura)} (${dataOra(v.dataChiusura)})</dd>` : ''}
  ${v.accertamento ? html`<dt>Accertamento INL</dt><dd>${v.accertamento.stato ? etichetta(v.accertamento.stato) : "caso segnalato, in attesa della valutazione dell'INL"}${v.accertamento.esito ? html`: ${etichetta(v.accertamento.esito)}` : ''}</dd>` : ''}
  ${v.riesame ? html`<dt>Riesame</dt><dd>richiesto il ${dataOra(v.riesame.richiestoIl)}: ${v.riesame.motivo}</dd>` : ''}
</dl>
</section>
<section aria-labelledby="t-scadenze">
<h2 id="t-scadenze">Scadenze</h2>
${v.scadenze.length === 0
  ? html`<p>Nessuna scadenza in corso.</p>`
  : html`<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Scadenze dell'istruttoria</caption>
<thead><tr><th scope="col">Scadenza</th><th scope="col">Scade il</th><th scope="col">Tempo residuo</th><th scope="col">Stato</th></tr></thead>
<tbody>${v.scadenze.map((s) => {
      const t = tempoResiduo(s.scadeIl, ctx.now);
      return html`<tr><th scope="row" data-etichetta="Scadenza">${nomeScadenza(s, v)}</th><td data-etichetta="Scade il">${dataScadenza(s.scadeIl)}</td><td data-etichetta="Tempo residuo">${s.stato === 'IN_CORSO' ? html`<span class="${t.superata ? 'avviso' : ''}">${t.testo}</span>` : '—'}</td><td data-etichetta="Stato">${etichetta(s.stato)}</td></tr>`;
    })}</tbody></table></div>`}
</section>
<section aria-labelledby="t-pacchetti">
<h2 id="t-pacchetti">Pacchetti di verifica</h2>
<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Pacchetti inviati alle amministrazioni e loro esiti</caption>
<thead><tr><th scope="col">Destinatario</th><th scope="col">Stato</th><th scope="col">Inviato il</th><th scope="col">Esito</th><th scope="col">Consegna</th></tr></thead>
<tbody>${v.pacchetti.map(
    (p) => html`<tr data-pacchetto="${p.destinatario}"><th scope="row" data-etichetta="Destinatario">${etichetta(p.destinatario)}</th><td data-etichetta="Stato">${etichetta(p.stato)}${p.inRitardo ? html` <span class="avviso">in ritardo</span>` : ''}</td><td data-etichetta="Inviato il">${dataOra(p.inviatoIl) || '—'}</td><td data-etichetta="Esito">${etichetta(p.esito) || '—'}</td>
<td data-etichetta="Consegna"><a href="/istruttorie/${v.idIstruttoria}/pacchetti/${p.idPacchetto}">Storia della consegna<span class="visivamente-nascosto"> ${ente(p.destinatario, 'a')}</span></a>${puoReinviare && v.stato !== 'CHIUSA' && !p.esito ? html`
<form method="post" action="/istruttorie/${v.idIstruttoria}/pacchetti/${p.idPacchetto}/reinvia" class="in-linea"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Reinvia<span class="visivamente-nascosto"> il pacchetto ${ente(p.destinatario, 'a')}</span></button></form>${p.scadenzaEsito && (p.stato === 'INVIATO' || p.stato === 'SCADUTO') ? html`
<form method="post" action="/istruttorie/${v.idIstruttoria}/pacchetti/${p.idPacchetto}/sollecita" class="in-linea"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Sollecita<span class="visivamente-nascosto"> ${ente(p.destinatario, 'a')}</span></button></form>` : ''}` : ''}</td></tr>`,
  )}</tbody></table></div>
</section>
<section aria-labelledby="t-cronologia">
<h2 id="t-cronologia">Cronologia</h2>
${cronologia(dati.eventi)}
</section>
${v.indiciInl.length > 0
  ? html`<section aria-labelledby="t-indici"><h2 id="t-indici">Indici per l'INL</h2><ul>${v.indiciInl.map((x) => html`<li>${x.codice}: ${x.descrizione}</li>`)}</ul></section>`
  : ''}
<section aria-labelledby="t-dati">
<h2 id="t-dati">Dati trasmessi a ciascuna amministrazione</h2>
<p>Solo i dati necessari alla competenza di ciascun destinatario (minimizzazione).</p>
${dati.contenuti.map((c) => html`<details><summary>${etichetta(c.destinatario)} (pacchetto <code>${c.id}</code>)</summary>${valore(c.contenuto)}</details>`)}
</section>
</div>`;
  return layout(`Istruttoria ${v.protocolloDomanda}`, corpo, ctx, { live: v.idIstruttoria });
}
