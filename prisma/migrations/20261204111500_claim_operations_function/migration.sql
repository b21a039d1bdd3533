-- The queue's claim (src/queue/operation-queue.ts) as one call instead of a four-round-trip
-- transaction (BEGIN, advisory lock, claim, COMMIT), which ran once per feedback job.
--
-- Why a function: the count of live leases must be read after the advisory lock is granted. One
-- plain statement cannot do that (its snapshot is taken when it starts, before it waits for the
-- lock); a VOLATILE function's statements each take a fresh snapshot under READ COMMITTED, and the
-- transaction-scoped lock is held until the calling statement's transaction commits.
-- A session's summary waits for the feedback on each of its answers (it is built from them).
-- clock_timestamp(), not now(): the call may have waited for the lock, and started_at is when the
-- job really started.
CREATE FUNCTION claim_operations(max_take int, max_running int, worker text, lease_seconds float8)
RETURNS TABLE (id text, session_id text, message_id text, kind "OperationKind", attempts int, created_at timestamptz, run_after timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(206432707);
  RETURN QUERY
    WITH capacity AS (
      SELECT GREATEST(0, max_running - count(*)::int) AS free
      FROM operations WHERE status = 'RUNNING' AND locked_until > now()
    ), picked AS (
      SELECT o.id FROM operations o
      WHERE ((o.status = 'PENDING' AND o.run_after <= now()) OR (o.status = 'RUNNING' AND o.locked_until <= now()))
        AND NOT (o.kind = 'SESSION_FEEDBACK' AND EXISTS (
          SELECT 1 FROM operations a
          WHERE a.session_id = o.session_id AND a.kind = 'ANSWER_FEEDBACK' AND a.status IN ('PENDING', 'RUNNING')))
      ORDER BY o.run_after, o.id
      LIMIT LEAST(max_take, (SELECT free FROM capacity))
      FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE operations o
    SET status = 'RUNNING', attempts = o.attempts + 1, locked_by = worker,
        locked_until = now() + make_interval(secs => lease_seconds),
        started_at = COALESCE(o.started_at, clock_timestamp()), updated_at = clock_timestamp()
    FROM picked WHERE o.id = picked.id
    RETURNING o.id::text, o.session_id::text, o.message_id::text, o.kind, o.attempts, o.created_at, o.run_after;
END
$$;
