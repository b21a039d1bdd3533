// Configuration: every environment variable Cadence reads, validated once at start-up.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { queueEnv } from './queue/config.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Interface to listen on; default 127.0.0.1 for the embedded demo (its key is in GraphiQL's page), else 0.0.0.0. */
  HOST: z.string().min(1).optional(),
  PORT: int(0, 65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL connection string; without it Cadence runs on embedded PGlite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * PostgreSQL streaming replicas for reads (comma-separated URLs; docs/replicas.md). Queries go to
   * one of them; mutations, transactions and a viewer's reads right after their own write go to
   * DATABASE_URL.
   */
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== ''),
    )
    .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each must be a postgres:// or postgresql:// URL')).max(16))
    .optional(),
  /** After a viewer's write, their reads go to the primary for this long (covers replica lag). */
  REPLICA_STICKY_MS: int(0, 600_000).default(5_000),
  /** A replica that failed a connection is skipped (reads go to the primary) for this long. */
  REPLICA_RETRY_MS: int(100, 600_000).default(5_000),
  /** Where the embedded database lives; `memory://` keeps it in memory (tests). */
  PGLITE_DIR: z.string().min(1).default('.data/pglite'),
  /** Request-pool connections per process; default: the machine's share of 2 × cores + 1 (defaultPoolSize). */
  DB_POOL_SIZE: int(1, 1000).optional(),
  /** Request-pool connections for all cluster workers together; each gets floor(total / WEB_CONCURRENCY) (docs/scaling.md). */
  DB_POOL_TOTAL: int(1, 100_000).optional(),
  /** Worker processes on one port (node:cluster); default: the cores in production, 1 otherwise (docs/scaling.md). */
  WEB_CONCURRENCY: int(1, 256).optional(),
  /** Port of the cluster primary's aggregated /metrics and /health/performance (unset: not served). */
  METRICS_PORT: int(0, 65535).optional(),
  DB_ACQUIRE_TIMEOUT_MS: int(1, 600_000).default(2_000),
  /**
   * Connections the pool keeps open however idle (unset: the pool's size, a fixed pool). Fewer let
   * DB_IDLE_TIMEOUT_MS close the rest, and the next burst then opens them all at once; see src/db/pool-warmth.ts.
   */
  DB_POOL_MIN: int(0, 1000).optional(),
  DB_IDLE_TIMEOUT_MS: int(1, 3_600_000).default(10_000),
  DB_STATEMENT_TIMEOUT_MS: int(1, 3_600_000).default(5_000),
  /** Distinct SQL statements prepared once per connection and reused by name (0: none); see src/db/client.ts. */
  DB_STATEMENT_CACHE: int(0, 100_000).default(500),
  /**
   * PostgreSQL's random_page_cost for Cadence's connections. PostgreSQL's 4.0 assumes spinning
   * disks and makes the planner read a long transcript whole and sort it instead of walking the
   * (session_id, seq) index for one page; 1.1 is the usual value for SSDs.
   */
  DB_RANDOM_PAGE_COST: z.coerce.number().positive().max(100).default(1.1),
  /** Freed heap each PostgreSQL backend may keep instead of returning it to the kernel (glibc's trim threshold; 0: leave it); src/db/backend-heap.ts. */
  DB_BACKEND_TRIM_THRESHOLD_MB: int(0, 32).default(8),
  /** V8's old generation may grow to (1 + this/100) x its live size before a major collection (0: V8's dynamic factor, up to 4x); src/perf/heap-growth.ts. */
  HEAP_GROWTH_PERCENT: int(0, 300).default(50),
  /** Load demo data and print a fresh demo API key at start; defaults to on for the embedded database. */
  DEMO: bool.optional(),
  /** Refused requests (4xx) a client may send per ABUSE_WINDOW_MS before it is slowed down (0: off). */
  ABUSE_MAX_REJECTIONS: int(0, 1_000_000).default(30),
  ABUSE_WINDOW_MS: int(100, 3_600_000).default(10_000),
  /** How long a slowed-down client's request waits before its 429. */
  ABUSE_TARPIT_MS: int(0, 60_000).default(1_000),
  /** How long a verified API key is trusted without a lookup (0: look up every request). */
  AUTH_CACHE_TTL_MS: int(0, 3_600_000).default(10_000),
  /** How long an unknown or revoked key is refused without a lookup (0: look up every request); see docs/reliability.md. */
  AUTH_NEGATIVE_CACHE_TTL_MS: int(0, 60_000).default(5_000),
  /** Proxies of ours in front that append the client's address to X-Forwarded-For (0: use the socket's peer). */
  TRUST_PROXY: int(0, 16).default(0),
  /** Requests per API key (or per address when anonymous) per minute, across all instances (0: off). */
  RATE_LIMIT_PER_MINUTE: int(0, 100_000_000).default(100),
  /** Requests per API key (or address) per RATE_LIMIT_BURST_WINDOW_S (0: off). */
  RATE_LIMIT_BURST: int(0, 100_000_000).default(20),
  RATE_LIMIT_BURST_WINDOW_S: int(1, 3_600).default(10),
  /** Longest wait for Redis on a rate-limit decision before this instance decides alone. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: int(1, 1_000).default(25),
  /**
   * How long a query's answer is served from memory to the same user (0: off). Any mutation by the
   * user drops their answers at once, on every instance when REDIS_URL is set; without Redis, other
   * instances may serve an answer up to this old.
   */
  RESPONSE_CACHE_TTL_MS: int(0, 3_600_000).default(10_000),
  /** Share cached answers between instances through Redis (second tier) when REDIS_URL is set. */
  RESPONSE_CACHE_SHARED: bool.default(true),
  /** Longest wait for any Redis call of the response cache; past it the request runs uncached. */
  RESPONSE_CACHE_REDIS_TIMEOUT_MS: int(1, 10_000).default(25),
  /** Memory bound of the response cache: summed size of the cached JSON answers. */
  RESPONSE_CACHE_MAX_BYTES: int(0, 4_000_000_000).default(64 * 1024 * 1024),
  /** Run the persisted queries the compiler supports as one SQL statement each (src/compiled/); 0 runs all on graphql-js. */
  COMPILED_EXECUTION: bool.default(true),
  /** Keep GraphiQL on (default: on outside production). */
  GRAPHIQL: bool.optional(),
  /** Answer introspection and show "Did you mean …" suggestions (default: outside production only). */
  ALLOW_INTROSPECTION: bool.optional(),
  /** Highest static cost of an operation (src/policy/cost.ts); over it answers 400 COST_LIMIT_EXCEEDED. */
  QUERY_COST_LIMIT: int(1, 10_000_000).default(1_000),
  /** Accept only the persisted operations of schema/generated/persisted-documents.json (default: in production). */
  PERSISTED_OPERATIONS_ONLY: bool.optional(),
  /**
   * Keys that may still send any document when persisted operations are required: comma-separated
   * SHA-256 hex digests of the keys (the `api_keys.hash` column), so no key is ever in the environment.
   */
  ADMIN_API_KEY_HASHES: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be comma-separated SHA-256 hex digests')))
    .optional(),
  /** Redis for pub/sub, cache and rate limits shared across instances; unset keeps them in process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Open subscriptions per API key on one instance; over it a new one is RATE_LIMITED. */
  SUBSCRIPTIONS_PER_KEY: int(1, 100_000).default(20),
  /** Open subscriptions on one WebSocket connection. */
  SUBSCRIPTIONS_PER_CONNECTION: int(1, 10_000).default(10),
  /** Events queued for a subscriber that does not read before it is dropped as too slow. */
  SUBSCRIPTION_QUEUE_MAX: int(1, 100_000).default(100),
  /** A WebSocket connection with no subscription and no message for this long is closed. */
  WS_IDLE_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  /** Latency budgets (p95 targets) by operation type; an operation over budget is logged. */
  BUDGET_QUERY_MS: int(0, 600_000).default(50),
  BUDGET_MUTATION_MS: int(0, 600_000).default(100),
  /** Per-operation budgets overriding the defaults, as JSON: {"SessionsList": 80}. */
  OPERATION_BUDGETS: z
    .string()
    .transform((text, ctx) => {
      try {
        const parsed: unknown = JSON.parse(text);
        const budgets = z.record(z.string(), z.number().int().nonnegative()).parse(parsed);
        return budgets;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of operation name → positive integer ms' });
        return z.NEVER;
      }
    })
    .optional(),
  /** SQL statements whose PostgreSQL time (waits in Node excluded) is over this are logged. */
  SLOW_QUERY_MS: int(0, 600_000).default(200),
  /** Repeats of one slow statement within this many seconds are summed up in one line (0: a line each). */
  SLOW_QUERY_LOG_WINDOW_S: int(0, 86_400).default(60),
  /** Return the trace in `extensions` when a request sends `x-cadence-trace: 1` (default: outside production). */
  TRACE_EXTENSIONS: bool.optional(),
  /** The rolling window behind /health/performance and /metrics/performance. */
  PERF_WINDOW_SECONDS: int(1, 3_600).default(60),
  /** Longest a request may take before it answers 504 TIMEOUT, whatever it waits on (a stalled database connection). */
  REQUEST_DEADLINE_MS: int(100, 600_000).default(10_000),
  /** How long an Idempotency-Key's outcome is kept for replays (default 24 h). */
  IDEMPOTENCY_TTL_MS: int(1_000, 30 * 86_400_000).default(86_400_000),
  /** How long a request holds its Idempotency-Key before a retry may take it over (beyond any request's deadline). */
  IDEMPOTENCY_HOLD_MS: int(100, 3_600_000).default(30_000),
  ...queueEnv,

  // Process lifecycle and sockets (docs/reliability.md, "Process lifecycle" and "Limits").
  /** Run on the embedded PGlite database in production on purpose (otherwise DATABASE_URL is required there). */
  CADENCE_EMBEDDED: bool.optional(),
  /** After SIGTERM/SIGINT, how long requests in flight may take before the process exits anyway (exit code 1). */
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(15_000),
  /** A kept-alive connection with no request for this long is closed. */
  KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(5_000),
  /** Longest time to receive a request's headers, from its first byte. */
  HEADERS_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Longest time to receive a whole request (headers and body), from its first byte. */
  REQUEST_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** A new connection that sends nothing for this long before its first request is closed. */
  NEW_CONNECTION_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Open client connections at most; further ones are closed on accept. */
  MAX_CONNECTIONS: int(1, 1_000_000).default(2_000),
  /**
   * The operators' token: /metrics, /health/performance, /metrics/performance, /dashboard and the
   * cluster's METRICS_PORT (Bearer; the dashboard also takes it as an HTTP Basic password). Without
   * it they are open outside production and closed (401; no dashboard) in production.
   */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Deprecated name of ADMIN_TOKEN (it opened only the metrics routes); still read, with a warning. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Config = ReturnType<typeof finish>;

function finish(env: z.infer<typeof schema>) {
  const embedded = env.DATABASE_URL === undefined;
  const production = env.NODE_ENV === 'production';
  // Demo data (and its printed key) never in production, whatever the database.
  const demo = env.DEMO ?? (embedded && !production);
  const webConcurrency = env.WEB_CONCURRENCY ?? (production && !embedded && env.REDIS_URL !== undefined ? availableParallelism() : 1);
  return {
    ...env,
    DB_POOL_SIZE: env.DB_POOL_SIZE ?? defaultPoolSize(availableParallelism(), webConcurrency),
    HOST: env.HOST ?? (embedded && demo ? '127.0.0.1' : '0.0.0.0'),
    embedded,
    demo,
    graphiql: env.GRAPHIQL ?? env.NODE_ENV !== 'production',
    traceExtensions: env.TRACE_EXTENSIONS ?? env.NODE_ENV !== 'production',
    operationBudgets: env.OPERATION_BUDGETS ?? {},
    allowIntrospection: env.ALLOW_INTROSPECTION ?? env.NODE_ENV !== 'production',
    persistedOperationsOnly: env.PERSISTED_OPERATIONS_ONLY ?? env.NODE_ENV === 'production',
    adminApiKeyHashes: new Set(env.ADMIN_API_KEY_HASHES ?? []),
    /** ADMIN_TOKEN, or the deprecated METRICS_TOKEN. */
    adminToken: env.ADMIN_TOKEN ?? env.METRICS_TOKEN,
    production: env.NODE_ENV === 'production',
    // Embedded PGlite is one process's database: never more than one worker on it. Workers share
    // cache invalidations, subscription events and rate limits only through Redis: without it, one.
    webConcurrency,
  };
}

/**
 * The request pool of one process when DB_POOL_SIZE is not set: 2 × cores + 1 connections for the
 * whole machine (Prisma's own default connection limit), shared by its `workers`, at least 2 each.
 * More connections than PostgreSQL can run at once only queue inside it, where waiting costs
 * context switches and cache misses instead of a place in pg-pool's queue: on the 2-core load-test
 * machine the old default of 20 gave the reads twice the p95 of a pool of 5 at 600 req/s, and
 * PostgreSQL 20 % more CPU per request (docs/scaling.md, "The pool").
 */
export function defaultPoolSize(cores: number, workers: number): number {
  return Math.max(2, Math.floor((2 * cores + 1) / workers));
}

/** Parses `env`; on a bad value throws one error that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const problems = lifecycleProblems(parsed.data);
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return finish(parsed.data);
}

/** Rules across variables: what production refuses, and timeouts node:http would reject. */
function lifecycleProblems(env: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    if (env.DATABASE_URL === undefined && env.CADENCE_EMBEDDED !== true) {
      problems.push(
        'DATABASE_URL: required when NODE_ENV=production (set CADENCE_EMBEDDED=1 to run on the embedded PGlite database on purpose)',
      );
    }
    if (env.DEMO === true) problems.push('DEMO: demo data is never loaded when NODE_ENV=production');
  }
  if (env.ADMIN_TOKEN !== undefined && env.METRICS_TOKEN !== undefined && env.ADMIN_TOKEN !== env.METRICS_TOKEN) {
    problems.push('METRICS_TOKEN: deprecated name of ADMIN_TOKEN, and set to another value; keep only ADMIN_TOKEN');
  }
  if (env.DATABASE_REPLICA_URLS?.length && env.DATABASE_URL === undefined) {
    problems.push('DATABASE_REPLICA_URLS: needs DATABASE_URL (the primary that takes the writes)');
  }
  if ((env.WEB_CONCURRENCY ?? 1) > 1 && env.DATABASE_URL === undefined) {
    problems.push('WEB_CONCURRENCY: more than one worker needs DATABASE_URL (embedded PGlite serves one process)');
  }
  if ((env.WEB_CONCURRENCY ?? 1) > 1 && env.REDIS_URL === undefined) {
    problems.push(
      "WEB_CONCURRENCY: more than one worker needs REDIS_URL: workers share the response cache's invalidations, subscription events and rate limits only through Redis (without it a user's write stays invisible to the other workers' cached answers for up to RESPONSE_CACHE_TTL_MS)",
    );
  }
  if (env.DB_POOL_TOTAL !== undefined && env.WEB_CONCURRENCY !== undefined && env.DB_POOL_TOTAL < env.WEB_CONCURRENCY) {
    problems.push(`DB_POOL_TOTAL: must be at least WEB_CONCURRENCY (${env.WEB_CONCURRENCY}), one connection per worker`);
  }
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    problems.push(`HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (${env.REQUEST_TIMEOUT_MS})`);
  }
  return problems;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
