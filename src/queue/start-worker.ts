// Builds the feedback worker the configuration asks for: provider, fallback, generation cache and
// metrics. Used by the server (in-process worker) and by `npm run worker`.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DeterministicProvider } from '../coach/providers/deterministic.js';
import { GenerationCache } from '../coach/providers/generation-cache.js';
import { OpenAiProvider } from '../coach/providers/openai.js';
import type { FeedbackProvider } from '../coach/providers/types.js';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { FeedbackWorker } from './feedback-worker.js';
import { OperationQueue } from './operation-queue.js';
import { createQueueMetrics } from './queue-metrics.js';

export function providerFor(config: Config): FeedbackProvider {
  if (config.COACH_PROVIDER === 'openai') {
    return new OpenAiProvider({
      baseUrl: config.COACH_BASE_URL,
      model: config.COACH_MODEL,
      apiKey: config.COACH_API_KEY,
      timeoutMs: config.COACH_TIMEOUT_MS,
    });
  }
  return new DeterministicProvider();
}

export function createFeedbackWorker(options: {
  config: Config;
  log: Logger;
  redis?: Redis;
  registry?: Registry;
  provider?: FeedbackProvider;
  workerId?: string;
  /** Give the worker its own small pool (inside the server); false: the process's client. */
  ownPool?: boolean;
}): FeedbackWorker {
  const { config, log } = options;
  const cache = new GenerationCache({ ttlSeconds: config.GENERATION_CACHE_TTL_S, redis: options.redis });
  const provider = options.provider ?? providerFor(config);
  const depthReader = new OperationQueue({ workerId: 'metrics', maxConcurrent: config.QUEUE_CONCURRENCY, leaseMs: config.QUEUE_LEASE_MS });
  const metrics = options.registry
    ? createQueueMetrics(options.registry, { depth: () => depthReader.depth(), cache: cache.stats })
    : undefined;
  return new FeedbackWorker({
    provider,
    fallback: config.QUEUE_FALLBACK === 'deterministic' && provider.id !== 'deterministic' ? new DeterministicProvider() : undefined,
    cache,
    log: log.child({ component: 'queue' }),
    metrics,
    maxConcurrent: config.QUEUE_CONCURRENCY,
    localConcurrency: Math.min(config.QUEUE_WORKER_CONCURRENCY ?? config.QUEUE_CONCURRENCY, config.QUEUE_CONCURRENCY),
    maxAttempts: config.QUEUE_MAX_ATTEMPTS,
    backoffMs: config.QUEUE_BACKOFF_MS,
    leaseMs: config.QUEUE_LEASE_MS,
    pollMs: config.QUEUE_POLL_MS,
    waitBudgetMs: config.QUEUE_WAIT_BUDGET_MS,
    upkeepMs: config.QUEUE_UPKEEP_MS,
    workerId: options.workerId,
    openDatabase:
      options.ownPool && config.DATABASE_URL ? () => openDatabase({ ...config, DB_POOL_SIZE: config.QUEUE_DB_POOL_SIZE }) : undefined,
  });
}
