// Where a statement's time went, measured at the pg pool: waiting for a connection, then the round
// trip to PostgreSQL, less what the event loop stalled meanwhile (a reply that arrives while the
// loop is busy is read late, and that wait is Node's, not PostgreSQL's). Prisma's query event
// times all of it together, so under load a statement PostgreSQL ran in 2 ms was reported as
// 200 ms. The pool records when (and for which request) a statement was asked for; its client,
// when it was sent and when the reply was read.
import pg from 'pg';
import { currentStats, type RequestStats } from '../perf/request-stats.js';
import { inBackground } from './background.js';
import { loopStallMsSince, startStallWatch } from './loop-stall.js';

export interface StatementTiming {
  sql: string;
  /** From the pool's query call to the statement being sent: waiting for a free connection. */
  waitMs: number;
  /**
   * From sending to the reply being read, less the event loop's stalls meanwhile: PostgreSQL and the
   * network. A lower bound when a stall overlapped PostgreSQL's own work.
   */
  dbMs: number;
  /** The event loop's stalls while the statement was out (included in neither figure above). */
  stallMs: number;
  /** The request that asked for it (captured at the pool, not where a queued connection is handed over). */
  stats: RequestStats | undefined;
  background: boolean;
  failed: boolean;
}

type Listener = (timing: StatementTiming) => void;
const listeners = new Set<Listener>();

/** Calls `listener` for every statement sent through a TimedPool of this process. */
export function onStatementTiming(listener: Listener): () => void {
  listeners.add(listener);
  const stopWatch = startStallWatch();
  return () => {
    listeners.delete(listener);
    stopWatch();
  };
}

interface Asked {
  at: number;
  stats: RequestStats | undefined;
  background: boolean;
}

/** Query configs the pool was asked to run, until its client sends them. */
const asked = new WeakMap<object, Asked>();

type PoolQuery = pg.Pool['query'];
type ClientQuery = pg.Client['query'];

/**
 * A pg pool whose promise-form `query` (what @prisma/adapter-pg and compiled execution call, with a
 * config object) is timed; callback and text forms pass through untimed.
 */
export class TimedPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super({ ...config, Client: TimedClient });
    // An instance property, as pg-pool's overloads cannot be overridden as a method in TypeScript.
    this.query = ((...args: unknown[]) => {
      const config = args[0];
      if (listeners.size > 0 && typeof config === 'object' && config !== null && typeof args[args.length - 1] !== 'function') {
        asked.set(config, { at: performance.now(), stats: currentStats(), background: inBackground() });
      }
      return Reflect.apply(pg.Pool.prototype.query, this, args);
    }) as PoolQuery;
  }
}

/**
 * pg-pool calls its client's `query(config, undefined, callback)` once the connection is free (a
 * statement the pool was asked for); a transaction holds a client and calls its promise form
 * directly (no wait: the connection is already the request's).
 */
class TimedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.query = ((...args: unknown[]) => {
      const config = args[0];
      const callback = args[args.length - 1];
      const isConfig = typeof config === 'object' && config !== null;
      const ask = isConfig ? asked.get(config) : undefined;
      if (ask !== undefined && typeof callback === 'function') {
        asked.delete(config as object);
        const sentAt = performance.now();
        args[args.length - 1] = (error: unknown, result: unknown) => {
          report(config as { text?: unknown }, ask, sentAt, error != null);
          (callback as (error: unknown, result: unknown) => void)(error, result);
        };
        return Reflect.apply(pg.Client.prototype.query, this, args);
      }
      const answer: unknown = Reflect.apply(pg.Client.prototype.query, this, args);
      if (listeners.size === 0 || !isConfig || typeof callback === 'function' || !(answer instanceof Promise)) return answer;
      const sentAt = performance.now();
      const held: Asked = { at: sentAt, stats: currentStats(), background: inBackground() };
      return answer.then(
        (result: unknown) => {
          report(config as { text?: unknown }, held, sentAt, false);
          return result;
        },
        (error: unknown) => {
          report(config as { text?: unknown }, held, sentAt, true);
          throw error;
        },
      );
    }) as ClientQuery;
  }
}

function report(config: { text?: unknown }, ask: Asked, sentAt: number, failed: boolean): void {
  const now = performance.now();
  const roundTrip = now - sentAt;
  const stallMs = Math.min(roundTrip, loopStallMsSince(sentAt, now));
  const timing: StatementTiming = {
    sql: typeof config.text === 'string' ? config.text : '',
    waitMs: sentAt - ask.at,
    dbMs: roundTrip - stallMs,
    stallMs,
    stats: ask.stats,
    background: ask.background,
    failed,
  };
  for (const listener of listeners) listener(timing);
}
