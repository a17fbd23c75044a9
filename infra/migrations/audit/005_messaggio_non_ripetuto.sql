-- Issue 17. A call's replay record (messaggio_visto) and its handler's change can be one statement (one round trip,
-- one commit at the receiver: shared/outbox/outbox.ts conOutboxNellaChiamata). The statement inserts the record with
-- ON CONFLICT DO NOTHING and ends with this check: when the record was there already (a copy of the call, or one
-- committed meanwhile by another instance), the whole statement fails with SQLSTATE AP002 and nothing of it is kept;
-- the intake answers MESSAGGIO_RIPETUTO.
CREATE FUNCTION messaggio_non_ripetuto(nuovo boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT nuovo THEN
    RAISE EXCEPTION 'messaggio_visto: wsa:MessageID già ricevuto' USING ERRCODE = 'AP002';
  END IF;
  RETURN true;
END
$$;
