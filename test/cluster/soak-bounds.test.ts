// What a soak with distinct variables fills: the response cache. Entries counted, not RSS: expired
// answers leave as new ones arrive, and the entry count has a bound of its own.
import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.js';

describe('response cache under distinct variables', () => {
  it('drops expired answers as new ones arrive instead of holding them up to maxBytes', () => {
    const cache = new ResponseCache({ ttlMs: 1_000, maxBytes: 64 * 1024 * 1024 });
    const token = cache.token('u1');
    for (let i = 0; i < 5_000; i++) expect(cache.set(`q:${i}`, 'u1', token, '{"data":{}}', 0)).toBe(true);
    expect(cache.size.entries).toBe(5_000);
    // Every answer above is past its TTL: the next store leaves only itself.
    cache.set('q:new', 'u1', token, '{"data":{}}', 1_001);
    expect(cache.size).toEqual({ entries: 1, bytes: 'q:new'.length + '{"data":{}}'.length });
  });

  it('keeps live answers while expiring the old ones, at every step of a stream of distinct keys', () => {
    const cache = new ResponseCache({ ttlMs: 100, maxBytes: 64 * 1024 * 1024 });
    const token = cache.token('u1');
    // One new key per millisecond for 2 000 ms: at most the last 100 ms (TTL) of keys are live.
    for (let t = 0; t < 2_000; t++) {
      cache.set(`q:${t}`, 'u1', token, '{}', t);
      expect(cache.size.entries).toBeLessThanOrEqual(101);
    }
    expect(cache.get('q:1999', 1_999)).toBe('{}');
  });

  it('holds at most maxEntries answers, least recently used out first', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxBytes: 64 * 1024 * 1024, maxEntries: 1_000 });
    for (let i = 0; i < 5_000; i++) cache.set(`q:${i}`, `user${i % 50}`, cache.token(`user${i % 50}`), '{}', 0);
    expect(cache.size.entries).toBe(1_000);
    expect(cache.get('q:3999', 1)).toBeUndefined();
    expect(cache.get('q:4000', 1)).toBe('{}');
  });
});
