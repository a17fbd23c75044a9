import { valutaChiusura, type PacchettoPerChiusura } from '../../services/inps/core/chiusura';
import type { Esito } from '../../shared/domain/types';
import type { StatoPacchetto } from '../../shared/domain/stati';

function risposto(...esiti: Esito[]): PacchettoPerChiusura {
  return { stato: 'RISPOSTO', esitiDato: esiti.map((esito) => ({ esito })) };
}

describe('valutaChiusura', () => {
  test('no packets: nothing to decide', () => {
    expect(valutaChiusura([])).toBeNull();
  });

  test.each(['DA_INVIARE', 'INVIATO', 'SCADUTO', 'RIFIUTATO'] as StatoPacchetto[])(
    'while a packet is %s the istruttoria stays in verification, whatever the other esiti say',
    (stato) => {
      const pending: PacchettoPerChiusura = { stato, esitiDato: [] };
      expect(valutaChiusura([risposto('CONFORME', 'CONFORME'), pending])).toBeNull();
      expect(valutaChiusura([pending, risposto('NON_CONFORME')])).toBeNull();
    },
  );

  test('every datum CONFORME closes the istruttoria CONFORME on the archives', () => {
    expect(valutaChiusura([risposto('CONFORME', 'CONFORME', 'CONFORME', 'CONFORME'), risposto('CONFORME', 'CONFORME', 'CONFORME')])).toEqual({
      stato: 'CHIUSA',
      esitoVerifica: 'CONFORME',
      regola: 'ESITI_ARCHIVI',
    });
  });

  test('one NON_CONFORME datum closes the istruttoria NON_CONFORME on the archives', () => {
    expect(valutaChiusura([risposto('CONFORME', 'CONFORME'), risposto('CONFORME', 'NON_CONFORME', 'CONFORME')])).toEqual({
      stato: 'CHIUSA',
      esitoVerifica: 'NON_CONFORME',
      regola: 'ESITI_ARCHIVI',
    });
  });

  test('a NON_VERIFICABILE datum hands the case to INL, with no closing rule yet', () => {
    expect(valutaChiusura([risposto('CONFORME', 'CONFORME'), risposto('NON_VERIFICABILE', 'CONFORME')])).toEqual({
      stato: 'VALUTAZIONE_INL',
      esitoVerifica: 'NON_VERIFICABILE',
      regola: null,
    });
  });

  test('NON_VERIFICABILE and NON_CONFORME together go to INL, summarised NON_CONFORME', () => {
    expect(valutaChiusura([risposto('NON_CONFORME', 'CONFORME'), risposto('NON_VERIFICABILE')])).toEqual({
      stato: 'VALUTAZIONE_INL',
      esitoVerifica: 'NON_CONFORME',
      regola: null,
    });
  });

  test('the decision does not depend on the order of the packets', () => {
    const a = risposto('CONFORME');
    const b = risposto('NON_VERIFICABILE');
    const c = risposto('NON_CONFORME');
    expect(valutaChiusura([a, b, c])).toEqual(valutaChiusura([c, b, a]));
  });

  test('answered packets without any esito leave nothing to decide', () => {
    expect(valutaChiusura([risposto(), risposto()])).toBeNull();
  });
});
