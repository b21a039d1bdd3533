// Traces every request: SQL statements and time, execution and resolver timings, compared with the
// operation's latency budget. Latency runs from the socket's request arrival (the node:http
// listener's stamp) to the end of the response, so queueing and writing count. A breach is one pino warn line; every response gets X-Response-Time
// and Server-Timing; the trace goes into `extensions.trace` when asked for and allowed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context } from '../context.js';
import type { Metrics } from '../perf/metrics.js';
import { arrivalOf } from '../perf/arrival.js';
import type { PerfWindow } from '../perf/perf-window.js';
import { runWithStats, statsOf, type RequestStats } from '../perf/request-stats.js';
import { round } from '../perf/sql-accounting.js';
import { requestIdOf } from './use-request-id.js';

export interface Budgets {
  /** Default budget of a query, ms. @default 50 */
  queryMs: number;
  /** Default budget of a mutation, ms. @default 100 */
  mutationMs: number;
  /** Budgets by operation name, overriding the defaults. */
  byOperation: Record<string, number>;
}

export interface TracingOptions {
  log: Logger;
  budgets: Budgets;
  /**
   * Over-budget lines logged per operation name per second; the rest are counted and the count
   * goes out with the next line, so an overloaded server does not drown in its own logs.
   * @default 5
   */
  breachLogsPerSecond?: number;
  /** Answer `x-cadence-trace: 1` with the trace in `extensions.trace`. @default false */
  traceExtensions?: boolean;
  metrics?: Metrics;
  window?: PerfWindow;
}

/** Codes that mean the server failed, as opposed to the client asking for something wrong. */
export const SERVER_FAULTS = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

export function budgetFor(stats: Pick<RequestStats, 'operationName' | 'operationType'>, budgets: Budgets): number {
  const named = stats.operationName ? budgets.byOperation[stats.operationName] : undefined;
  return named ?? (stats.operationType === 'mutation' ? budgets.mutationMs : budgets.queryMs);
}

export function useTracing(options: TracingOptions): Plugin<Context> {
  const { log, budgets, metrics, window } = options;
  const limiter = new LogLimiter(options.breachLogsPerSecond ?? 5);
  return {
    instrumentation: {
      // Wraps the whole handling so Prisma's query events (via AsyncLocalStorage) land on this request.
      request({ request }, wrapped) {
        return runWithStats(request, async () => {
          window?.started();
          try {
            await wrapped();
          } finally {
            window?.left();
          }
        });
      },
    },
    onRequest({ request, serverContext }) {
      const stats = statsOf(request);
      if (!stats) return;
      stats.requestId = requestIdOf(request);
      // Count from the socket's arrival, not from when Yoga got round to this request.
      const arrived = arrivalOf(nodeOf(serverContext).req);
      if (arrived !== undefined) stats.startedAt = arrived;
    },
    onExecute({ args }) {
      const stats = args.contextValue.perf;
      const operation = getOperationAST(args.document, args.operationName);
      stats.operationName = operation?.name?.value ?? args.operationName ?? null;
      stats.operationType = operation?.operation ?? null;
      stats.executeStart = performance.now();
      const request = (args.contextValue as Context & { request?: Request }).request;
      const wantsTrace = options.traceExtensions === true && request?.headers.get('x-cadence-trace') === '1';
      return {
        onExecuteDone({ result, setResult }) {
          stats.executeEnd = performance.now();
          if (!wantsTrace || !isSingleResult(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, trace: traceOf(stats, budgetFor(stats, budgets)) } });
        },
      };
    },
    onResultProcess({ request, result }) {
      const stats = statsOf(request);
      if (!stats) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!isSingleResult(single)) continue;
        for (const error of single.errors ?? []) {
          const code = error.extensions?.code;
          stats.errorCodes.push(typeof code === 'string' ? code : 'UNKNOWN');
        }
      }
    },
    onResponse({ request, response, serverContext }) {
      const stats = statsOf(request);
      if (!stats) return;
      const handlerMs = stats.elapsedMs();
      const gqlMs = stats.executeMs();
      // Written before the body, so this is arrival to response start; the figures recorded below
      // run to the end of the response.
      response.headers.set('X-Response-Time', `${handlerMs.toFixed(1)}ms`);
      const timing = [`db;dur=${stats.sqlMs.toFixed(1)};desc="${stats.sqlCount} statement${stats.sqlCount === 1 ? '' : 's'}"`];
      // PostgreSQL's part and the waits in Node (a pooled connection, a busy event loop), when timed.
      if (stats.dbMs > 0 || stats.dbWaitMs > 0)
        timing.push(`pg;dur=${stats.dbMs.toFixed(1)}`, `dbwait;dur=${(stats.dbWaitMs + stats.dbStallMs).toFixed(1)}`);
      if (gqlMs !== null) timing.push(`gql;dur=${gqlMs.toFixed(1)}`);
      if (stats.cache) timing.push(`cache;desc=${stats.cache}`);
      timing.push(`total;dur=${handlerMs.toFixed(1)}`);
      response.headers.set('Server-Timing', timing.join(', '));

      if (!stats.operationType && stats.errorCodes.length === 0) return; // Not a GraphQL operation.
      const ok = response.status < 500 && !stats.errorCodes.some((c) => SERVER_FAULTS.has(c));
      const record = (totalMs: number) => {
        window?.finished({ durationMs: totalMs, ok, operation: stats.operationName ?? 'anonymous', cache: stats.cache ?? undefined });
        const budgetMs = budgetFor(stats, budgets);
        const over = stats.operationType !== null && stats.operationType !== 'subscription' && totalMs > budgetMs;
        metrics?.recordOperation(stats, totalMs, over);
        const suppressed = over ? limiter.take(stats.operationName ?? 'anonymous') : null;
        if (suppressed !== null) {
          log.warn(
            {
              requestId: stats.requestId,
              operationName: stats.operationName,
              operationType: stats.operationType,
              durationMs: round(totalMs),
              budgetMs,
              executeMs: gqlMs === null ? null : round(gqlMs),
              sql: sqlSummary(stats),
              slowestSql: stats.slowestSql.slice(0, 3).map((s) => ({ durationMs: round(s.durationMs), sql: clip(s.sql) })),
              slowestResolvers: stats.slowestResolvers.map((r) => ({ path: r.path, durationMs: round(r.durationMs) })),
              ...(suppressed > 0 ? { suppressedSinceLastLine: suppressed } : {}),
            },
            'operation over budget',
          );
        }
      };
      // Behind node:http, the operation's latency ends when its response is written ('finish'),
      // or when the connection closes first; otherwise (yoga.fetch) it ends here.
      const { res } = nodeOf(serverContext);
      if (!res || res.writableFinished) return record(res ? stats.elapsedMs() : handlerMs);
      let recorded = false;
      const done = () => {
        if (recorded) return;
        recorded = true;
        record(stats.elapsedMs());
      };
      res.once('finish', done);
      res.once('close', done);
    },
  };
}

/** The node:http request and response behind a request, when it came through node:http. */
function nodeOf(serverContext: unknown): { req?: IncomingMessage; res?: ServerResponse } {
  return (serverContext ?? {}) as { req?: IncomingMessage; res?: ServerResponse };
}

/** SQL text in a breach line: enough to recognise the statement; the trace has it whole. */
const clip = (sql: string) => (sql.length > 500 ? `${sql.slice(0, 500)}…` : sql);

/** Per-key budget of lines per second; counts what it refuses. */
export class LogLimiter {
  private readonly slots = new Map<string, { second: number; used: number; suppressed: number }>();

  constructor(private readonly perSecond: number) {}

  /** null when this line must be dropped; otherwise how many were dropped since the last one. */
  take(key: string, now = Date.now()): number | null {
    const second = Math.floor(now / 1000);
    let slot = this.slots.get(key);
    if (!slot) {
      // Bounded: operation names come from clients.
      if (this.slots.size > 1_000) this.slots.clear();
      slot = { second, used: 0, suppressed: 0 };
      this.slots.set(key, slot);
    }
    if (slot.second !== second) {
      slot.second = second;
      slot.used = 0;
    }
    if (slot.used >= this.perSecond) {
      slot.suppressed++;
      return null;
    }
    slot.used++;
    const suppressed = slot.suppressed;
    slot.suppressed = 0;
    return suppressed;
  }
}

/** Statement count and time; where the pool timed them, PostgreSQL's part and Node's waits apart. */
function sqlSummary(stats: RequestStats) {
  const timed = stats.dbMs > 0 || stats.dbWaitMs > 0 || stats.dbStallMs > 0;
  return {
    count: stats.sqlCount,
    totalMs: round(stats.sqlMs),
    ...(timed ? { pgMs: round(stats.dbMs), poolWaitMs: round(stats.dbWaitMs), loopStallMs: round(stats.dbStallMs) } : {}),
  };
}

function traceOf(stats: RequestStats, budgetMs: number) {
  return {
    requestId: stats.requestId,
    operationName: stats.operationName,
    operationType: stats.operationType,
    budgetMs,
    durationMs: round(stats.elapsedMs()),
    executeMs: round(stats.executeMs() ?? 0),
    sql: {
      ...sqlSummary(stats),
      slowest: stats.slowestSql.map((s) => ({ durationMs: round(s.durationMs), sql: s.sql })),
    },
    resolvers: stats.slowestResolvers.map((r) => ({ path: r.path, durationMs: round(r.durationMs) })),
  };
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}
