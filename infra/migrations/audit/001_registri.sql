-- Access trace and message log (convenzione quadro, regole di sicurezza 2): append-only, each record chained to
-- the previous one by a SHA-256 hash, so that a changed, removed or inserted record is detected by
-- `npm run audit:verifica`. They hold identifiers and digests, never personal data in clear: the citizen a
-- record concerns is kept as a keyed hash (HMAC) of the codice fiscale, so supervisors can search by it.

CREATE TABLE catena_testa (
  registro text PRIMARY KEY,
  seq      bigint NOT NULL,
  hash     text NOT NULL
);

CREATE TABLE registro_accessi (
  seq               bigint PRIMARY KEY,
  registrato_il     timestamptz NOT NULL,
  richiesta_id      uuid NOT NULL,
  canale            text NOT NULL CHECK (canale IN ('SOAP', 'CONSOLE', 'CLI')),
  servizio          text NOT NULL,
  operazione        text,
  identita          text,
  certificato       text,
  operatore_id      text,
  operatore_ufficio text,
  indirizzo_ip      text NOT NULL,
  esito             text NOT NULL CHECK (esito IN ('ACCETTATA', 'RIFIUTATA')),
  codice_errore     text,
  durata_ms         integer NOT NULL,
  riferimenti       jsonb NOT NULL DEFAULT '{}'::jsonb,
  interessato       text,
  hash_precedente   text NOT NULL,
  hash              text NOT NULL
);
CREATE INDEX registro_accessi_operatore ON registro_accessi (operatore_id, registrato_il);
CREATE INDEX registro_accessi_interessato ON registro_accessi (interessato) WHERE interessato IS NOT NULL;
CREATE INDEX registro_accessi_identita ON registro_accessi (identita, registrato_il);
CREATE INDEX registro_accessi_tempo ON registro_accessi (registrato_il);

CREATE TABLE registro_messaggi (
  seq             bigint PRIMARY KEY,
  registrato_il   timestamptz NOT NULL,
  direzione       text NOT NULL CHECK (direzione IN ('RICEVUTO', 'INVIATO')),
  operazione      text NOT NULL,
  controparte     text NOT NULL,
  message_id      text,
  correlation_id  text,
  impronta_corpo  text NOT NULL,
  dimensione      integer NOT NULL,
  esito           text NOT NULL,
  riferimenti     jsonb NOT NULL DEFAULT '{}'::jsonb,
  hash_precedente text NOT NULL,
  hash            text NOT NULL
);
CREATE INDEX registro_messaggi_tempo ON registro_messaggi (registrato_il);

-- Personal data removed or pseudonymised by the retention job: what, when, and the digest of what was removed.
CREATE TABLE registro_conservazione (
  seq             bigint PRIMARY KEY,
  registrato_il   timestamptz NOT NULL,
  oggetto         text NOT NULL,
  chiave          text NOT NULL,
  azione          text NOT NULL,
  impronta_rimossa text NOT NULL,
  hash_precedente text NOT NULL,
  hash            text NOT NULL
);

-- Append-only: no update, delete or truncate, whoever asks (the application's role has no such grant either).
CREATE FUNCTION registro_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'il registro % è in sola aggiunta', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER registro_accessi_immutabile BEFORE UPDATE OR DELETE ON registro_accessi FOR EACH ROW EXECUTE FUNCTION registro_immutabile();
CREATE TRIGGER registro_accessi_no_truncate BEFORE TRUNCATE ON registro_accessi FOR EACH STATEMENT EXECUTE FUNCTION registro_immutabile();
CREATE TRIGGER registro_messaggi_immutabile BEFORE UPDATE OR DELETE ON registro_messaggi FOR EACH ROW EXECUTE FUNCTION registro_immutabile();
CREATE TRIGGER registro_messaggi_no_truncate BEFORE TRUNCATE ON registro_messaggi FOR EACH STATEMENT EXECUTE FUNCTION registro_immutabile();
CREATE TRIGGER registro_conservazione_immutabile BEFORE UPDATE OR DELETE ON registro_conservazione FOR EACH ROW EXECUTE FUNCTION registro_immutabile();
CREATE TRIGGER registro_conservazione_no_truncate BEFORE TRUNCATE ON registro_conservazione FOR EACH STATEMENT EXECUTE FUNCTION registro_immutabile();

-- Operators and parties a supervisor suspended: their calls are refused until reinstated.
CREATE TABLE sospensione (
  id            bigserial PRIMARY KEY,
  tipo          text NOT NULL CHECK (tipo IN ('OPERATORE', 'PARTE')),
  soggetto      text NOT NULL,
  motivo        text NOT NULL,
  autore        text NOT NULL,
  sospeso_il    timestamptz NOT NULL,
  revocata_il   timestamptz,
  revocata_da   text
);
CREATE UNIQUE INDEX sospensione_attiva ON sospensione (tipo, soggetto) WHERE revocata_il IS NULL;
CREATE FUNCTION sospensione_notifica() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ape_sospensioni_' || TG_TABLE_SCHEMA, '');
  RETURN NULL;
END
$$;
CREATE TRIGGER sospensione_notifica AFTER INSERT OR UPDATE ON sospensione FOR EACH STATEMENT EXECUTE FUNCTION sospensione_notifica();

-- Alerts of the automated anomaly rules, for the supervisor.
CREATE TABLE allerta (
  id            bigserial PRIMARY KEY,
  regola        text NOT NULL,
  soggetto_tipo text NOT NULL CHECK (soggetto_tipo IN ('OPERATORE', 'PARTE', 'INDIRIZZO')),
  soggetto      text NOT NULL,
  chiave        text NOT NULL,
  descrizione   text NOT NULL,
  dettagli      jsonb NOT NULL DEFAULT '{}'::jsonb,
  rilevata_il   timestamptz NOT NULL,
  stato         text NOT NULL DEFAULT 'APERTA' CHECK (stato IN ('APERTA', 'PRESA_IN_CARICO')),
  gestita_da    text,
  gestita_il    timestamptz,
  UNIQUE (regola, soggetto, chiave)
);

-- MessageIDs already accepted (ID_AUTH_SOAP_02: a replayed message is refused), kept past the timestamp window.
CREATE TABLE messaggio_visto (
  message_id  text PRIMARY KEY,
  mittente    text NOT NULL,
  visto_il    timestamptz NOT NULL,
  scade_il    timestamptz NOT NULL
);
CREATE INDEX messaggio_visto_scadenza ON messaggio_visto (scade_il);

-- The application's database role: everything it needs, but only SELECT and INSERT on the logs.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ape_servizio') THEN
    CREATE ROLE ape_servizio LOGIN;
  END IF;
END
$$;
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO ape_servizio', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ape_servizio', current_schema());
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO ape_servizio', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ape_servizio', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ape_servizio', current_schema());
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON registro_accessi, registro_messaggi, registro_conservazione FROM ape_servizio');
  EXECUTE format('REVOKE ALL ON migrazioni FROM ape_servizio');
END
$$;
