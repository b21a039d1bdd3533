// Builds this instance's session-event delivery: the Redis bus when Redis is configured (every
// instance hears every publish), the in-process bus otherwise, and the registry of open subscriptions.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { Redis } from '../redis.js';
import { LiveSubscriptions, type EndReason } from './live-subscriptions.js';
import { createSubscriberClient, RedisSessionEventBus } from './redis-session-event-bus.js';
import { RedisSubscriptionQuota } from './subscription-quota.js';
import { InProcessSessionEventBus, sessionEventBus, setSessionEventBus, type SessionEventBus } from './session-events.js';

export interface SessionEventsOptions {
  /** With both, events cross instances through Redis. */
  redisUrl?: string;
  /** The application's fail-fast client, used to publish. */
  redis?: Redis;
  log: Logger;
  limits: { perKey: number; queueMax: number };
}

export interface SessionEvents {
  bus: SessionEventBus;
  live: LiveSubscriptions;
  close(): Promise<void>;
}

export function createSessionEvents({ redisUrl, redis, log, limits }: SessionEventsOptions): SessionEvents {
  const bus: SessionEventBus =
    redisUrl && redis
      ? new RedisSessionEventBus({
          publisher: redis,
          subscriber: createSubscriberClient(redisUrl),
          log: log.child({ component: 'session-events' }),
        })
      : sessionEventBus();
  // publishSessionEvent (called by writers after commit) goes through this instance's bus.
  setSessionEventBus(bus);
  // The per-key limit counts every instance's subscriptions when Redis is there.
  const live = new LiveSubscriptions(bus, limits, redisUrl && redis ? new RedisSubscriptionQuota(redis) : undefined);
  return {
    bus,
    live,
    async close() {
      live.close();
      if (sessionEventBus() === bus && bus instanceof RedisSessionEventBus) setSessionEventBus(new InProcessSessionEventBus());
      await bus.close?.();
    },
  };
}

/** Gauges and counters of the subscription path, in the server's /metrics registry. */
export function registerSubscriptionMetrics(registry: Registry, live: LiveSubscriptions): void {
  new Gauge({
    name: 'cadence_subscriptions_active',
    help: 'Subscriptions open on this instance (SSE and WebSocket)',
    registers: [registry],
    collect() {
      this.set(live.active);
    },
  });
  new Gauge({
    name: 'cadence_websocket_connections',
    help: 'WebSocket connections open on this instance',
    registers: [registry],
    collect() {
      this.set(live.connections);
    },
  });
  const ended = new Counter({
    name: 'cadence_subscriptions_ended_total',
    help: 'Subscriptions ended or refused by the server: revoked key, slow consumer, or over the per-key limit',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      // prom-client counters only go up; mirror the registry's own monotonic counts.
      this.reset();
      for (const reason of Object.keys(live.ended) as (EndReason | 'limit')[]) this.inc({ reason }, live.ended[reason]);
    },
  });
  void ended;
}
