// Per-request performance record: timings, SQL statements and resolver timings of one request.
// Reached through AsyncLocalStorage (for Prisma's query events) and a WeakMap (for Yoga's hooks).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface SqlSample {
  sql: string;
  durationMs: number;
}

export interface ResolverSample {
  path: string;
  durationMs: number;
}

/** How many of the slowest statements and resolvers a request keeps. */
export const KEEP_SLOWEST = 5;

export class RequestStats {
  /**
   * performance.now() when the request arrived: the node:http listener's stamp when there is one
   * (src/perf/arrival.ts, set by use-tracing), else when Yoga began handling it.
   */
  startedAt = performance.now();
  requestId = '';
  operationName: string | null = null;
  operationType: 'query' | 'mutation' | 'subscription' | null = null;
  /** performance.now() when execution started and ended. */
  executeStart: number | null = null;
  executeEnd: number | null = null;
  sqlCount = 0;
  /** Statement time as Prisma reports it: waits for a connection and the event loop included. */
  sqlMs = 0;
  /** Of the statements sent through the timed pool: PostgreSQL's part, the wait for a connection, the loop's stalls. */
  dbMs = 0;
  dbWaitMs = 0;
  dbStallMs = 0;
  readonly slowestSql: SqlSample[] = [];
  readonly slowestResolvers: ResolverSample[] = [];
  errorCodes: string[] = [];
  /** What the response cache did for this request, if it was asked. */
  cache: 'hit' | 'miss' | 'bypass' | null = null;

  addSql(sample: SqlSample): void {
    this.sqlCount++;
    this.sqlMs += sample.durationMs;
    keepSlowest(this.slowestSql, sample);
  }

  addDbTiming(timing: { dbMs: number; waitMs: number; stallMs: number }): void {
    this.dbMs += timing.dbMs;
    this.dbWaitMs += timing.waitMs;
    this.dbStallMs += timing.stallMs;
  }

  addResolver(sample: ResolverSample): void {
    keepSlowest(this.slowestResolvers, sample);
  }

  /** Milliseconds since the request arrived. */
  elapsedMs(now = performance.now()): number {
    return now - this.startedAt;
  }

  executeMs(): number | null {
    return this.executeStart !== null && this.executeEnd !== null ? this.executeEnd - this.executeStart : null;
  }
}

/** Inserts into a short list kept sorted slowest first, dropping the fastest beyond KEEP_SLOWEST. */
function keepSlowest<T extends { durationMs: number }>(list: T[], sample: T): void {
  if (list.length === KEEP_SLOWEST && sample.durationMs <= list[list.length - 1]!.durationMs) return;
  let i = list.length;
  while (i > 0 && list[i - 1]!.durationMs < sample.durationMs) i--;
  list.splice(i, 0, sample);
  if (list.length > KEEP_SLOWEST) list.pop();
}

const storage = new AsyncLocalStorage<RequestStats>();
const byRequest = new WeakMap<Request, RequestStats>();

/** Runs `fn` (the whole handling of `request`) with a fresh RequestStats as the current one. */
export function runWithStats<T>(request: Request, fn: () => T): T {
  const stats = new RequestStats();
  byRequest.set(request, stats);
  return storage.run(stats, fn);
}

/** The stats of the request being handled in this async context, if any. */
export function currentStats(): RequestStats | undefined {
  return storage.getStore();
}

export function statsOf(request: Request): RequestStats | undefined {
  return byRequest.get(request);
}
