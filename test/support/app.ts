// An in-process Cadence for tests: the real schema, plugins and database (PostgreSQL or PGlite,
// by the vitest project), requests through yoga.fetch, and a recorder of SQL statements.
import { inject } from 'vitest';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { onSql, openDatabase, useDatabase, type Database, type SqlEvent } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
    extensions?: Record<string, unknown>;
  };
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  key?: string | null;
  headers?: Record<string, string>;
}

export type TestApp = Awaited<ReturnType<typeof startApp>>;

export interface StartOptions {
  /** Extra environment for loadConfig (e.g. budgets, REDIS_URL). */
  env?: Record<string, string>;
}

/** Opens the test database for this vitest project and builds the server around it. */
export async function startApp(options: StartOptions = {}) {
  const kind = process.env.CADENCE_TEST_DB === 'pglite' ? 'pglite' : 'postgres';
  const config = loadConfig({
    NODE_ENV: 'test',
    // The suites send hundreds of refused requests from one client on purpose; the guard that
    // slows such a client down has its own test (test/plugins/abuse-guard.test.ts).
    ABUSE_MAX_REJECTIONS: '0',
    // Likewise far more requests than the default rate limits allow, all from one address; the
    // limits have their own tests (test/plugins/rate-limit.test.ts).
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_BURST: '100000000',
    // Suites count the SQL of repeated requests and write fixtures straight through Prisma, which
    // a cached answer would hide; the cache has its own tests (test/plugins/response-cache.test.ts).
    RESPONSE_CACHE_TTL_MS: '0',
    ...(kind === 'postgres' ? { DATABASE_URL: inject('databaseUrl') } : { PGLITE_DIR: 'memory://' }),
    ...options.env,
  });
  const database: Database = await openDatabase(config);
  if (database.kind === 'pglite') await applyMigrations({ kind: 'pglite', client: database.pglite });
  useDatabase(database);

  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const { createCadence } = await import('../../src/http/yoga.js');
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log) : undefined;
  const yoga = createCadence({ config: { ...config, graphiql: false }, log, database, redis });

  async function request<T = Record<string, unknown>>(query: string, options: RequestOptions = {}): Promise<GqlResponse<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...options.headers,
    };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    const response = await yoga.fetch('http://cadence.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: options.variables ?? {} }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GqlResponse<T>['body'] };
  }

  /** Runs `fn` and returns the SQL statements it caused, in order. */
  async function recordSql<R>(fn: () => Promise<R>): Promise<{ result: R; statements: SqlEvent[] }> {
    const statements: SqlEvent[] = [];
    const stop = onSql((event) => statements.push(event));
    try {
      return { result: await fn(), statements };
    } finally {
      stop();
    }
  }

  return {
    kind,
    database,
    prisma: database.prisma,
    yoga,
    logLines,
    request,
    recordSql,
    redis,
    async close() {
      await yoga.dispose();
      redis?.disconnect();
      await database.close();
    },
  };
}
