-- Retention: packets and messages the hub forwarded are pseudonymised after the configured period.
ALTER TABLE pacchetto_inoltro ADD COLUMN pseudonimizzato_il timestamptz;
ALTER TABLE messaggio_inoltro ADD COLUMN pseudonimizzato_il timestamptz;
