-- Issue 17. The five-workers rule (services/inps/core/indici.ts) counts an employer's domande submitted in its
-- window: it read every attestazione of the employer ever, then each one's domanda for its date, so its work grew
-- with the employer's whole history (a large employer at national volume has thousands). The submission instant is
-- kept on each attestazione, as on its domanda (written together, never changed), and the employer's index is
-- ordered by it: the rule reads the window only.
ALTER TABLE attestazione ADD COLUMN data_presentazione timestamptz;
UPDATE attestazione a SET data_presentazione = d.data_presentazione FROM domanda d WHERE d.id = a.domanda_id;
ALTER TABLE attestazione ALTER COLUMN data_presentazione SET NOT NULL;
-- A process of the previous version (a rolling restart) inserts attestazioni without it: taken from the domanda.
CREATE FUNCTION attestazione_presentazione() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data_presentazione IS NULL THEN
    SELECT d.data_presentazione INTO NEW.data_presentazione FROM domanda d WHERE d.id = NEW.domanda_id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER attestazione_presentazione BEFORE INSERT ON attestazione FOR EACH ROW EXECUTE FUNCTION attestazione_presentazione();
CREATE INDEX attestazione_datore_presentazione ON attestazione (datore_codice_fiscale, data_presentazione);
-- Its prefix serves every lookup by employer alone.
DROP INDEX attestazione_datore;
