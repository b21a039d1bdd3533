// The delay before a dead worker is replaced: none for a worker that ran a while, doubling for one
// that keeps dying soon after start, so a crash loop (bad config, a port taken) does not spin a core.
export interface BackoffOptions {
  /** A worker that lived at least this long died of something else than its start-up. @default 10_000 */
  stableAfterMs?: number;
  /** @default 250 */
  initialMs?: number;
  /** @default 30_000 */
  maxMs?: number;
}

export class RestartBackoff {
  private failures = 0;
  private readonly stableAfterMs: number;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.stableAfterMs = options.stableAfterMs ?? 10_000;
    this.initialMs = options.initialMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
  }

  /** The wait before replacing a worker that lived `livedMs`. */
  next(livedMs: number): number {
    if (livedMs >= this.stableAfterMs) this.failures = 0;
    const delay = this.failures === 0 ? 0 : Math.min(this.maxMs, this.initialMs * 2 ** (this.failures - 1));
    this.failures++;
    return delay;
  }
}
