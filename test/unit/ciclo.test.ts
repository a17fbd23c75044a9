import { contraddiceChiusura, decidi, esitoComplessivo, type StatoVerifica } from '../../services/inps/core/ciclo';
import { datiNonVerificati } from '../../services/inps/core/aggiorna';
import type { PacchettoDaInviare } from '../../services/inps/core/sql/pacchetto';
import type { EnteVerificatore, Esito, Rapporto } from '../../shared/domain/types';
import type { StatoIstruttoria, StatoPacchetto } from '../../shared/domain/stati';

/**
 * The lifecycle of an istruttoria's verification as a pure decision (protocol art. 5): which state follows from
 * the packets' states, the INL inspection and the wait limit.
 */

type Pacchetto = StatoVerifica['pacchetti'][number];

const LIMITE = new Date('2026-04-24T22:00:00.000Z');
const PRIMA = new Date(LIMITE.getTime() - 1);
const DOPO = new Date(LIMITE.getTime() + 1);

function risposto(...esiti: Esito[]): Pacchetto {
  return { stato: 'RISPOSTO', esitiDato: esiti.map((esito) => ({ esito })) };
}

function inStato(stato: StatoPacchetto): Pacchetto {
  return { stato, esitiDato: [] };
}

function verifica(o: Partial<StatoVerifica> & Pick<StatoVerifica, 'pacchetti'>): StatoVerifica {
  return { stato: 'IN_VERIFICA', limite: LIMITE, accertamento: null, ...o };
}

describe('decidi: while the verification runs (IN_VERIFICA)', () => {
  test.each(['DA_INVIARE', 'INVIATO'] as StatoPacchetto[])('a packet still %s within its 5 days means nothing to decide yet', (stato) => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME'), inStato(stato)] }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
    expect(decidi(verifica({ pacchetti: [inStato(stato), risposto('NON_CONFORME')] }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
    expect(decidi(verifica({ pacchetti: [inStato(stato), risposto('NON_VERIFICABILE')] }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
  });

  test('an istruttoria with no packets waits', () => {
    expect(decidi(verifica({ pacchetti: [] }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
  });

  test('every packet answered with every datum CONFORME closes on the archives, CONFORME', () => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME', 'CONFORME'), risposto('CONFORME')] }), PRIMA)).toEqual({
      tipo: 'CHIUDI',
      regola: 'ESITI_ARCHIVI',
      esitoVerifica: 'CONFORME',
    });
  });

  test('every packet answered with some datum NON_CONFORME closes on the archives, NON_CONFORME', () => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME', 'NON_CONFORME'), risposto('CONFORME')] }), PRIMA)).toEqual({
      tipo: 'CHIUDI',
      regola: 'ESITI_ARCHIVI',
      esitoVerifica: 'NON_CONFORME',
    });
  });

  test('a NON_VERIFICABILE datum sends the case to INL, summarised NON_VERIFICABILE', () => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME', 'NON_VERIFICABILE'), risposto('CONFORME')] }), PRIMA)).toEqual({
      tipo: 'SEGNALA_INL',
      esitoVerifica: 'NON_VERIFICABILE',
    });
  });

  test('a NON_VERIFICABILE datum next to a NON_CONFORME one still goes to INL, summarised NON_CONFORME', () => {
    expect(decidi(verifica({ pacchetti: [risposto('NON_VERIFICABILE'), risposto('NON_CONFORME')] }), PRIMA)).toEqual({
      tipo: 'SEGNALA_INL',
      esitoVerifica: 'NON_CONFORME',
    });
  });

  test.each(['SCADUTO', 'RIFIUTATO'] as StatoPacchetto[])('a %s packet, the others all CONFORME, sends the case to INL as NON_VERIFICABILE', (stato) => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME'), inStato(stato), risposto('CONFORME')] }), PRIMA)).toEqual({
      tipo: 'SEGNALA_INL',
      esitoVerifica: 'NON_VERIFICABILE',
    });
  });

  test('a SCADUTO packet next to a NON_CONFORME answer goes to INL summarised NON_CONFORME', () => {
    expect(decidi(verifica({ pacchetti: [inStato('SCADUTO'), risposto('NON_CONFORME')] }), PRIMA)).toEqual({
      tipo: 'SEGNALA_INL',
      esitoVerifica: 'NON_CONFORME',
    });
  });

  // Art. 5: the limit bounds INPS's wait for INL's inspections (case c); the parties' answers are owed within their
  // own days and INPS completes on them (cases a, b). Before issue 13 the limit closed the case here, dropping them.
  test.each(['INVIATO', 'DA_INVIARE'] as StatoPacchetto[])('the wait limit passed while a packet is still %s: the party\'s answer is still awaited', (stato) => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME'), inStato(stato)] }), LIMITE)).toEqual({ tipo: 'NESSUNA' });
    expect(decidi(verifica({ pacchetti: [risposto('NON_CONFORME'), inStato(stato)] }), DOPO)).toEqual({ tipo: 'NESSUNA' });
  });

  test('answers arriving after the limit, every datum conforme or non conforme, close on the archives (a, b)', () => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME'), risposto('CONFORME')] }), DOPO)).toEqual({ tipo: 'CHIUDI', regola: 'ESITI_ARCHIVI', esitoVerifica: 'CONFORME' });
    expect(decidi(verifica({ pacchetti: [risposto('NON_CONFORME'), risposto('CONFORME')] }), DOPO)).toEqual({ tipo: 'CHIUDI', regola: 'ESITI_ARCHIVI', esitoVerifica: 'NON_CONFORME' });
  });

  test('after the limit, a non verificabile datum or an overdue packet still sends the case to INL (c): the limit then closes it', () => {
    expect(decidi(verifica({ pacchetti: [risposto('CONFORME'), inStato('SCADUTO')] }), DOPO)).toEqual({ tipo: 'SEGNALA_INL', esitoVerifica: 'NON_VERIFICABILE' });
    expect(decidi(verifica({ pacchetti: [risposto('NON_VERIFICABILE')] }), LIMITE)).toEqual({ tipo: 'SEGNALA_INL', esitoVerifica: 'NON_VERIFICABILE' });
    // Once with INL, the same state after the limit closes on the self-declarations.
    expect(decidi(verifica({ stato: 'VALUTAZIONE_INL', pacchetti: [risposto('CONFORME'), inStato('SCADUTO')] }), DOPO)).toEqual({
      tipo: 'CHIUDI',
      regola: 'AUTOCERTIFICAZIONI_TERMINE',
      esitoVerifica: 'NON_VERIFICABILE',
    });
  });

  test('an istruttoria without a limit never closes by the limit', () => {
    expect(decidi(verifica({ limite: null, pacchetti: [inStato('INVIATO')] }), new Date('2099-01-01T00:00:00Z'))).toEqual({ tipo: 'NESSUNA' });
  });
});

describe('decidi: while INL evaluates (VALUTAZIONE_INL)', () => {
  const inInl = (accertamento: StatoVerifica['accertamento'], pacchetti: Pacchetto[] = [risposto('CONFORME'), risposto('NON_VERIFICABILE')]) =>
    verifica({ stato: 'VALUTAZIONE_INL', accertamento, pacchetti });

  test('no answer from INL yet: wait', () => {
    expect(decidi(inInl(null), PRIMA)).toEqual({ tipo: 'NESSUNA' });
    expect(decidi(inInl({ stato: null, esito: null }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
  });

  test('an inspection opened (AVVIATO) and not concluded: wait', () => {
    expect(decidi(inInl({ stato: 'AVVIATO', esito: null }), PRIMA)).toEqual({ tipo: 'NESSUNA' });
  });

  test('INL opens no inspection (NON_AVVIATO): close on the self-declarations with the archives summary', () => {
    expect(decidi(inInl({ stato: 'NON_AVVIATO', esito: null }), PRIMA)).toEqual({
      tipo: 'CHIUDI',
      regola: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO',
      esitoVerifica: 'NON_VERIFICABILE',
    });
  });

  test('an inspection CONCLUSO with REQUISITI_CONFERMATI closes on its outcome, CONFORME', () => {
    expect(decidi(inInl({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' }), PRIMA)).toEqual({
      tipo: 'CHIUDI',
      regola: 'ESITO_ACCERTAMENTO',
      esitoVerifica: 'CONFORME',
    });
  });

  test('an inspection CONCLUSO with REQUISITI_NON_CONFERMATI closes on its outcome, NON_CONFORME', () => {
    expect(decidi(inInl({ stato: 'CONCLUSO', esito: 'REQUISITI_NON_CONFERMATI' }), PRIMA)).toEqual({
      tipo: 'CHIUDI',
      regola: 'ESITO_ACCERTAMENTO',
      esitoVerifica: 'NON_CONFORME',
    });
  });

  test('the inspection outcome decides even against the archives summary', () => {
    expect(decidi(inInl({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' }, [risposto('NON_CONFORME'), inStato('SCADUTO')]), PRIMA)).toMatchObject({
      regola: 'ESITO_ACCERTAMENTO',
      esitoVerifica: 'CONFORME',
    });
  });

  test('the wait limit reached with no inspection outcome closes on the self-declarations (AUTOCERTIFICAZIONI_TERMINE)', () => {
    for (const acc of [null, { stato: 'AVVIATO' as const, esito: null }]) {
      expect(decidi(inInl(acc), PRIMA)).toEqual({ tipo: 'NESSUNA' });
      expect(decidi(inInl(acc), LIMITE)).toEqual({ tipo: 'CHIUDI', regola: 'AUTOCERTIFICAZIONI_TERMINE', esitoVerifica: 'NON_VERIFICABILE' });
      expect(decidi(inInl(acc), DOPO)).toEqual({ tipo: 'CHIUDI', regola: 'AUTOCERTIFICAZIONI_TERMINE', esitoVerifica: 'NON_VERIFICABILE' });
    }
  });

  test('a late esito answered meanwhile does not reopen the verification: VALUTAZIONE_INL never goes back to SEGNALA_INL or ESITI_ARCHIVI', () => {
    expect(decidi(inInl(null, [risposto('CONFORME'), risposto('CONFORME')]), PRIMA)).toEqual({ tipo: 'NESSUNA' });
  });
});

describe('decidi: a closed istruttoria (CHIUSA)', () => {
  test.each([
    ['all answered', [risposto('CONFORME')], null],
    ['NV answered', [risposto('NON_VERIFICABILE')], null],
    ['overdue', [inStato('SCADUTO')], null],
    ['inspection concluded', [risposto('NON_VERIFICABILE')], { stato: 'CONCLUSO' as const, esito: 'REQUISITI_NON_CONFERMATI' as const }],
    ['inspection declined', [risposto('NON_VERIFICABILE')], { stato: 'NON_AVVIATO' as const, esito: null }],
  ] as Array<[string, Pacchetto[], StatoVerifica['accertamento']]>)('nothing more to decide (%s), even after the limit', (_nome, pacchetti, accertamento) => {
    const s = verifica({ stato: 'CHIUSA' as StatoIstruttoria, pacchetti, accertamento });
    expect(decidi(s, PRIMA)).toEqual({ tipo: 'NESSUNA' });
    expect(decidi(s, DOPO)).toEqual({ tipo: 'NESSUNA' });
  });
});

describe('esitoComplessivo', () => {
  test('all CONFORME is CONFORME', () => {
    expect(esitoComplessivo({ pacchetti: [risposto('CONFORME', 'CONFORME'), risposto('CONFORME')] })).toBe('CONFORME');
  });

  test('an overdue packet counts as NON_VERIFICABILE', () => {
    expect(esitoComplessivo({ pacchetti: [risposto('CONFORME'), inStato('SCADUTO')] })).toBe('NON_VERIFICABILE');
  });

  test('a refused packet counts as NON_VERIFICABILE', () => {
    expect(esitoComplessivo({ pacchetti: [risposto('CONFORME'), inStato('RIFIUTATO')] })).toBe('NON_VERIFICABILE');
  });

  test('NON_CONFORME wins over NON_VERIFICABILE and over an overdue packet', () => {
    expect(esitoComplessivo({ pacchetti: [risposto('NON_VERIFICABILE', 'NON_CONFORME'), inStato('SCADUTO')] })).toBe('NON_CONFORME');
    expect(esitoComplessivo({ pacchetti: [inStato('SCADUTO'), risposto('CONFORME', 'NON_CONFORME')] })).toBe('NON_CONFORME');
  });

  test('NON_VERIFICABILE wins over CONFORME', () => {
    expect(esitoComplessivo({ pacchetti: [risposto('CONFORME', 'NON_VERIFICABILE')] })).toBe('NON_VERIFICABILE');
  });

  test('nothing answered yet summarises as NON_VERIFICABILE', () => {
    expect(esitoComplessivo({ pacchetti: [inStato('INVIATO'), inStato('DA_INVIARE')] })).toBe('NON_VERIFICABILE');
    expect(esitoComplessivo({ pacchetti: [] })).toBe('NON_VERIFICABILE');
  });
});

describe('contraddiceChiusura', () => {
  const chiusure: Array<Esito | null> = [null, 'CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE'];
  const nuovi: Esito[] = ['CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE'];
  const fonti = ['ACCERTAMENTO', 'ESITO'] as const;

  /**
   * The rule: anything NON_CONFORME contradicts a case not closed NON_CONFORME (closed favourably, on the
   * self-declarations, or without an outcome); an inspection confirming the requisites contradicts a case closed
   * NON_CONFORME. Nothing else does.
   */
  function atteso(chiusura: Esito | null, nuovo: Esito, fonte: (typeof fonti)[number]): boolean {
    if (nuovo === 'NON_CONFORME') return chiusura !== 'NON_CONFORME';
    return fonte === 'ACCERTAMENTO' && nuovo === 'CONFORME' && chiusura === 'NON_CONFORME';
  }

  const casi = chiusure.flatMap((c) => nuovi.flatMap((n) => fonti.map((f) => [c, n, f, atteso(c, n, f)] as const)));

  test('the table covers every combination (4 closing outcomes x 3 new outcomes x 2 sources)', () => {
    expect(casi).toHaveLength(24);
    expect(casi.filter((c) => c[3])).toHaveLength(7);
  });

  test.each(casi)('closed %s, new %s from %s: riesame %s', (chiusura, nuovo, fonte, expected) => {
    expect(contraddiceChiusura(chiusura, nuovo, fonte)).toBe(expected);
  });

  test('spelled out: a NON_CONFORME esito after a CONFORME closure contradicts it', () => {
    expect(contraddiceChiusura('CONFORME', 'NON_CONFORME', 'ESITO')).toBe(true);
  });

  test('spelled out: a CONFORME archive esito never contradicts a NON_CONFORME closure; a confirming inspection does', () => {
    expect(contraddiceChiusura('NON_CONFORME', 'CONFORME', 'ESITO')).toBe(false);
    expect(contraddiceChiusura('NON_CONFORME', 'CONFORME', 'ACCERTAMENTO')).toBe(true);
  });

  test('spelled out: NON_VERIFICABILE never contradicts anything', () => {
    for (const c of chiusure) for (const f of fonti) expect(contraddiceChiusura(c, 'NON_VERIFICABILE', f)).toBe(false);
  });
});

describe('datiNonVerificati: the data that reach INL and why', () => {
  const rapporti = (ente: EnteVerificatore): Rapporto[] => {
    const r1: Rapporto = { riferimento: 1, datore: { codiceFiscale: '01234567897' }, periodo: { dal: '2014-01-07' }, categoria: 'A' };
    const r2: Rapporto = { riferimento: 2, datore: { codiceFiscale: '02345678901' }, periodo: { dal: '2010-01-01', al: '2013-12-31' }, categoria: 'E' };
    if (ente === 'INAIL') return [{ ...r1, vociTariffaInail: ['3110'] }, { ...r2, vociTariffaInail: ['9121'] }];
    return [
      { ...r1, ccnl: 'F012', livello: '2', professioneIstat: '6.1.2.1' },
      // No livello declared: the packet asks one datum fewer.
      { ...r2, ccnl: 'I100', professioneIstat: '7.4.2.3' },
    ];
  };
  const contenuto = (ente: EnteVerificatore): PacchettoDaInviare => ({
    idPacchetto: `p-${ente}`,
    idIstruttoria: 'i-1',
    protocolloDomanda: 'INPS.T.1',
    tipoDomanda: 'APE_SOCIALE',
    destinatario: ente,
    lavoratore: { codiceFiscale: 'RSSMRA60A01H501U' },
    rapporti: rapporti(ente),
  });
  const pacchetto = (ente: EnteVerificatore, stato: StatoPacchetto, esitiDato: Array<{ riferimento: number; dato: string; esito: Esito }> = []) => ({
    id: `p-${ente}`,
    destinatario: ente,
    stato,
    contenuto: contenuto(ente),
    esitiDato,
  });

  test('an overdue packet lists every datum of every relation it asked, with ESITO_NON_PERVENUTO', () => {
    expect(datiNonVerificati([pacchetto('MINLAVORO', 'SCADUTO')])).toEqual([
      { ente: 'MINLAVORO', riferimento: 1, dato: 'RAPPORTO_DI_LAVORO', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 1, dato: 'CCNL', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 1, dato: 'LIVELLO_INQUADRAMENTO', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 1, dato: 'PROFESSIONE_ISTAT', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 2, dato: 'RAPPORTO_DI_LAVORO', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 2, dato: 'CCNL', motivo: 'ESITO_NON_PERVENUTO' },
      { ente: 'MINLAVORO', riferimento: 2, dato: 'PROFESSIONE_ISTAT', motivo: 'ESITO_NON_PERVENUTO' },
    ]);
  });

  test('a refused packet lists every datum it asked, with PACCHETTO_RIFIUTATO', () => {
    expect(datiNonVerificati([pacchetto('INAIL', 'RIFIUTATO')])).toEqual(
      [1, 2].flatMap((riferimento) =>
        (['GRANDE_GRUPPO_TARIFFA', 'VOCE_TARIFFA', 'TASSO_MEDIO_TARIFFA'] as const).map((dato) => ({ ente: 'INAIL', riferimento, dato, motivo: 'PACCHETTO_RIFIUTATO' })),
      ),
    );
  });

  test('an answered packet lists only its NON_VERIFICABILE data', () => {
    const anpal = pacchetto('ANPAL', 'RISPOSTO', [
      { riferimento: 1, dato: 'RAPPORTO_DI_LAVORO', esito: 'CONFORME' },
      { riferimento: 1, dato: 'CCNL', esito: 'NON_VERIFICABILE' },
      { riferimento: 1, dato: 'LIVELLO_INQUADRAMENTO', esito: 'NON_CONFORME' },
      { riferimento: 1, dato: 'PROFESSIONE_ISTAT', esito: 'CONFORME' },
      { riferimento: 2, dato: 'RAPPORTO_DI_LAVORO', esito: 'NON_VERIFICABILE' },
      { riferimento: 2, dato: 'CCNL', esito: 'CONFORME' },
      { riferimento: 2, dato: 'PROFESSIONE_ISTAT', esito: 'CONFORME' },
    ]);
    expect(datiNonVerificati([anpal])).toEqual([
      { ente: 'ANPAL', riferimento: 1, dato: 'CCNL', motivo: 'NON_VERIFICABILE' },
      { ente: 'ANPAL', riferimento: 2, dato: 'RAPPORTO_DI_LAVORO', motivo: 'NON_VERIFICABILE' },
    ]);
  });

  test('an answered packet with every datum verified lists nothing; pending packets list nothing', () => {
    const tutto = pacchetto('INAIL', 'RISPOSTO', [{ riferimento: 1, dato: 'VOCE_TARIFFA', esito: 'CONFORME' }]);
    expect(datiNonVerificati([tutto, pacchetto('MINLAVORO', 'INVIATO'), pacchetto('ANPAL', 'DA_INVIARE')])).toEqual([]);
  });

  test('several packets: each contributes with its own reason', () => {
    const out = datiNonVerificati([
      pacchetto('MINLAVORO', 'RISPOSTO', [{ riferimento: 2, dato: 'CCNL', esito: 'NON_VERIFICABILE' }]),
      pacchetto('INAIL', 'SCADUTO'),
    ]);
    expect(out.filter((d) => d.ente === 'MINLAVORO')).toEqual([{ ente: 'MINLAVORO', riferimento: 2, dato: 'CCNL', motivo: 'NON_VERIFICABILE' }]);
    expect(out.filter((d) => d.ente === 'INAIL')).toHaveLength(6);
    expect(out.filter((d) => d.ente === 'INAIL').every((d) => d.motivo === 'ESITO_NON_PERVENUTO')).toBe(true);
  });
});
