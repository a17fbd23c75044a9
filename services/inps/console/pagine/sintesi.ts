import type { VistaIstruttoria } from '../../../../shared/messages/istruttoria';
import { dataScadenza, giornoIt } from '../tempo';
import { ente, etichetta } from './etichette';

/**
 * What an officer asks first of an istruttoria, in one line each: the graduatoria window and cut-off it counts for,
 * whether its outcome is final, and what happens next.
 */

/** "Finestra: entro il 15/07/2026 — graduatoria entro il 15/10/2026" (Rome calendar dates). */
export function testoFinestra(f: { chiusura: string | null; graduatoria: string | null } | undefined | null): string {
  if (!f || !f.chiusura || !f.graduatoria) return 'Finestra: nessuna finestra configurata per la data di presentazione';
  return `Finestra: entro il ${giornoIt(f.chiusura)} — graduatoria entro il ${giornoIt(f.graduatoria)}`;
}

/**
 * The outcome as it may be shown: final once closed; while open only provisional, never "Non verificabile" as if it
 * were the end (a case waiting on INL is still being verified).
 */
export function esitoMostrato(stato: string, esito: string | null | undefined): { testo: string; definitivo: boolean } {
  if (stato === 'CHIUSA') return { testo: etichetta(esito), definitivo: true };
  if (stato === 'VALUTAZIONE_INL') return { testo: "In corso: in attesa dell'INL", definitivo: false };
  return { testo: 'In corso: verifica negli archivi', definitivo: false };
}

const elenco = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} e ${xs[xs.length - 1]}`);

/** The next step of an open istruttoria, with the date that decides it; null once closed. */
export function prossimoPasso(v: VistaIstruttoria): string | null {
  if (v.stato === 'CHIUSA') return null;
  const limite = v.limite ? dataScadenza(v.limite) : null;
  if (v.stato === 'VALUTAZIONE_INL') {
    const entro = limite ? `entro il ${limite}` : 'entro il limite di attesa';
    if (v.accertamento?.stato === 'AVVIATO') return `accertamento INL in corso; se nessun esito ${entro}, chiusura sulle autocertificazioni`;
    return `caso segnalato all'INL, in attesa della sua valutazione; se nessun accertamento ${entro}, chiusura sulle autocertificazioni`;
  }
  const attesi = v.pacchetti.filter((p) => p.stato === 'DA_INVIARE' || p.stato === 'INVIATO');
  if (attesi.length === 0) return 'esiti ricevuti: chiusura in corso';
  const chi = elenco(attesi.map((p) => `${ente(p.destinatario, 'di')}${p.scadenzaEsito ? ` (entro il ${dataScadenza(p.scadenzaEsito)})` : ' (pacchetto non ancora consegnato)'}`));
  return `in attesa degli esiti ${chi}; poi chiusura sugli esiti degli archivi, o segnalazione all'INL se un dato resta non verificabile`;
}
