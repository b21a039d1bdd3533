// `npm run worker`: the feedback worker on its own, for a deployment that runs generations apart
// from the API servers (set QUEUE_IN_SERVER=false on those). Stops gracefully on SIGTERM/SIGINT:
// running generations get QUEUE_STOP_GRACE_MS to finish, the rest go back to the queue.
import type { Config } from '../config.js';
import { runEntry } from './entry.js';
import { openDatabase, useDatabase } from '../db/client.js';
import { createLogger } from '../log.js';
import { createRedis } from '../redis.js';
import { createSessionEvents } from '../events/index.js';
import { createFeedbackWorker } from '../queue/start-worker.js';

const HELP = `Usage: npm run worker

Runs the feedback worker: takes feedback jobs from PostgreSQL's operations table, generates
feedback with the configured coach provider, and stores it. Any number of workers (and servers
with QUEUE_IN_SERVER=true) share the queue; at most QUEUE_CONCURRENCY generations run at once
across all of them.

Environment (see docs/queue.md for the full table):
  DATABASE_URL             PostgreSQL (required: the embedded database is one process's own)
  REDIS_URL                optional: shared generation cache and session events
  QUEUE_CONCURRENCY        generations at once across all workers (default 5)
  QUEUE_WORKER_CONCURRENCY generations at once in this process (default QUEUE_CONCURRENCY)
  COACH_PROVIDER           deterministic (default) or openai
  COACH_BASE_URL, COACH_MODEL, COACH_API_KEY, COACH_TIMEOUT_MS   for COACH_PROVIDER=openai`;

async function run(config: Config): Promise<void> {
  const log = createLogger({ level: config.LOG_LEVEL });
  if (!config.DATABASE_URL) {
    console.error(
      'npm run worker needs DATABASE_URL: the embedded database belongs to the server process, whose own worker runs the queue.',
    );
    process.exit(2);
  }
  const database = await openDatabase(config);
  useDatabase(database);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log.child({ component: 'redis' })) : undefined;
  // FeedbackReady and OperationUpdated reach the servers' subscribers through Redis.
  const events = createSessionEvents({
    redisUrl: config.REDIS_URL,
    redis,
    log,
    limits: { perKey: config.SUBSCRIPTIONS_PER_KEY, queueMax: config.SUBSCRIPTION_QUEUE_MAX },
  });
  const worker = createFeedbackWorker({ config, log, redis });
  worker.start();
  log.info({ workerId: worker.workerId, provider: config.COACH_PROVIDER, concurrency: config.QUEUE_CONCURRENCY }, 'worker started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, running: worker.runningCount }, 'worker stopping');
    await worker.stop(config.QUEUE_STOP_GRACE_MS);
    await Promise.allSettled([events.close(), database.close(), redis?.quit()]);
    log.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

runEntry({ help: HELP, what: 'The worker', start: run });
