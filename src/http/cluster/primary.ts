// The cluster primary (WEB_CONCURRENCY > 1): forks the workers that run the server on one shared
// port, replaces a worker that dies (with a back-off), and on SIGTERM/SIGINT has every worker run
// its own drain, exiting 0 only when all of them exited 0. It opens no database and serves no
// GraphQL; with METRICS_PORT it serves the aggregated /metrics and /health/performance.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { clusterConnections, workerPoolSize } from './pool-sizing.js';
import { RestartBackoff } from './restart-backoff.js';
import { startAggregatedMetricsServer } from './aggregate.js';

/** Past the workers' own grace period and resource closing, the primary stops waiting and kills them. */
const STOP_MARGIN_MS = 15_000;

export async function runPrimary(config: Config, log: Logger): Promise<void> {
  const workers = config.webConcurrency;
  const poolSize = workerPoolSize(config, workers);
  log.info({ workers, poolPerWorker: poolSize, maxConnections: clusterConnections(config, workers) }, 'cluster primary: forking workers');
  const env = { DB_POOL_SIZE: String(poolSize) };
  const started = new Map<Worker, number>();
  const backoff = new RestartBackoff();
  let stopping = false;
  const exitCodes: number[] = [];

  const fork = () => {
    const worker = cluster.fork(env);
    started.set(worker, performance.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = performance.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      exitCodes.push(code ?? 1);
      log.info({ workerPid: worker.process.pid, code, signal }, 'worker stopped');
      return;
    }
    const delay = backoff.next(lived);
    log.error({ workerPid: worker.process.pid, code, signal, livedMs: Math.round(lived), restartInMs: delay }, 'worker died: replacing it');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });
  // Before any fork: a METRICS_PORT already taken fails the start with no worker left behind.
  const metricsServer = config.METRICS_PORT === undefined ? undefined : await startAggregatedMetricsServer(config, log);
  for (let i = 0; i < workers; i++) fork();

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: started.size }, 'cluster primary: draining every worker');
    metricsServer?.close();
    const alive = [...started.keys()];
    // The signal itself (not cluster's disconnect): each worker runs its existing drain (src/http/shutdown.ts).
    for (const worker of alive) worker.process.kill(signal);
    const deadline = setTimeout(() => {
      log.error({ left: started.size }, 'workers still running past the grace period: killing them');
      for (const worker of started.keys()) worker.process.kill('SIGKILL');
    }, config.SHUTDOWN_GRACE_MS + STOP_MARGIN_MS);
    const waitAll = () => {
      if (started.size > 0) return;
      clearTimeout(deadline);
      const failed = exitCodes.filter((code) => code !== 0).length;
      log.info({ workers: exitCodes.length, failed }, 'cluster primary: stopped');
      process.exit(failed === 0 ? 0 : 1);
    };
    cluster.on('exit', waitAll);
    waitAll();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
