// Runs feedback jobs from the operation queue: claims within the global cap, generates with the
// configured provider (through the generation cache), retries with backoff, falls back to the
// deterministic coach after the last failure, stores the result exactly once and publishes the
// session's events after commit. Runs inside the server by default, or alone (`npm run worker`).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { GenerationCache } from '../coach/providers/generation-cache.js';
import { ProviderError, type FeedbackProvider } from '../coach/providers/types.js';
import type { AnswerFeedback } from '../coach/types.js';
import { db as processDb, runInBackground, type Db } from '../db/client.js';
import { publishSessionEvent } from '../events/session-events.js';
import { onJobsEnqueued } from './enqueued.js';
import { loadJobInput, type JobInput } from './feedback-jobs.js';
import { OperationQueue, type ClaimedJob } from './operation-queue.js';
import type { QueueMetrics } from './queue-metrics.js';
import { upkeepQueueTable, type UpkeepResult } from './table-upkeep.js';

export interface FeedbackWorkerOptions {
  provider: FeedbackProvider;
  /** Applied after the last failed attempt; none leaves the operation FAILED without feedback. */
  fallback?: FeedbackProvider;
  cache: GenerationCache;
  log: Logger;
  metrics?: QueueMetrics;
  /** Generations at once across all workers (the product's limit). */
  maxConcurrent: number;
  /** Generations at once in this process (≤ maxConcurrent). */
  localConcurrency: number;
  maxAttempts: number;
  backoffMs: number;
  leaseMs: number;
  pollMs: number;
  /** A job that waited longer than this to start is logged as over budget. */
  waitBudgetMs: number;
  /** How often to check whether the queue table needs VACUUM (ANALYZE) (0 or unset: never). */
  upkeepMs?: number;
  workerId?: string;
  /**
   * Opens the database connection(s) the worker uses, closed when it stops. Without it the worker
   * uses the process's client. Inside the server it gets a small pool of its own, so background
   * work and requests never wait for each other's connections.
   */
  openDatabase?: () => Promise<{ prisma: Db; close(): Promise<void> }>;
}

const MAX_BACKOFF_MS = 60_000;

export class FeedbackWorker {
  readonly workerId: string;
  private readonly queue: OperationQueue;
  private readonly running = new Map<string, { job: ClaimedJob; abort: AbortController; done: Promise<void> }>();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopListening: (() => void) | undefined;
  /** The most generations this process ever ran at once (tests assert the cap with it). */
  peakRunning = 0;

  private client: Db | undefined;
  private closeDatabase: (() => Promise<void>) | undefined;
  private upkeepTimer: NodeJS.Timeout | undefined;
  private upkeepRunning = false;

  constructor(private readonly options: FeedbackWorkerOptions) {
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.queue = new OperationQueue({
      workerId: this.workerId,
      maxConcurrent: options.maxConcurrent,
      leaseMs: options.leaseMs,
      client: () => this.db(),
    });
  }

  private db(): Db {
    return this.client ?? processDb();
  }

  get runningCount(): number {
    return this.running.size;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.stopListening = onJobsEnqueued(() => this.nudge());
    this.loop = runInBackground(async () => {
      if (this.options.openDatabase) {
        try {
          const database = await this.options.openDatabase();
          this.client = database.prisma;
          this.closeDatabase = () => database.close();
        } catch (error) {
          this.options.log.error({ err: { message: (error as Error).message } }, "queue: could not open its database; using the server's");
        }
      }
      // Not when stop() came while the database was opening.
      if (this.options.upkeepMs && this.state === 'running') {
        this.upkeepTimer = setInterval(() => void this.upkeep(), this.options.upkeepMs);
        this.upkeepTimer.unref();
      }
      await this.poll();
    });
  }

  /** One look at the queue table's upkeep (src/queue/table-upkeep.ts); never two at once. */
  async upkeep(): Promise<UpkeepResult | null> {
    if (this.upkeepRunning || this.state !== 'running') return null;
    this.upkeepRunning = true;
    try {
      const result = await upkeepQueueTable(this.db());
      if (result.action === 'vacuumed') this.options.log.info(result, 'queue: vacuumed and analysed the operations table');
      else if (result.action === 'unavailable') this.options.log.debug(result, 'queue: table upkeep unavailable');
      return result;
    } finally {
      this.upkeepRunning = false;
    }
  }

  /** Looks for work now rather than at the next poll (after this process enqueued some). */
  nudge(): void {
    this.wake?.();
  }

  /**
   * Stops taking jobs, lets running ones finish for up to `graceMs`, then cancels the rest and gives
   * them back to the queue, so another worker (or this one after a restart) takes them at once.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.stopListening?.();
    clearInterval(this.upkeepTimer);
    this.wake?.();
    await this.loop;
    const all = () => Promise.allSettled([...this.running.values()].map((entry) => entry.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const entry of this.running.values()) entry.abort.abort();
    await all();
    await this.closeDatabase?.().catch(() => {});
    this.state = 'stopped';
  }

  private async poll(): Promise<void> {
    while (this.state === 'running') {
      const free = this.options.localConcurrency - this.running.size;
      let claimed: ClaimedJob[] = [];
      if (free > 0) {
        try {
          claimed = await this.queue.claim(free);
        } catch (error) {
          this.options.log.warn({ err: { message: (error as Error).message } }, 'queue: could not claim jobs');
        }
      }
      for (const job of claimed) this.launch(job);
      // Work taken: look again at once (there may be more); none, or full: wait for a poll or a nudge.
      if (claimed.length > 0 && claimed.length === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private launch(job: ClaimedJob): void {
    const abort = new AbortController();
    const done = this.run(job, abort.signal)
      .catch((error: unknown) => {
        // The database failed us mid-job: the lease expires and the job runs again.
        this.options.log.warn({ operationId: job.id, err: { message: (error as Error).message } }, 'queue: job interrupted');
      })
      .finally(() => {
        this.running.delete(job.id);
        this.options.metrics?.setRunning(this.running.size);
        this.nudge();
      });
    this.running.set(job.id, { job, abort, done });
    this.peakRunning = Math.max(this.peakRunning, this.running.size);
    this.options.metrics?.setRunning(this.running.size);
  }

  private async run(job: ClaimedJob, signal: AbortSignal): Promise<void> {
    const { log, metrics, leaseMs } = this.options;
    const startedAt = Date.now();
    const waitedMs = startedAt - job.runAfter.getTime();
    metrics?.observeWait(waitedMs / 1000);
    if (waitedMs > this.options.waitBudgetMs) {
      log.warn({ operationId: job.id, kind: job.kind, waitedMs, budgetMs: this.options.waitBudgetMs }, 'queue: job waited over budget');
    }
    const heartbeat = setInterval(
      () => {
        this.queue.heartbeat(job).catch(() => {});
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    try {
      const input = await loadJobInput(this.db(), job);
      if (!input) {
        // The session is gone, and the operation with it (cascade): nothing to do.
        await this.queue.finish(job, { status: 'FAILED', error: 'the session was deleted' });
        return;
      }
      this.publish(input, job, 'RUNNING');
      let feedback: AnswerFeedback;
      let producedBy = this.options.provider.id;
      let error: string | null = null;
      try {
        feedback = await this.generate(this.options.provider, input, signal);
      } catch (failure) {
        if (signal.aborted && this.state !== 'running') {
          await this.queue.release(job);
          this.publish(input, job, 'PENDING');
          return;
        }
        error = failure instanceof ProviderError ? failure.message : 'the coach failed unexpectedly';
        if (!(failure instanceof ProviderError)) log.error({ operationId: job.id, err: failure }, 'queue: coach failed unexpectedly');
        if (job.attempt < this.options.maxAttempts) {
          metrics?.countRetry();
          if (await this.queue.retryLater(job, error, this.backoff(job.attempt))) this.publish(input, job, 'PENDING');
          return;
        }
        metrics?.countFailure();
        const fallback = this.options.fallback;
        if (!fallback) {
          if ((await this.queue.finish(job, { status: 'FAILED', error })).finished) this.publish(input, job, 'FAILED');
          return;
        }
        feedback = await this.generate(fallback, input, signal);
        producedBy = fallback.id;
        error = `${error}; feedback by the ${fallback.id} fallback`;
      }
      const status = error ? 'FAILED' : 'SUCCEEDED';
      const { finished, feedbackId } = await this.queue.finish(job, { status, error, producedBy }, feedback);
      metrics?.observeRun((Date.now() - startedAt) / 1000, status);
      if (!finished) return;
      publishSessionEvent({
        type: 'FeedbackReady',
        sessionId: input.sessionId,
        userId: input.userId,
        feedbackId: feedbackId ?? '',
        messageId: input.kind === 'answer' ? input.messageId : null,
      });
      this.publish(input, job, status);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async generate(provider: FeedbackProvider, input: JobInput, signal: AbortSignal): Promise<AnswerFeedback> {
    const key = GenerationCache.key(provider.id, input.kind, input.input);
    const cached = await this.options.cache.get(key);
    if (cached) return cached;
    const feedback =
      input.kind === 'answer' ? await provider.assessAnswer(input.input, signal) : await provider.assessSession(input.input, signal);
    await this.options.cache.set(key, feedback);
    return feedback;
  }

  /** Exponential, with jitter so jobs that failed together do not retry together. */
  private backoff(attempt: number): number {
    const base = Math.min(this.options.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private publish(input: JobInput, job: ClaimedJob, status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED'): void {
    publishSessionEvent({ type: 'OperationUpdated', sessionId: input.sessionId, userId: input.userId, operationId: job.id, status });
  }
}
