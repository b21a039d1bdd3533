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

/** Log bytes held for stdout at most; past that, lines are dropped (and counted) rather than held. */
export const STDOUT_BUFFER_BYTES = 8 * 1024 * 1024;
/** How often dropped lines are reported, in one line. */
const DROP_REPORT_MS = 10_000;

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const stdout = options.destination ? null : stdoutDestination();
  const logger = pino(
    {
      level: options.level,
      base: { service: 'cadence' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? stdout!,
  );
  if (stdout) reportDrops(stdout, logger);
  return logger;
}

/**
 * stdout, written asynchronously. pino's default writes synchronously, and on a pipe whose reader
 * is slow (a container's log driver, a parent process that is busy) a full pipe answers EAGAIN,
 * on which the synchronous writer sleeps 100 ms, blocking the event loop, and retries: under load
 * the over-budget lines alone stalled the server for hundreds of milliseconds at a time (the load
 * test's server, whose stdout the load generator reads). Asynchronous writes never block; what
 * the reader has not taken waits in memory, up to STDOUT_BUFFER_BYTES, past which lines are
 * dropped and counted. pino flushes the rest synchronously when the process exits.
 */
function stdoutDestination(): ReturnType<typeof pino.destination> {
  return pino.destination({ dest: 1, sync: false, minLength: 0, maxLength: STDOUT_BUFFER_BYTES });
}

function reportDrops(stream: ReturnType<typeof pino.destination>, logger: Logger): void {
  let dropped = 0;
  stream.on('drop', () => {
    dropped++;
  });
  setInterval(() => {
    if (dropped === 0) return;
    const lines = dropped;
    dropped = 0;
    logger.warn({ droppedLines: lines }, `${lines} log line(s) dropped: stdout was not read fast enough`);
  }, DROP_REPORT_MS).unref();
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
