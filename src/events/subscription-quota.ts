// The per-key subscription limit across instances. Each open subscription holds a member of a
// sorted set per API key in Redis, scored by when it expires; a heartbeat pushes the expiry of this
// instance's members forward, so a crashed instance's entries age out within one TTL instead of
// holding the key's quota for ever. Taking a slot (drop expired, count, add) is one Lua script, so
// two instances racing for the last slot cannot both get it. Scores use Redis' clock, not the
// instances', so clock skew between instances does not matter.
// When Redis is not ready or does not answer in time (the application's fail-fast client: no
// offline queue, 100 ms command timeout), the decision is local: this instance's own count against
// the same limit. A key can then hold up to the limit on each instance until Redis is back; the
// heartbeat re-registers every open subscription once it is, restoring the shared count.
import type { Redis } from '../redis.js';

export interface SubscriptionQuota {
  /**
   * Takes a slot for subscription `id` of `apiKeyId`; false when the key already holds `limit`.
   * The caller has checked its local count already.
   */
  take(apiKeyId: string, id: string, limit: number): Promise<boolean>;
  /** The subscription ended: its slot is free. */
  release(apiKeyId: string, id: string): void;
  close(): void;
}

/** One instance alone: the caller's local count is the whole truth. */
export const localQuota: SubscriptionQuota = {
  take: async () => true,
  release: () => {},
  close: () => {},
};

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// Plain ZADD, not XX: after Redis lost its data (a restart) this re-registers what is still open.
const REFRESH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

export interface RedisQuotaOptions {
  /** How long a member lives without a heartbeat; a crashed instance's slots free within this. */
  ttlMs?: number;
  /** Heartbeat period; a third of the TTL by default, so two missed beats lose nothing. */
  heartbeatMs?: number;
  keyPrefix?: string;
}

export class RedisSubscriptionQuota implements SubscriptionQuota {
  /** This instance's open subscriptions per key, refreshed by the heartbeat. */
  private readonly held = new Map<string, Set<string>>();
  private readonly ttlMs: number;
  private readonly prefix: string;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    options: RedisQuotaOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.prefix = options.keyPrefix ?? 'cadence:subs:';
    this.timer = setInterval(() => void this.heartbeat(), options.heartbeatMs ?? Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  async take(apiKeyId: string, id: string, limit: number): Promise<boolean> {
    let allowed = true;
    if (this.redis.status === 'ready') {
      try {
        allowed = (await this.redis.eval(TAKE, 1, this.prefix + apiKeyId, id, limit, this.ttlMs)) === 1;
      } catch {
        // Redis did not answer in time: the local count decides (see the header).
      }
    }
    if (allowed) this.hold(apiKeyId, id);
    return allowed;
  }

  release(apiKeyId: string, id: string): void {
    const ids = this.held.get(apiKeyId);
    ids?.delete(id);
    if (ids?.size === 0) this.held.delete(apiKeyId);
    if (this.redis.status === 'ready') this.redis.zrem(this.prefix + apiKeyId, id).catch(() => {});
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Pushes the expiry of every subscription open here forward; one pipeline per beat. */
  async heartbeat(): Promise<void> {
    if (this.held.size === 0 || this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const [apiKeyId, ids] of this.held) pipeline.eval(REFRESH, 1, this.prefix + apiKeyId, this.ttlMs, ...ids);
    await pipeline.exec().catch(() => {});
  }

  private hold(apiKeyId: string, id: string): void {
    let ids = this.held.get(apiKeyId);
    if (!ids) this.held.set(apiKeyId, (ids = new Set()));
    ids.add(id);
  }
}
