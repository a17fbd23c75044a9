-- Issue 13. The graduatoria window each domanda belongs to (shared/domain/graduatorie.ts): it decides the
-- cut-off that bounds INPS's wait for INL, and people need to see it. Null for a domanda presented on a date the
-- configured calendar does not cover (the 30 days alone apply).
ALTER TABLE istruttoria
  ADD COLUMN finestra_anno        smallint,
  ADD COLUMN finestra_numero      smallint,
  ADD COLUMN finestra_apertura    date,
  ADD COLUMN finestra_chiusura    date,
  ADD COLUMN finestra_graduatoria date;

-- What a party answered, kept with every esito received: an answer that arrives after closure is recorded, not
-- applied, and StatoIstruttoria shows it (with its time) instead of a packet that seems never answered.
ALTER TABLE esito_ricevuto
  ADD COLUMN esito      text CHECK (esito IN ('CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE')),
  ADD COLUMN esiti_dato jsonb;
