-- Issue 16. An alert is closed by a supervisor with a note saying what was found (after being taken in charge, or
-- directly): the note, who closed it and when.
ALTER TABLE allerta DROP CONSTRAINT allerta_stato_check;
ALTER TABLE allerta ADD CONSTRAINT allerta_stato_check CHECK (stato IN ('APERTA', 'PRESA_IN_CARICO', 'CHIUSA'));
ALTER TABLE allerta
  ADD COLUMN nota       text CHECK (nota IS NULL OR length(nota) BETWEEN 5 AND 2000),
  ADD COLUMN chiusa_da  text,
  ADD COLUMN chiusa_il  timestamptz;
