// A short-lived, in-process cache of verified API keys, so most requests skip the key lookup.
// Revocation evicts at once on this instance and, through Redis pub/sub, on every other; an
// instance that misses the message (Redis down) serves a revoked key for at most the TTL.
import type { Logger } from 'pino';
import type { Viewer } from '../context.js';
import { subscribe, type Redis } from '../redis.js';
import { LogThrottle } from '../log.js';

/** One line per 10 s while Redis is down, not one per mutation (issue 8, item 7). */
const broadcastWarnings = new LogThrottle(10_000);

const CHANNEL = 'cadence:api-key-revoked';

interface Entry {
  viewer: Viewer;
  expires: number;
}

export class ApiKeyCache {
  private readonly byHash = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;

  /**
   * @param ttlMs how long a verified key is trusted without asking PostgreSQL; 0 disables the cache.
   * @param maxEntries bound on memory; the oldest entries go first.
   */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now = Date.now()): Viewer | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.drop(hash, entry);
      return undefined;
    }
    return entry.viewer;
  }

  /** Only keys that verified are cached: unknown keys sprayed at the API must not fill memory. */
  set(hash: string, viewer: Viewer, now = Date.now()): void {
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
      broadcastWarnings.warn(log, { err: { message: error.message }, apiKeyId }, 'could not broadcast a key revocation; other instances keep it until their cache expires');
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
