// The environment of the feedback queue and its coach provider, validated with the rest of the
// configuration (src/config.ts spreads this shape into its schema).
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const queueEnv = {
  /** Feedback generations running at once across every instance (the product's limit). */
  QUEUE_CONCURRENCY: int(1, 1_000).default(5),
  /** Generations at once in one process; defaults to QUEUE_CONCURRENCY. */
  QUEUE_WORKER_CONCURRENCY: int(1, 1_000).optional(),
  /** Run the worker inside the server (default); off when `npm run worker` runs elsewhere. */
  QUEUE_IN_SERVER: bool.default(true),
  /** Connections of the in-server worker's own pool (kept apart from the requests' pool). */
  QUEUE_DB_POOL_SIZE: int(1, 100).default(3),
  QUEUE_MAX_ATTEMPTS: int(1, 100).default(3),
  /** First retry's delay; doubles per attempt (with jitter), at most 60 s. */
  QUEUE_BACKOFF_MS: int(0, 600_000).default(1_000),
  /** How long a job stays a worker's without a heartbeat; a dead worker's jobs run again after it. */
  QUEUE_LEASE_MS: int(100, 3_600_000).default(30_000),
  /** How often an idle worker looks for work another instance enqueued. */
  QUEUE_POLL_MS: int(10, 60_000).default(500),
  /** How often a worker checks whether the queue table needs VACUUM (ANALYZE), as autovacuum would (0: never); src/queue/table-upkeep.ts. */
  QUEUE_UPKEEP_MS: int(0, 3_600_000).default(30_000),
  /** A job that waited longer than this to start is logged as over budget. */
  QUEUE_WAIT_BUDGET_MS: int(0, 3_600_000).default(5_000),
  /** How long a stopping worker lets running generations finish before giving them back. */
  QUEUE_STOP_GRACE_MS: int(0, 600_000).default(5_000),
  /** After the last failed attempt: feedback from the deterministic coach (recorded), or none. */
  QUEUE_FALLBACK: z.enum(['deterministic', 'none']).default('deterministic'),
  /** Who writes feedback: the offline deterministic coach, or an OpenAI-compatible chat-completions server. */
  COACH_PROVIDER: z.enum(['deterministic', 'openai']).default('deterministic'),
  COACH_BASE_URL: z.string().url().default('https://api.openai.com/v1'),
  COACH_MODEL: z.string().min(1).default('gpt-4o-mini'),
  COACH_API_KEY: z.string().min(1).optional(),
  COACH_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /** How long a generation is reused for the same provider, model and input (0: not cached). */
  GENERATION_CACHE_TTL_S: int(0, 30 * 86_400).default(86_400),
};
