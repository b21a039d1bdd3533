// The one Prisma client of the process: PostgreSQL through a pg pool, or embedded PGlite.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { mkdirSync } from 'node:fs';
import { PrismaClient } from '../../prisma/generated/client/client.js';
import type { Config } from '../config.js';
import { inBackground } from './background.js';
import { backendTrimThresholdHook } from './backend-heap.js';
import { poolMin } from './pool-warmth.js';
import { FailoverPool, routedClient } from './replicas.js';
import { TimedPool } from './statement-timing.js';

export { inBackground, runInBackground } from './background.js';

/** One SQL statement as Prisma reports it. */
export interface SqlEvent {
  sql: string;
  durationMs: number;
  /**
   * The bound parameters as Prisma's JSON text. For in-process inspection only (tests EXPLAIN
   * the statements they record); nothing that logs or traces may read it.
   */
  params: string;
  /** Run by background work (the feedback worker), not by a request. */
  background: boolean;
}
type SqlListener = (event: SqlEvent) => void;
const sqlListeners = new Set<SqlListener>();

/** Calls `listener` for every SQL statement any Prisma client of this process runs. */
export function onSql(listener: SqlListener): () => void {
  sqlListeners.add(listener);
  return () => sqlListeners.delete(listener);
}

/** Reports a statement that did not go through Prisma (compiled execution) to every `onSql` listener. */
export function reportSql(event: SqlEvent): void {
  for (const listener of sqlListeners) listener(event);
}

function makeClient(adapter: SqlDriverAdapterFactory) {
  // Query events are how statements are counted and timed (per request, in src/perf).
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' as const }] });
  prisma.$on('query', (e) => {
    if (sqlListeners.size === 0) return;
    reportSql({ sql: e.query, durationMs: Number(e.duration), params: e.params, background: inBackground() });
  });
  return prisma;
}

export type Db = ReturnType<typeof makeClient>;

/** A read replica: its own pool (falling back to the primary's) and Prisma client. */
export interface Replica {
  prisma: Db;
  pool: FailoverPool;
}

export type Database =
  | {
      kind: 'postgres';
      prisma: Db;
      pool: pg.Pool;
      replicas: Replica[];
      /** The prepared-statement name for `sql` (shared with Prisma's), or undefined for an unnamed one. */
      statementName(sql: string): string | undefined;
      close(): Promise<void>;
    }
  | { kind: 'pglite'; prisma: Db; pglite: PGlite; replicas: Replica[]; close(): Promise<void> };

type DbConfig = Pick<
  Config,
  | 'DATABASE_URL'
  | 'DATABASE_REPLICA_URLS'
  | 'REPLICA_RETRY_MS'
  | 'PGLITE_DIR'
  | 'DB_POOL_SIZE'
  | 'DB_POOL_MIN'
  | 'DB_ACQUIRE_TIMEOUT_MS'
  | 'DB_IDLE_TIMEOUT_MS'
  | 'DB_STATEMENT_TIMEOUT_MS'
  | 'DB_STATEMENT_CACHE'
  | 'DB_RANDOM_PAGE_COST'
  | 'DB_BACKEND_TRIM_THRESHOLD_MB'
>;

/** Planner settings every Cadence connection starts with (PostgreSQL's startup `options`). */
export function sessionOptions(config: Pick<DbConfig, 'DB_RANDOM_PAGE_COST'>): string {
  return `-c random_page_cost=${config.DB_RANDOM_PAGE_COST}`;
}

/**
 * Names Prisma's statements so each pooled connection prepares a statement once and then only
 * binds and executes it: no SQL text on the wire and no parse and plan in PostgreSQL per request.
 * The first `limit` distinct statements get names (Prisma's SQL comes from a bounded set of query
 * shapes, but `IN` lists of varying length make new texts); later ones run unnamed, so no
 * connection ever holds more than `limit` prepared statements. 0 names nothing.
 */
function statementCache(limit: number): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    if (limit <= 0) return undefined;
    let name = names.get(sql);
    if (name === undefined && names.size < limit) names.set(sql, (name = `cadence_${names.size}`));
    return name;
  };
}

/** Opens the database the config names. Does not migrate; see `src/db/migrations.ts`. */
export async function openDatabase(config: DbConfig, onReplicaDown?: (error: unknown) => void): Promise<Database> {
  if (config.DATABASE_URL) {
    const poolConfig = (connectionString: string, applicationName: string): pg.PoolConfig => ({
      connectionString,
      max: config.DB_POOL_SIZE,
      // The idle timeout closes only what is above this (src/db/pool-warmth.ts says why it is all).
      min: poolMin(config),
      // Without these, adapter-pg waits forever for a connection and never notices a dead peer.
      connectionTimeoutMillis: config.DB_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMillis: config.DB_IDLE_TIMEOUT_MS,
      statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
      // statement_timeout is enforced by the server; a dead peer (network black hole) never answers
      // it. This client-side bound ends such a query, and the pool destroys its connection.
      query_timeout: config.DB_STATEMENT_TIMEOUT_MS + 2_000,
      options: sessionOptions(config),
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: applicationName,
      // Before a new connection's first statement: keep its backend's heap (src/db/backend-heap.ts).
      onConnect: backendTrimThresholdHook(config.DB_BACKEND_TRIM_THRESHOLD_MB),
    });
    // Timed: the slow-SQL log and the trace tell PostgreSQL's time from Node's waiting.
    const pool = new TimedPool(poolConfig(config.DATABASE_URL, 'cadence'));
    // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
    pool.on('error', () => {});
    // A checked-out client (a transaction between statements) has no listener of the pool's, so a
    // connection lost then (pg_terminate_backend, a reset) would be an unhandled 'error' event
    // that kills the process. The client's next statement fails instead (503), and the pool
    // discards it on release.
    pool.on('connect', (client) => client.on('error', () => {}));
    // One statement-name map for the primary and the replicas: a replica pool that falls back runs
    // its named statements on the primary's connections, where a name must mean the same SQL.
    const statementName = statementCache(config.DB_STATEMENT_CACHE);
    // adapter-pg passes the name on to pg, where undefined means an unnamed statement.
    const statements =
      config.DB_STATEMENT_CACHE > 0 ? { statementNameGenerator: (query: { sql: string }) => statementName(query.sql) as string } : {};
    const prisma = makeClient(new PrismaPg(pool, statements));
    const replicas = (config.DATABASE_REPLICA_URLS ?? []).map((url): Replica => {
      const replicaPool = new FailoverPool(poolConfig(url, 'cadence-replica'), pool, config.REPLICA_RETRY_MS, onReplicaDown);
      replicaPool.on('error', () => {});
      replicaPool.on('connect', (client) => client.on('error', () => {}));
      return { pool: replicaPool, prisma: makeClient(new PrismaPg(replicaPool, statements)) };
    });
    return {
      kind: 'postgres',
      prisma,
      pool,
      replicas,
      statementName,
      async close() {
        for (const replica of replicas) {
          await replica.prisma.$disconnect();
          await replica.pool.end().catch(() => {});
        }
        await prisma.$disconnect();
        await pool.end().catch(() => {});
      },
    };
  }
  const dir = config.PGLITE_DIR;
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const prisma = makeClient(new PrismaPGlite(pglite));
  return {
    kind: 'pglite',
    prisma,
    pglite,
    replicas: [],
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

let current: Db | undefined;
let currentDatabase: Database | undefined;
/** A replica's Prisma client → its pool, for statements sent past Prisma (`directPool`). */
const replicaPools = new WeakMap<object, pg.Pool>();

/** Makes `db()` answer with this client (done once at start, and by each test file). */
export function useDatabase(database: Database): void {
  current = database.prisma;
  currentDatabase = database;
  for (const replica of database.replicas) replicaPools.set(replica.prisma, replica.pool);
}

/**
 * The pg pool `db()`'s client would use here (a replica's inside a read scope, else the
 * primary's) with its statement namer, for a statement sent past Prisma; undefined on PGlite.
 * Whoever uses it reports the statement with `reportSql`.
 */
export function directPool(): { pool: pg.Pool; statementName(sql: string): string | undefined } | undefined {
  if (currentDatabase?.kind !== 'postgres') return undefined;
  const replica = inBackground() ? undefined : routedClient();
  const pool = (replica !== undefined && replicaPools.get(replica)) || currentDatabase.pool;
  return { pool, statementName: currentDatabase.statementName };
}

/**
 * The process's Prisma client. Resolvers import this rather than reading it from the context.
 * Inside a query's read scope (src/db/replicas.ts) it is a replica's client; background work and
 * everything outside that scope get the primary.
 */
export function db(): Db {
  // The routed client first: src/compiled/derive-roots.ts routes to a recorder, with or without a database.
  const replica = routedClient() as Db | undefined;
  if (replica !== undefined && !inBackground()) return replica;
  if (!current) throw new Error('database not opened: call useDatabase() at start-up');
  return current;
}
