// A short-lived, in-process cache of verified API keys, so most requests skip the key lookup.
// Revocation evicts at once on this instance and, through Redis pub/sub, on every other; an
// instance that misses the message (Redis down) serves a revoked key for at most the TTL.
//
// Keys that did not verify are remembered too, for a shorter time (`negativeTtlMs`), so a client
// repeating an unknown or revoked key costs one lookup per key per negative TTL instead of one per
// request. A stale negative entry cannot refuse a newly made key: keys are 256 random bits made by
// the server, so nobody can have sent one before it exists. What a negative entry can delay is only
// a key row written by hand for a value that was already tried, by at most the negative TTL.
import type { Logger } from 'pino';
import type { Viewer } from '../context.js';
import { subscribe, type Redis } from '../redis.js';
import { LogThrottle } from '../log.js';

/** One line per 10 s while Redis is down, not one per mutation (issue 8, item 7). */
const broadcastWarnings = new LogThrottle(10_000);

const CHANNEL = 'cadence:api-key-revoked';
const PROVEN_TTL_MS = 60 * 60 * 1000;
const MAX_PROVEN = 50_000;

interface Entry {
  viewer: Viewer;
  expires: number;
}

export class ApiKeyCache {
  private readonly byHash = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  /**
   * Hashes that verified within PROVEN_TTL_MS → when that ends. Not trusted for authentication
   * (that is `byHash`'s job, with its short TTL and revocation); only so the abuse guard can count
   * a key that proved itself recently on its own instead of against its (maybe shared) address.
   */
  private readonly proven = new Map<string, number>();
  /** Hashes that did not verify → when that verdict expires; oldest (least recently seen) first. */
  private readonly unknown = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  /**
   * @param ttlMs how long a verified key is trusted without asking PostgreSQL; 0 disables the cache.
   * @param maxEntries bound on memory; the oldest entries go first.
   * @param negativeTtlMs how long a key that did not verify is refused without asking again; 0 disables.
   * @param maxUnknown bound on remembered unknown keys (sprayed keys evict each other, least recent first).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly negativeTtlMs = 0,
    private readonly maxUnknown = 10_000,
  ) {}

  /** True while `hash` is remembered as not a live key. */
  isUnknown(hash: string, now = Date.now()): boolean {
    const expires = this.unknown.get(hash);
    if (expires === undefined) return false;
    this.unknown.delete(hash);
    if (expires <= now) return false;
    this.unknown.set(hash, expires); // most recently seen goes last: LRU order
    return true;
  }

  /** Remembers that `hash` is not a live key (unknown or revoked). */
  setUnknown(hash: string, now = Date.now()): void {
    if (this.negativeTtlMs <= 0) return;
    this.unknown.delete(hash);
    if (this.unknown.size >= this.maxUnknown) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
    this.unknown.set(hash, now + this.negativeTtlMs);
  }

  /** Forgets a negative verdict (a key just made with this hash). */
  forgetUnknown(hash: string): void {
    this.unknown.delete(hash);
  }

  get unknownSize(): number {
    return this.unknown.size;
  }

  get(hash: string, now = Date.now()): Viewer | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.drop(hash, entry);
      return undefined;
    }
    return entry.viewer;
  }

  /** True when `hash` verified within the last PROVEN_TTL_MS (it may have been revoked since). */
  provenRecently(hash: string, now = Date.now()): boolean {
    const until = this.proven.get(hash);
    return until !== undefined && until > now;
  }

  /** Only keys that verified are cached: unknown keys sprayed at the API must not fill memory. */
  set(hash: string, viewer: Viewer, now = Date.now()): void {
    this.proven.delete(hash);
    if (this.proven.size >= MAX_PROVEN) {
      const oldest = this.proven.keys().next().value;
      if (oldest !== undefined) this.proven.delete(oldest);
    }
    this.proven.set(hash, now + PROVEN_TTL_MS);
    if (this.ttlMs <= 0) return;
    if (this.byHash.size >= this.maxEntries) {
      const oldest = this.byHash.keys().next().value;
      if (oldest !== undefined) this.drop(oldest, this.byHash.get(oldest)!);
    }
    this.byHash.set(hash, { viewer, expires: now + this.ttlMs });
    this.hashById.set(viewer.apiKeyId, hash);
  }

  /** Forgets a key here; `revoked` also tells the other instances. */
  evict(apiKeyId: string): void {
    const hash = this.hashById.get(apiKeyId);
    if (hash) this.drop(hash, this.byHash.get(hash));
  }

  private drop(hash: string, entry: Entry | undefined): void {
    this.byHash.delete(hash);
    if (entry) this.hashById.delete(entry.viewer.apiKeyId);
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Evicts here and publishes the revocation to every instance sharing `redis`. */
  async revoked(apiKeyId: string, redis: Redis | undefined, log: Logger): Promise<void> {
    this.evict(apiKeyId);
    if (!redis || this.ttlMs <= 0) return;
    await redis.publish(CHANNEL, apiKeyId).catch((error: Error) => {
      broadcastWarnings.warn(
        log,
        { err: { message: error.message }, apiKeyId },
        'could not broadcast a key revocation; other instances keep it until their cache expires',
      );
    });
  }

  /** Listens for revocations made on other instances. */
  listen(redis: Redis): void {
    if (this.ttlMs <= 0 || this.unsubscribe) return;
    this.unsubscribe = subscribe(redis, CHANNEL, (apiKeyId) => this.evict(apiKeyId));
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
