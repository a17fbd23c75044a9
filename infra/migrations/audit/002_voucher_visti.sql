-- PDND vouchers already presented to this service's endpoints (guard against a jti replayed for something else):
-- a voucher is reused by its holder until it expires, for the same client, purpose, e-service and tracking evidence
-- (its `vincolo`, a SHA-256 of them); the same jti with another binding is refused. Kept past the voucher's exp.
CREATE TABLE voucher_visto (
  jti        text PRIMARY KEY,
  vincolo    text NOT NULL,
  mittente   text NOT NULL,
  visto_il   timestamptz NOT NULL,
  scade_il   timestamptz NOT NULL
);
CREATE INDEX voucher_visto_scadenza ON voucher_visto (scade_il);
GRANT SELECT, INSERT, DELETE ON voucher_visto TO ape_servizio;
