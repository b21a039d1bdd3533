// "could not broadcast" warnings during a Redis outage (issue 8, item 7): one line, then one
// summary per interval with a count, instead of a line per mutation.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKeyCache } from '../../src/auth/key-cache.js';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { createLogger, LogThrottle } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';

function sinkLogger() {
  const lines: { msg: string; suppressed?: number; [k: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe('LogThrottle', () => {
  it('writes the first line, counts the rest of the interval, and closes it with one summary', () => {
    let now = 0;
    const throttle = new LogThrottle(10_000, () => now);
    const { log, lines } = sinkLogger();
    for (let i = 0; i < 100; i++, now += 50) throttle.warn(log, { n: i }, 'could not do it');
    expect(lines.map((l) => [l.msg, l.suppressed])).toEqual([['could not do it', undefined]]);
    throttle.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ suppressed: 99, intervalMs: 10_000, n: 99 });
    expect(lines[1]!.msg).toContain('99 more');
    // The summary opened a new interval: more of the same stay counted, not written.
    for (let i = 0; i < 10; i++) throttle.warn(log, {}, 'could not do it');
    expect(lines).toHaveLength(2);
    // Once an interval passes with nothing held back, the next one is written at once.
    throttle.flush();
    now += 20_000;
    throttle.warn(log, {}, 'could not do it');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.suppressed).toBeUndefined();
    throttle.flush();
  });

  it('writes the summary by itself when the interval ends', async () => {
    const throttle = new LogThrottle(50);
    const { log, lines } = sinkLogger();
    for (let i = 0; i < 5; i++) throttle.warn(log, {}, 'again');
    expect(lines).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.map((l) => l.suppressed)).toEqual([undefined, 4]);
  });
});

describe('broadcasts during a Redis outage', () => {
  // Nothing listens on port 1: every publish fails at once.
  const { log, lines } = sinkLogger();
  const redis = createRedis('redis://127.0.0.1:1', log);
  afterAll(() => redis.disconnect());

  it('logs one line for 50 failed response-cache invalidations and 50 failed key revocations', async () => {
    const cache = new ResponseCache({ ttlMs: 10_000, maxBytes: 1_000_000 });
    const keys = new ApiKeyCache(10_000);
    for (let i = 0; i < 50; i++) {
      await cache.invalidateEverywhere(`user-${i}`, redis, log);
      await keys.revoked(`key-${i}`, redis, log);
    }
    const broadcast = lines.filter((l) => l.msg.startsWith('could not broadcast'));
    expect(broadcast.map((l) => l.msg.split(';')[0])).toEqual([
      'could not broadcast a response-cache invalidation',
      'could not broadcast a key revocation',
    ]);
  });
});
