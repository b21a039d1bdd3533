// The durable queue of async work. An `operations` row is the job: the write that asks for work
// inserts it (PENDING) in its own transaction, so the job exists if and only if the write does.
//
// Workers in any number of processes take jobs with leases:
// - a claim runs under one transaction-scoped advisory lock, counts the live leases and takes at
//   most `maxConcurrent - live` jobs, so no more than `maxConcurrent` run at once across every
//   instance (the product's limit on concurrent generations);
// - a worker extends its lease while it works (`heartbeat`); a worker that dies (SIGKILL, a lost
//   machine) stops extending it, and the job is taken again once the lease has expired;
// - a result is written only by the lease's holder (`finish` locks the row and checks holder and
//   attempt), in the same statement that marks the job done, so a job's result is stored once
//   whatever the retries, restarts and expired leases.
// Why not graphile-worker or pg-boss: see docs/queue.md.
import { randomUUID } from 'node:crypto';
import type { OperationKind, OperationStatus } from '../../prisma/generated/client/client.js';
import type { AnswerFeedback } from '../coach/types.js';
import { db as processDb, type Db } from '../db/client.js';

export interface ClaimedJob {
  id: string;
  sessionId: string;
  messageId: string | null;
  kind: OperationKind;
  /** This run's attempt number (1 for the first). */
  attempt: number;
  createdAt: Date;
  /** When the job became runnable: its creation, or the end of its retry backoff. */
  runAfter: Date;
}

export interface QueueOptions {
  /** Names this worker in `locked_by`, so only it can finish the jobs it holds. */
  workerId: string;
  /** Jobs running at once across all workers. */
  maxConcurrent: number;
  leaseMs: number;
  /** The client to use; the process's by default (a worker inside the server brings its own pool). */
  client?: () => Db;
}

interface ClaimRow {
  id: string;
  session_id: string;
  message_id: string | null;
  kind: OperationKind;
  attempts: number;
  created_at: Date;
  run_after: Date;
}

export class OperationQueue {
  private readonly db: () => Db;

  constructor(readonly options: QueueOptions) {
    this.db = options.client ?? processDb;
  }

  /** Takes up to `limit` runnable jobs, oldest first, within the global concurrency cap. */
  async claim(limit: number): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    const { workerId, maxConcurrent, leaseMs } = this.options;
    // One call: the advisory lock, the count of live leases and the claim run inside the function
    // (prisma/migrations/20261204111500_claim_operations_function says why a function).
    const rows = await this.db().$queryRaw<ClaimRow[]>`/* job: claim */
      SELECT * FROM claim_operations(${limit}::int, ${maxConcurrent}::int, ${workerId}::text, ${leaseMs / 1000}::float8)`;
    return rows.map((row) => ({
      id: row.id,
      sessionId: row.session_id,
      messageId: row.message_id,
      kind: row.kind,
      attempt: row.attempts,
      createdAt: row.created_at,
      runAfter: row.run_after,
    }));
  }

  /** Extends the lease of a job this worker holds; false when it is no longer ours. */
  async heartbeat(job: ClaimedJob): Promise<boolean> {
    const count = await this.db().$executeRaw`
      UPDATE operations SET locked_until = now() + make_interval(secs => ${this.options.leaseMs / 1000}::float8)
      WHERE id = ${job.id}::uuid AND status = 'RUNNING' AND locked_by = ${this.options.workerId} AND attempts = ${job.attempt}`;
    return count === 1;
  }

  /**
   * Ends a job: the row moves to `status` and `feedback` is stored (unless the job's feedback is
   * there already), in one statement and only while this worker still holds the job. Writes
   * nothing, and says `finished: false`, when it does not: the lease expired and another worker
   * took the job, or the session was deleted.
   *
   * One statement rather than a transaction of six (BEGIN, two locks, a lookup, two writes,
   * COMMIT): it ran for every answer, and its round trips were most of the worker's CPU. The
   * session's row is locked first (`FOR KEY SHARE`, the mode the feedback's foreign key takes
   * anyway), the operation's after it by the UPDATE: a deleteSession holds the session's row while
   * its cascade deletes the operation, so the other order deadlocked with it (seen in
   * test/interviews/races.test.ts). A session deleted meanwhile has no row to lock: nothing matches.
   */
  async finish(
    job: ClaimedJob,
    outcome: { status: Extract<OperationStatus, 'SUCCEEDED' | 'FAILED'>; error?: string | null; producedBy?: string | null },
    feedback?: AnswerFeedback,
  ): Promise<{ finished: boolean; feedbackId: string | null }> {
    const f = feedback ?? null;
    const [row] = await this.db().$queryRaw<{ finished: number; feedback_id: string | null }[]>`/* job: finish */
      WITH s AS (
        SELECT id FROM interview_sessions WHERE id = ${job.sessionId}::uuid FOR KEY SHARE
      ), op AS (
        UPDATE operations o
        SET status = ${outcome.status}::"OperationStatus", error = ${outcome.error ?? null}::text,
          produced_by = ${outcome.producedBy ?? null}::text, finished_at = clock_timestamp(), updated_at = clock_timestamp(),
          locked_by = NULL, locked_until = NULL
        FROM s
        WHERE o.id = ${job.id}::uuid AND o.session_id = s.id AND o.status = 'RUNNING'
          AND o.locked_by = ${this.options.workerId} AND o.attempts = ${job.attempt}
        RETURNING o.id
      ), existing AS (
        SELECT f.id FROM feedback f
        WHERE f.session_id = ${job.sessionId}::uuid AND f.message_id IS NOT DISTINCT FROM ${job.messageId}::uuid
        LIMIT 1
      ), stored AS (
        INSERT INTO feedback (id, session_id, message_id, score, strengths, improvements, summary)
        SELECT ${randomUUID()}::uuid, ${job.sessionId}::uuid, ${job.messageId}::uuid, ${f?.score ?? null}::int,
          ${f?.strengths ?? null}::text[], ${f?.improvements ?? null}::text[], ${f?.summary ?? null}::text
        FROM op
        WHERE ${f !== null} AND NOT EXISTS (SELECT 1 FROM existing)
        ON CONFLICT DO NOTHING
        RETURNING id
      )
      SELECT (SELECT count(*)::int FROM op) AS finished,
        CASE WHEN EXISTS (SELECT 1 FROM op) THEN COALESCE((SELECT id::text FROM stored), (SELECT id::text FROM existing)) END AS feedback_id`;
    return { finished: row?.finished === 1, feedbackId: row?.feedback_id ?? null };
  }

  /** Puts a failed attempt back, runnable again after `delayMs`, with its error recorded. */
  async retryLater(job: ClaimedJob, error: string, delayMs: number): Promise<boolean> {
    const count = await this.db().$executeRaw`
      UPDATE operations SET status = 'PENDING', error = ${error}, locked_by = NULL, locked_until = NULL,
        run_after = now() + make_interval(secs => ${delayMs / 1000}::float8), updated_at = now()
      WHERE id = ${job.id}::uuid AND status = 'RUNNING' AND locked_by = ${this.options.workerId} AND attempts = ${job.attempt}`;
    return count === 1;
  }

  /**
   * Gives a job back untouched at shutdown: runnable at once by any worker, and the attempt it
   * did not finish is not counted against it.
   */
  async release(job: ClaimedJob): Promise<boolean> {
    const count = await this.db().$executeRaw`
      UPDATE operations SET status = 'PENDING', attempts = GREATEST(attempts - 1, 0), locked_by = NULL,
        locked_until = NULL, updated_at = now()
      WHERE id = ${job.id}::uuid AND status = 'RUNNING' AND locked_by = ${this.options.workerId} AND attempts = ${job.attempt}`;
    return count === 1;
  }

  /** Jobs waiting to run (PENDING), for metrics. */
  async depth(): Promise<number> {
    const [row] = await this.db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM operations WHERE status = 'PENDING'`;
    return row?.n ?? 0;
  }
}
