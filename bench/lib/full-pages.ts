// Fills virtual users' first SessionsList pages before a load test, so that a long run measures
// one workload from start to end. The seed gives each user 10 sessions; a load test's users start
// a new interview about every 50 s, so over a 15-minute soak the first page (20, newest first)
// grows from 10 sessions to 20 and SessionsList's work doubles as the run goes on
// (docs/scaling.md). Copies of each user's own seeded sessions, with their messages and feedback,
// dated just after the seed, fill the page from the start; the run removes them when it ends
// (and the next reuse of the bench database would: they are newer than the seed).
import pg from 'pg';

export interface FilledPages {
  /** Ids of the copied sessions (their messages and feedback go with them: ON DELETE CASCADE). */
  sessionIds: string[];
  messages: number;
  feedback: number;
}

/** Copies each user's own sessions until it has `pageSize` (users without any are left alone); one transaction. */
export async function fillFirstPages(url: string, userIds: readonly string[], pageSize: number, seededAt: string): Promise<FilledPages> {
  const client = new pg.Client({ connectionString: url, application_name: 'cadence-loadtest-fill' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      // The k-th copy of a user with n sessions copies its ((k - 1) mod n)-th newest: as many
      // copies as the page lacks, whatever n is.
      `CREATE TEMP TABLE fill_sessions ON COMMIT DROP AS
         SELECT s.id AS old_id, gen_random_uuid() AS new_id, g.k AS rn
         FROM (SELECT user_id, count(*)::int AS n FROM interview_sessions WHERE user_id = ANY($1::uuid[]) GROUP BY user_id) c
         CROSS JOIN LATERAL generate_series(1, $2::int - c.n) AS g(k)
         CROSS JOIN LATERAL (SELECT id FROM interview_sessions WHERE user_id = c.user_id
                             ORDER BY created_at DESC, id DESC OFFSET (g.k - 1) % c.n LIMIT 1) s`,
      [userIds, pageSize],
    );
    // Dated after the seed (so they sort first and count as load-test rows), before anything the run creates.
    const sessions = await client.query<{ id: string }>(
      `INSERT INTO interview_sessions (id, user_id, job_posting_id, resume_id, status, created_at, started_at, completed_at)
       SELECT f.new_id, s.user_id, s.job_posting_id, s.resume_id, s.status,
              $1::timestamptz + f.rn * interval '1 millisecond',
              $1::timestamptz + f.rn * interval '1 millisecond',
              CASE WHEN s.completed_at IS NULL THEN NULL ELSE $1::timestamptz + f.rn * interval '1 millisecond' + (s.completed_at - s.created_at) END
       FROM fill_sessions f JOIN interview_sessions s ON s.id = f.old_id
       RETURNING id`,
      [seededAt],
    );
    await client.query(
      `CREATE TEMP TABLE fill_messages ON COMMIT DROP AS
         SELECT m.id AS old_id, gen_random_uuid() AS new_id, f.new_id AS session_id
         FROM session_messages m JOIN fill_sessions f ON m.session_id = f.old_id`,
    );
    const messages = await client.query(
      `INSERT INTO session_messages (id, session_id, seq, role, content, created_at)
       SELECT fm.new_id, fm.session_id, m.seq, m.role, m.content, m.created_at
       FROM fill_messages fm JOIN session_messages m ON m.id = fm.old_id`,
    );
    const feedback = await client.query(
      `INSERT INTO feedback (id, session_id, message_id, score, strengths, improvements, summary, created_at)
       SELECT gen_random_uuid(), f.new_id, fm.new_id, fb.score, fb.strengths, fb.improvements, fb.summary, fb.created_at
       FROM feedback fb JOIN fill_sessions f ON fb.session_id = f.old_id
       LEFT JOIN fill_messages fm ON fm.old_id = fb.message_id AND fm.session_id = f.new_id`,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE interview_sessions, session_messages, feedback');
    return { sessionIds: sessions.rows.map((r) => r.id), messages: messages.rowCount ?? 0, feedback: feedback.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Deletes the copies (with their messages and feedback). */
export async function removeFilledPages(url: string, filled: FilledPages): Promise<number> {
  if (filled.sessionIds.length === 0) return 0;
  const client = new pg.Client({ connectionString: url, application_name: 'cadence-loadtest-fill' });
  await client.connect();
  try {
    const res = await client.query('DELETE FROM interview_sessions WHERE id = ANY($1::uuid[])', [filled.sessionIds]);
    return res.rowCount ?? 0;
  } finally {
    await client.end().catch(() => {});
  }
}
