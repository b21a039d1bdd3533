// Starts Cadence: config, database (migrated and with demo data on the embedded default), HTTP server.
import cluster from 'node:cluster';
import type { Config } from './config.js';
import { runEntry } from './cli/entry.js';
import { openDatabase, useDatabase } from './db/client.js';
import { createLogger } from './log.js';
import { createRedis } from './redis.js';
import { createHttpServer } from './http/server.js';
import { handleShutdownSignals } from './http/shutdown.js';

const HELP = `Usage: npm start

Starts the Cadence GraphQL API on http://HOST:PORT/graphql (GraphiQL in the browser).
Without DATABASE_URL it runs on embedded PGlite under PGLITE_DIR, migrates it, loads demo data
and prints a fresh demo API key, listening on 127.0.0.1 unless HOST is set. In production
DATABASE_URL is required (CADENCE_EMBEDDED=1 runs on PGlite on purpose, never with demo data).
SIGTERM/SIGINT drain: requests in flight get SHUTDOWN_GRACE_MS to finish, then exit 0.
WEB_CONCURRENCY=N runs N worker processes on the one port (default: the cores in production).
Every setting is an environment variable; see README.md ("Configuration") for the full table.`;

async function main(config: Config): Promise<void> {
  const log = createLogger({ level: config.LOG_LEVEL });
  // Before the heap grows: a bounded old generation keeps RSS flat under load (docs/scaling.md).
  const { limitHeapGrowth } = await import('./perf/heap-growth.js');
  limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
  const clustered = cluster.isWorker;
  const { answerPerformanceRequests, shareMetricsRegistry } = await import('./http/cluster/worker-reporting.js');
  const database = await openDatabase(config);
  useDatabase(database);
  if (database.kind === 'postgres') {
    // Before the first request: a burst would otherwise open every connection at once.
    const { openPool, poolMin } = await import('./db/pool-warmth.js');
    const opened = await openPool(database.pool, poolMin(config));
    log.debug({ opened }, 'database pool opened');
  }

  let demoKey: string | undefined;
  if (database.kind === 'pglite') {
    const { applyMigrations } = await import('./db/migrations.js');
    const { applied } = await applyMigrations({ kind: 'pglite', client: database.pglite });
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  if (config.demo) {
    const { seedDemo, issueDemoKey } = await import('./db/seed/demo.js');
    const demo = await seedDemo(database.prisma);
    if (demo.created) log.info('demo data loaded');
    demoKey = await issueDemoKey(database.prisma, demo.userId);
  }

  // Imported after the database is open so the schema's Prisma client resolves to it.
  const { createCadence } = await import('./http/yoga.js');
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log.child({ component: 'redis' })) : undefined;
  let http: ReturnType<typeof createHttpServer> | undefined;
  const yoga = createCadence({
    config,
    log,
    database,
    redis,
    graphiqlHeaders: demoKey ? { Authorization: `Bearer ${demoKey}` } : undefined,
    isDraining: () => http?.draining ?? false,
    onMetricsRegistry: clustered ? shareMetricsRegistry : undefined,
  });
  if (clustered) {
    answerPerformanceRequests((headers) => Promise.resolve(yoga.fetch('http://worker/health/performance', { headers })), config.adminToken);
  }
  // Which worker answered (its cluster id, not its pid): operators and the cluster test tell them apart.
  const workerId = cluster.worker ? String(cluster.worker.id) : undefined;
  const handler: Parameters<typeof createHttpServer>[0] = workerId
    ? (req, res) => {
        res.setHeader('x-cadence-worker', workerId);
        return yoga(req, res);
      }
    : yoga;
  http = createHttpServer(handler, {
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    newConnectionTimeoutMs: config.NEW_CONNECTION_TIMEOUT_MS,
    maxConnections: config.MAX_CONNECTIONS,
  });
  // GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP.
  const { attachWebSocket } = await import('./http/websocket.js');
  const webSocket = attachWebSocket(http.server, yoga, { config, log });
  handleShutdownSignals({
    http,
    log,
    graceMs: config.SHUTDOWN_GRACE_MS,
    resources: [
      // Subscriptions end first: a WebSocket is not a request the drain waits for.
      { name: 'websocket', close: () => webSocket.close() },
      { name: 'yoga', close: () => yoga.dispose() },
      { name: 'database', close: () => database.close() },
      { name: 'redis', close: () => redis?.quit().catch(() => redis.disconnect()) },
    ],
  });
  const server = http.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const where = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}/graphql`;
  log.info({ url: where, port, database: database.kind, pid: process.pid, worker: workerId }, 'Cadence is listening');
  if (demoKey) {
    // Printed plainly (not only as a log line) so a person starting the demo sees it at once.
    process.stdout.write(
      `\n  Cadence is running: ${where}\n  Demo API key (GraphiQL has it pre-filled):\n    Authorization: Bearer ${demoKey}\n\n`,
    );
  }
  if (config.METRICS_TOKEN !== undefined) log.warn('METRICS_TOKEN is the deprecated name of ADMIN_TOKEN: rename it');
  if (config.production && !config.adminToken) {
    log.info('/metrics, /health/performance, /metrics/performance and /dashboard are closed: set ADMIN_TOKEN to open them');
  }
}

runEntry({
  help: HELP,
  what: 'Cadence',
  // WEB_CONCURRENCY > 1: this process becomes the cluster primary and the workers it forks (which
  // re-run this file) run the server; with one worker nothing changes (docs/scaling.md).
  start: (config) =>
    config.webConcurrency > 1 && cluster.isPrimary
      ? import('./http/cluster/primary.js').then(({ runPrimary }) => runPrimary(config, createLogger({ level: config.LOG_LEVEL })))
      : main(config),
});
