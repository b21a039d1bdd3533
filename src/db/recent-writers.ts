// Who wrote recently: their reads go to the primary until replicas have surely caught up
// (read-your-own-writes). Kept in process; with Redis, each write is also published to every
// instance, so the instance a load balancer sends the next read to knows about a write another
// instance took, without a Redis round trip per read.
import type { Redis } from '../redis.js';

const CHANNEL = 'cadence:wrote';
/** Above this many entries, expired ones are swept on the next write. */
const SWEEP_AT = 10_000;

export class RecentWriters {
  private readonly local = new Map<string, number>();
  private readonly subscriber?: Redis;
  private subscribed = false;
  private sweepAt = SWEEP_AT;

  constructor(
    private readonly stickyMs: number,
    private readonly redis?: Redis,
  ) {
    if (!redis || stickyMs === 0) return;
    // A connection of its own: a subscribed connection can do nothing else. The 100 ms command
    // timeout of src/redis.ts is for requests; a SUBSCRIBE answered late on a busy host is retried.
    this.subscriber = redis.duplicate({ commandTimeout: 2_000 });
    this.subscriber.on('error', () => {}); // The main client reports Redis outages.
    this.subscriber.on('ready', () => this.subscribe());
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('message', (_channel: string, userId: string) => this.mark(userId));
  }

  private subscribe(): void {
    this.subscriber
      ?.subscribe(CHANNEL)
      .then(() => {
        this.subscribed = true;
      })
      .catch(() => {
        if (this.subscriber?.status === 'ready') setTimeout(() => this.subscribe(), 500).unref();
      });
  }

  /** True while this instance hears other instances' writes (always, without Redis). */
  get listening(): boolean {
    return this.subscriber === undefined || this.subscribed;
  }

  /** Records that `userId` just wrote (after the write committed), here and on every instance. */
  wrote(userId: string): void {
    if (this.stickyMs === 0) return;
    this.mark(userId);
    this.redis?.publish(CHANNEL, userId).catch(() => {});
  }

  /**
   * True when `userId` wrote within the sticky window, or when that cannot be known: while the
   * Redis subscription is down another instance's write could be missed, so every read goes to
   * the primary (correct, only slower).
   */
  recent(userId: string): boolean {
    if (this.stickyMs === 0) return false;
    if (!this.listening) return true;
    const at = this.local.get(userId);
    if (at === undefined) return false;
    if (Date.now() - at < this.stickyMs) return true;
    this.local.delete(userId);
    return false;
  }

  close(): void {
    this.subscriber?.disconnect();
  }

  private mark(userId: string): void {
    const now = Date.now();
    if (this.local.size >= this.sweepAt) {
      for (const [id, at] of this.local) if (now - at >= this.stickyMs) this.local.delete(id);
      // Amortized: with many writers inside the window, the next sweep waits for twice as many.
      this.sweepAt = Math.max(SWEEP_AT, this.local.size * 2);
    }
    this.local.set(userId, now);
  }
}
