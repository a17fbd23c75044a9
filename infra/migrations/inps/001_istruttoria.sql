-- INPS side: domande, their istruttorie, the verification packets sent for them, and the esiti received.

CREATE TABLE domanda (
  id                  uuid PRIMARY KEY,
  protocollo          text NOT NULL UNIQUE,
  tipo                text NOT NULL CHECK (tipo IN ('APE_SOCIALE', 'PRECOCI')),
  codice_fiscale      text NOT NULL,
  cognome             text NOT NULL,
  nome                text NOT NULL,
  data_nascita        date NOT NULL,
  data_presentazione  timestamptz NOT NULL,
  data_decorrenza     date NOT NULL,
  ricevuta_il         timestamptz NOT NULL,
  -- SHA-256 of the domanda's canonical content: the same protocol resubmitted identically is the same
  -- domanda (idempotent), with different content it is refused.
  impronta            text NOT NULL,
  operatore_id        text NOT NULL,
  operatore_ufficio   text NOT NULL
);
CREATE INDEX domanda_codice_fiscale ON domanda (codice_fiscale);

CREATE TABLE attestazione (
  domanda_id                uuid NOT NULL REFERENCES domanda (id),
  riferimento               integer NOT NULL CHECK (riferimento BETWEEN 1 AND 50),
  tipo                      text NOT NULL CHECK (tipo IN ('DATORE_PRIVATO_PA', 'DATORE_DOMESTICO')),
  datore_codice_fiscale     text NOT NULL,
  datore_denominazione      text NOT NULL,
  matricola_inps            text,
  pat_inail                 text,
  dal                       date NOT NULL,
  al                        date,
  ccnl                      text,
  livello                   text,
  categoria                 text NOT NULL CHECK (categoria IN ('A','B','C','D','E','F','G','H','I','L','M')),
  professione_istat         text NOT NULL,
  voci_tariffa_inail        text[] NOT NULL DEFAULT '{}',
  lavoro_a_turni            boolean,
  attivita_educativa        boolean,
  codice_rapporto_domestico text,
  PRIMARY KEY (domanda_id, riferimento),
  CHECK (al IS NULL OR al >= dal)
);
CREATE INDEX attestazione_datore ON attestazione (datore_codice_fiscale);

CREATE TABLE istruttoria (
  id              uuid PRIMARY KEY,
  domanda_id      uuid NOT NULL UNIQUE REFERENCES domanda (id),
  stato           text NOT NULL CHECK (stato IN ('IN_VERIFICA', 'VALUTAZIONE_INL', 'CHIUSA')),
  aperta_il       timestamptz NOT NULL,
  esito_verifica  text CHECK (esito_verifica IN ('CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE')),
  chiusa_il       timestamptz,
  regola_chiusura text CHECK (regola_chiusura IN ('ESITI_ARCHIVI', 'ESITO_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', 'AUTOCERTIFICAZIONI_TERMINE')),
  aggiornata_il   timestamptz NOT NULL
);
CREATE INDEX istruttoria_stato ON istruttoria (stato);

-- One individual verification packet per istruttoria and recipient; contenuto is exactly what was sent.
CREATE TABLE pacchetto (
  id              uuid PRIMARY KEY,
  istruttoria_id  uuid NOT NULL REFERENCES istruttoria (id),
  destinatario    text NOT NULL CHECK (destinatario IN ('MINLAVORO', 'ANPAL', 'INAIL', 'INL')),
  stato           text NOT NULL CHECK (stato IN ('DA_INVIARE', 'INVIATO', 'RISPOSTO', 'SCADUTO', 'RIFIUTATO')),
  contenuto       jsonb NOT NULL,
  correlation_id  text UNIQUE,
  creato_il       timestamptz NOT NULL,
  inviato_il      timestamptz,
  risposto_il     timestamptz,
  esito           text CHECK (esito IN ('CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE')),
  tentativi_invio integer NOT NULL DEFAULT 0,
  ultimo_errore   text,
  UNIQUE (istruttoria_id, destinatario)
);
CREATE INDEX pacchetto_stato ON pacchetto (stato);

CREATE TABLE esito_dato (
  pacchetto_id uuid NOT NULL REFERENCES pacchetto (id),
  riferimento  integer NOT NULL,
  dato         text NOT NULL,
  esito        text NOT NULL CHECK (esito IN ('CONFORME', 'NON_CONFORME', 'NON_VERIFICABILE')),
  nota         text,
  PRIMARY KEY (pacchetto_id, riferimento, dato)
);

-- Every esito callback received, duplicates included: applicato says whether it changed state.
CREATE TABLE esito_ricevuto (
  id              bigserial PRIMARY KEY,
  pacchetto_id    uuid NOT NULL REFERENCES pacchetto (id),
  correlation_id  text NOT NULL,
  ente            text NOT NULL,
  ricevuto_il     timestamptz NOT NULL,
  impronta        text NOT NULL,
  applicato       boolean NOT NULL,
  operatore_id    text NOT NULL
);
CREATE INDEX esito_ricevuto_pacchetto ON esito_ricevuto (pacchetto_id);

-- The istruttoria's timeline, in order.
CREATE TABLE evento (
  id             bigserial PRIMARY KEY,
  istruttoria_id uuid NOT NULL REFERENCES istruttoria (id),
  pacchetto_id   uuid,
  tipo           text NOT NULL,
  avvenuto_il    timestamptz NOT NULL,
  dettagli       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX evento_istruttoria ON evento (istruttoria_id, id);
