-- The case officers' web console: its accounts, their server-side sessions, the indexes its list and search need
-- on 100,000 istruttorie, and the notification that lets open pages update when an istruttoria changes.

-- Local accounts (an INPS identity provider may replace the passwords: docs/CONSOLE.md). The password is kept
-- only as a scrypt hash with its parameters (scrypt$N$r$p$salt$hash); repeated failures lock the account for a while.
CREATE TABLE operatore_console (
  id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{3,64}$'),
  nome               text NOT NULL,
  ufficio            text NOT NULL,
  ruolo              text NOT NULL CHECK (ruolo IN ('officer', 'supervisor', 'admin')),
  password_hash      text NOT NULL,
  attivo             boolean NOT NULL DEFAULT true,
  tentativi_falliti  integer NOT NULL DEFAULT 0,
  bloccato_fino      timestamptz,
  ultimo_accesso_il  timestamptz,
  creato_il          timestamptz NOT NULL,
  aggiornato_il      timestamptz NOT NULL
);

-- A session is known by the SHA-256 of its random id: a copy of this table does not let anyone in.
CREATE TABLE sessione_console (
  id_hash        text PRIMARY KEY,
  operatore_id   text NOT NULL REFERENCES operatore_console (id),
  csrf           text NOT NULL,
  creata_il      timestamptz NOT NULL,
  ultimo_uso_il  timestamptz NOT NULL,
  chiusa_il      timestamptz,
  indirizzo_ip   text NOT NULL
);
CREATE INDEX sessione_console_operatore ON sessione_console (operatore_id) WHERE chiusa_il IS NULL;

-- The list pages through istruttorie newest first (keyset on aperta_il, id), optionally within one state or closing rule.
CREATE INDEX istruttoria_elenco ON istruttoria (aperta_il DESC, id DESC);
CREATE INDEX istruttoria_elenco_stato ON istruttoria (stato, aperta_il DESC, id DESC);
CREATE INDEX istruttoria_elenco_regola ON istruttoria (regola_chiusura, aperta_il DESC, id DESC) WHERE regola_chiusura IS NOT NULL;
-- Filters combined: the planner may start from the category or the type instead of the date order.
CREATE INDEX attestazione_categoria ON attestazione (categoria, domanda_id);
CREATE INDEX domanda_tipo ON domanda (tipo, id);
-- Packets still awaited per party (the dashboard), and reply times of the recent ones.
CREATE INDEX pacchetto_in_attesa ON pacchetto (destinatario, scadenza_esito) WHERE stato IN ('DA_INVIARE', 'INVIATO');
CREATE INDEX pacchetto_risposto ON pacchetto (risposto_il) WHERE risposto_il IS NOT NULL;

-- Open console pages listen on this channel: the payload is the istruttoria id only (never personal data), sent
-- when the transaction that added the event commits, so a page never reads a state that is not there yet.
CREATE FUNCTION evento_notifica_console() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ape_console_' || TG_TABLE_SCHEMA, NEW.istruttoria_id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER evento_notifica_console AFTER INSERT ON evento FOR EACH ROW EXECUTE FUNCTION evento_notifica_console();
