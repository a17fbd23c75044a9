-- Outbox: every message a state change causes is inserted in the same transaction as the change and
-- relayed to RabbitMQ afterwards (publisher confirms); a row is marked published only after the confirm.
CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  message_id    uuid NOT NULL UNIQUE,
  routing_key   text NOT NULL,
  payload       jsonb NOT NULL,
  headers       jsonb NOT NULL DEFAULT '{}'::jsonb,
  creato_il     timestamptz NOT NULL DEFAULT now(),
  pubblicato_il timestamptz
);
CREATE INDEX outbox_da_pubblicare ON outbox (id) WHERE pubblicato_il IS NULL;

-- Wakes the relay as soon as a transaction with new rows commits (it also polls, in case a NOTIFY is lost).
CREATE FUNCTION outbox_notifica() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ape_outbox_' || TG_TABLE_SCHEMA, '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notifica AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notifica();

-- Inbox: the messages each consumer has applied; a redelivered message finds its row and changes nothing.
CREATE TABLE inbox (
  consumatore  text NOT NULL,
  message_id   uuid NOT NULL,
  elaborato_il timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumatore, message_id)
);
