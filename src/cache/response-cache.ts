// Serialised query results, per user, in process. Every entry belongs to one user, and everything
// a user can read is theirs, so "this user wrote something" is the only invalidation needed: any
// mutation by a user drops that user's entries here and, through Redis pub/sub, on every other
// instance. The TTL bounds what an instance that missed a message (Redis down) can serve stale.
import type { Logger } from 'pino';
import { subscribe, type Redis } from '../redis.js';
import { LogThrottle } from '../log.js';

/** One line per 10 s while Redis is down, not one per mutation (issue 8, item 7). */
const broadcastWarnings = new LogThrottle(10_000);

const CHANNEL = 'cadence:response-cache-invalidated';

interface Entry {
  userId: string;
  text: string;
  /** What the entry counts against maxBytes: its key (which holds the variables) and its text. */
  size: number;
  expires: number;
}

export interface ResponseCacheOptions {
  /** How long an answer is served from memory; 0 disables the cache. */
  ttlMs: number;
  /** Bound on the summed length of the cached JSON texts and their keys (UTF-16 code units ≈ bytes). */
  maxBytes: number;
  /**
   * Bound on the number of entries, whatever their size: each costs a Map slot, an object and a
   * per-user Set membership beyond its counted bytes, so many small answers weigh more than maxBytes says.
   * @default 50_000
   */
  maxEntries?: number;
}

export type CacheToken = number;

export class ResponseCache {
  /** Insertion order is eviction order: a Map is the LRU (a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry>();
  private readonly keysByUser = new Map<string, Set<string>>();
  /**
   * The generation of each user's data: bumped by every mutation of theirs. A miss records the
   * generation before it executes and may only store its answer if it is unchanged afterwards, so a
   * read that raced a write is never cached. Users never written to have the baseline.
   */
  private readonly generations = new Map<string, number>();
  private counter = 0;
  private baseline = 0;
  private bytes = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: ResponseCacheOptions) {}

  get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxBytes > 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The user's data generation now; pass it to `set` after executing. */
  token(userId: string): CacheToken {
    return this.generations.get(userId) ?? this.baseline;
  }

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.delete(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.text;
  }

  /** Stores `text` unless the user's data changed since `token` was taken. */
  set(key: string, userId: string, token: CacheToken, text: string, now = Date.now()): boolean {
    const size = key.length + text.length;
    if (!this.enabled || size > this.options.maxBytes || this.token(userId) !== token) return false;
    const previous = this.entries.get(key);
    if (previous) this.delete(key, previous);
    this.dropExpired(now);
    const maxEntries = this.options.maxEntries ?? 50_000;
    while (this.bytes + size > this.options.maxBytes || this.entries.size >= maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.delete(oldestKey, oldest);
    }
    this.entries.set(key, { userId, text, size, expires: now + this.options.ttlMs });
    this.bytes += size;
    let keys = this.keysByUser.get(userId);
    if (!keys) this.keysByUser.set(userId, (keys = new Set()));
    keys.add(key);
    return true;
  }

  /** Drops the user's entries and refuses answers computed before now. This instance only. */
  invalidate(userId: string): void {
    if (this.generations.size >= 100_000) {
      // Bounded: forgetting every generation is safe once the baseline moves past all of them.
      this.generations.clear();
      this.baseline = ++this.counter;
    }
    this.generations.set(userId, ++this.counter);
    const keys = this.keysByUser.get(userId);
    if (!keys) return;
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) {
        this.entries.delete(key);
        this.bytes -= entry.size;
      }
    }
    this.keysByUser.delete(userId);
  }

  /** `invalidate` here, then on every instance listening on `redis`. */
  async invalidateEverywhere(userId: string, redis: Redis | undefined, log: Logger): Promise<void> {
    this.invalidate(userId);
    if (!redis || !this.enabled) return;
    await redis.publish(CHANNEL, userId).catch((error: Error) => {
      broadcastWarnings.warn(
        log,
        { err: { message: error.message }, userId },
        'could not broadcast a response-cache invalidation; other instances may serve this user stale answers until their entries expire',
      );
    });
  }

  /** Listens for invalidations published by other instances. */
  listen(redis: Redis): void {
    if (!this.enabled || this.unsubscribe) return;
    const stop = subscribe(redis, CHANNEL, (userId) => this.invalidate(userId));
    // Invalidations published while Redis was away are lost (pub/sub is at most once): whatever this
    // instance holds may be stale once it is back, so it starts empty.
    const onReady = () => this.clear();
    redis.on('ready', onReady);
    this.unsubscribe = () => {
      stop();
      redis.off('ready', onReady);
    };
  }

  /** Drops every entry and refuses answers computed before now. */
  clear(): void {
    this.entries.clear();
    this.keysByUser.clear();
    this.generations.clear();
    this.bytes = 0;
    this.baseline = ++this.counter;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /**
   * Expired answers leave as new ones arrive, not only when read again: with distinct variables they
   * are never read again, and held the cache at maxBytes of dead entries (issue 12, item 7: steady RSS
   * twice start-up). Every entry has the same TTL and a hit moves its entry to the end, so the front
   * is the longest unused: stop at the first one still live (amortised O(1) per set).
   */
  private dropExpired(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) return;
      this.delete(key, entry);
    }
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
    const keys = this.keysByUser.get(entry.userId);
    if (keys) {
      keys.delete(key);
      if (keys.size === 0) this.keysByUser.delete(entry.userId);
    }
  }
}
