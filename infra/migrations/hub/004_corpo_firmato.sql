-- Origin of packets (issue 14): the hub keeps each packet's payload exactly as INPS signed it and forwards that,
-- so that the recipient can verify INPS's origin signature. Null for packets stored before this version: those
-- cannot be forwarded with a signature the recipient accepts, and INPS must resend them.
ALTER TABLE pacchetto_inoltro ADD COLUMN corpo text;
