-- Ministero del Lavoro hub: packets received from INPS and forwarded to their recipient (protocol art. 3).
CREATE TABLE pacchetto_inoltro (
  id_pacchetto      uuid PRIMARY KEY,
  correlation_id    text NOT NULL UNIQUE,
  destinatario      text NOT NULL CHECK (destinatario IN ('MINLAVORO', 'ANPAL', 'INAIL', 'INL')),
  reply_to          text NOT NULL,
  operatore_id      text NOT NULL,
  operatore_ufficio text NOT NULL,
  contenuto         jsonb NOT NULL,
  impronta          text NOT NULL,
  ricevuto_il       timestamptz NOT NULL,
  stato             text NOT NULL CHECK (stato IN ('RICEVUTO', 'INOLTRATO')),
  inoltrato_il      timestamptz,
  tentativi         integer NOT NULL DEFAULT 0,
  ultimo_errore     text
);
CREATE INDEX pacchetto_inoltro_stato ON pacchetto_inoltro (stato);
