// The shared per-key subscription quota on real Redis: registries with quotas of their own (one per
// instance) share one limit, concurrent opens across them never exceed it, a crashed instance's slots
// age out while a live one's heartbeat keeps them, and with Redis unreachable the local count decides.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { BoundedEventStream } from '../../src/events/event-stream.js';
import { LiveSubscriptions, type Delivery } from '../../src/events/live-subscriptions.js';
import { InProcessSessionEventBus } from '../../src/events/session-events.js';
import { RedisSubscriptionQuota } from '../../src/events/subscription-quota.js';
import { createRedis, type Redis } from '../../src/redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });
const clients: Redis[] = [];
const registries: LiveSubscriptions[] = [];

async function instance(limit: number, url = REDIS_URL, ttlMs = 30_000, heartbeatMs?: number) {
  const redis = createRedis(url, log);
  clients.push(redis);
  if (url === REDIS_URL)
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
  const quota = new RedisSubscriptionQuota(redis, { ttlMs, heartbeatMs });
  const live = new LiveSubscriptions(new InProcessSessionEventBus(), { perKey: limit, queueMax: 10 }, quota);
  registries.push(live);
  return { live, quota };
}

afterAll(() => {
  for (const live of registries) live.close();
  for (const redis of clients) redis.disconnect();
});

const viewerOf = (apiKeyId: string) => ({ userId: 'u1', apiKeyId });

async function attempt(live: LiveSubscriptions, apiKeyId: string): Promise<BoundedEventStream<Delivery> | 'RATE_LIMITED'> {
  try {
    return await live.open(viewerOf(apiKeyId), 's1');
  } catch (error) {
    expect(error).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    return 'RATE_LIMITED';
  }
}

describe('shared subscription quota', () => {
  it('never lets concurrent opens across two instances exceed the limit, over 20 rounds', async () => {
    const a = await instance(4);
    const b = await instance(4);
    for (let round = 0; round < 20; round++) {
      const key = randomUUID();
      const results = await Promise.all([...Array(10).keys()].map((i) => attempt(i % 2 ? a.live : b.live, key)));
      const open = results.filter((r): r is BoundedEventStream<Delivery> => r !== 'RATE_LIMITED');
      expect(open).toHaveLength(4);
      for (const stream of open) await stream.return();
      // Every slot was given back: the key's set is empty (and so gone).
      // Releases are sent without waiting, some on the other client: poll briefly.
      let left = 1;
      for (let i = 0; i < 50 && left > 0; i++) if ((left = await clients[0]!.exists(`cadence:subs:${key}`)) > 0) await sleep(10);
      expect(left).toBe(0);
    }
    expect(a.live.ended.limit + b.live.ended.limit).toBe(20 * 6);
  });

  it('ages out a crashed instance’s slots, while a live instance’s heartbeat keeps its own', async () => {
    const key = randomUUID();
    const crashed = await instance(2, REDIS_URL, 600, 100);
    const alive = await instance(3, REDIS_URL, 600, 100);
    const other = await instance(3, REDIS_URL, 600, 100);
    const held = [await attempt(crashed.live, key), await attempt(alive.live, key)];
    expect(held).not.toContain('RATE_LIMITED');
    crashed.quota.close(); // Stops the heartbeat without releasing anything, as a killed process would.
    // Over a slot's lifetime the three slots are full: the live one heartbeats, the crashed one is not yet old.
    expect(await attempt(other.live, key)).not.toBe('RATE_LIMITED');
    expect(await attempt(other.live, key)).toBe('RATE_LIMITED');
    // Well past the TTL: the crashed slot is gone, the heartbeats kept the others.
    await sleep(1_500);
    expect(await attempt(other.live, key)).not.toBe('RATE_LIMITED');
    expect(await attempt(other.live, key)).toBe('RATE_LIMITED');
    expect(await clients[0]!.zcard(`cadence:subs:${key}`)).toBe(3);
  });

  it('decides by the local count when Redis is unreachable', async () => {
    const down = await instance(3, 'redis://127.0.0.1:1');
    const key = randomUUID();
    const results = await Promise.all([...Array(5).keys()].map(() => attempt(down.live, key)));
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(2);
  });
});
