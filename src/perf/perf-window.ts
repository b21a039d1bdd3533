// A rolling window of finished requests, for /health/performance and /metrics/performance:
// percentiles, success rate, throughput and concurrency without a metrics backend.

/** What the response cache did for a query (src/plugins/use-response-cache.ts); absent when it did not look. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

interface Sample {
  at: number;
  durationMs: number;
  ok: boolean;
  operation: string;
  cache?: CacheOutcome;
}

export interface CacheSummary {
  hits: number;
  misses: number;
  bypass: number;
  /** Share of the operation's cache decisions that were hits; null when the cache never looked. */
  hitRate: number | null;
}

export interface LatencySummary {
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Requests kept at most, whatever the rate, so memory stays flat under any load. */
const MAX_SAMPLES = 50_000;

export class PerfWindow {
  private samples: Sample[] = [];
  private head = 0;
  total = 0;
  concurrent = 0;
  peakConcurrent = 0;

  constructor(private readonly windowMs: number) {}

  /** A request arrived (any route). */
  started(): void {
    this.concurrent++;
    if (this.concurrent > this.peakConcurrent) this.peakConcurrent = this.concurrent;
  }

  /** A request's handling ended, whatever happened to it. */
  left(): void {
    this.concurrent = Math.max(0, this.concurrent - 1);
  }

  /** A GraphQL operation finished with this outcome. */
  finished(sample: { durationMs: number; ok: boolean; operation: string; cache?: CacheOutcome }): void {
    this.total++;
    this.samples.push({ ...sample, at: Date.now() });
    if (this.samples.length - this.head > MAX_SAMPLES) this.head++;
    // Compact now and then instead of shifting on every request.
    if (this.head > 10_000) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }

  private live(now = Date.now()): Sample[] {
    const from = now - this.windowMs;
    while (this.head < this.samples.length && this.samples[this.head]!.at < from) this.head++;
    return this.samples.slice(this.head);
  }

  summary(now = Date.now()) {
    const live = this.live(now);
    const failed = live.filter((s) => !s.ok).length;
    const byOperation = new Map<string, Sample[]>();
    for (const s of live) {
      const list = byOperation.get(s.operation);
      if (list) list.push(s);
      else byOperation.set(s.operation, [s]);
    }
    return {
      windowSeconds: this.windowMs / 1000,
      latency: summarize(live),
      requests: {
        total: this.total,
        inWindow: live.length,
        perSecond: round(live.length / (this.windowMs / 1000)),
        successRate: live.length ? round((live.length - failed) / live.length, 4) : 1,
        errors: failed,
        concurrent: this.concurrent,
        peakConcurrent: this.peakConcurrent,
      },
      operations: Object.fromEntries(
        [...byOperation].map(([name, list]) => [
          name,
          { ...summarize(list), errors: list.filter((s) => !s.ok).length, cache: cacheOf(list) },
        ]),
      ),
    };
  }
}

function summarize(samples: Sample[]): LatencySummary {
  if (samples.length === 0) return { count: 0, avgMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = samples.map((s) => s.durationMs).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    avgMs: round(sum / sorted.length),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

function cacheOf(samples: Sample[]): CacheSummary {
  let hits = 0;
  let misses = 0;
  let bypass = 0;
  for (const s of samples) {
    if (s.cache === 'hit') hits++;
    else if (s.cache === 'miss') misses++;
    else if (s.cache === 'bypass') bypass++;
  }
  const looked = hits + misses + bypass;
  return { hits, misses, bypass, hitRate: looked ? round(hits / looked, 4) : null };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
