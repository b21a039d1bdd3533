-- createApiKey (src/auth/key-statements.ts) as one call instead of a five-round-trip transaction
-- (BEGIN, lock the user's row, count the live keys, INSERT, COMMIT).
--
-- Why a function: the count must be read after the user's row lock is granted, or two creations
-- at once both count 99 and both insert. One plain statement cannot do that (its snapshot is taken
-- when it starts, before it waits for the lock); a VOLATILE function's statements each take a fresh
-- snapshot under READ COMMITTED, and the row lock is held until the calling transaction ends.
-- FOR NO KEY UPDATE: rows that merely reference the user (postings, sessions) are not held up.
-- Always one row: the key inserted (live = the count before it), or nulls and the live count that
-- refused it.
CREATE FUNCTION create_api_key(p_user uuid, p_id uuid, p_name text, p_prefix text, p_hash text, p_limit int)
RETURNS TABLE (key_id uuid, key_name text, prefix text, hash text, key_created_at timestamptz, last_used_at timestamptz, revoked_at timestamptz, live int)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n int;
BEGIN
  PERFORM 1 FROM users WHERE id = p_user FOR NO KEY UPDATE;
  SELECT count(*)::int INTO n FROM api_keys k WHERE k.user_id = p_user AND k.revoked_at IS NULL;
  IF n >= p_limit THEN
    RETURN QUERY SELECT NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, n;
    RETURN;
  END IF;
  RETURN QUERY
    INSERT INTO api_keys AS k (id, user_id, name, prefix, hash)
    VALUES (p_id, p_user, p_name, p_prefix, p_hash)
    RETURNING k.id, k.name, k.prefix, k.hash, k.created_at, k.last_used_at, k.revoked_at, n;
END;
$$;
