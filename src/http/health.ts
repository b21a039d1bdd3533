// Health routes: /health (alive), /health/ready (PostgreSQL reachable and not draining; Redis is
// only reported), and the performance views /health/performance (compact, for probes and
// dashboards) and /metrics/performance (detailed).
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.js';
import { EventLoopMonitor } from '../perf/event-loop.js';
import type { PerfWindow } from '../perf/perf-window.js';
import type { Redis } from '../redis.js';
import type { Budgets } from '../plugins/use-tracing.js';

export interface HealthOptions {
  database?: Database;
  redis?: Redis;
  window: PerfWindow;
  budgets: Budgets;
  /** True once SIGTERM started draining: readiness answers 503 at once. */
  isDraining?: () => boolean;
}

const CHECK_TIMEOUT_MS = 1_000;

type Check = { ok: boolean; latencyMs?: number; error?: string; configured?: boolean };

export function useHealth(options: HealthOptions): Plugin {
  const cpu = cpuMeter();
  const eventLoop = new EventLoopMonitor(options.window.summary().windowSeconds * 1000);
  return {
    onDispose() {
      eventLoop.close();
    },
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (request.method !== 'GET') return;
      const json = (body: unknown, status = 200) =>
        endResponse(fetchAPI.Response.json(body, { status, headers: { 'cache-control': 'no-store' } }));
      switch (url.pathname) {
        case '/health':
          return json({ status: 'ok' });
        case '/health/ready': {
          if (options.isDraining?.()) return json({ status: 'draining' }, 503);
          const [postgres, redis] = await Promise.all([checkPostgres(options.database), checkRedis(options.redis)]);
          // Only PostgreSQL decides: without Redis every request is still served (caches and
          // broadcasts fall back to this instance), and a Redis outage must not take every
          // replica out of rotation at once.
          if (!postgres.ok) return json({ status: 'unavailable', checks: { postgres, redis } }, 503);
          const degraded = redis.ok ? [] : ['redis'];
          return json({ status: degraded.length ? 'degraded' : 'ready', degraded, checks: { postgres, redis } });
        }
        case '/health/performance':
        case '/metrics/performance': {
          const detailed = url.pathname === '/metrics/performance';
          return json(await performanceReport(options, cpu(), eventLoop, detailed));
        }
        default:
          return undefined;
      }
    },
  };
}

async function performanceReport(options: HealthOptions, cpuPercent: number, eventLoop: EventLoopMonitor, detailed: boolean) {
  const summary = options.window.summary();
  const pool = options.database?.kind === 'postgres' ? options.database.pool : null;
  const memory = process.memoryUsage();
  // The feedback queue across all instances: jobs waiting, and generations running under a live lease.
  const queue = await withTimeout(
    options.database
      ? options.database.prisma.$queryRaw<{ depth: number; running: number }[]>`
          SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS depth,
                 count(*) FILTER (WHERE status = 'RUNNING' AND locked_until > now())::int AS running
          FROM operations WHERE status IN ('PENDING', 'RUNNING')`
      : Promise.resolve([{ depth: 0, running: 0 }]),
  ).catch(() => null);
  const overBudget = summary.latency.p95Ms > options.budgets.queryMs && summary.latency.count > 0;
  const base = {
    status: summary.requests.successRate < 0.999 ? 'degraded' : overBudget ? 'slow' : 'ok',
    windowSeconds: summary.windowSeconds,
    responseTime: summary.latency,
    requests: summary.requests,
    database: pool
      ? {
          kind: 'postgres',
          activeConnections: pool.totalCount - pool.idleCount,
          idleConnections: pool.idleCount,
          totalConnections: pool.totalCount,
          waiting: pool.waitingCount,
        }
      : { kind: options.database?.kind ?? 'none' },
    process: {
      cpuPercent,
      // Waiting before a request is even read is not in responseTime (it starts on arrival).
      eventLoopDelay: eventLoop.summary(),
      memory: { rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), heapTotalMb: mb(memory.heapTotal) },
      uptimeSeconds: Math.round(process.uptime()),
    },
    queue: { depth: queue?.[0]?.depth ?? null, concurrentGenerations: queue?.[0]?.running ?? null },
    budgets: { queryMs: options.budgets.queryMs, mutationMs: options.budgets.mutationMs },
  };
  return detailed
    ? { ...base, operations: summary.operations, budgets: { ...base.budgets, byOperation: options.budgets.byOperation } }
    : base;
}

async function checkPostgres(database: Database | undefined): Promise<Check> {
  if (!database) return { ok: false, error: 'no database' };
  const started = performance.now();
  try {
    await withTimeout(database.prisma.$queryRaw`SELECT 1`);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: reason(error) };
  }
}

async function checkRedis(redis: Redis | undefined): Promise<Check> {
  if (!redis) return { ok: true, configured: false };
  const started = performance.now();
  try {
    await withTimeout(redis.ping());
    return { ok: true, configured: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, configured: true, error: reason(error) };
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A short, secret-free reason: never the connection string or a stack. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\w+:\/\/\S+/g, '[url]')
    .split('\n')[0]!
    .slice(0, 200);
}

/** CPU use of this process since the previous call, in percent of one core. */
function cpuMeter() {
  let last = { usage: process.cpuUsage(), at: performance.now() };
  return () => {
    const now = { usage: process.cpuUsage(), at: performance.now() };
    const busyUs = now.usage.user - last.usage.user + (now.usage.system - last.usage.system);
    const wallUs = (now.at - last.at) * 1000;
    last = now;
    return wallUs > 0 ? Math.round((busyUs / wallUs) * 1000) / 10 : 0;
  };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
