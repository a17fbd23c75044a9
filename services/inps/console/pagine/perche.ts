import type { VistaIstruttoria } from '../../../../shared/messages/istruttoria';
import type { AttestazioneDichiarata } from '../dati';
import { html, type Html } from '../html';
import { giornoIt } from '../tempo';
import { ente, etichetta } from './etichette';

/**
 * "Perché questo esito": every datum a party did not find conforme, with the party, the employer and period it is
 * about, its Italian name, what was declared beside what the archive holds; conforming data collapsed below.
 */
const sino = (b: boolean | null) => (b === null ? null : b ? 'sì' : 'no');

/** What the domanda declared for one datum of one attestation. */
export function dichiarato(a: AttestazioneDichiarata | undefined, dato: string): string | null {
  if (!a) return null;
  switch (dato) {
    case 'RAPPORTO_DI_LAVORO':
      return `dal ${giornoIt(a.dal)}${a.al ? ` al ${giornoIt(a.al)}` : ' (in corso)'}`;
    case 'CCNL':
      return a.ccnl;
    case 'LIVELLO_INQUADRAMENTO':
      return a.livello;
    case 'PROFESSIONE_ISTAT':
      return a.professioneIstat;
    case 'GRANDE_GRUPPO_TARIFFA':
    case 'VOCE_TARIFFA':
    case 'TASSO_MEDIO_TARIFFA':
      return a.vociTariffaInail.length > 0 ? `voci ${a.vociTariffaInail.join(', ')}` : null;
    case 'LAVORO_A_TURNI':
      return sino(a.lavoroATurni);
    case 'ATTIVITA_EDUCATIVA':
      return sino(a.attivitaEducativa);
  }
  return null;
}

interface Riga {
  parte: string;
  attestazione: AttestazioneDichiarata | undefined;
  riferimento: number;
  dato: string;
  esito: string;
  nota: string | undefined;
}

function riga(r: Riga): Html {
  const a = r.attestazione;
  const rapporto = a ? `${a.datore} (codice fiscale ${a.datoreCf}), dal ${giornoIt(a.dal)}${a.al ? ` al ${giornoIt(a.al)}` : ''}` : `rapporto ${r.riferimento}`;
  const non = r.esito !== 'CONFORME';
  return html`<tr class="${non ? 'difforme' : ''}" data-dato="${r.dato}"><th scope="row" data-etichetta="Dato">${etichetta(r.dato)}</th>
<td data-etichetta="Amministrazione">${ente(r.parte)}</td><td data-etichetta="Rapporto">${rapporto}</td>
<td data-etichetta="Dichiarato">${dichiarato(a, r.dato) ?? html`<em>non indicato</em>`}</td>
<td data-etichetta="In archivio">${r.nota ?? html`<em>nessun valore comunicato</em>`}</td>
<td data-etichetta="Esito">${non ? html`<strong class="marcato">${etichetta(r.esito)}</strong>` : etichetta(r.esito)}</td></tr>`;
}

const TESTATA = html`<thead><tr><th scope="col">Dato</th><th scope="col">Amministrazione</th><th scope="col">Rapporto (datore e periodo)</th><th scope="col">Dichiarato</th><th scope="col">In archivio</th><th scope="col">Esito</th></tr></thead>`;

export function perche(v: VistaIstruttoria, attestazioni: AttestazioneDichiarata[]): Html {
  const righe: Riga[] = v.pacchetti.flatMap((p) =>
    p.esitiDato.map((e) => ({ parte: p.destinatario, attestazione: attestazioni.find((a) => a.riferimento === e.riferimento), riferimento: e.riferimento, dato: e.dato, esito: e.esito, nota: e.nota })),
  );
  const difformi = righe.filter((r) => r.esito !== 'CONFORME');
  const conformi = righe.filter((r) => r.esito === 'CONFORME');
  const controlli = v.controlliInps.filter((c) => !/^SODDISFATT/.test(c.esito));
  return html`<section aria-labelledby="t-perche" class="perche">
<h2 id="t-perche">Perché questo esito</h2>
${difformi.length === 0 && controlli.length === 0
  ? html`<p>${righe.length === 0 ? 'Nessun esito ricevuto finora.' : 'Tutti i dati verificati finora sono conformi.'}</p>`
  : html`<div class="scorre"><table class="schede"><caption>Dati non conformi o non verificabili</caption>${TESTATA}<tbody>${difformi.map(riga)}</tbody></table></div>
${controlli.map((c) => html`<p class="difforme"><strong class="marcato">INPS, ${etichetta(c.requisito)}: ${etichetta(c.esito)}</strong> — ${c.dettaglio}</p>`)}`}
${conformi.length > 0
  ? html`<details><summary>${conformi.length === 1 ? '1 dato conforme' : `${conformi.length} dati conformi`}</summary><div class="scorre"><table class="schede"><caption class="visivamente-nascosto">Dati conformi</caption>${TESTATA}<tbody>${conformi.map(riga)}</tbody></table></div></details>`
  : ''}
</section>`;
}
