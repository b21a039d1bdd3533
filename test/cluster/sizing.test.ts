// The pool formula of docs/scaling.md and the replacement back-off, as plain functions.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultPoolSize, loadConfig } from '../../src/config.js';
import { clusterConnections, workerPoolSize } from '../../src/http/cluster/pool-sizing.js';
import { RestartBackoff } from '../../src/http/cluster/restart-backoff.js';

const settings = { DB_POOL_SIZE: 20, DB_POOL_TOTAL: undefined, QUEUE_IN_SERVER: true, QUEUE_DB_POOL_SIZE: 3 };

describe('pool sizing', () => {
  it('gives each worker DB_POOL_SIZE without a total, floor(total / N) with one', () => {
    expect(workerPoolSize(settings, 4)).toBe(20);
    expect(clusterConnections(settings, 4)).toBe(4 * (20 + 3));
    expect(workerPoolSize({ ...settings, DB_POOL_TOTAL: 50 }, 4)).toBe(12);
    expect(clusterConnections({ ...settings, DB_POOL_TOTAL: 50 }, 4)).toBe(4 * (12 + 3));
    expect(clusterConnections({ ...settings, QUEUE_IN_SERVER: false, DB_POOL_TOTAL: 50 }, 4)).toBe(48);
  });

  it('defaults the pool to 2 × cores + 1 for the machine, shared by its workers, at least 2 each', () => {
    expect(defaultPoolSize(2, 1)).toBe(5);
    expect(defaultPoolSize(2, 2)).toBe(2);
    expect(defaultPoolSize(8, 1)).toBe(17);
    expect(defaultPoolSize(8, 8)).toBe(2);
    expect(defaultPoolSize(64, 64)).toBe(2);
    expect(defaultPoolSize(1, 1)).toBe(3);
    const db = 'postgres://localhost/x';
    const cores = availableParallelism();
    expect(loadConfig({ DATABASE_URL: db }).DB_POOL_SIZE).toBe(2 * cores + 1);
    expect(loadConfig({ DATABASE_URL: db, REDIS_URL: 'redis://localhost:6379', WEB_CONCURRENCY: '2' }).DB_POOL_SIZE).toBe(
      Math.max(2, Math.floor((2 * cores + 1) / 2)),
    );
    // Set: taken as it is.
    expect(loadConfig({ DATABASE_URL: db, DB_POOL_SIZE: '20' }).DB_POOL_SIZE).toBe(20);
    // What the primary hands each worker follows the same default.
    const config = loadConfig({ DATABASE_URL: db, REDIS_URL: 'redis://localhost:6379', WEB_CONCURRENCY: '2' });
    expect(workerPoolSize(config, 2)).toBe(config.DB_POOL_SIZE);
  });

  it('defaults to the cores in production with Redis and 1 otherwise; refuses what cannot work', () => {
    const db = 'postgres://localhost/x';
    const redis = 'redis://localhost:6379';
    expect(loadConfig({ DATABASE_URL: db }).webConcurrency).toBe(1);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: db, REDIS_URL: redis }).webConcurrency).toBe(availableParallelism());
    // Without Redis the workers could not tell each other of a write: one process.
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: db }).webConcurrency).toBe(1);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: db, REDIS_URL: redis, WEB_CONCURRENCY: '3' }).webConcurrency).toBe(3);
    expect(() => loadConfig({ DATABASE_URL: db, WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY: more than one worker needs REDIS_URL/);
    expect(() => loadConfig({ WEB_CONCURRENCY: '2', REDIS_URL: redis })).toThrow(
      /WEB_CONCURRENCY: more than one worker needs DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: db, WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY/);
    expect(() => loadConfig({ DATABASE_URL: db, REDIS_URL: redis, WEB_CONCURRENCY: '4', DB_POOL_TOTAL: '3' })).toThrow(
      /DB_POOL_TOTAL: must be at least WEB_CONCURRENCY/,
    );
  });
});

describe('restart back-off', () => {
  it('replaces a long-lived worker at once and doubles the wait for a crash loop, up to the cap', () => {
    const backoff = new RestartBackoff({ stableAfterMs: 10_000, initialMs: 250, maxMs: 2_000 });
    expect([100, 100, 100, 100, 100, 100].map((lived) => backoff.next(lived))).toEqual([0, 250, 500, 1_000, 2_000, 2_000]);
    // A worker that ran past the stable time resets the loop.
    expect(backoff.next(60_000)).toBe(0);
    expect(backoff.next(100)).toBe(250);
  });
});
