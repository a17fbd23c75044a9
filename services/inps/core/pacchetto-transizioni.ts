import type { Esito } from '../../../shared/domain/types';
import type { StatoPacchetto } from '../../../shared/domain/stati';

/**
 * The verification packet's lifecycle at INPS, as a pure transition table: the states, the moves between them
 * (each named for what causes it) and what each move needs. `sql/pacchetto.ts` applies a move with one statement
 * guarded by this table; nothing else writes pacchetto.stato. The istruttoria's own lifecycle is ciclo.ts.
 *
 *                 PRESA_IN_CARICO                 RISPOSTA
 *   DA_INVIARE ──────────────────────▶ INVIATO ─────────────▶ RISPOSTO  (final)
 *    │  │   ▲                            │
 *    │  │   │ REINVIO                    │ SCADENZA_ESITO
 *    │  │   │                            ▼
 *    │  │   └──── RIFIUTATO             SCADUTO
 *    │  │            ▲                   ▲
 *    │  └─ RIFIUTO ──┘                   │
 *    └────────────── SCADENZA_INVIO ─────┘
 *
 *   RISPOSTA also from DA_INVIARE (the esito overtook the ack), SCADUTO (a late esito) and RIFIUTATO.
 *
 * Two moves also record something when the packet is in a state they do not move it from: a receipt
 * (PRESA_IN_CARICO) is recorded whatever the state, and only a DA_INVIARE packet becomes INVIATO (an esito that
 * overtook the ack leaves it RISPOSTO; a packet SCADUTO before delivery stays SCADUTO, its data already count as
 * not verifiable); a failed send is counted whatever the state, and only a DA_INVIARE packet becomes RIFIUTATO.
 * Whether a move happens at all is also the caller's business where it depends on the istruttoria: a packet
 * of a closed istruttoria does not expire, and an esito arriving after closure is recorded, not applied.
 */

export type MossaPacchetto = 'PRESA_IN_CARICO' | 'RISPOSTA' | 'SCADENZA_ESITO' | 'SCADENZA_INVIO' | 'RIFIUTO' | 'REINVIO';

export interface Transizione {
  /** The states the move may start from. */
  readonly da: readonly StatoPacchetto[];
  /** The state it leads to. */
  readonly a: StatoPacchetto;
  /** What causes it. */
  readonly causa: string;
}

// A record, so that a state added to StatoPacchetto and missing here does not compile.
const STATI: Record<StatoPacchetto, true> = { DA_INVIARE: true, INVIATO: true, RISPOSTO: true, SCADUTO: true, RIFIUTATO: true };
export const STATI_PACCHETTO = Object.keys(STATI) as readonly StatoPacchetto[];

/** A packet is created waiting to be sent. */
export const STATO_INIZIALE: StatoPacchetto = 'DA_INVIARE';

export const TRANSIZIONI: { readonly [M in MossaPacchetto]: Transizione } = {
  PRESA_IN_CARICO: {
    da: ['DA_INVIARE'],
    a: 'INVIATO',
    causa: "the party acknowledged the packet (ACCEPTED with its X-Correlation-ID): its 5 calendar days start",
  },
  RISPOSTA: {
    da: ['DA_INVIARE', 'INVIATO', 'SCADUTO', 'RIFIUTATO'],
    a: 'RISPOSTO',
    causa: 'the party notified its esito while the istruttoria is open (late, or before its ack, included)',
  },
  SCADENZA_ESITO: {
    da: ['INVIATO'],
    a: 'SCADUTO',
    causa: 'no esito within 5 calendar days of receipt: a reminder goes to the party, the data count as not verifiable',
  },
  SCADENZA_INVIO: {
    da: ['DA_INVIARE'],
    a: 'SCADUTO',
    causa: 'not delivered within 5 calendar days of creation: the data count as not verifiable, sending goes on',
  },
  RIFIUTO: {
    da: ['DA_INVIARE'],
    a: 'RIFIUTATO',
    causa: "the counterpart refused the packet with a Fault that says not to retry: its data stay unverified",
  },
  REINVIO: {
    da: ['RIFIUTATO'],
    a: 'DA_INVIARE',
    causa: 'an operator resent a refused packet and its party accepted it: PRESA_IN_CARICO follows in the same transaction',
  },
};

/** The data each move records on the packet besides its state. */
export interface DatiMossa {
  PRESA_IN_CARICO: { correlationId: string; ricevutoIl: Date; scadenzaEsito: Date };
  RISPOSTA: { esito: Esito; rispostoIl: Date; correlationId: string; inRitardo: boolean };
  SCADENZA_ESITO: { il: Date };
  SCADENZA_INVIO: { il: Date };
  RIFIUTO: { errore: string };
  REINVIO: Record<string, never>;
}

/** Whether `mossa` may happen to a packet in state `da`. */
export function ammessa(mossa: MossaPacchetto, da: StatoPacchetto): boolean {
  return TRANSIZIONI[mossa].da.includes(da);
}

/** The state a packet in `da` is in after `mossa`, or null when the move may not happen from there. */
export function statoDopo(mossa: MossaPacchetto, da: StatoPacchetto): StatoPacchetto | null {
  return ammessa(mossa, da) ? TRANSIZIONI[mossa].a : null;
}

/** The moves that may happen to a packet in state `da`. */
export function mosseDa(da: StatoPacchetto): MossaPacchetto[] {
  return (Object.keys(TRANSIZIONI) as MossaPacchetto[]).filter((m) => ammessa(m, da));
}
