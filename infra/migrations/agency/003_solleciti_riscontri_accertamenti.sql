-- Reminders received for overdue esiti, and what the node did about them.
CREATE TABLE sollecito_ricevuto (
  id_sollecito uuid PRIMARY KEY,
  id_pacchetto uuid NOT NULL,
  scadenza     timestamptz NOT NULL,
  ricevuto_il  timestamptz NOT NULL,
  azione       text NOT NULL
);

-- Other parties' esiti on istruttorie this party worked on (protocol art. 4), minimised.
CREATE TABLE riscontro (
  id_riscontro     uuid PRIMARY KEY,
  id_istruttoria   uuid NOT NULL,
  protocollo       text NOT NULL,
  ente_rispondente text NOT NULL,
  esito            text NOT NULL,
  data_esito       timestamptz NOT NULL,
  in_ritardo       boolean NOT NULL,
  ricevuto_il      timestamptz NOT NULL
);

-- INL: cases INPS sent for evaluation and the inspections opened on them.
CREATE TABLE accertamento (
  id_segnalazione uuid PRIMARY KEY,
  id_accertamento uuid UNIQUE,
  id_istruttoria  uuid NOT NULL,
  protocollo      text NOT NULL,
  correlation_id  text NOT NULL,
  reply_to        text NOT NULL,
  contenuto       jsonb NOT NULL,
  impronta        text NOT NULL,
  ricevuto_il     timestamptz NOT NULL,
  limite_attesa   timestamptz NOT NULL,
  stato           text NOT NULL CHECK (stato IN ('SEGNALATO', 'AVVIATO', 'NON_AVVIATO', 'CONCLUSO')),
  deciso_il       timestamptz,
  deciso_da       text,
  esito           text CHECK (esito IN ('REQUISITI_CONFERMATI', 'REQUISITI_NON_CONFERMATI')),
  concluso_il     timestamptz,
  ispettore       text,
  nota            text
);
CREATE INDEX accertamento_stato ON accertamento (stato);

-- Notices to INPS about an inspection (opened or not, concluded), delivered to the case's X-ReplyTo.
CREATE TABLE notifica_accertamento (
  id              uuid PRIMARY KEY,
  id_segnalazione uuid NOT NULL REFERENCES accertamento (id_segnalazione),
  stato           text NOT NULL CHECK (stato IN ('AVVIATO', 'NON_AVVIATO', 'CONCLUSO')),
  esito           text,
  nota            text,
  operatore_id      text NOT NULL,
  operatore_ufficio text NOT NULL,
  creata_il       timestamptz NOT NULL,
  consegnata_il   timestamptz,
  tentativi       integer NOT NULL DEFAULT 0,
  ultimo_errore   text,
  UNIQUE (id_segnalazione, stato)
);
