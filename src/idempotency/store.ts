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

  async take(userId: string, key: string, requestHash: string): Promise<Taken> {
    await this.pruneNowAndThen();
    const { ttlMs, holdMs } = this.options;
    return db().$transaction(async (tx) => {
      const id = randomUUID();
      const inserted = await tx.$executeRaw`
        INSERT INTO idempotency_keys (id, user_id, key, request_hash, locked_until, expires_at)
        VALUES (${id}::uuid, ${userId}::uuid, ${key}, ${requestHash}, now() + make_interval(secs => ${holdMs / 1000}::float8),
                now() + make_interval(secs => ${ttlMs / 1000}::float8))
        ON CONFLICT (user_id, key) DO NOTHING`;
      if (inserted === 1) return { kind: 'run', scope: { recordId: id, recorded: [], next: 0, wrote: false } };

      const [row] = await tx.$queryRaw<Row[]>`
        SELECT id::text, request_hash, outcomes, response, locked_until > now() AS busy, expires_at <= now() AS expired
        FROM idempotency_keys WHERE user_id = ${userId}::uuid AND key = ${key} FOR UPDATE`;
      if (!row) return { kind: 'busy' }; // Deleted between the two statements: the client retries.
      if (row.expired) {
        // An expired key is a new key.
        await tx.$executeRaw`
          UPDATE idempotency_keys SET request_hash = ${requestHash}, outcomes = '[]'::jsonb, response = NULL, created_at = now(),
            locked_until = now() + make_interval(secs => ${holdMs / 1000}::float8),
            expires_at = now() + make_interval(secs => ${ttlMs / 1000}::float8)
          WHERE id = ${row.id}::uuid`;
        return { kind: 'run', scope: { recordId: row.id, recorded: [], next: 0, wrote: false } };
      }
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.response?.withheld) return { kind: 'withheld' };
      if (row.response) return { kind: 'replay', response: fromStored(row.response) };
      if (row.busy) return { kind: 'busy' };
      // An earlier attempt stopped without an answer (its process died, or it lost its connection):
      // take the key over; the writes it committed are replayed from their outcomes, not run again.
      await tx.$executeRaw`
        UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => ${holdMs / 1000}::float8) WHERE id = ${row.id}::uuid`;
      return { kind: 'run', scope: { recordId: row.id, recorded: row.outcomes, next: 0, wrote: false } };
    });
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
