// The Idempotency-Key records (table idempotency_keys): taking a key for a request, and keeping
// what the request answered. One row per (user, key); it expires after IDEMPOTENCY_TTL.
import { randomUUID } from 'node:crypto';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { db } from '../db/client.js';
import { dependencyFault } from '../db/faults.js';
import { isAppError } from '../errors.js';
import type { IdempotencyScope } from './write.js';

export type Taken =
  /** Run the request; the scope carries what an earlier attempt already committed. */
  | { kind: 'run'; scope: IdempotencyScope }
  /** The request ran before: send this answer again. */
  | { kind: 'replay'; response: ExecutionResult }
  /** The key was used for a different request. */
  | { kind: 'mismatch' }
  /** The same request is running now. */
  | { kind: 'busy' }
  /** The request ran before, and its answer carried a secret, which is never stored. */
  | { kind: 'withheld' };

interface Row {
  id: string;
  request_hash: string;
  outcomes: IdempotencyScope['recorded'];
  response: StoredResponse | null;
  busy: boolean;
  expired: boolean;
}

export class IdempotencyStore {
  private sincePrune = 0;

  constructor(private readonly options: { ttlMs: number; holdMs: number }) {}

  /**
   * Takes the key for this request, or says why not. No statement here waits behind the request
   * that holds the key: the record is read without a lock, and the two changes (renewing an
   * expired key, taking over from an attempt that died) are compare-and-set UPDATEs whose WHERE
   * PostgreSQL re-checks on the row as it is once any lock is granted, so of two copies at most one
   * wins and the other is told the key is busy. (The read used to be SELECT … FOR UPDATE in a
   * transaction: every concurrent copy queued on the record's row lock, the running request's own
   * write of its outcome queued behind them, and under load it outlived its hold.)
   */
  async take(userId: string, key: string, requestHash: string): Promise<Taken> {
    await this.pruneNowAndThen();
    const { ttlMs, holdMs } = this.options;
    const client = db();
    const id = randomUUID();
    const inserted = await client.$executeRaw`
      INSERT INTO idempotency_keys (id, user_id, key, request_hash, locked_until, expires_at)
      VALUES (${id}::uuid, ${userId}::uuid, ${key}, ${requestHash}, now() + make_interval(secs => ${holdMs / 1000}::float8),
              now() + make_interval(secs => ${ttlMs / 1000}::float8))
      ON CONFLICT (user_id, key) DO NOTHING`;
    if (inserted === 1) return { kind: 'run', scope: { recordId: id, recorded: [], next: 0, wrote: false } };

    const [row] = await client.$queryRaw<Row[]>`
      SELECT id::text, request_hash, outcomes, response, locked_until > now() AS busy, expires_at <= now() AS expired
      FROM idempotency_keys WHERE user_id = ${userId}::uuid AND key = ${key}`;
    if (!row) return { kind: 'busy' }; // Deleted between the two statements: the client retries.
    if (row.expired) {
      // An expired key is a new key (for whichever copy renews it first).
      const renewed = await client.$executeRaw`
        UPDATE idempotency_keys SET request_hash = ${requestHash}, outcomes = '[]'::jsonb, response = NULL, created_at = now(),
          locked_until = now() + make_interval(secs => ${holdMs / 1000}::float8),
          expires_at = now() + make_interval(secs => ${ttlMs / 1000}::float8)
        WHERE id = ${row.id}::uuid AND expires_at <= now()`;
      return renewed === 1 ? { kind: 'run', scope: { recordId: row.id, recorded: [], next: 0, wrote: false } } : { kind: 'busy' };
    }
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.response?.withheld) return { kind: 'withheld' };
    if (row.response) return { kind: 'replay', response: fromStored(row.response) };
    if (row.busy) return { kind: 'busy' };
    // An earlier attempt stopped without an answer (its process died, or it lost its connection):
    // take the key over, unless another copy just did; the writes it committed are replayed from
    // their outcomes (as they are now, read by this UPDATE), not run again.
    const [taken] = await client.$queryRaw<{ outcomes: IdempotencyScope['recorded'] }[]>`
      UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => ${holdMs / 1000}::float8)
      WHERE id = ${row.id}::uuid AND request_hash = ${requestHash} AND response IS NULL
        AND (locked_until IS NULL OR locked_until <= now()) AND expires_at > now()
      RETURNING outcomes`;
    if (!taken) return { kind: 'busy' };
    return { kind: 'run', scope: { recordId: row.id, recorded: taken.outcomes, next: 0, wrote: false } };
  }

  /**
   * Keeps a running request's hold on its key while it lives: the hold is renewed every third of
   * IDEMPOTENCY_HOLD_MS, so only an attempt that died (its process gone, its connection lost)
   * lets a repeat take the key over. A request slower than the hold (a lock wait, a loaded
   * database) kept it only that long before, and a concurrent copy took the key over and ran the
   * write a second time (which the write's own checks then refused with a CONFLICT). Returns the
   * function that stops renewing; a renewal still in flight is not sent again.
   */
  keepHeld(scope: IdempotencyScope): () => void {
    const { holdMs } = this.options;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      db().$executeRaw`UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => ${holdMs / 1000}::float8)
          WHERE id = ${scope.recordId}::uuid AND response IS NULL AND locked_until IS NOT NULL`
        // A renewal that fails leaves the hold to expire, as for an attempt that died.
        .catch(() => {})
        .finally(() => {
          inFlight = false;
        });
    }, holdMs / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Ends a request's hold on its key. A request that wrote nothing leaves no record, so a retry runs
   * afresh; otherwise its answer is kept for replays, unless it carries a secret (`store` false).
   */
  async settle(scope: IdempotencyScope, response: ExecutionResult, store: boolean): Promise<void> {
    if (!scope.wrote && scope.recorded.length === 0) {
      await db().$executeRaw`DELETE FROM idempotency_keys WHERE id = ${scope.recordId}::uuid AND outcomes = '[]'::jsonb`;
      return;
    }
    if (transient(response)) {
      // The writes committed but the answer failed on a database fault (a field read after the
      // write lost its connection): that 503/504 is not the request's answer. Keep the outcomes,
      // release the hold, and let the retry replay them and read the rows again.
      await db().$executeRaw`UPDATE idempotency_keys SET locked_until = NULL WHERE id = ${scope.recordId}::uuid`;
      return;
    }
    const json = JSON.stringify(store ? toStored(response) : { withheld: true });
    await db().$executeRaw`
      UPDATE idempotency_keys SET response = ${json}::jsonb, locked_until = NULL WHERE id = ${scope.recordId}::uuid`;
  }

  /** Expired keys go in small batches, now and then, so no request pays for a large delete. */
  private async pruneNowAndThen(): Promise<void> {
    this.sincePrune += 1;
    if (this.sincePrune < 100) return;
    this.sincePrune = 0;
    await db()
      .$executeRaw`DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM idempotency_keys WHERE expires_at < now() LIMIT 100)`.catch(
      () => {},
    );
  }
}

const TRANSIENT_CODES = new Set(['SERVICE_UNAVAILABLE', 'TIMEOUT']);

/** Whether an error of the response is a database fault (503/504), not an answer worth keeping. */
function transient(response: ExecutionResult): boolean {
  return (response.errors ?? []).some((error) => {
    const ours = isAppError(error.originalError) ? error.originalError : isAppError(error) ? error : undefined;
    return ours ? TRANSIENT_CODES.has(String(ours.extensions.code)) : dependencyFault(error.originalError ?? error) !== undefined;
  });
}

interface StoredError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

interface StoredResponse {
  data?: unknown;
  errors?: StoredError[];
  withheld?: boolean;
}

/** The answer as JSON: our coded errors as they were, anything else as the masked internal error. */
function toStored(response: ExecutionResult): StoredResponse {
  const errors = response.errors?.map((error): StoredError => {
    const ours = isAppError(error.originalError) ? error.originalError : isAppError(error) ? error : undefined;
    return ours
      ? { message: ours.message, path: error.path, extensions: ours.extensions }
      : { message: 'Unexpected error.', path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } };
  });
  return { data: response.data ?? null, ...(errors ? { errors } : {}) };
}

function fromStored(stored: StoredResponse): ExecutionResult {
  return {
    data: (stored.data ?? null) as ExecutionResult['data'],
    ...(stored.errors ? { errors: stored.errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })) } : {}),
  };
}
