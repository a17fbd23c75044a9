-- Issue 17. A chained log's records and its head's move are written in one statement from the head the writer last
-- saw (shared/audit/catena.ts), without locking the head first. The statement ends with this check: when the head
-- was not where the writer saw it (another writer moved it, or it is missing), the whole statement fails with
-- SQLSTATE AP001 and nothing of it is kept; the writer reads the head again and retries.
CREATE FUNCTION testa_catena_allineata(allineata boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT allineata THEN
    RAISE EXCEPTION 'catena_testa: la testa della catena non è dove lo scrittore la attendeva' USING ERRCODE = 'AP001';
  END IF;
  RETURN true;
END
$$;
