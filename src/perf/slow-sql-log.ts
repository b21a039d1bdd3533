// The slow-SQL log, throttled: the first slow run of a statement is logged at once, with its
// request; further slow runs of the same statement within the window are counted and summed up in
// one line when the window ends (count, median and max database time, max wait). A statement that
// is slow on every request under load so writes two lines a window instead of one per request.
import type { Logger } from 'pino';

/** Distinct statements summed up per window; slow runs of further statements are counted together. */
const MAX_TRACKED = 100;

export interface SlowStatement {
  sql: string;
  /** PostgreSQL's part (round trip less the event loop's stalls), or the whole duration where that is not known. */
  dbMs: number;
  waitMs?: number;
  stallMs?: number;
  requestId?: string;
  operationName?: string;
  background?: boolean;
}

interface Tally {
  count: number;
  dbMs: number[];
  maxWaitMs: number;
}

export class SlowSqlLog {
  private readonly tallies = new Map<string, Tally>();
  private untracked = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly thresholdMs: number,
    /** 0: every slow run gets its own line. */
    windowMs: number,
  ) {
    if (windowMs > 0) {
      this.timer = setInterval(() => this.flush(), windowMs);
      this.timer.unref();
    }
  }

  record(statement: SlowStatement): void {
    if (statement.dbMs <= this.thresholdMs) return;
    const tally = this.timer ? this.tallies.get(statement.sql) : undefined;
    if (tally) {
      tally.count++;
      if (tally.dbMs.length < 1_000) tally.dbMs.push(statement.dbMs);
      tally.maxWaitMs = Math.max(tally.maxWaitMs, statement.waitMs ?? 0);
      return;
    }
    if (this.timer) {
      if (this.tallies.size >= MAX_TRACKED) {
        this.untracked++;
        return;
      }
      this.tallies.set(statement.sql, { count: 0, dbMs: [], maxWaitMs: 0 });
    }
    this.log.warn(
      {
        requestId: statement.requestId,
        operationName: statement.operationName,
        background: statement.background || undefined,
        dbMs: round(statement.dbMs),
        waitMs: statement.waitMs === undefined ? undefined : round(statement.waitMs),
        stallMs: statement.stallMs === undefined ? undefined : round(statement.stallMs),
        thresholdMs: this.thresholdMs,
        sql: statement.sql,
      },
      'slow SQL statement',
    );
  }

  /** Writes one summary line per statement that was slow again since its first line, and starts a new window. */
  flush(): void {
    for (const [sql, tally] of this.tallies) {
      if (tally.count === 0) continue;
      const sorted = tally.dbMs.sort((a, b) => a - b);
      this.log.warn(
        {
          repeats: tally.count,
          dbMsMedian: round(sorted[Math.floor((sorted.length - 1) / 2)]!),
          dbMsMax: round(sorted[sorted.length - 1]!),
          waitMsMax: round(tally.maxWaitMs),
          thresholdMs: this.thresholdMs,
          sql,
        },
        'slow SQL statement, repeated',
      );
    }
    if (this.untracked > 0) {
      this.log.warn({ repeats: this.untracked, thresholdMs: this.thresholdMs }, 'slow SQL statements, repeated (other statements)');
    }
    this.tallies.clear();
    this.untracked = 0;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
