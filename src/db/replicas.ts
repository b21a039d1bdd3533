// Read replicas: which client a statement goes to, and a replica pool that falls back to the primary.
// Routing is opt-in per request (src/plugins/use-read-replicas.ts runs a query's execution inside
// `readFrom`); everything else — mutations, `write()`, the idempotency store, the queue worker,
// context creation — never enters that scope and so always reaches the primary through `db()`.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { TimedPool } from './statement-timing.js';

const route = new AsyncLocalStorage<object | undefined>();

/** Runs `fn` (and all it starts) with `db()` answering with `client`, a replica's Prisma client. */
export function readFrom<T>(client: object, fn: () => T): T {
  return route.run(client, fn);
}

/** Runs `fn` on the primary even inside a replica scope (writes, transactions). */
export function onPrimary<T>(fn: () => T): T {
  return route.run(undefined, fn);
}

/** The replica client this async context reads from, if any. */
export function routedClient(): object | undefined {
  return route.getStore();
}

/** Counts of one replica pool: statements it served, statements that went to the primary instead. */
export interface ReplicaCounts {
  replica: number;
  fallback: number;
  /** Connection failures that took the replica out of rotation. */
  failures: number;
}

/**
 * True when the error says the replica (not the statement) is the problem: no connection, a
 * dropped one, a server shutting down. A statement cancelled by a recovery conflict (40001 on a
 * standby) is retried on the primary too, but does not take the replica out of rotation.
 */
function failure(error: unknown): 'down' | 'conflict' | null {
  if (!(error instanceof pg.DatabaseError)) return error instanceof Error ? 'down' : null;
  const code = error.code ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return 'down';
  if (code === '40001') return 'conflict';
  return null;
}

type QueryArgs = Parameters<pg.Pool['query']>;

/**
 * A pg pool on a replica that answers from the primary's pool when the replica cannot: the failed
 * statement is run again there (replica statements only read, so running one twice is harmless),
 * and the replica is skipped for `retryMs` before it is tried again. So a replica that dies costs
 * no request an error, only one failed connection attempt per `retryMs`.
 * Only the promise forms (what @prisma/adapter-pg calls) fall back; pg-pool's own callback calls pass through.
 */
export class FailoverPool extends TimedPool {
  readonly counts: ReplicaCounts = { replica: 0, fallback: 0, failures: 0 };
  private readonly timedQuery: pg.Pool['query'];
  private downUntil = 0;

  constructor(
    config: pg.PoolConfig,
    private readonly primary: pg.Pool,
    private readonly retryMs: number,
    private readonly onDown: (error: unknown) => void = () => {},
  ) {
    super(config);
    // TimedPool's query (timing, then pg-pool's), kept before it is shadowed below.
    const timedQuery = this.query;
    this.timedQuery = timedQuery;
    // Instance properties shadow pg-pool's methods; pg-pool itself calls them with callbacks only.
    this.query = ((...args: QueryArgs) =>
      typeof args[args.length - 1] === 'function' ? Reflect.apply(this.timedQuery, this, args) : this.readQuery(args)) as pg.Pool['query'];
    this.connect = ((...args: unknown[]) =>
      args.length > 0 ? Reflect.apply(pg.Pool.prototype.connect, this, args) : this.readConnect()) as pg.Pool['connect'];
  }

  /** False while the replica is out of rotation after a failure. */
  get available(): boolean {
    return Date.now() >= this.downUntil;
  }

  private async readQuery(args: QueryArgs): Promise<unknown> {
    if (this.available) {
      try {
        const result: unknown = await Reflect.apply(this.timedQuery, this, args);
        this.counts.replica += 1;
        return result;
      } catch (error) {
        if (!this.failed(error)) throw error;
      }
    }
    this.counts.fallback += 1;
    return Reflect.apply(this.primary.query, this.primary, args);
  }

  private async readConnect(): Promise<pg.PoolClient> {
    if (this.available) {
      try {
        return (await Reflect.apply(pg.Pool.prototype.connect, this, [])) as pg.PoolClient;
      } catch (error) {
        if (!this.failed(error)) throw error;
      }
    }
    this.counts.fallback += 1;
    return this.primary.connect();
  }

  private failed(error: unknown): boolean {
    const kind = failure(error);
    if (kind === 'down') {
      this.counts.failures += 1;
      if (this.available) this.onDown(error);
      this.downUntil = Date.now() + this.retryMs;
    }
    return kind !== null;
  }
}
