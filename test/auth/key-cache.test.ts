// The API-key cache: warm keys skip the lookup, revocation is immediate here and, through the
// real local Redis, on another instance; unknown keys are refused from memory for a short TTL
// (issue 8: a repeated unknown key cost a lookup per request).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyCache } from '../../src/auth/key-cache.js';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const isKeyLookup = (sql: string) => sql.includes('"api_keys"') && sql.includes('"hash"');

async function lookups(app: TestApp, key: string) {
  const { result, statements } = await app.recordSql(() => app.request(`{ viewer { id } }`, { key }));
  return { status: result.status, lookups: statements.filter((s) => isKeyLookup(s.sql)).length };
}

describe('two instances sharing PostgreSQL and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startApp({ env: { REDIS_URL } });
    b = await startApp({ env: { REDIS_URL } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('looks a key up once and then answers from the cache', async () => {
    const { key } = await signUp(a);
    expect(await lookups(a, key)).toEqual({ status: 200, lookups: 1 });
    expect(await lookups(a, key)).toEqual({ status: 200, lookups: 0 });
  });

  it('looks an unknown key up once, then refuses it from memory', async () => {
    const unknown = `cad_${'B'.repeat(43)}`;
    expect(await lookups(a, unknown)).toEqual({ status: 401, lookups: 1 });
    expect(await lookups(a, unknown)).toEqual({ status: 401, lookups: 0 });
  });

  it('refuses a revoked key at once on the instance that revoked it and, through Redis, on the other', async () => {
    const { key } = await signUp(a);
    const second = ok(
      await a.request<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        `mutation { createApiKey(input: { name: "second" }) { key apiKey { id } } }`,
        { key },
      ),
    );
    const victim = second.createApiKey.key;
    // Both instances have the key warm.
    expect((await lookups(a, victim)).status).toBe(200);
    expect((await lookups(b, victim)).status).toBe(200);
    expect((await lookups(b, victim)).lookups).toBe(0);

    ok(
      await a.request(`mutation($id: ID!) { revokeApiKey(id: $id) { revoked } }`, {
        key,
        variables: { id: second.createApiKey.apiKey.id },
      }),
    );
    expect((await lookups(a, victim)).status).toBe(401);
    // Pub/sub delivery is asynchronous: allow it a moment, bounded.
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await lookups(b, victim)).status;
      if (status === 200) await sleep(20);
    }
    expect(status).toBe(401);
  });
});

describe('with the cache off', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { AUTH_CACHE_TTL_MS: '0' } });
  });
  afterAll(() => app.close());

  it('looks the key up on every request', async () => {
    const { key } = await signUp(app);
    expect(await lookups(app, key)).toEqual({ status: 200, lookups: 1 });
    expect(await lookups(app, key)).toEqual({ status: 200, lookups: 1 });
  });
});

describe('ApiKeyCache', () => {
  const viewer = (n: number) => ({ userId: `u${n}`, apiKeyId: `k${n}` });

  it('forgets an entry after its TTL', () => {
    const cache = new ApiKeyCache(1_000);
    cache.set('h1', viewer(1), 0);
    expect(cache.get('h1', 999)).toEqual(viewer(1));
    expect(cache.get('h1', 1_000)).toBeUndefined();
  });

  it('evicts by key id and stays within its size bound', () => {
    const cache = new ApiKeyCache(60_000, 2);
    cache.set('h1', viewer(1), 0);
    cache.set('h2', viewer(2), 0);
    cache.set('h3', viewer(3), 0);
    expect(cache.size).toBe(2);
    expect(cache.get('h1', 1)).toBeUndefined();
    cache.evict('k2');
    expect(cache.get('h2', 1)).toBeUndefined();
    expect(cache.get('h3', 1)).toEqual(viewer(3));
  });
});

describe('ApiKeyCache: unknown keys', () => {
  it('refuses an unknown hash until its negative TTL ends', () => {
    const cache = new ApiKeyCache(60_000, 10, 1_000);
    cache.setUnknown('h1', 0);
    expect(cache.isUnknown('h1', 999)).toBe(true);
    expect(cache.isUnknown('h1', 1_000)).toBe(false);
    expect(cache.unknownSize).toBe(0);
  });

  it('stays within its bound, dropping the least recently seen', () => {
    const cache = new ApiKeyCache(60_000, 10, 60_000, 2);
    cache.setUnknown('h1', 0);
    cache.setUnknown('h2', 0);
    expect(cache.isUnknown('h1', 1)).toBe(true); // h1 is now the most recent
    cache.setUnknown('h3', 1);
    expect(cache.unknownSize).toBe(2);
    expect(cache.isUnknown('h2', 2)).toBe(false);
    expect(cache.isUnknown('h1', 2)).toBe(true);
    cache.forgetUnknown('h1');
    expect(cache.isUnknown('h1', 2)).toBe(false);
  });

  it('remembers keys that verified, even with the positive cache off, for the abuse guard', () => {
    const cache = new ApiKeyCache(0, 10);
    cache.set('h1', { userId: 'u1', apiKeyId: 'k1' }, 0);
    expect(cache.get('h1', 0)).toBeUndefined();
    expect(cache.provenRecently('h1', 1_000)).toBe(true);
    expect(cache.provenRecently('h2', 1_000)).toBe(false);
    expect(cache.provenRecently('h1', 60 * 60 * 1000)).toBe(false);
  });

  it('remembers nothing when the negative TTL is 0', () => {
    const cache = new ApiKeyCache(60_000, 10, 0);
    cache.setUnknown('h1', 0);
    expect(cache.isUnknown('h1', 0)).toBe(false);
  });
});
