-- Deadlines, INL evaluation and the closing of the istruttoria (protocol art. 5).

-- A packet's 5-day deadline runs from its receipt by the recipient (the ack INPS records).
ALTER TABLE pacchetto
  ADD COLUMN scadenza_esito timestamptz,
  ADD COLUMN scaduto_il     timestamptz,
  ADD COLUMN sollecitato_il timestamptz,
  ADD COLUMN in_ritardo     boolean NOT NULL DEFAULT false;

-- The wait limit (30 days from submission, or the graduatoria cut-off) and re-examination after closure.
ALTER TABLE istruttoria
  ADD COLUMN limite         timestamptz,
  ADD COLUMN limite_motivo  text,
  ADD COLUMN riesame_il     timestamptz,
  ADD COLUMN riesame_motivo text;

ALTER TABLE esito_ricevuto ADD COLUMN in_ritardo boolean NOT NULL DEFAULT false;

-- Durable timers: fired by the scheduler (several instances may run: FOR UPDATE SKIP LOCKED), each once,
-- in the same transaction as the state change it causes.
CREATE TABLE timer (
  id            bigserial PRIMARY KEY,
  tipo          text NOT NULL,
  chiave        text NOT NULL,
  scade_il      timestamptz NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  stato         text NOT NULL DEFAULT 'ATTESA' CHECK (stato IN ('ATTESA', 'ESEGUITO', 'ANNULLATO')),
  creato_il     timestamptz NOT NULL DEFAULT now(),
  eseguito_il   timestamptz,
  tentativi     integer NOT NULL DEFAULT 0,
  ultimo_errore text,
  UNIQUE (tipo, chiave)
);
CREATE INDEX timer_dovuti ON timer (scade_il) WHERE stato = 'ATTESA';

-- INPS-side findings on the attestations (continuity, age, work before 19), computed at submission.
CREATE TABLE controllo_inps (
  istruttoria_id uuid NOT NULL REFERENCES istruttoria (id),
  requisito      text NOT NULL,
  esito          text NOT NULL,
  dettaglio      text NOT NULL,
  PRIMARY KEY (istruttoria_id, requisito)
);

-- INL triggers matched by an istruttoria (art. 5 c), with the employer they concern when there is one.
CREATE TABLE indice_inl (
  id             bigserial PRIMARY KEY,
  istruttoria_id uuid NOT NULL REFERENCES istruttoria (id),
  codice         text NOT NULL CHECK (codice IN ('CINQUE_LAVORATORI_STESSO_DATORE', 'TRE_DATORI_PERIODO_RILEVANTE', 'IMPRESA_CESSATA', 'INDICE_ELUSIVO')),
  datore_cf      text NOT NULL DEFAULT '',
  descrizione    text NOT NULL,
  rilevato_il    timestamptz NOT NULL,
  UNIQUE (istruttoria_id, codice, datore_cf)
);

-- The case sent to INL and what INL answered.
CREATE TABLE segnalazione_inl (
  id                 uuid PRIMARY KEY,
  istruttoria_id     uuid NOT NULL UNIQUE REFERENCES istruttoria (id),
  creata_il          timestamptz NOT NULL,
  correlation_id     text UNIQUE,
  inviata_il         timestamptz,
  stato_accertamento text CHECK (stato_accertamento IN ('AVVIATO', 'NON_AVVIATO', 'CONCLUSO')),
  id_accertamento    uuid,
  esito_accertamento text CHECK (esito_accertamento IN ('REQUISITI_CONFERMATI', 'REQUISITI_NON_CONFERMATI')),
  ispettore          text,
  nota               text,
  aggiornata_il      timestamptz
);

-- Every NotificaAccertamento received, duplicates included.
CREATE TABLE notifica_accertamento (
  id               bigserial PRIMARY KEY,
  segnalazione_id  uuid NOT NULL REFERENCES segnalazione_inl (id),
  stato            text NOT NULL,
  esito            text,
  ricevuta_il      timestamptz NOT NULL,
  impronta         text NOT NULL,
  applicata        boolean NOT NULL,
  dopo_chiusura    boolean NOT NULL DEFAULT false,
  operatore_id     text NOT NULL
);

-- Employer status source (reference implementation): employers recorded as ceased.
CREATE TABLE datore_stato (
  cf_datore     text PRIMARY KEY,
  cessata_il    date,
  fonte         text NOT NULL,
  aggiornato_il timestamptz NOT NULL DEFAULT now()
);

-- Watch list of elusive-behaviour indices kept by INL and INPS supervisors.
CREATE TABLE lista_osservazione (
  id             bigserial PRIMARY KEY,
  tipo           text NOT NULL CHECK (tipo IN ('DATORE', 'RICHIEDENTE')),
  codice_fiscale text NOT NULL,
  motivo         text NOT NULL,
  autore         text NOT NULL,
  ente           text NOT NULL CHECK (ente IN ('INPS', 'INL')),
  inserito_il    timestamptz NOT NULL DEFAULT now(),
  rimosso_il     timestamptz,
  rimosso_da     text
);
CREATE INDEX lista_osservazione_attiva ON lista_osservazione (codice_fiscale) WHERE rimosso_il IS NULL;

-- Messages INPS sends besides packets: reminders, cases for INL, notices of esiti to the other parties.
CREATE TABLE messaggio_uscita (
  id             uuid PRIMARY KEY,
  tipo           text NOT NULL CHECK (tipo IN ('SOLLECITO', 'SEGNALAZIONE', 'RISCONTRO')),
  destinatario   text NOT NULL CHECK (destinatario IN ('MINLAVORO', 'ANPAL', 'INAIL', 'INL')),
  istruttoria_id uuid NOT NULL REFERENCES istruttoria (id),
  corpo          jsonb NOT NULL,
  stato          text NOT NULL DEFAULT 'DA_INVIARE' CHECK (stato IN ('DA_INVIARE', 'INVIATO', 'RIFIUTATO')),
  creato_il      timestamptz NOT NULL,
  inviato_il     timestamptz,
  correlation_id text,
  tentativi      integer NOT NULL DEFAULT 0,
  ultimo_errore  text
);
CREATE INDEX messaggio_uscita_istruttoria ON messaggio_uscita (istruttoria_id);

CREATE INDEX domanda_presentazione ON domanda (data_presentazione);
