import { ammessa, mosseDa, STATI_PACCHETTO, STATO_INIZIALE, statoDopo, TRANSIZIONI, type MossaPacchetto } from '../../services/inps/core/pacchetto-transizioni';
import type { StatoPacchetto } from '../../shared/domain/stati';

/**
 * The verification packet's state machine at INPS: every move the table allows, and every move it refuses.
 * The expected machine is written out here once more, on purpose: a change to the table must change this too.
 */

const ATTESE: ReadonlyArray<[MossaPacchetto, StatoPacchetto, StatoPacchetto]> = [
  ['PRESA_IN_CARICO', 'DA_INVIARE', 'INVIATO'],
  ['RISPOSTA', 'DA_INVIARE', 'RISPOSTO'],
  ['RISPOSTA', 'INVIATO', 'RISPOSTO'],
  ['RISPOSTA', 'SCADUTO', 'RISPOSTO'],
  ['RISPOSTA', 'RIFIUTATO', 'RISPOSTO'],
  ['SCADENZA_ESITO', 'INVIATO', 'SCADUTO'],
  ['SCADENZA_INVIO', 'DA_INVIARE', 'SCADUTO'],
  ['RIFIUTO', 'DA_INVIARE', 'RIFIUTATO'],
  ['REINVIO', 'RIFIUTATO', 'DA_INVIARE'],
];

const MOSSE = Object.keys(TRANSIZIONI) as MossaPacchetto[];
const ammesseAttese = new Set(ATTESE.map(([m, da]) => `${m} ${da}`));
const rifiutate: Array<[MossaPacchetto, StatoPacchetto]> = MOSSE.flatMap((m) => STATI_PACCHETTO.filter((s) => !ammesseAttese.has(`${m} ${s}`)).map((s): [MossaPacchetto, StatoPacchetto] => [m, s]));

test('the states are the five of the packet table, and a packet starts DA_INVIARE', () => {
  expect([...STATI_PACCHETTO].sort()).toEqual(['DA_INVIARE', 'INVIATO', 'RIFIUTATO', 'RISPOSTO', 'SCADUTO']);
  expect(STATO_INIZIALE).toBe('DA_INVIARE');
});

test('the moves are the six named ones', () => {
  expect([...MOSSE].sort()).toEqual(['PRESA_IN_CARICO', 'REINVIO', 'RIFIUTO', 'RISPOSTA', 'SCADENZA_ESITO', 'SCADENZA_INVIO']);
});

describe('allowed moves', () => {
  test.each(ATTESE)('%s from %s leads to %s', (mossa, da, a) => {
    expect(ammessa(mossa, da)).toBe(true);
    expect(statoDopo(mossa, da)).toBe(a);
    expect(mosseDa(da)).toContain(mossa);
  });
});

describe('refused moves', () => {
  test.each(rifiutate)('%s from %s is refused', (mossa, da) => {
    expect(ammessa(mossa, da)).toBe(false);
    expect(statoDopo(mossa, da)).toBeNull();
    expect(mosseDa(da)).not.toContain(mossa);
  });

  test('RISPOSTO is final: nothing moves a packet that has its esito', () => {
    expect(mosseDa('RISPOSTO')).toEqual([]);
  });

  test('an esito is applied once: RISPOSTA never starts from RISPOSTO', () => {
    expect(ammessa('RISPOSTA', 'RISPOSTO')).toBe(false);
  });

  test('a packet expires only while it waits for delivery or esito: never once SCADUTO, RISPOSTO or RIFIUTATO', () => {
    for (const s of ['SCADUTO', 'RISPOSTO', 'RIFIUTATO'] as const) {
      expect(ammessa('SCADENZA_ESITO', s)).toBe(false);
      expect(ammessa('SCADENZA_INVIO', s)).toBe(false);
    }
  });

  test('a receipt never moves a packet back: only DA_INVIARE becomes INVIATO', () => {
    expect(STATI_PACCHETTO.filter((s) => ammessa('PRESA_IN_CARICO', s))).toEqual(['DA_INVIARE']);
  });
});

test('every state is reachable from the initial one, and every move leads to a known state', () => {
  const raggiunti = new Set<StatoPacchetto>([STATO_INIZIALE]);
  for (let cambiato = true; cambiato; ) {
    cambiato = false;
    for (const s of [...raggiunti]) {
      for (const m of mosseDa(s)) {
        const a = statoDopo(m, s)!;
        if (!raggiunti.has(a)) {
          raggiunti.add(a);
          cambiato = true;
        }
      }
    }
  }
  expect([...raggiunti].sort()).toEqual([...STATI_PACCHETTO].sort());
  for (const m of MOSSE) expect(STATI_PACCHETTO).toContain(TRANSIZIONI[m].a);
});
