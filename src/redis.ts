// The Redis client: fail fast rather than queue, so a Redis outage degrades features instead of
// stalling requests (see RELIABILITY.md: offline queue off, 100 ms command timeout).
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export function createRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 100,
    connectTimeout: 2_000,
    // Keep trying in the background, at most every 2 s; requests never wait for it.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.warn({ err: { message: error.message } }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis available again');
    down = false;
  });
  return redis;
}

/**
 * Listens on `channel` over a connection of its own (a subscribed connection can do nothing else),
 * subscribing again on every reconnection, since a subscription does not survive a dropped one.
 * Returns what closes it.
 */
export function subscribe(redis: Redis, channel: string, onMessage: (message: string) => void): () => void {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {}); // The main client reports Redis outages.
  subscriber.on('ready', () => void subscriber.subscribe(channel).catch(() => {}));
  subscriber.on('message', (_channel: string, message: string) => onMessage(message));
  return () => subscriber.disconnect();
}

export type { Redis };
