-- The hub keeps a forwarded payload in exclusive canonical form (issue 17): a faithful text of the element INPS
-- signed, which the hub's signer digests without parsing it back. Rows stored before this version hold another
-- serialization of the same element and are forwarded as before, signed from a parse of their text.
ALTER TABLE pacchetto_inoltro ADD COLUMN corpo_canonico boolean NOT NULL DEFAULT false;
ALTER TABLE messaggio_inoltro ADD COLUMN corpo_canonico boolean NOT NULL DEFAULT false;
