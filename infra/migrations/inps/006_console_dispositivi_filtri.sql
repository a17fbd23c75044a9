-- Issue 16. The console's known devices: a browser where an account logged in successfully carries a random token
-- (cookie __Host-ape-dispositivo, only its SHA-256 here). Attempts from a known device are throttled on their own
-- counter, so a stranger's failed attempts on an account delay the stranger, never lock its owner out.
CREATE TABLE dispositivo_console (
  token_hash     text PRIMARY KEY,
  operatore_id   text NOT NULL REFERENCES operatore_console (id),
  creato_il      timestamptz NOT NULL,
  ultimo_uso_il  timestamptz NOT NULL
);
CREATE INDEX dispositivo_console_operatore ON dispositivo_console (operatore_id);

-- Named saved filters of the istruttorie list, per officer (the query string of the filter, validated on use).
CREATE TABLE filtro_salvato (
  operatore_id  text NOT NULL REFERENCES operatore_console (id),
  nome          text NOT NULL CHECK (length(nome) BETWEEN 1 AND 80),
  query         text NOT NULL CHECK (length(query) <= 2000),
  creato_il     timestamptz NOT NULL,
  PRIMARY KEY (operatore_id, nome)
);

-- Office scoping of the console (services.inpsConsole.ambitoFunzionari = SEDE): an officer's list is the domande
-- submitted from their office, chosen through this index.
CREATE INDEX domanda_operatore_ufficio ON domanda (operatore_ufficio);
