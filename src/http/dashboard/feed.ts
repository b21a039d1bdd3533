// The dashboard's data: finished GraphQL operations and sampled gauges in 2-second buckets over the
// last 5 minutes. Each bucket keeps exact counts, a bounded reservoir of durations (percentiles),
// its 10 slowest operations and SQL statements with their request ids, and the gauges' peaks, so
// memory is bounded whatever the traffic.
import { budgetFor, type Budgets } from '../../plugins/use-tracing.js';
import type { SqlSample } from '../../perf/request-stats.js';

export const BUCKET_MS = 2_000;
export const HISTORY_BUCKETS = 150;
/** Durations kept per bucket for percentiles; above it a uniform sample (reservoir) stands in. */
const SAMPLES_PER_BUCKET = 2_000;
/** Distinct operation names per bucket; the rest count as "other" (names come from clients). */
const OPERATIONS_PER_BUCKET = 200;
const KEEP_SLOWEST = 10;
const SHOW_SLOWEST = 10;
const SQL_TEXT_CHARS = 400;

type OperationType = 'query' | 'mutation' | 'subscription' | null;

export interface FinishedOperation {
  at: number;
  requestId: string;
  operation: string;
  type: OperationType;
  durationMs: number;
  ok: boolean;
  sqlCount: number;
  sqlMs: number;
  slowestSql: readonly SqlSample[];
  cache: 'hit' | 'miss' | 'bypass' | null;
}

export interface Gauges {
  pool: { total: number; idle: number; waiting: number; max: number } | null;
  concurrent: number;
  rssMb: number;
  heapUsedMb: number;
  cpuPercent: number;
  eventLoopP99Ms: number;
  /** Interview operations waiting or running; read only while someone watches (it costs a query). */
  queueDepth: number | null;
}

interface SlowOperation {
  at: number;
  requestId: string;
  operation: string;
  durationMs: number;
  budgetMs: number;
  sqlCount: number;
  sqlMs: number;
}

interface SlowSql {
  at: number;
  requestId: string;
  operation: string;
  durationMs: number;
  sql: string;
}

interface Bucket {
  start: number;
  count: number;
  errors: number;
  seen: number;
  samples: { operation: string; durationMs: number }[];
  operations: Map<string, { type: OperationType; count: number; errors: number }>;
  cache: { hit: number; miss: number; bypass: number };
  slowestOperations: SlowOperation[];
  slowestSql: SlowSql[];
  gauges: Gauges | null;
}

export class DashboardFeed {
  private readonly buckets: Bucket[] = [];

  constructor(
    private readonly budgets: Budgets,
    private readonly random: () => number = Math.random,
  ) {}

  record(op: FinishedOperation): void {
    const bucket = this.bucketAt(op.at);
    bucket.count++;
    if (!op.ok) bucket.errors++;
    const name = bucket.operations.has(op.operation) || bucket.operations.size < OPERATIONS_PER_BUCKET ? op.operation : 'other';
    const counts = bucket.operations.get(name) ?? { type: op.type, count: 0, errors: 0 };
    counts.count++;
    if (!op.ok) counts.errors++;
    bucket.operations.set(name, counts);

    bucket.seen++;
    const sample = { operation: name, durationMs: op.durationMs };
    if (bucket.samples.length < SAMPLES_PER_BUCKET) bucket.samples.push(sample);
    else {
      const slot = Math.floor(this.random() * bucket.seen);
      if (slot < SAMPLES_PER_BUCKET) bucket.samples[slot] = sample;
    }
    if (op.cache) bucket.cache[op.cache]++;

    const budgetMs = budgetFor({ operationName: op.operation, operationType: op.type }, this.budgets);
    keepSlowest(bucket.slowestOperations, {
      at: op.at,
      requestId: op.requestId,
      operation: name,
      durationMs: op.durationMs,
      budgetMs,
      sqlCount: op.sqlCount,
      sqlMs: op.sqlMs,
    });
    for (const statement of op.slowestSql) {
      keepSlowest(bucket.slowestSql, {
        at: op.at,
        requestId: op.requestId,
        operation: name,
        durationMs: statement.durationMs,
        sql: statement.sql.length > SQL_TEXT_CHARS ? `${statement.sql.slice(0, SQL_TEXT_CHARS)}…` : statement.sql,
      });
    }
  }

  /** Keeps the peak of each gauge over the bucket (the latest memory figures). */
  sample(gauges: Gauges, at = Date.now()): void {
    const bucket = this.bucketAt(at);
    const previous = bucket.gauges;
    bucket.gauges = previous
      ? {
          pool: gauges.pool && {
            total: Math.max(gauges.pool.total, previous.pool?.total ?? 0),
            idle: gauges.pool.idle,
            waiting: Math.max(gauges.pool.waiting, previous.pool?.waiting ?? 0),
            max: gauges.pool.max,
          },
          concurrent: Math.max(gauges.concurrent, previous.concurrent),
          rssMb: gauges.rssMb,
          heapUsedMb: gauges.heapUsedMb,
          cpuPercent: Math.max(gauges.cpuPercent, previous.cpuPercent),
          eventLoopP99Ms: Math.max(gauges.eventLoopP99Ms, previous.eventLoopP99Ms),
          queueDepth: gauges.queueDepth ?? previous.queueDepth,
        }
      : gauges;
  }

  /** What /dashboard/data answers: series over the history, tables over the last `windowMs`. */
  view(windowMs: number, now = Date.now()) {
    this.prune(now);
    // From the oldest bucket kept (a young process has a short history, not 5 minutes of nothing).
    const first = this.buckets[0]?.start ?? Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const byStart = new Map(this.buckets.map((b) => [b.start, b]));
    const series = {
      t: [] as number[],
      requestsPerSecond: [] as number[],
      errorsPerSecond: [] as number[],
      p50Ms: [] as (number | null)[],
      p95Ms: [] as (number | null)[],
      p99Ms: [] as (number | null)[],
      cacheHitRate: [] as (number | null)[],
      poolActive: [] as (number | null)[],
      poolWaiting: [] as (number | null)[],
      queueDepth: [] as (number | null)[],
      concurrent: [] as (number | null)[],
      rssMb: [] as (number | null)[],
      cpuPercent: [] as (number | null)[],
      eventLoopP99Ms: [] as (number | null)[],
    };
    for (let start = first; start <= now; start += BUCKET_MS) {
      const bucket = byStart.get(start);
      const durations = (bucket?.samples ?? []).map((s) => s.durationMs).sort((a, b) => a - b);
      const gauges = bucket?.gauges ?? null;
      series.t.push(start / 1000);
      series.requestsPerSecond.push(round((bucket?.count ?? 0) / (BUCKET_MS / 1000)));
      series.errorsPerSecond.push(round((bucket?.errors ?? 0) / (BUCKET_MS / 1000)));
      series.p50Ms.push(percentile(durations, 0.5));
      series.p95Ms.push(percentile(durations, 0.95));
      series.p99Ms.push(percentile(durations, 0.99));
      series.cacheHitRate.push(bucket ? hitRate(bucket.cache) : null);
      series.poolActive.push(gauges?.pool ? gauges.pool.total - gauges.pool.idle : null);
      series.poolWaiting.push(gauges?.pool ? gauges.pool.waiting : null);
      series.queueDepth.push(gauges?.queueDepth ?? null);
      series.concurrent.push(gauges?.concurrent ?? null);
      series.rssMb.push(gauges?.rssMb ?? null);
      series.cpuPercent.push(gauges?.cpuPercent ?? null);
      series.eventLoopP99Ms.push(gauges?.eventLoopP99Ms ?? null);
    }

    const recent = this.buckets.filter((b) => b.start > now - windowMs);
    const operations = new Map<string, { type: OperationType; count: number; errors: number; durations: number[] }>();
    const cache = { hit: 0, miss: 0, bypass: 0 };
    let count = 0;
    let errors = 0;
    for (const bucket of recent) {
      count += bucket.count;
      errors += bucket.errors;
      for (const key of ['hit', 'miss', 'bypass'] as const) cache[key] += bucket.cache[key];
      for (const [name, counts] of bucket.operations) {
        const entry = operations.get(name) ?? { type: counts.type, count: 0, errors: 0, durations: [] };
        entry.count += counts.count;
        entry.errors += counts.errors;
        operations.set(name, entry);
      }
      for (const sample of bucket.samples) operations.get(sample.operation)?.durations.push(sample.durationMs);
    }

    const latest = [...this.buckets].reverse().find((b) => b.gauges)?.gauges ?? null;
    return {
      generatedAt: now,
      windowSeconds: windowMs / 1000,
      bucketSeconds: BUCKET_MS / 1000,
      budgets: { queryMs: this.budgets.queryMs, mutationMs: this.budgets.mutationMs },
      totals: {
        operations: count,
        requestsPerSecond: round(count / (windowMs / 1000)),
        errors,
        errorRate: count ? round(errors / count, 4) : 0,
        cache: { hits: cache.hit, misses: cache.miss, bypasses: cache.bypass, hitRate: hitRate(cache) },
      },
      operations: [...operations]
        .map(([name, entry]) => {
          const sorted = entry.durations.sort((a, b) => a - b);
          const budgetMs = budgetFor({ operationName: name, operationType: entry.type }, this.budgets);
          const p95Ms = percentile(sorted, 0.95) ?? 0;
          return {
            name,
            type: entry.type,
            count: entry.count,
            errors: entry.errors,
            p50Ms: percentile(sorted, 0.5) ?? 0,
            p95Ms,
            p99Ms: percentile(sorted, 0.99) ?? 0,
            budgetMs,
            withinBudget: p95Ms <= budgetMs,
          };
        })
        .sort((a, b) => b.p95Ms / (b.budgetMs || 1) - a.p95Ms / (a.budgetMs || 1)),
      slowestOperations: this.buckets
        .flatMap((b) => b.slowestOperations)
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, SHOW_SLOWEST)
        .map((s) => ({ ...s, durationMs: round(s.durationMs), sqlMs: round(s.sqlMs) })),
      slowestSql: this.buckets
        .flatMap((b) => b.slowestSql)
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, SHOW_SLOWEST)
        .map((s) => ({ ...s, durationMs: round(s.durationMs) })),
      gauges: latest ? { ...latest, subscriptions: null } : null,
      series,
    };
  }

  private bucketAt(at: number): Bucket {
    const start = Math.floor(at / BUCKET_MS) * BUCKET_MS;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.start === start) return last;
    // A late sample (clock step or a slow request) goes into the bucket it belongs to, if kept.
    const existing = last && last.start > start ? this.buckets.find((b) => b.start === start) : undefined;
    if (existing) return existing;
    const bucket: Bucket = {
      start,
      count: 0,
      errors: 0,
      seen: 0,
      samples: [],
      operations: new Map(),
      cache: { hit: 0, miss: 0, bypass: 0 },
      slowestOperations: [],
      slowestSql: [],
      gauges: null,
    };
    if (last && last.start > start) {
      this.buckets.push(bucket);
      this.buckets.sort((a, b) => a.start - b.start);
    } else this.buckets.push(bucket);
    this.prune(at);
    return bucket;
  }

  private prune(now: number): void {
    const oldest = Math.floor(now / BUCKET_MS) * BUCKET_MS - (HISTORY_BUCKETS - 1) * BUCKET_MS;
    while (this.buckets.length && this.buckets[0]!.start < oldest) this.buckets.shift();
  }
}

export type DashboardData = ReturnType<DashboardFeed['view']>;

function keepSlowest<T extends { durationMs: number }>(list: T[], item: T): void {
  if (list.length === KEEP_SLOWEST && item.durationMs <= list[list.length - 1]!.durationMs) return;
  list.push(item);
  list.sort((a, b) => b.durationMs - a.durationMs);
  if (list.length > KEEP_SLOWEST) list.pop();
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

function hitRate(cache: { hit: number; miss: number }): number | null {
  const asked = cache.hit + cache.miss;
  return asked ? round(cache.hit / asked, 4) : null;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
