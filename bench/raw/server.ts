// The raw floor: node:http + pg answering SessionsList with ONE hand-written SQL statement.
//
// No GraphQL at all: the request's variables are read, the API key is hashed, and a single
// statement (API-key lookup, the page of sessions, and per session its job posting, first N
// messages and feedback, through json_agg) returns the whole `sessions` object as JSON text,
// global ids and cursors included. Node only wraps it in `{"data":{"sessions":…}}`. This is what
// the hardware can do for this operation; Cadence is measured against it.
//
// Env: DATABASE_URL (required), PORT (4000), HOST (127.0.0.1), DB_POOL_SIZE (20),
// DB_STATEMENT_TIMEOUT_MS (5000). Serves POST /graphql (SessionsList only) and GET /health.
import { createHash } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const HELP = `Usage: node --import tsx bench/raw/server.ts

The benchmark's raw floor for SessionsList: node:http + pg, one SQL statement per request.
Env: DATABASE_URL (required), PORT (default 4000), HOST (default 127.0.0.1), DB_POOL_SIZE (20),
DB_STATEMENT_TIMEOUT_MS (5000). Answers POST /graphql with the SessionsList result whatever the
query text (variables: first 1..100, default 20; the nested page is messages(first: 10)), and
GET /health. Started by \`npm run bench\`; not a GraphQL server.`;

const MESSAGES_PER_SESSION = 10;
const KEY_PATTERN = /^cad_[A-Za-z0-9_-]{43}$/;

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

function main(): void {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is required');
    process.exit(2);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_SIZE ?? 20),
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 10_000,
    statement_timeout: Number(process.env.DB_STATEMENT_TIMEOUT_MS ?? 5000),
    application_name: 'cadence-bench-raw',
  });
  pool.on('error', () => {});

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, '{"status":"ok"}');
    if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) return send(res, 404, error('Not found', 'NOT_FOUND'));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(pool, req.headers.authorization, Buffer.concat(chunks).toString('utf8')).then(
        ([status, body]) => send(res, status, body),
        (err: unknown) => {
          console.error(err);
          send(res, 500, error('Unexpected error.', 'INTERNAL_SERVER_ERROR'));
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = Number(process.env.PORT ?? 4000);
  server.listen(port, process.env.HOST ?? '127.0.0.1');
  const stop = () => server.close(() => void pool.end().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function answer(pool: pg.Pool, authorization: string | undefined, body: string): Promise<[number, string]> {
  let first = 20;
  try {
    const parsed = JSON.parse(body) as { variables?: { first?: unknown } };
    const f = parsed.variables?.first;
    if (f !== undefined && f !== null) first = f as number;
  } catch {
    return [400, error('Malformed JSON body', 'BAD_REQUEST')];
  }
  if (!Number.isInteger(first) || first < 1 || first > 100) return [400, error('"first" must be between 1 and 100', 'BAD_USER_INPUT')];
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  if (!match || !KEY_PATTERN.test(match[1]!)) return [401, error('Invalid API key', 'UNAUTHENTICATED')];
  const hash = createHash('sha256').update(match[1]!).digest('hex');
  const { rows } = await pool.query<{ user_id: string | null; sessions: string }>({
    name: 'sessions_list',
    text: SESSIONS_LIST_SQL,
    values: [hash, first],
  });
  const row = rows[0];
  if (!row?.user_id) return [401, error('Invalid or revoked API key', 'UNAUTHENTICATED')];
  return [200, `{"data":{"sessions":${row.sessions}}}`];
}

function error(message: string, code: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/graphql-response+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) console.log(HELP);
else main();
