// Event-loop delay over a rolling window: time a request spends waiting before node:http even
// reads it (the per-request clock starts at the 'request' event) shows up here, not in latency.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopDelay {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class EventLoopMonitor {
  private current: IntervalHistogram;
  private previous: EventLoopDelay | undefined;
  private readonly timer: NodeJS.Timeout;

  /** Keeps the last full window and the current one; reports the worse of the two per figure. */
  constructor(windowMs: number) {
    this.current = monitorEventLoopDelay({ resolution: 10 });
    this.current.enable();
    this.timer = setInterval(() => {
      this.previous = read(this.current);
      this.current.reset();
    }, windowMs).unref();
  }

  summary(): EventLoopDelay {
    const now = read(this.current);
    const last = this.previous;
    if (!last) return now;
    return {
      p50Ms: Math.max(now.p50Ms, last.p50Ms),
      p95Ms: Math.max(now.p95Ms, last.p95Ms),
      p99Ms: Math.max(now.p99Ms, last.p99Ms),
      maxMs: Math.max(now.maxMs, last.maxMs),
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.current.disable();
  }
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

function read(histogram: IntervalHistogram): EventLoopDelay {
  if (histogram.count === 0) return { p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    p50Ms: ms(histogram.percentile(50)),
    p95Ms: ms(histogram.percentile(95)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
  };
}
