-- Messages other than packets the hub forwards to the Destinatario they name (reminders, cases for INL,
-- notices of esiti): stored before the ack, forwarded from a durable queue, with their payload as received.
CREATE TABLE messaggio_inoltro (
  id_messaggio      uuid PRIMARY KEY,
  operazione        text NOT NULL CHECK (operazione IN ('SollecitaEsito', 'SegnalaCaso', 'NotificaRiscontro')),
  destinatario      text NOT NULL CHECK (destinatario IN ('MINLAVORO', 'ANPAL', 'INAIL', 'INL')),
  correlation_id    text,
  reply_to          text,
  operatore_id      text NOT NULL,
  operatore_ufficio text NOT NULL,
  corpo             text NOT NULL,
  impronta          text NOT NULL,
  ricevuto_il       timestamptz NOT NULL,
  stato             text NOT NULL CHECK (stato IN ('RICEVUTO', 'INOLTRATO')),
  inoltrato_il      timestamptz,
  tentativi         integer NOT NULL DEFAULT 0,
  ultimo_errore     text
);
