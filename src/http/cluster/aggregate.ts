// The cluster primary's operator port (METRICS_PORT): /metrics merges every worker's registry with
// prom-client's AggregatorRegistry (counters and histograms summed), /health/performance asks each
// worker for its own report over IPC and adds them up. A separate port because on the shared one
// node:cluster hands each connection to an arbitrary worker, which can only speak for itself.
import { createHash, timingSafeEqual } from 'node:crypto';
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../../config.js';
import { isMessage, PERFORMANCE_REQUEST, PERFORMANCE_RESPONSE, type PerformanceResponse } from './protocol.js';

const WORKER_TIMEOUT_MS = 2_000;

interface WorkerReport {
  status?: string;
  responseTime?: { count: number; avgMs: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
  requests?: { total: number; inWindow: number; perSecond: number; errors: number; concurrent: number };
  process?: { memory?: { rssMb: number } };
  database?: { totalConnections?: number; waiting?: number };
}

export async function startAggregatedMetricsServer(config: Config, log: Logger): Promise<Server> {
  const registry = new AggregatorRegistry();
  const expected = config.adminToken === undefined ? undefined : digest(config.adminToken);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://primary').pathname;
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/health/performance')) return send(res, 404, { error: 'not found' });
    if (expected !== undefined || config.production) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (expected === undefined || given === undefined || !timingSafeEqual(digest(given), expected)) {
        return send(res, 401, {
          errors: [{ message: 'this route needs Authorization: Bearer <ADMIN_TOKEN>', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
    }
    const answer =
      path === '/metrics'
        ? registry.clusterMetrics().then((text) => {
            res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
            res.end(text);
          })
        : collectPerformance().then((reports) => send(res, 200, combine(reports)));
    answer.catch((error: unknown) => {
      log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'aggregated view failed');
      if (!res.headersSent) send(res, 503, { error: 'a worker did not answer' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.METRICS_PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  log.info(
    { port: typeof address === 'object' && address ? address.port : config.METRICS_PORT },
    'cluster primary: aggregated /metrics and /health/performance',
  );
  return server;
}

let nextRequestId = 0;

/** Every live worker's /health/performance report, with its pid. */
function collectPerformance(): Promise<{ pid: number | undefined; report: WorkerReport }[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<{ pid: number | undefined; report: WorkerReport }>((resolve, reject) => {
          const requestId = ++nextRequestId;
          const timer = setTimeout(() => done(new Error('timed out')), WORKER_TIMEOUT_MS);
          const onMessage = (message: unknown) => {
            if (isMessage<PerformanceResponse>(message, PERFORMANCE_RESPONSE) && message.requestId === requestId) {
              done(message.error ? new Error(message.error) : undefined, message.report as WorkerReport);
            }
          };
          const done = (error?: Error, report?: WorkerReport) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            if (error || !report) reject(error ?? new Error('no report'));
            else resolve({ pid: worker.process.pid, report });
          };
          worker.on('message', onMessage);
          worker.send({ type: PERFORMANCE_REQUEST, requestId });
        }),
    ),
  );
}

/**
 * Sums what adds up (requests, rates, memory, connections). Percentiles do not: the cluster's p95
 * is reported as the highest worker's (an upper bound); each worker's own figures are kept too.
 */
export function combine(reports: { pid: number | undefined; report: WorkerReport }[]) {
  const sum = (read: (r: WorkerReport) => number | undefined) => reports.reduce((total, { report }) => total + (read(report) ?? 0), 0);
  const max = (read: (r: WorkerReport) => number | undefined) => reports.reduce((m, { report }) => Math.max(m, read(report) ?? 0), 0);
  const inWindow = sum((r) => r.requests?.inWindow);
  const errors = sum((r) => r.requests?.errors);
  const statuses = reports.map(({ report }) => report.status);
  return {
    status: statuses.includes('degraded') ? 'degraded' : statuses.includes('slow') ? 'slow' : 'ok',
    workers: reports.length,
    requests: {
      total: sum((r) => r.requests?.total),
      inWindow,
      perSecond: sum((r) => r.requests?.perSecond),
      errors,
      successRate: inWindow ? Math.round(((inWindow - errors) / inWindow) * 10_000) / 10_000 : 1,
      concurrent: sum((r) => r.requests?.concurrent),
    },
    responseTime: {
      count: sum((r) => r.responseTime?.count),
      p95MsHighestWorker: max((r) => r.responseTime?.p95Ms),
      p99MsHighestWorker: max((r) => r.responseTime?.p99Ms),
      maxMs: max((r) => r.responseTime?.maxMs),
    },
    memory: { rssMb: sum((r) => r.process?.memory?.rssMb) },
    database: { totalConnections: sum((r) => r.database?.totalConnections), waiting: sum((r) => r.database?.waiting) },
    byWorker: reports.map(({ pid, report }) => ({ pid, ...report })),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const digest = (text: string) => createHash('sha256').update(text).digest();
