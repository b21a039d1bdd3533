// The raw floor's one statement for SessionsList (bench/raw/server.ts serves it over node:http;
// the latency gate runs it in process as the machine's yardstick). Hand-written, the same JSON
// shape as Cadence's answer.
const MESSAGES_PER_SESSION = 10;

// Global ids are base64url("Type:uuid") without padding; Pothos' Prisma cursors are
// base64("GPC:S:uuid"). PostgreSQL's base64 wraps lines at 76 characters, hence the replace.
const gid = (type: string, col: string) =>
  `translate(rtrim(replace(encode(convert_to('${type}:' || ${col}::text, 'UTF8'), 'base64'), E'\\n', ''), '='), '+/', '-_')`;
const cursor = (col: string) => `replace(encode(convert_to('GPC:S:' || ${col}::text, 'UTF8'), 'base64'), E'\\n', '')`;
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** $1 = sha256(key) hex, $2 = page size. One row: the viewer's user id (null: bad key) and the JSON. */
export const SESSIONS_LIST_SQL = `
WITH viewer AS (
  SELECT user_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL
), page AS (
  SELECT s.id, s.status, s.created_at, s.completed_at, s.job_posting_id,
         row_number() OVER (ORDER BY s.created_at DESC, s.id DESC) AS n
  FROM (
    SELECT * FROM interview_sessions
    WHERE user_id = (SELECT user_id FROM viewer)
    ORDER BY created_at DESC, id DESC
    LIMIT $2::int + 1
  ) s
)
SELECT (SELECT user_id FROM viewer) AS user_id,
  json_build_object(
    'pageInfo', json_build_object(
      'hasNextPage', (SELECT count(*) FROM page) > $2::int,
      'endCursor', (SELECT ${cursor('id')} FROM page WHERE n = LEAST($2::int, (SELECT count(*) FROM page)))
    ),
    'edges', coalesce((
      SELECT json_agg(json_build_object(
        'cursor', ${cursor('p.id')},
        'node', json_build_object(
          'id', ${gid('InterviewSession', 'p.id')},
          'status', p.status,
          'createdAt', ${iso('p.created_at')},
          'completedAt', ${iso('p.completed_at')},
          'jobPosting', json_build_object('id', ${gid('JobPosting', 'j.id')}, 'title', j.title, 'company', j.company),
          'messages', json_build_object('edges', coalesce(m.edges, '[]'::json)),
          'feedback', coalesce(f.list, '[]'::json)
        )) ORDER BY p.n)
      FROM page p
      JOIN job_postings j ON j.id = p.job_posting_id
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('node', json_build_object(
                 'id', ${gid('SessionMessage', 'mm.id')}, 'seq', mm.seq, 'role', mm.role, 'content', mm.content)) ORDER BY mm.seq) AS edges
        FROM (SELECT id, seq, role, content FROM session_messages
              WHERE session_id = p.id ORDER BY seq LIMIT ${MESSAGES_PER_SESSION}) mm
      ) m ON true
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('id', ${gid('Feedback', 'ff.id')}, 'score', ff.score, 'summary', ff.summary)
                        ORDER BY ff.created_at, ff.id) AS list
        FROM feedback ff WHERE ff.session_id = p.id
      ) f ON true
      WHERE p.n <= $2::int
    ), '[]'::json)
  )::text AS sessions`;
