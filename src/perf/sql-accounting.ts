// Attributes every SQL statement to the request that caused it and logs slow statements.
// Only the statement text is kept: Prisma's parameters never reach a log or a trace.
//
// Counting follows Prisma's query events (and compiled execution's own reports): every statement,
// on PostgreSQL and PGlite. Whether a statement was slow is PostgreSQL's part of its time, from the
// timed pg pool (src/db/statement-timing.ts): Prisma's duration also holds the wait for a pooled
// connection and for a busy event loop, which under load made fast statements look slow. On PGlite
// (no pool, no network) Prisma's duration is the figure.
import type { Logger } from 'pino';
import { onSql } from '../db/client.js';
import { onStatementTiming } from '../db/statement-timing.js';
import { currentStats } from './request-stats.js';
import { SlowSqlLog } from './slow-sql-log.js';

/** Longest SQL text kept in logs and traces; the rest is cut. */
const MAX_SQL_CHARS = 2_000;

export interface SqlAccountingOptions {
  log: Logger;
  /** Statements whose database time is over this are logged at warn. */
  slowQueryMs: number;
  /** Repeats of a slow statement within this window are summed up in one line (0: a line each). */
  slowLogWindowMs: number;
  /** The database's statements go through a TimedPool (PostgreSQL); false on PGlite. */
  timedPool: boolean;
}

const clip = (sql: string) => (sql.length > MAX_SQL_CHARS ? `${sql.slice(0, MAX_SQL_CHARS)}…` : sql);

/** Starts accounting; returns a function that stops it. */
export function startSqlAccounting({ log, slowQueryMs, slowLogWindowMs, timedPool }: SqlAccountingOptions): () => void {
  const slow = new SlowSqlLog(log, slowQueryMs, slowLogWindowMs);
  const stopCounting = onSql((event) => {
    const sql = clip(event.sql);
    const stats = currentStats();
    stats?.addSql({ sql, durationMs: event.durationMs });
    if (timedPool) return;
    slow.record({
      sql,
      dbMs: event.durationMs,
      requestId: stats?.requestId,
      operationName: stats?.operationName ?? undefined,
      background: event.background,
    });
  });
  const stopTiming = timedPool
    ? onStatementTiming((timing) => {
        timing.stats?.addDbTiming(timing);
        slow.record({
          sql: clip(timing.sql),
          dbMs: timing.dbMs,
          waitMs: timing.waitMs,
          stallMs: timing.stallMs,
          requestId: timing.stats?.requestId,
          operationName: timing.stats?.operationName ?? undefined,
          background: timing.background,
        });
      })
    : () => {};
  return () => {
    stopCounting();
    stopTiming();
    slow.close();
  };
}

export const round = (ms: number) => Math.round(ms * 100) / 100;
