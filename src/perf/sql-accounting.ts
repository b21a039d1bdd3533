// Attributes every SQL statement to the request that caused it and logs slow statements.
// Only the statement text is kept: Prisma's parameters never reach a log or a trace.
import type { Logger } from 'pino';
import { onSql } from '../db/client.js';
import { currentStats } from './request-stats.js';

/** Longest SQL text kept in logs and traces; the rest is cut. */
const MAX_SQL_CHARS = 2_000;

export interface SqlAccountingOptions {
  log: Logger;
  /** Statements slower than this are logged at warn. */
  slowQueryMs: number;
}

/** Starts accounting; returns a function that stops it. */
export function startSqlAccounting({ log, slowQueryMs }: SqlAccountingOptions): () => void {
  return onSql((event) => {
    const sql = event.sql.length > MAX_SQL_CHARS ? `${event.sql.slice(0, MAX_SQL_CHARS)}…` : event.sql;
    const stats = currentStats();
    stats?.addSql({ sql, durationMs: event.durationMs });
    if (event.durationMs > slowQueryMs) {
      log.warn(
        {
          requestId: stats?.requestId,
          operationName: stats?.operationName ?? undefined,
          // Statements of background work (the feedback worker) belong to no request.
          background: event.background || undefined,
          durationMs: round(event.durationMs),
          thresholdMs: slowQueryMs,
          sql,
        },
        'slow SQL statement',
      );
    }
  });
}

export const round = (ms: number) => Math.round(ms * 100) / 100;
