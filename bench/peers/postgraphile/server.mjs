// PostGraphile 5 as a peer of `npm run bench` (issue 9). Run by bench/lib/children.ts with the
// Node 22 binary installed next to this file (PostGraphile 5 needs Node >= 22); nothing of
// PostGraphile is committed: `npm run bench` installs the exact versions of package.json on demand.
//
// Same work as Cadence per request: the API key arrives as `Authorization: Bearer cad_…`, its
// SHA-256 goes to PostgreSQL as the transaction setting `cadence.api_key_hash` (PostGraphile's
// idiomatic `pgSettings`), and `postgraphile_peer.viewer_sessions()` resolves it to the user
// through `api_keys` (unrevoked keys only) inside the same SQL as the page: no key, no sessions.
import { createHash } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const KEY_PATTERN = /^Bearer (cad_[A-Za-z0-9_-]{43})$/;

// The viewer's sessions, newest first (id breaks ties), as Cadence's `sessions` lists them.
// STABLE + SQL: PostgreSQL inlines it into PostGraphile's query, so the index on
// (user_id, created_at DESC, id DESC) serves the page. Created on every start (idempotent) in a
// schema of its own, outside the Prisma-managed tables.
const SETUP_SQL = `
CREATE SCHEMA IF NOT EXISTS postgraphile_peer;
CREATE OR REPLACE FUNCTION postgraphile_peer.viewer_sessions()
RETURNS SETOF public.interview_sessions LANGUAGE sql STABLE AS $$
  SELECT s.* FROM public.interview_sessions s
  WHERE s.user_id = (
    SELECT k.user_id FROM public.api_keys k
    WHERE k.hash = current_setting('cadence.api_key_hash', true) AND k.revoked_at IS NULL
  )
  ORDER BY s.created_at DESC, s.id DESC
$$;`;

async function main() {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT ?? 4000);
  if (!url) throw new Error('DATABASE_URL is required');
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(SETUP_SQL);
  } finally {
    await setup.end();
  }

  /** @type {GraphileConfig.Preset} */
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: url,
        schemas: ['public', 'postgraphile_peer'],
        poolConfig: {
          max: Number(process.env.DB_POOL_SIZE ?? 20),
          connectionTimeoutMillis: 2000,
          idleTimeoutMillis: 10_000,
          statement_timeout: Number(process.env.DB_STATEMENT_TIMEOUT_MS ?? 5000),
          application_name: 'cadence-bench-postgraphile',
        },
        pgSettings(requestContext) {
          const header = requestContext.node?.req.headers.authorization ?? '';
          const m = KEY_PATTERN.exec(header);
          // No valid key: a hash no row has, so viewer_sessions() returns nothing (as Cadence
          // answers no sessions to no viewer) and the request still costs a transaction.
          return { 'cadence.api_key_hash': m ? createHash('sha256').update(m[1]).digest('hex') : 'none' };
        },
      }),
    ],
    grafserv: { graphiql: false, watch: false, websockets: false, graphqlOverGET: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const handler = serv.createHandler();
  await pgl.getSchema(); // build before answering /health, so the bench's first request is not the build
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, process.env.HOST ?? '127.0.0.1');
  const stop = () => {
    server.close();
    void pgl.release().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
