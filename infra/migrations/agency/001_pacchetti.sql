-- A verifying party's node: the packets it received and the esiti it produced.
CREATE TABLE pacchetto_ricevuto (
  id_pacchetto        uuid PRIMARY KEY,
  correlation_id      text NOT NULL UNIQUE,
  reply_to            text NOT NULL,
  -- Identity that delivered the packet (the Ministero's hub, or INPS in direct routing).
  mittente            text NOT NULL,
  operatore_id        text NOT NULL,
  operatore_ufficio   text NOT NULL,
  contenuto           jsonb NOT NULL,
  impronta            text NOT NULL,
  ricevuto_il         timestamptz NOT NULL,
  stato               text NOT NULL CHECK (stato IN ('RICEVUTO', 'VERIFICATO', 'ESITO_CONSEGNATO')),
  verificato_il       timestamptz,
  esiti               jsonb,
  esito_consegnato_il timestamptz,
  tentativi_consegna  integer NOT NULL DEFAULT 0,
  ultimo_errore       text
);
CREATE INDEX pacchetto_ricevuto_stato ON pacchetto_ricevuto (stato);
