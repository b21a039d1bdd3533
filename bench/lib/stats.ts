// Latency samples and their percentiles. Every sample is kept (a 20 s round at 2,000 req/s is
// 40,000 doubles), so percentiles are exact rather than bucketed.

export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  add(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  addAll(other: Samples): void {
    for (let i = 0; i < other.length; i++) this.add(other.data[i]!);
  }

  /** A copy of the samples (to send them to another process). */
  values(): number[] {
    return Array.from(this.data.subarray(0, this.length));
  }

  static of(values: readonly number[]): Samples {
    const s = new Samples();
    for (const v of values) s.add(v);
    return s;
  }

  summary(): LatencySummary {
    if (this.length === 0) return { count: 0, mean: NaN, p50: NaN, p90: NaN, p95: NaN, p99: NaN, max: NaN, min: NaN };
    const sorted = this.data.slice(0, this.length).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.length,
      mean: sum / this.length,
      min: sorted[0]!,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
    };
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
