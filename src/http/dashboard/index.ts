// The live performance dashboard at /dashboard: a small page (public/) with uPlot's charts, both
// served from this process, polling /dashboard/data. Data comes from every finished GraphQL
// operation (its request stats) and gauges sampled each second (pool, concurrency, memory, CPU,
// event-loop delay). See access.ts for who may open it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type pg from 'pg';
import type { Plugin } from 'graphql-yoga';
import { statsOf } from '../../perf/request-stats.js';
import { SERVER_FAULTS, type Budgets } from '../../plugins/use-tracing.js';
import { dashboardAccess } from './access.js';
import { DashboardFeed, type Gauges } from './feed.js';

export interface DashboardOptions {
  production: boolean;
  adminToken?: string | undefined;
  budgets: Budgets;
  /** Window of the per-operation table, ms (PERF_WINDOW_SECONDS). */
  windowMs: number;
  pool?: pg.Pool | undefined;
  poolMax?: number;
  /** Requests being handled right now (PerfWindow's gauge). */
  concurrent: () => number;
  /** Interview operations pending or running (one SQL count), read on each data request. */
  queueDepth?: () => Promise<number>;
}

const PUBLIC = new URL('./public/', import.meta.url);
const SAMPLE_EVERY_MS = 1_000;
const QUEUE_TIMEOUT_MS = 1_000;

interface Asset {
  body: string;
  contentType: string;
}

/** The page's files, read once on first use: the page, its script and styles, and uPlot from node_modules. */
let files: Map<string, Asset> | undefined;
function assets(): Map<string, Asset> {
  if (files) return files;
  const resolve = createRequire(import.meta.url).resolve;
  const read = (url: URL | string) => readFileSync(url, 'utf8');
  const js = 'application/javascript; charset=utf-8';
  files = new Map<string, Asset>([
    ['index.html', { body: read(new URL('index.html', PUBLIC)), contentType: 'text/html; charset=utf-8' }],
    ['dashboard.js', { body: read(new URL('dashboard.js', PUBLIC)), contentType: js }],
    ['dashboard.css', { body: read(new URL('dashboard.css', PUBLIC)), contentType: 'text/css; charset=utf-8' }],
    ['uPlot.iife.min.js', { body: read(resolve('uplot/dist/uPlot.iife.min.js')), contentType: js }],
    ['uPlot.min.css', { body: read(resolve('uplot/dist/uPlot.min.css')), contentType: 'text/css; charset=utf-8' }],
  ]);
  return files;
}

/** A fresh object each time: the fetch implementation may add to the one it is given (content-length). */
const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
  'cache-control': 'no-store',
  // Everything the page needs is on this origin; uPlot sets inline styles on its elements.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  ...extra,
});

export function useDashboard(options: DashboardOptions): Plugin {
  const access = dashboardAccess(options);
  const feed = new DashboardFeed(options.budgets);
  const sampler = gaugeSampler(options);
  feed.sample(sampler());
  const timer = setInterval(() => feed.sample(sampler()), SAMPLE_EVERY_MS);
  timer.unref();

  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return;
      const verdict = access(request.headers.get('authorization'));
      const text = (body: string, status: number, extra: Record<string, string> = {}) =>
        endResponse(new fetchAPI.Response(body, { status, headers: headers({ 'content-type': 'text/plain; charset=utf-8', ...extra }) }));
      if (verdict === 'hidden') return text('not found', 404);
      if (verdict === 'unauthorized')
        return text('unauthorized', 401, { 'www-authenticate': 'Basic realm="Cadence dashboard", charset="UTF-8"' });
      if (request.method !== 'GET') return text('method not allowed', 405, { allow: 'GET' });

      if (path === '/dashboard/data') {
        // Current gauges, not up to a second old, and the queue while someone is watching.
        feed.sample({ ...sampler(), queueDepth: await readQueue(options.queueDepth) });
        return endResponse(fetchAPI.Response.json(feed.view(options.windowMs), { headers: headers() }));
      }
      const name = path === '/dashboard' || path === '/dashboard/' ? 'index.html' : path.slice('/dashboard/assets/'.length);
      const asset =
        path === '/dashboard' || path === '/dashboard/' || path.startsWith('/dashboard/assets/') ? assets().get(name) : undefined;
      if (!asset) return text('not found', 404);
      return endResponse(new fetchAPI.Response(asset.body, { headers: headers({ 'content-type': asset.contentType }) }));
    },
    onResponse({ request, response }) {
      const stats = statsOf(request);
      if (!stats || (!stats.operationType && stats.errorCodes.length === 0)) return; // Not a GraphQL operation.
      feed.record({
        at: Date.now(),
        requestId: stats.requestId,
        operation: stats.operationName ?? 'anonymous',
        type: stats.operationType,
        durationMs: stats.elapsedMs(),
        ok: response.status < 500 && !stats.errorCodes.some((code) => SERVER_FAULTS.has(code)),
        sqlCount: stats.sqlCount,
        sqlMs: stats.sqlMs,
        slowestSql: stats.slowestSql,
        cache: stats.cache,
      });
    },
    onDispose() {
      clearInterval(timer);
      sampler.stop();
    },
  };
}

/** Reads the gauges; CPU and event-loop delay are over the time since the previous reading. */
function gaugeSampler(options: DashboardOptions): (() => Gauges) & { stop(): void } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let last = { usage: process.cpuUsage(), at: performance.now() };
  const read = () => {
    const now = { usage: process.cpuUsage(), at: performance.now() };
    const busyUs = now.usage.user - last.usage.user + (now.usage.system - last.usage.system);
    const wallUs = (now.at - last.at) * 1000;
    last = now;
    const eventLoopP99Ms = loop.count > 0 ? loop.percentile(99) / 1e6 : 0;
    loop.reset();
    const memory = process.memoryUsage();
    const pool = options.pool;
    return {
      pool: pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolMax ?? 0 } : null,
      concurrent: options.concurrent(),
      rssMb: mb(memory.rss),
      heapUsedMb: mb(memory.heapUsed),
      cpuPercent: wallUs > 0 ? Math.round((busyUs / wallUs) * 1000) / 10 : 0,
      eventLoopP99Ms: Math.round(eventLoopP99Ms * 10) / 10,
      queueDepth: null,
    };
  };
  return Object.assign(read, { stop: () => loop.disable() });
}

/** The queue's depth, or null when there is no database or it does not answer within a second. */
async function readQueue(read: (() => Promise<number>) | undefined): Promise<number | null> {
  if (!read) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), QUEUE_TIMEOUT_MS)));
  try {
    return await Promise.race([read(), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
