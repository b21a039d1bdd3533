// Configuration: every environment variable Cadence reads, validated once at start-up.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL connection string; without it Cadence runs on embedded PGlite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Where the embedded database lives; `memory://` keeps it in memory (tests). */
  PGLITE_DIR: z.string().min(1).default('.data/pglite'),
  DB_POOL_SIZE: int(1, 1000).default(20),
  DB_ACQUIRE_TIMEOUT_MS: int(1, 600_000).default(2_000),
  DB_IDLE_TIMEOUT_MS: int(1, 3_600_000).default(10_000),
  DB_STATEMENT_TIMEOUT_MS: int(1, 3_600_000).default(5_000),
  /**
   * PostgreSQL's random_page_cost for Cadence's connections. PostgreSQL's 4.0 assumes spinning
   * disks and makes the planner read a long transcript whole and sort it instead of walking the
   * (session_id, seq) index for one page; 1.1 is the usual value for SSDs.
   */
  /** Distinct SQL statements prepared once per connection and reused by name (0: none); see src/db/client.ts. */
  DB_STATEMENT_CACHE: int(0, 100_000).default(500),
  DB_RANDOM_PAGE_COST: z.coerce.number().positive().max(100).default(1.1),
  /** Load demo data and print a fresh demo API key at start; defaults to on for the embedded database. */
  DEMO: bool.optional(),
  /** Refused requests (4xx) a client may send per ABUSE_WINDOW_MS before it is slowed down (0: off). */
  ABUSE_MAX_REJECTIONS: int(0, 1_000_000).default(30),
  ABUSE_WINDOW_MS: int(100, 3_600_000).default(10_000),
  /** How long a slowed-down client's request waits before its 429. */
  ABUSE_TARPIT_MS: int(0, 60_000).default(1_000),
  /** How long a verified API key is trusted without a lookup (0: look up every request). */
  AUTH_CACHE_TTL_MS: int(0, 3_600_000).default(10_000),
  /**
   * How long a query's answer is served from memory to the same user (0: off). Any mutation by the
   * user drops their answers at once, on every instance when REDIS_URL is set; without Redis, other
   * instances may serve an answer up to this old.
   */
  RESPONSE_CACHE_TTL_MS: int(0, 3_600_000).default(10_000),
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
    .transform((text) => text.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be comma-separated SHA-256 hex digests')))
    .optional(),
  /** Redis for pub/sub, cache and rate limits shared across instances; unset keeps them in process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
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
  /** SQL statements slower than this are logged. */
  SLOW_QUERY_MS: int(0, 600_000).default(200),
  /** Return the trace in `extensions` when a request sends `x-cadence-trace: 1` (default: outside production). */
  TRACE_EXTENSIONS: bool.optional(),
  /** The rolling window behind /health/performance and /metrics/performance. */
  PERF_WINDOW_SECONDS: int(1, 3_600).default(60),
});

export type Config = ReturnType<typeof finish>;

function finish(env: z.infer<typeof schema>) {
  const embedded = env.DATABASE_URL === undefined;
  return {
    ...env,
    embedded,
    demo: env.DEMO ?? embedded,
    graphiql: env.GRAPHIQL ?? env.NODE_ENV !== 'production',
    traceExtensions: env.TRACE_EXTENSIONS ?? env.NODE_ENV !== 'production',
    operationBudgets: env.OPERATION_BUDGETS ?? {},
    allowIntrospection: env.ALLOW_INTROSPECTION ?? env.NODE_ENV !== 'production',
    persistedOperationsOnly: env.PERSISTED_OPERATIONS_ONLY ?? env.NODE_ENV === 'production',
    adminApiKeyHashes: new Set(env.ADMIN_API_KEY_HASHES ?? []),
    production: env.NODE_ENV === 'production',
  };
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
  return finish(parsed.data);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
