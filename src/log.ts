// The one root pino logger; everything else logs through children of it.
import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths never written to a log, whatever a caller passes in. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'key',
  '*.key',
  'apiKey',
  'password',
  'variables',
  '*.variables',
  'params',
  '*.params',
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'cadence' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

export type { Logger };

/**
 * At most one line per `intervalMs` for one recurring condition (a Redis outage makes every
 * mutation fail the same way): the first occurrence is written at once, later ones in the interval
 * are counted, and one summary line with the count closes the interval.
 */
export class LogThrottle {
  private openUntil = -Infinity;
  private suppressed = 0;
  private timer: NodeJS.Timeout | undefined;
  private last: { log: Logger; fields: Record<string, unknown>; message: string } | undefined;

  constructor(
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(log: Logger, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now >= this.openUntil) {
      this.openUntil = now + this.intervalMs;
      log.warn(fields, message);
      return;
    }
    this.suppressed++;
    this.last = { log, fields, message };
    // unref: a pending summary never keeps the process alive.
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.openUntil - now)).unref();
  }

  /** Writes the summary of the current interval now, if anything was held back. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const last = this.last;
    if (!last || this.suppressed === 0) return;
    last.log.warn(
      { ...last.fields, suppressed: this.suppressed, intervalMs: this.intervalMs },
      `${last.message} (repeated; ${this.suppressed} more in the last ${this.intervalMs / 1000} s not logged one by one)`,
    );
    this.suppressed = 0;
    this.last = undefined;
    // The summary opens a new interval: a sustained outage gives one line per interval.
    this.openUntil = this.now() + this.intervalMs;
  }
}
