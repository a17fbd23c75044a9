import { DateTime } from 'luxon';
import { COMPETENZE, datiDaVerificare, professioneAmmessa, SOGLIA_TASSO_MEDIO_PER_MILLE } from '../../shared/domain/competenza';
import type { DatoVerificato, EnteVerificatore, Esito, EsitoDato, Rapporto } from '../../shared/domain/types';
import { QUALIFICA_OPERAIO } from '../../shared/domain/vocabolari';

/**
 * The verification a party runs on one packet, as pure functions of the packet and of what its archive
 * holds. Every datum the packet asks about gets exactly one esito (protocol art. 5):
 * CONFORME when the archive confirms it, NON_CONFORME when the archive contradicts it, NON_VERIFICABILE when
 * the archive holds nothing about it.
 */

/** A work relation as an archive records it (comunicazioni obbligatorie; INL inspection records). */
export interface RecordRapporto {
  dal: string;
  al?: string;
  ccnl?: string;
  livello?: string;
  professioneIstat?: string;
  /** One of QUALIFICHE (shared/domain/vocabolari.ts); the import refuses anything else. */
  qualifica?: string;
  lavoroATurni?: boolean;
  attivitaEducativa?: boolean;
}

/** A tariff voice applied on an INAIL PAT. */
export interface VocePat {
  cfDatore: string;
  voce: string;
  grandeGruppo: number;
  tassoPerMille: number;
}

/** What the archive holds about one relation of the packet. */
export interface DatiArchivio {
  rapporti: readonly RecordRapporto[];
  vociPat: readonly VocePat[];
}

const END_OF_TIME = '9999-12-31';

function dayBefore(d: string): string {
  return DateTime.fromISO(d, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
}

function dayAfter(d: string): string {
  return DateTime.fromISO(d, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
}

/** Sub-periods of [dal, al] not covered by any record. */
export function periodiScoperti(dal: string, al: string, records: readonly { dal: string; al?: string }[]): Array<{ dal: string; al: string }> {
  const sorted = [...records].sort((a, b) => (a.dal < b.dal ? -1 : a.dal > b.dal ? 1 : 0));
  const gaps: Array<{ dal: string; al: string }> = [];
  let cursor = dal;
  for (const r of sorted) {
    const rEnd = r.al ?? END_OF_TIME;
    if (rEnd < cursor) continue;
    if (cursor > al) break;
    if (r.dal > cursor) gaps.push({ dal: cursor, al: r.dal > al ? al : dayBefore(r.dal) });
    if (rEnd >= al) return gaps;
    cursor = dayAfter(rEnd) > cursor ? dayAfter(rEnd) : cursor;
  }
  if (cursor <= al) gaps.push({ dal: cursor, al });
  return gaps;
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function compatibiliIstat(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

type Regola = (r: Rapporto, recs: readonly RecordRapporto[]) => [Esito, string?];

const NESSUN_DATO: [Esito, string] = ['NON_VERIFICABILE', 'dato non presente in archivio'];

function valoriUguali(declared: string | undefined, values: readonly (string | undefined)[], what: string): [Esito, string?] {
  const known = uniq(values.filter((v): v is string => v !== undefined));
  if (known.length === 0) return NESSUN_DATO;
  if (known.every((v) => v === declared)) return ['CONFORME'];
  return ['NON_CONFORME', `${what} in archivio: ${known.join(', ')}`];
}

const REGOLE_RAPPORTO: Partial<Record<DatoVerificato, Regola>> = {
  CCNL: (r, recs) => valoriUguali(r.ccnl, recs.map((x) => x.ccnl), 'CCNL'),
  LIVELLO_INQUADRAMENTO: (r, recs) => valoriUguali(r.livello, recs.map((x) => x.livello), 'livello'),
  PROFESSIONE_ISTAT: (r, recs) => {
    const codes = uniq(recs.map((x) => x.professioneIstat).filter((v): v is string => v !== undefined));
    if (codes.length === 0) return NESSUN_DATO;
    const declared = r.professioneIstat ?? '';
    const diverse = codes.filter((c) => !compatibiliIstat(c, declared));
    if (diverse.length > 0) return ['NON_CONFORME', `professione in archivio: ${diverse.join(', ')}`];
    const fuori = codes.filter((c) => !professioneAmmessa(r.categoria, c));
    if (fuori.length > 0) return ['NON_CONFORME', `professione ${fuori.join(', ')} non rientra nella categoria ${r.categoria}`];
    if (COMPETENZE[r.categoria].soloOperai) {
      const qualifiche = uniq(recs.map((x) => x.qualifica).filter((q): q is string => q !== undefined && q !== QUALIFICA_OPERAIO));
      if (qualifiche.length > 0) return ['NON_CONFORME', `qualifica ${qualifiche.join(', ')}: la categoria ${r.categoria} riguarda solo gli operai`];
    }
    return ['CONFORME'];
  },
  LAVORO_A_TURNI: (r, recs) => flag(r.lavoroATurni, recs.map((x) => x.lavoroATurni), 'lavoro a turni'),
  ATTIVITA_EDUCATIVA: (r, recs) => flag(r.attivitaEducativa, recs.map((x) => x.attivitaEducativa), 'attività educativa'),
};

function flag(declared: boolean | undefined, values: readonly (boolean | undefined)[], what: string): [Esito, string?] {
  const known = uniq(values.filter((v): v is boolean => v !== undefined));
  if (known.length === 0) return NESSUN_DATO;
  if (known.length === 1 && known[0] === declared) return ['CONFORME'];
  return ['NON_CONFORME', `${what} in archivio: ${known.map((k) => (k ? 'sì' : 'no')).join(', ')}`];
}

/** MINLAVORO, ANPAL and INL: the relation must be in the archive, and its data must match. */
function verificaSuRapporti(ente: EnteVerificatore, r: Rapporto, recs: readonly RecordRapporto[], oggi: string): EsitoDato[] {
  const fine = r.periodo.al ?? oggi;
  const nelPeriodo = recs.filter((x) => x.dal <= fine && (x.al ?? END_OF_TIME) >= r.periodo.dal);
  return datiDaVerificare(ente, r).map((dato) => {
    if (nelPeriodo.length === 0) return esito(r, dato, 'NON_VERIFICABILE', 'nessun rapporto in archivio tra lavoratore e datore nel periodo dichiarato');
    if (dato === 'RAPPORTO_DI_LAVORO') {
      const gaps = periodiScoperti(r.periodo.dal, fine, nelPeriodo);
      return gaps.length === 0
        ? esito(r, dato, 'CONFORME')
        : esito(r, dato, 'NON_CONFORME', `periodo non coperto in archivio: ${gaps.map((g) => `${g.dal}/${g.al}`).join(', ')}`);
    }
    const [e, nota] = REGOLE_RAPPORTO[dato]!(r, nelPeriodo);
    return esito(r, dato, e, nota);
  });
}

/** INAIL: the declared tariff voices must be applied on the employer's PAT, in the category's grandi gruppi, above 17 per mille. */
function verificaInail(r: Rapporto, voci: readonly VocePat[]): EsitoDato[] {
  const dati = datiDaVerificare('INAIL', r);
  const all = (e: Esito, nota: string) => dati.map((d) => esito(r, d, e, nota));
  if (!r.datore.patInail) return all('NON_VERIFICABILE', 'PAT non dichiarata');
  if (voci.length === 0) return all('NON_VERIFICABILE', `PAT ${r.datore.patInail} non presente in archivio`);
  if (voci.some((v) => v.cfDatore !== r.datore.codiceFiscale)) return all('NON_CONFORME', `PAT ${r.datore.patInail} intestata ad altro datore di lavoro`);
  const dichiarate = r.vociTariffaInail ?? [];
  const trovate = voci.filter((v) => dichiarate.includes(v.voce));
  const mancanti = dichiarate.filter((d) => !voci.some((v) => v.voce === d));
  return dati.map((dato) => {
    switch (dato) {
      case 'VOCE_TARIFFA':
        return mancanti.length === 0 && dichiarate.length > 0
          ? esito(r, dato, 'CONFORME')
          : esito(r, dato, 'NON_CONFORME', `voci non applicate sulla PAT: ${mancanti.join(', ') || '(nessuna dichiarata)'}`);
      case 'GRANDE_GRUPPO_TARIFFA': {
        if (trovate.length === 0) return esito(r, dato, 'NON_VERIFICABILE', 'nessuna voce dichiarata è applicata sulla PAT');
        const ammessi = COMPETENZE[r.categoria].grandiGruppiInail ?? [];
        const fuori = uniq(trovate.map((v) => v.grandeGruppo).filter((g) => !ammessi.includes(g)));
        return fuori.length === 0
          ? esito(r, dato, 'CONFORME')
          : esito(r, dato, 'NON_CONFORME', `grande gruppo ${fuori.join(', ')} non previsto per la categoria ${r.categoria} (${ammessi.join(', ')})`);
      }
      default: {
        if (trovate.length === 0) return esito(r, dato, 'NON_VERIFICABILE', 'nessuna voce dichiarata è applicata sulla PAT');
        const media = trovate.reduce((s, v) => s + v.tassoPerMille, 0) / trovate.length;
        return media > SOGLIA_TASSO_MEDIO_PER_MILLE
          ? esito(r, dato, 'CONFORME')
          : esito(r, dato, 'NON_CONFORME', `tasso medio ${media.toFixed(2)} per mille non superiore a ${SOGLIA_TASSO_MEDIO_PER_MILLE}`);
      }
    }
  });
}

function esito(r: Rapporto, dato: DatoVerificato, e: Esito, nota?: string): EsitoDato {
  return nota === undefined ? { riferimento: r.riferimento, dato, esito: e } : { riferimento: r.riferimento, dato, esito: e, nota };
}

/** Esiti for one relation; `oggi` (Europe/Rome calendar date) ends a relation declared as ongoing. */
export function verificaRapporto(ente: EnteVerificatore, r: Rapporto, archivio: DatiArchivio, oggi: string): EsitoDato[] {
  return ente === 'INAIL' ? verificaInail(r, archivio.vociPat) : verificaSuRapporti(ente, r, archivio.rapporti, oggi);
}
