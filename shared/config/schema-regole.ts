import { Type } from '@sinclair/typebox';
import { choice, integer, text, withDefault } from './schema-parts';

/** The protocol's rules every party's file carries alike (schema.ts composes them): the deadlines and INL's triggers. */

const DATA = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const FinestraSchema = Type.Object(
  {
    chiusura: text({ pattern: DATA, patternErrorMessage: 'is not a YYYY-MM-DD date', description: 'Last day a domanda may be presented in this window.' }),
    graduatoria: text({ pattern: DATA, patternErrorMessage: 'is not a YYYY-MM-DD date', description: 'The day by which the window\'s graduatoria is drawn up; it bounds INPS\'s wait for INL (art. 5).' }),
  },
  { additionalProperties: false },
);

export const DeadlinesSchema = Type.Object({
  esitoGiorni: withDefault(integer(1, 60, 'Calendar days MINLAVORO, ANPAL and INAIL have to answer a packet (protocol art. 5: 5 giorni solari).'), 5),
  esitoInlGiorni: withDefault(
    integer(1, 60, 'Calendar days INL has to answer its own verification packets (categories F and H). Art. 5 sets no term for INL: this is the federation\'s own, configured; when it passes, INL\'s data count as not verifiable like the others\'.'),
    5,
  ),
  istruttoriaGiorni: withDefault(integer(1, 365, 'Calendar days from the presentation of the domanda INPS waits at most for an inspection outcome (art. 5, case c).'), 30),
  tolleranzaPresentazioneSecondi: withDefault(
    integer(0, 3600, 'How far a domanda\'s DataPresentazione may be after the instant the broker received it (clocks of INPS\'s systems apart); beyond it the domanda is refused (DATA_PRESENTAZIONE_FUTURA).'),
    120,
  ),
  calendarioGraduatorie: withDefault(
    Type.Record(Type.String({ pattern: '^\\d{4}$' }), Type.Array(FinestraSchema, { minItems: 1 }), {
      description:
        'The graduatoria windows by year (DPCM art. 11; they change by decree): {"2026": [{"chiusura": "2026-03-31", "graduatoria": "2026-06-30"}, ...]}. A domanda belongs to the window whose span holds its presentation date; its graduatoria bounds the wait for INL; a domanda received after that day is refused (DOMANDA_FUORI_FINESTRA). Dates with no window: the 30 days alone (logged at start).',
    }),
    {},
  ),
});

export const InlSchema = Type.Object({
  sogliaStessoDatore: withDefault(integer(2, 1000, 'Domande from this many distinct workers of one employer make a trigger.'), 5),
  finestraStessoDatoreGiorni: withDefault(integer(1, 3650, 'Days back from a domanda\'s submission in which the employer\'s other domande count.'), 365),
  sogliaDatori: withDefault(integer(2, 100, 'This many distinct employers in the relevant seven-year period make a trigger.'), 3),
  apertura: withDefault(
    choice(['indici', 'sempre', 'manuale'] as const, 'How the INL node decides whether to open an inspection: "indici" opens one when some trigger matched, "sempre" always, "manuale" waits for an inspector\'s decision (CLI).'),
    'indici',
  ),
});
