// The queue's figures in Prometheus: depth (read from the database at scrape time), generations
// running in this process, job wait and run time, retries, failures and generation-cache hits.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GenerationCacheStats } from '../coach/providers/generation-cache.js';

export interface QueueMetrics {
  setRunning(count: number): void;
  observeWait(seconds: number): void;
  observeRun(seconds: number, status: string): void;
  countRetry(): void;
  countFailure(): void;
}

export function createQueueMetrics(
  registry: Registry,
  sources: { depth: () => Promise<number>; cache: GenerationCacheStats },
): QueueMetrics {
  const registers = [registry];
  new Gauge({
    name: 'cadence_queue_depth',
    help: 'Feedback jobs waiting to run (PENDING operations)',
    registers,
    async collect() {
      this.set(await sources.depth().catch(() => Number.NaN));
    },
  });
  const running = new Gauge({ name: 'cadence_queue_running_generations', help: 'Generations running in this process', registers });
  const wait = new Histogram({
    name: 'cadence_queue_job_wait_seconds',
    help: 'Time from a job becoming runnable to a worker starting it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const run = new Histogram({
    name: 'cadence_queue_job_run_seconds',
    help: 'Time a worker spent on a job, by final status',
    labelNames: ['status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const retries = new Counter({ name: 'cadence_queue_retries_total', help: 'Failed attempts put back for a retry', registers });
  const failures = new Counter({ name: 'cadence_queue_failures_total', help: 'Jobs whose last attempt failed', registers });
  new Counter({
    name: 'cadence_generation_cache_total',
    help: 'Generation cache lookups, by result',
    labelNames: ['result'] as const,
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, sources.cache.hits);
      this.inc({ result: 'miss' }, sources.cache.misses);
    },
  });
  return {
    setRunning: (count) => running.set(count),
    observeWait: (seconds) => wait.observe(seconds),
    observeRun: (seconds, status) => run.observe({ status }, seconds),
    countRetry: () => retries.inc(),
    countFailure: () => failures.inc(),
  };
}
