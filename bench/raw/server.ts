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
import { SESSIONS_LIST_SQL } from './sql.js';

const HELP = `Usage: node --import tsx bench/raw/server.ts

The benchmark's raw floor for SessionsList: node:http + pg, one SQL statement per request.
Env: DATABASE_URL (required), PORT (default 4000), HOST (default 127.0.0.1), DB_POOL_SIZE (20),
DB_STATEMENT_TIMEOUT_MS (5000). Answers POST /graphql with the SessionsList result whatever the
query text (variables: first 1..100, default 20; the nested page is messages(first: 10)), and
GET /health. Started by \`npm run bench\`; not a GraphQL server.`;

const KEY_PATTERN = /^cad_[A-Za-z0-9_-]{43}$/;

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
