-- Retention: packets and cases a party handled are pseudonymised after the configured period.
ALTER TABLE pacchetto_ricevuto ADD COLUMN pseudonimizzato_il timestamptz;
ALTER TABLE accertamento ADD COLUMN pseudonimizzato_il timestamptz;
