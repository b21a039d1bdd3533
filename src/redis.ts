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

export type { Redis };
