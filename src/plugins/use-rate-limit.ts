// Rate limits per API key, shared by every instance through Redis (rate-limiter-flexible's
// RateLimiterRedis: one atomic Lua INCR+EXPIRE per policy per request). Anonymous requests, and
// requests whose Authorization is not a well-formed key, count per client address.
//
// Checked in onRequest, before the body is parsed, so every request counts: cache hits and
// refusals alike. Health and metrics routes are never limited.
//
// Redis is never waited on for long: a decision not back within `redisTimeoutMs`, or failed, is
// taken by the instance's own RateLimiterMemory, which also decides at once while Redis is down
// (ioredis is not "ready"). That is rate-limiter-flexible's insurance-limiter pattern, called here
// rather than through its `insuranceLimiter` option: with the option, a call that timed out here and
// then failed in ioredis (its 100 ms command timeout) would be counted locally twice. During an
// outage each instance grants the full quota on its own: N instances allow up to N× the limit.
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { bearerKey, hashApiKey } from '../auth/api-keys.js';
import { appError } from '../errors.js';
import type { Redis } from '../redis.js';
import { clientAddress } from './client-address.js';

export interface RateLimitPolicy {
  /** Its name in the RateLimit-Policy and RateLimit headers. */
  name: string;
  /** Requests allowed per window; 0 turns this policy off. */
  limit: number;
  /** Window, whole seconds (fixed windows, as rate-limiter-flexible keeps them). */
  windowS: number;
}

export interface RateLimitOptions {
  policies: RateLimitPolicy[];
  redis?: Redis;
  /** Longest wait for Redis before the local limiter decides, ms. */
  redisTimeoutMs: number;
  /** Proxies of ours in front (src/plugins/client-address.ts). */
  trustedProxies: number;
  log: Logger;
  /** Prefix of the Redis keys. @default 'cadence:rl' */
  keyPrefix?: string;
}

/** Routes that are never limited: probes and scrapers must see an overloaded instance. */
const UNLIMITED = /^\/(health|metrics)(\/|$)/;
/** How often a fallback to per-instance limits is logged at most (a summary with counts). */
const FALLBACK_LOG_MS = 10_000;

type FallbackReason = 'timeout' | 'error' | 'unavailable';

interface Verdict {
  policy: RateLimitPolicy;
  allowed: boolean;
  remaining: number;
  resetS: number;
}

/** A RateLimiterRes whether the limiter resolved (allowed) or rejected with it (over the limit). */
const settle = (promise: Promise<RateLimiterRes>): Promise<RateLimiterRes> =>
  promise.catch((reason: unknown) => {
    if (reason instanceof RateLimiterRes) return reason;
    throw reason;
  });

class PolicyLimiter {
  private readonly local: RateLimiterMemory;
  private readonly shared: RateLimiterRedis | undefined;

  constructor(
    readonly policy: RateLimitPolicy,
    private readonly redis: Redis | undefined,
    keyPrefix: string,
    private readonly timeoutMs: number,
    private readonly fellBack: (reason: FallbackReason) => void,
  ) {
    const base = { points: policy.limit, duration: policy.windowS, keyPrefix: `${keyPrefix}:${policy.name}` };
    this.local = new RateLimiterMemory(base);
    this.shared = redis ? new RateLimiterRedis({ ...base, storeClient: redis, rejectIfRedisNotReady: true }) : undefined;
  }

  async consume(key: string): Promise<Verdict> {
    const res = await this.decide(key);
    return {
      policy: this.policy,
      allowed: res.consumedPoints <= this.policy.limit,
      remaining: Math.max(0, this.policy.limit - res.consumedPoints),
      resetS: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  private async decide(key: string): Promise<RateLimiterRes> {
    if (!this.shared) return settle(this.local.consume(key));
    if (this.redis?.status !== 'ready') {
      // Not connected: no Redis call at all (ioredis would fail it at once anyway: no offline queue).
      this.fellBack('unavailable');
      return settle(this.local.consume(key));
    }
    const shared = settle(this.shared.consume(key)).catch(() => 'error' as const);
    let expire = () => {};
    const late = new Promise<undefined>((resolve) => {
      expire = () => resolve(undefined);
    });
    const timer = setTimeout(expire, this.timeoutMs);
    try {
      const first = await Promise.race([shared, late]);
      if (first instanceof RateLimiterRes) return first;
      // Redis failed or is slow: decide here; a late answer is dropped.
      this.fellBack(first === 'error' ? 'error' : 'timeout');
      return settle(this.local.consume(key));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whom a request counts against: its key when it sends a well-formed one, else its address. */
function bucketOf(request: Request, serverContext: unknown, trustedProxies: number): string {
  const key = bearerKey(request.headers.get('authorization'));
  if (key) return `key:${hashApiKey(key).slice(0, 32)}`;
  return `ip:${clientAddress(request, serverContext, trustedProxies)}`;
}

/** `"burst";q=20;w=10, "minute";q=100;w=60` (draft-ietf-httpapi-ratelimit-headers). */
export function policyHeader(policies: RateLimitPolicy[]): string {
  return policies.map((p) => `"${p.name}";q=${p.limit};w=${p.windowS}`).join(', ');
}

function stateHeader(verdicts: Verdict[]): string {
  return verdicts.map((v) => `"${v.policy.name}";r=${v.remaining};t=${v.resetS}`).join(', ');
}

export function useRateLimit(options: RateLimitOptions): Plugin {
  const policies = options.policies.filter((p) => p.limit > 0);
  if (policies.length === 0) return {};
  const keyPrefix = options.keyPrefix ?? 'cadence:rl';
  const policyValue = policyHeader(policies);

  const none = (): Record<FallbackReason, number> => ({ timeout: 0, error: 0, unavailable: 0 });
  let pending = none();
  let lastLogged = -Infinity;
  const fellBack = (reason: FallbackReason) => {
    pending[reason]++;
    const now = Date.now();
    if (now - lastLogged < FALLBACK_LOG_MS) return;
    options.log.warn({ fallbacks: pending }, 'rate limits decided per instance: Redis unavailable or slow');
    pending = none();
    lastLogged = now;
  };

  const limiters = policies.map((p) => new PolicyLimiter(p, options.redis, keyPrefix, options.redisTimeoutMs, fellBack));
  const states = new WeakMap<Request, string>();

  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (UNLIMITED.test(url.pathname)) return;
      const bucket = bucketOf(request, serverContext, options.trustedProxies);
      let verdicts: Verdict[];
      try {
        verdicts = await Promise.all(limiters.map((limiter) => limiter.consume(bucket)));
      } catch (error) {
        // Both limiters failed (not expected: the local one cannot): serve rather than refuse.
        options.log.error({ err: { message: (error as Error).message } }, 'rate limiter failed; request not limited');
        return;
      }
      states.set(request, stateHeader(verdicts));
      const exceeded = verdicts.filter((v) => !v.allowed);
      if (exceeded.length === 0) return;
      const retryAfter = Math.max(1, ...exceeded.map((v) => v.resetS));
      const error = appError('RATE_LIMITED', `Rate limit exceeded; retry in ${retryAfter} s`);
      endResponse(
        fetchAPI.Response.json(
          { errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED' } }] },
          { status: 429, headers: { 'retry-after': String(retryAfter) } },
        ),
      );
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (state === undefined) return;
      response.headers.set('RateLimit-Policy', policyValue);
      response.headers.set('RateLimit', state);
    },
  };
}
