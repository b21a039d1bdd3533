// The response cache's second tier, in Redis and shared by every instance, so a user whose requests
// land on another instance still hits. Invalidation is exact without KEYS or SCAN: every entry's
// key holds the user's current version (and a global epoch), and a write replaces the version, so
// older entries can no longer be named and expire on their own TTL. Every key has a TTL; versions
// outlive the longest entry TTL, so an expired version can never bring old entries back. Every call
// is raced against a short timeout and degrades to a miss (or to "cannot tell": no caching).
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '../redis.js';

const PREFIX = 'cadence:rc:';
const EPOCH_KEY = `${PREFIX}epoch`;
const versionKey = (userId: string) => `${PREFIX}v:${userId}`;

/** Longest TTL of any entry (seconds); versions and the epoch live a little longer. */
export const MAX_ENTRY_TTL_SECONDS = 3_600;
const VERSION_TTL_SECONDS = MAX_ENTRY_TTL_SECONDS + 60;

const TIMED_OUT = Symbol('timed out');

export class RedisCacheTier {
  /** Round trips made, for Server-Timing (the caller reads and resets per request). */
  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {}

  /** The user's current version (with the epoch), or null when Redis cannot say in time. */
  async version(userId: string): Promise<string | null> {
    const reply = await this.call(() => this.redis.mget(EPOCH_KEY, versionKey(userId)));
    if (reply === null) return null;
    return `${reply[0] ?? '-'}.${reply[1] ?? '-'}`;
  }

  /** The entry's text; undefined when absent or Redis is slow or down. */
  async get(userId: string, version: string, key: string): Promise<string | undefined> {
    return (await this.call(() => this.redis.get(entryKey(userId, version, key)))) ?? undefined;
  }

  /** Stores without waiting: a lost write only costs a later miss. */
  set(userId: string, version: string, key: string, text: string, ttlSeconds: number): void {
    void this.call(() => this.redis.set(entryKey(userId, version, key), text, 'EX', ttlSeconds));
  }

  /** Makes every entry of the user unreachable; false when Redis did not confirm in time. */
  async invalidate(userId: string): Promise<boolean> {
    return (await this.call(() => this.redis.set(versionKey(userId), token(), 'EX', VERSION_TTL_SECONDS))) !== null;
  }

  /** Makes every entry of every user unreachable (after an invalidation may have been lost). */
  async invalidateAll(): Promise<boolean> {
    return (await this.call(() => this.redis.set(EPOCH_KEY, token(), 'EX', VERSION_TTL_SECONDS))) !== null;
  }

  private async call<T>(run: () => Promise<T>): Promise<T | null> {
    if (this.redis.status !== 'ready') return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
    });
    try {
      const reply = await Promise.race([run().catch(() => TIMED_OUT), timeout]);
      return reply === TIMED_OUT ? null : (reply as T);
    } finally {
      clearTimeout(timer);
    }
  }
}

function entryKey(userId: string, version: string, key: string): string {
  // Hashed: the key holds the client's variables, of any length.
  return `${PREFIX}e:${userId}:${version}:${createHash('sha256').update(key).digest('base64url')}`;
}

function token(): string {
  return randomBytes(9).toString('base64url');
}
