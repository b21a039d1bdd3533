// Who wrote recently: their reads go to the primary until replicas have surely caught up
// (read-your-own-writes). Kept in process and, with Redis, shared across instances, so the instance
// a load balancer sends the next read to knows about a write another instance took.
import type { Redis } from '../redis.js';

const PREFIX = 'cadence:wrote:';
/** Above this many entries, expired ones are swept on the next write. */
const SWEEP_AT = 10_000;

export class RecentWriters {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly stickyMs: number,
    private readonly redis?: Redis,
    private readonly redisTimeoutMs = 25,
  ) {}

  /** Records that `userId` just wrote (after the write committed). */
  wrote(userId: string): void {
    if (this.stickyMs === 0) return;
    const now = Date.now();
    if (this.local.size >= SWEEP_AT) {
      for (const [id, at] of this.local) if (now - at >= this.stickyMs) this.local.delete(id);
    }
    this.local.set(userId, now);
    // Best effort: without Redis, another instance may serve this user's next read from a replica.
    this.redis?.set(PREFIX + userId, '1', 'PX', this.stickyMs).catch(() => {});
  }

  /** True when `userId` wrote within the sticky window, or when that cannot be known (Redis down). */
  async recent(userId: string): Promise<boolean> {
    if (this.stickyMs === 0) return false;
    const at = this.local.get(userId);
    if (at !== undefined) {
      if (Date.now() - at < this.stickyMs) return true;
      this.local.delete(userId);
    }
    if (!this.redis) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.redisTimeoutMs);
    });
    try {
      const answer = await Promise.race([this.redis.exists(PREFIX + userId), timeout]);
      // Not knowing sends the read to the primary: correct, only slower.
      return answer === 'timeout' || answer > 0;
    } catch {
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
