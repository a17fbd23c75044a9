import { CaricoGenerato } from '../../infra/bench/carico-generato';
import { fileArchivio } from '../../infra/demo/csv';
import { leggiFileArchivio } from '../../services/ente/archivio-csv';
import { FORMATI } from '../../services/ente/archivio-formato';
import { verificaRapporto, type DatiArchivio, type RecordRapporto } from '../../services/ente/verifica';
import { esitoComplessivo } from '../../services/inps/core/ciclo';
import { indiceTreDatori } from '../../services/inps/core/indici-inl';
import { rapportiPerEnte } from '../../shared/domain/competenza';
import { problemaCodiceFiscaleDatore, problemaCodiceFiscalePersona } from '../../shared/domain/codice-fiscale';
import type { Domanda, EnteVerificatore } from '../../shared/domain/types';

const ADESSO = new Date('2026-12-04T10:00:00Z');
const OGGI = '2026-12-04';

/** What each party would answer from the generated archives, combined as INPS combines it. */
function esitoDagliArchivi(c: CaricoGenerato, d: Domanda): string {
  const pacchetti = [...rapportiPerEnte(d.attestazioni)].map(([ente, rapporti]) => ({
    stato: 'RISPOSTO' as const,
    esitiDato: rapporti.flatMap((r) => verificaRapporto(ente, r, datiPer(c, ente, d.richiedente.codiceFiscale, r.datore), OGGI)),
  }));
  return esitoComplessivo({ pacchetti });
}

function datiPer(c: CaricoGenerato, ente: EnteVerificatore, lavoratore: string, datore: { codiceFiscale: string; patInail?: string }): DatiArchivio {
  const righe = ente === 'INAIL' ? [] : c.archivi.rapporti[ente].filter((r) => r.cf_lavoratore === lavoratore && r.cf_datore === datore.codiceFiscale);
  return {
    rapporti: righe.map((r) => {
      const rec: RecordRapporto = { dal: r.dal };
      if (r.al) rec.al = r.al;
      if (r.ccnl) rec.ccnl = r.ccnl;
      if (r.livello) rec.livello = r.livello;
      if (r.professione_istat) rec.professioneIstat = r.professione_istat;
      if (r.qualifica) rec.qualifica = r.qualifica;
      if (r.lavoro_a_turni) rec.lavoroATurni = r.lavoro_a_turni === 'true';
      if (r.attivita_educativa) rec.attivitaEducativa = r.attivita_educativa === 'true';
      return rec;
    }),
    vociPat: c.archivi.inail
      .filter((p) => datore.patInail !== undefined && p.pat === datore.patInail)
      .map((p) => ({ cfDatore: p.cf_datore, voce: p.voce, grandeGruppo: Number(p.grande_gruppo), tassoPerMille: Number(p.tasso_per_mille) })),
  };
}

describe('the generated load at national shape (bench --archivi-generati)', () => {
  const N = 2200;
  const carico = new CaricoGenerato(N);
  const domande = Array.from({ length: N }, (_v, i) => carico.prossima(`BENCH.T.${i}`, ADESSO));

  test('every domanda ends, on the generated archives, as the load expects, and every outcome occurs', () => {
    // the esito part of the expectation: whether INL inspects is decided by INPS's triggers, not the archives
    const inattese = domande.filter(({ domanda, atteso }) => esitoDagliArchivi(carico, domanda) !== atteso.split(' + ')[0]).map((x) => x.domanda.protocollo);
    expect(inattese).toEqual([]);
    expect(new Set(domande.map((x) => x.atteso))).toEqual(new Set(['CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE', 'NON_VERIFICABILE + accertamento AVVIATO']));
  });

  test('one worker per domanda; every code valid; the archives pass the import checks', () => {
    const lavoratori = domande.map((x) => x.domanda.richiedente.codiceFiscale);
    expect(new Set(lavoratori).size).toBe(N);
    for (const cf of lavoratori) expect(problemaCodiceFiscalePersona(cf)).toBeNull();
    for (const { domanda } of domande) for (const a of domanda.attestazioni) expect(problemaCodiceFiscaleDatore(a.datore.codiceFiscale)).toBeNull();
    for (const f of fileArchivio(carico.archivi.rapporti, carico.archivi.inail)) {
      expect(() => leggiFileArchivio(FORMATI[f.tipo], f.testo, f.nome)).not.toThrow();
    }
  });

  test('the rules fire as at national volume; the five-workers rule never turns a NON_VERIFICABILE domanda into an inspection', () => {
    const perDatore = carico.lavoratoriPerDatore();
    expect(perDatore.length).toBeGreaterThan(300);
    expect(perDatore[0]).toBeGreaterThan(50);
    expect(perDatore.filter((n) => n >= 5).length).toBeGreaterThan(50);
    // three employers in the relevant period: the three-employers rule, on every case INL is to inspect
    const treDatori = (d: Domanda) => indiceTreDatori(d.attestazioni, d.dataDecorrenza, 3) !== null;
    expect(domande.filter((x) => treDatori(x.domanda)).length).toBeGreaterThan(N / 10);
    for (const x of domande.filter((y) => y.atteso.endsWith('AVVIATO'))) expect(treDatori(x.domanda)).toBe(true);
    // the employers of domande that end NON_VERIFICABILE name at most four workers: INL's decision stays "no inspection"
    const lavoratoriDi = new Map<string, Set<string>>();
    for (const { domanda } of domande) for (const a of domanda.attestazioni) (lavoratoriDi.get(a.datore.codiceFiscale) ?? lavoratoriDi.set(a.datore.codiceFiscale, new Set()).get(a.datore.codiceFiscale)!).add(domanda.richiedente.codiceFiscale);
    const nonVerificabili = domande.filter((x) => x.atteso === 'NON_VERIFICABILE');
    expect(nonVerificabili.length).toBeGreaterThan(N / 5);
    for (const { domanda } of nonVerificabili) for (const a of domanda.attestazioni) expect(lavoratoriDi.get(a.datore.codiceFiscale)!.size).toBeLessThanOrEqual(4);
  });

  test('the draw is seeded, and the load refuses a domanda beyond its size', () => {
    const altro = new CaricoGenerato(N);
    expect(altro.prossima('P', ADESSO).domanda.attestazioni).toEqual(domande[0]!.domanda.attestazioni);
    expect(() => carico.prossima('P', ADESSO)).toThrow(`the generated load has ${N} domande, all taken`);
  });
});
