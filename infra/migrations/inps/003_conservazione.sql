-- Retention: personal data of closed istruttorie is pseudonymised after the configured period; these columns
-- say when, and let the birth date and names go.
ALTER TABLE istruttoria ADD COLUMN pseudonimizzata_il timestamptz;
ALTER TABLE domanda ALTER COLUMN data_nascita DROP NOT NULL;
CREATE INDEX istruttoria_da_pseudonimizzare ON istruttoria (chiusa_il) WHERE stato = 'CHIUSA' AND pseudonimizzata_il IS NULL;
