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
//   attempt), in the same transaction that marks the job done, so a job's result is stored once
//   whatever the retries, restarts and expired leases.
// Why not graphile-worker or pg-boss: see docs/queue.md.
import type { OperationKind, OperationStatus, Prisma } from '../../prisma/generated/client/client.js';
import { db as processDb, type Db } from '../db/client.js';

/** Any number; both processes and PGlite agree on it. Guards the claim's count of live leases. */
const CLAIM_LOCK = 0x0c4d_e9c3;

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

export type Tx = Prisma.TransactionClient;

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
    const rows = await this.db().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK}::bigint)`;
      // A session's summary waits for the feedback on each of its answers (it is built from them).
      return tx.$queryRaw<ClaimRow[]>`
        WITH capacity AS (
          SELECT GREATEST(0, ${maxConcurrent}::int - count(*)::int) AS free
          FROM operations WHERE status = 'RUNNING' AND locked_until > now()
        ), picked AS (
          SELECT o.id FROM operations o
          WHERE ((o.status = 'PENDING' AND o.run_after <= now()) OR (o.status = 'RUNNING' AND o.locked_until <= now()))
            AND NOT (o.kind = 'SESSION_FEEDBACK' AND EXISTS (
              SELECT 1 FROM operations a
              WHERE a.session_id = o.session_id AND a.kind = 'ANSWER_FEEDBACK' AND a.status IN ('PENDING', 'RUNNING')))
          ORDER BY o.run_after, o.id
          LIMIT LEAST(${limit}::int, (SELECT free FROM capacity))
          FOR UPDATE OF o SKIP LOCKED
        )
        -- clock_timestamp(), not now(): the transaction may have waited for the advisory lock, and
        -- started_at is when the job really started (after what it waited for had finished).
        UPDATE operations o
        SET status = 'RUNNING', attempts = o.attempts + 1, locked_by = ${workerId},
            locked_until = now() + make_interval(secs => ${leaseMs / 1000}::float8),
            started_at = COALESCE(o.started_at, clock_timestamp()), updated_at = clock_timestamp()
        FROM picked WHERE o.id = picked.id
        RETURNING o.id::text, o.session_id::text, o.message_id::text, o.kind, o.attempts, o.created_at, o.run_after`;
    });
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
   * Ends a job: `write` stores its result and the row moves to `status`, in one transaction and only
   * while this worker still holds the job. Returns false (and writes nothing) when it does not: the
   * lease expired and another worker took the job, or the session was deleted.
   */
  async finish(
    job: ClaimedJob,
    outcome: { status: Extract<OperationStatus, 'SUCCEEDED' | 'FAILED'>; error?: string | null; producedBy?: string | null },
    write?: (tx: Tx) => Promise<void>,
  ): Promise<boolean> {
    return this.db().$transaction(async (tx) => {
      if (!(await this.lockOwned(tx, job))) return false;
      if (write) await write(tx);
      await tx.operation.update({
        where: { id: job.id },
        data: {
          status: outcome.status,
          error: outcome.error ?? null,
          producedBy: outcome.producedBy ?? null,
          finishedAt: new Date(),
          lockedBy: null,
          lockedUntil: null,
        },
        select: { id: true },
      });
      return true;
    });
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

  private async lockOwned(tx: Tx, job: ClaimedJob): Promise<boolean> {
    // The session's row first, in the mode the result's foreign key takes anyway (KEY SHARE): a
    // deleteSession holds that row while its cascade deletes this operation, so taking the
    // operation's lock first and the session's at the INSERT deadlocked with it (seen in
    // test/interviews/races.test.ts). In this order one waits for the other; a session deleted
    // meanwhile has no row to lock, and the job is gone with it.
    const session = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM interview_sessions WHERE id = ${job.sessionId}::uuid FOR KEY SHARE`;
    if (session.length === 0) return false;
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM operations
      WHERE id = ${job.id}::uuid AND status = 'RUNNING' AND locked_by = ${this.options.workerId} AND attempts = ${job.attempt}
      FOR UPDATE`;
    return rows.length === 1;
  }
}
