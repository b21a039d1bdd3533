// Every mutation writes through `write`: one transaction, and, when the request carries an
// Idempotency-Key, the write's outcome recorded in that same transaction. So a write that committed
// always has its record, even if the process dies before answering (killed during COMMIT), and a
// repeat of the request gets the recorded outcome back instead of writing again.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Prisma } from '../../prisma/generated/client/client.js';
import { db } from '../db/client.js';
import { isRetryableConflict } from '../db/errors.js';
import { onPrimary } from '../db/replicas.js';
import { conflict, found } from '../errors.js';

export type Tx = Prisma.TransactionClient;

/** What a write returns: ids and plain values, stored as JSON. */
export type Outcome = string | number | boolean | null | Outcome[] | { [key: string]: Outcome };

interface Recorded {
  /** Names the write (`answer`, `createSession`…): a replay reuses only an outcome of the same kind. */
  kind: string;
  value: Outcome;
}

export interface IdempotencyScope {
  recordId: string;
  /** Outcomes recorded by an earlier attempt of this request, in order. */
  recorded: Recorded[];
  /** Writes made (or replayed) so far by this attempt. */
  next: number;
  /** Set when a write of this attempt committed. */
  wrote: boolean;
}

const storage = new AsyncLocalStorage<IdempotencyScope>();

export function runWithIdempotency<T>(scope: IdempotencyScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Runs `fn` in a transaction and returns its outcome. Under an idempotency scope, a write that an
 * earlier attempt of the same request committed is not run again: its recorded outcome is returned.
 */
export function write<T extends Outcome>(
  kind: string,
  fn: (tx: Tx) => Promise<T>,
  options: {
    /**
     * False for a write that is one statement (atomic by itself): without an idempotency scope it
     * runs without a transaction, saving the BEGIN and COMMIT round trips.
     */
    transaction?: boolean;
  } = {},
): Promise<T> {
  // Writes go to the primary even when called from a query's replica scope.
  return onPrimary(() => writeOnPrimary(kind, fn, options));
}

async function writeOnPrimary<T extends Outcome>(kind: string, fn: (tx: Tx) => Promise<T>, options: { transaction?: boolean }): Promise<T> {
  const scope = storage.getStore();
  if (scope) {
    const earlier = scope.recorded[scope.next];
    scope.next += 1;
    if (earlier && earlier.kind === kind) return earlier.value as T;
  }
  // A deadlock or serialization victim was rolled back whole: run it again, a few times, after a
  // short random pause so that the two do not meet again at once (deleteSession's cascade against
  // the feedback worker was one such pair). Every write re-decides from what it reads, so a re-run
  // sees what the winner committed.
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(scope, kind, fn, options);
    } catch (error) {
      if (!isRetryableConflict(error)) throw error;
      if (attempt >= WRITE_ATTEMPTS) throw conflict('This write collided with a concurrent one; send it again');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** How many times a write that lost a deadlock is run. */
const WRITE_ATTEMPTS = 3;

async function writeOnce<T extends Outcome>(
  scope: IdempotencyScope | undefined,
  kind: string,
  fn: (tx: Tx) => Promise<T>,
  options: { transaction?: boolean },
): Promise<T> {
  if (!scope && options.transaction === false) return fn(db());
  const outcome = await db().$transaction(async (tx) => {
    const value = await fn(tx);
    if (scope) {
      const entry: Recorded = { kind, value };
      await tx.$executeRaw`
        UPDATE idempotency_keys SET outcomes = outcomes || jsonb_build_array(${JSON.stringify(entry)}::jsonb)
        WHERE id = ${scope.recordId}::uuid`;
    }
    return value;
  });
  if (scope) scope.wrote = true;
  return outcome;
}

/**
 * A write that creates one row and answers with it, selected as the GraphQL query asks: the row
 * comes from the insert itself, or, when an earlier attempt of the request committed it, is read
 * back by the id that attempt recorded.
 */
export async function writeRow<R extends { id: string }>(
  kind: string,
  create: (tx: Tx) => Promise<R>,
  readBack: (id: string) => Promise<R | null>,
): Promise<R> {
  let row: R | undefined;
  const { id } = await write(
    kind,
    async (tx) => {
      row = await create(tx);
      return { id: row.id };
    },
    { transaction: false },
  );
  return row ?? found(await readBack(id), kind);
}
