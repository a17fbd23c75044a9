-- Issue 17. When an employer's distinct workers in the window reach the threshold, the five-workers rule flags
-- every open istruttoria naming it (services/inps/core/indici.ts): it read all the employer's attestazioni in the
-- window at every submission over the threshold (16 ms for the largest employer of a national year) to find the
-- few not flagged yet. Each domanda's employers wait here until a pass of the rule has examined them: flagged if
-- still open, dropped either way. A submission over the threshold then reads the domande examined since the last
-- pass (its own, at steady state), not the window.
CREATE TABLE stesso_datore_da_esaminare (
  datore_codice_fiscale text NOT NULL,
  data_presentazione    timestamptz NOT NULL,
  domanda_id            uuid NOT NULL REFERENCES domanda (id),
  PRIMARY KEY (datore_codice_fiscale, data_presentazione, domanda_id)
);
-- Retention deletes a domanda's rows with its pseudonymisation (shared/audit/conservazione.ts).
CREATE INDEX stesso_datore_da_esaminare_domanda ON stesso_datore_da_esaminare (domanda_id);
-- Filled by the database as attestazioni are written, so that a process of the previous version (a rolling
-- restart) cannot leave a domanda out.
CREATE FUNCTION stesso_datore_da_esaminare() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stesso_datore_da_esaminare (datore_codice_fiscale, data_presentazione, domanda_id)
  VALUES (NEW.datore_codice_fiscale, NEW.data_presentazione, NEW.domanda_id)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER stesso_datore_da_esaminare AFTER INSERT ON attestazione FOR EACH ROW EXECUTE FUNCTION stesso_datore_da_esaminare();
-- The open istruttorie: a closed one is never flagged.
INSERT INTO stesso_datore_da_esaminare (datore_codice_fiscale, data_presentazione, domanda_id)
SELECT DISTINCT a.datore_codice_fiscale, a.data_presentazione, a.domanda_id
  FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id
 WHERE i.stato <> 'CHIUSA';
