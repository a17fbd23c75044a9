import type { StatParte, VolumeGiorno } from '../dati';
import { html, type Html } from '../html';
import { giornoIt } from '../tempo';
import { ente, etichetta } from './etichette';
import { layout, type Contesto } from './layout';

/** The dashboard: packets per party and volumes per day. */

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
<desc id="g-desc">Barre per giorno: domande ricevute (scure) ed esiti ricevuti (chiare), dal ${giornoIt(volumi[0]?.giorno)} al ${giornoIt(volumi[volumi.length - 1]?.giorno)}; massimo ${max}. I valori sono nella tabella che segue.</desc>
<line x1="${margine.sx}" y1="${base}" x2="${w - margine.dx}" y2="${base}" class="asse"/>
<text x="${margine.sx - 6}" y="${margine.su + 10}" class="etichetta-asse" text-anchor="end">${max}</text>
<text x="${margine.sx - 6}" y="${base}" class="etichetta-asse" text-anchor="end">0</text>
${volumi.map((v, i) => {
    const x = margine.sx + i * passo + 1;
    return html`<g><rect x="${x.toFixed(1)}" y="${(base - altezza(v.domande)).toFixed(1)}" width="${barra.toFixed(1)}" height="${altezza(v.domande).toFixed(1)}" class="barra-domande"><title>${giornoIt(v.giorno)}: ${v.domande === 1 ? '1 domanda' : `${v.domande} domande`}</title></rect>
<rect x="${(x + barra + 1).toFixed(1)}" y="${(base - altezza(v.esiti)).toFixed(1)}" width="${barra.toFixed(1)}" height="${altezza(v.esiti).toFixed(1)}" class="barra-esiti"><title>${giornoIt(v.giorno)}: ${v.esiti === 1 ? '1 esito' : `${v.esiti} esiti`}</title></rect>
${i % 2 === 0 ? html`<text x="${(x + barra).toFixed(1)}" y="${base + 16}" class="etichetta-asse" text-anchor="middle">${giornoIt(v.giorno).slice(0, 5)}</text>` : ''}</g>`;
  })}
</svg>`;
}

export function paginaCruscotto(ctx: Contesto, parti: StatParte[], volumi: VolumeGiorno[]): Html {
  const corpo = html`<section aria-labelledby="t-parti">
<h2 id="t-parti">Pacchetti per amministrazione</h2>
<div class="scorre"><table class="schede"><caption>Tempi di risposta calcolati sugli esiti degli ultimi 30 giorni (dall'invio alla risposta)</caption>
<thead><tr><th scope="col">Amministrazione</th><th scope="col">In attesa</th><th scope="col">Scaduti</th><th scope="col">Esiti (30 giorni)</th><th scope="col">Mediana</th><th scope="col">95° percentile</th></tr></thead>
<tbody>${parti.map((p) => html`<tr data-parte="${p.destinatario}"><th scope="row" data-etichetta="Amministrazione">${etichetta(p.destinatario)}</th>
<td data-etichetta="In attesa"><a href="/istruttorie?attesa=${p.destinatario}" aria-label="${p.inAttesa} in attesa ${ente(p.destinatario, 'di')}: apri l'elenco">${p.inAttesa}</a></td>
<td data-etichetta="Scaduti"${p.scaduti > 0 ? html` class="avviso"` : ''}><a href="/istruttorie?attesa=${p.destinatario}&amp;scadute=1" aria-label="${p.scaduti} scaduti ${ente(p.destinatario, 'di')}: apri l'elenco">${p.scaduti}</a></td><td data-etichetta="Esiti (30 giorni)">${p.risposti}</td><td data-etichetta="Mediana">${ore(p.medianaOre)}</td><td data-etichetta="95° percentile">${ore(p.p95Ore)}</td></tr>`)}</tbody></table></div>
</section>
<section aria-labelledby="t-volumi">
<h2 id="t-volumi">Volumi per giorno</h2>
<figure>${grafico(volumi)}<figcaption><span class="legenda legenda-domande"></span> domande ricevute <span class="legenda legenda-esiti"></span> esiti ricevuti</figcaption></figure>
<div class="scorre"><table><caption>Volumi per giorno (ora di Roma)</caption>
<thead><tr><th scope="col">Giorno</th><th scope="col">Domande ricevute</th><th scope="col">Esiti ricevuti</th></tr></thead>
<tbody>${volumi.map((v) => html`<tr><th scope="row">${giornoIt(v.giorno)}</th><td>${v.domande}</td><td>${v.esiti}</td></tr>`)}</tbody></table></div>
</section>`;
  return layout('Cruscotto', corpo, ctx);
}
