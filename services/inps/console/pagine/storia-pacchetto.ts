import type { Vista } from '../../../strumenti/ops/storia-viste';
import { html, type Html } from '../html';
import { dataOra } from '../tempo';
import { ente, etichetta } from './etichette';
import { layout, type Contesto } from './layout';

/** A packet's delivery history at INPS: its state, then every event, esito, reminder, message and outbox entry. */
const FONTI: Record<string, string> = { messaggio: 'Messaggio', pacchetto: 'Pacchetto', esito: 'Esito', evento: 'Evento', sollecito: 'Sollecito', outbox: 'Coda di invio' };

export function paginaStoriaPacchetto(ctx: Contesto, idIstruttoria: string, idPacchetto: string, v: Vista & { destinatario: string }): Html {
  const voci = [...v.cronologia].sort((a, b) => a.il.getTime() - b.il.getTime() || a.rango - b.rango);
  const corpo = html`<p><a href="/istruttorie/${idIstruttoria}">Torna all'istruttoria</a></p>
<section aria-labelledby="t-stato"><h2 id="t-stato">Stato</h2>
<dl class="sintesi"><dt>Destinatario</dt><dd>${etichetta(v.destinatario)}</dd><dt>Pacchetto</dt><dd><code>${idPacchetto}</code></dd>
${v.intestazione.filter(([k]) => ['stato', 'correlation id', 'tentativi invio', 'ultimo errore'].includes(k)).map(([k, val]) => html`<dt>${k.charAt(0).toUpperCase() + k.slice(1)}</dt><dd>${val.replace(/\b[A-Z][A-Z_]{3,}\b/g, (x) => etichetta(x).toLowerCase())}</dd>`)}</dl></section>
<section aria-labelledby="t-storia"><h2 id="t-storia">Storia della consegna</h2>
<div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Storia della consegna del pacchetto, dalla più vecchia</caption>
<thead><tr><th scope="col">Quando</th><th scope="col">Fonte</th><th scope="col">Che cosa</th><th scope="col">Dettaglio</th></tr></thead>
<tbody>${voci.map((x) => html`<tr><td data-etichetta="Quando">${dataOra(x.il)}</td><td data-etichetta="Fonte">${FONTI[x.fonte] ?? x.fonte}</td><td data-etichetta="Che cosa">${etichetta(x.cosa)}</td><td data-etichetta="Dettaglio">${x.dettaglio}</td></tr>`)}</tbody></table></div></section>`;
  return layout(`Pacchetto ${ente(v.destinatario, 'per')}`, corpo, ctx);
}
