import type { StatParte, VolumeGiorno } from '../dati';
import { html, type Html } from '../html';
import { etichetta } from './etichette';
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
