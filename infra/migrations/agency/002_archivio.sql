-- Reference archive of a verifying party, loaded from CSV by `npm run archivio:import`.
-- Work relations, as in the comunicazioni obbligatorie (MINLAVORO, ANPAL) or inspection records (INL).
CREATE TABLE archivio_rapporto (
  id                 bigserial PRIMARY KEY,
  cf_lavoratore      text NOT NULL,
  cf_datore          text NOT NULL,
  dal                date NOT NULL,
  al                 date,
  ccnl               text,
  livello            text,
  professione_istat  text,
  -- OPERAIO, IMPIEGATO, QUADRO, DIRIGENTE, APPRENDISTA: category A counts operai only.
  qualifica          text,
  lavoro_a_turni     boolean,
  attivita_educativa boolean,
  fonte              text NOT NULL,
  CHECK (al IS NULL OR al >= dal)
);
CREATE INDEX archivio_rapporto_chiave ON archivio_rapporto (cf_lavoratore, cf_datore);

-- INAIL: tariff voices applied on each PAT (posizione assicurativa territoriale) with their rate.
CREATE TABLE archivio_posizione_inail (
  pat             text NOT NULL,
  cf_datore       text NOT NULL,
  voce            text NOT NULL,
  grande_gruppo   smallint NOT NULL CHECK (grande_gruppo BETWEEN 0 AND 9),
  tasso_per_mille numeric(7, 2) NOT NULL CHECK (tasso_per_mille >= 0),
  fonte           text NOT NULL,
  PRIMARY KEY (pat, voce)
);
CREATE INDEX archivio_posizione_inail_datore ON archivio_posizione_inail (cf_datore);
