// The response cache: a repeated query of the same user is answered with no SQL and the same bytes;
// users never see each other's answers; a user's mutation invalidates their answers at once, here
// (another instance: response-cache-redis.test.ts); errors and per-request extensions are
// never cached; entries expire.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';
import { callPersisted, SESSIONS_LIST } from '../compiled/support.js';

const SESSIONS = `query Sessions($first: Int) { sessions(first: $first) { edges { node { id status messages(first: 10) { edges { node { seq content } } } } } } }`;

/** One request: its status, body text, SQL statement count and the cache outcome in Server-Timing. */
async function ask(
  app: TestApp,
  key: string,
  query = SESSIONS,
  variables: Record<string, unknown> = { first: 5 },
  headers: Record<string, string> = {},
) {
  const { result, statements } = await app.recordSql(async () => {
    const res = await app.yoga.fetch('http://cadence.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, timing: res.headers.get('server-timing') ?? '', text: await res.text() };
  });
  return {
    status: result.status,
    text: result.text,
    body: JSON.parse(result.text) as { data?: Record<string, unknown>; errors?: unknown[]; extensions?: Record<string, unknown> },
    sql: statements.length,
    cache: /cache;desc=(\w+)/.exec(result.timing)?.[1] ?? null,
  };
}

const sessionIds = (body: { data?: Record<string, unknown> }) =>
  (body.data as { sessions: { edges: { node: { id: string } }[] } }).sessions.edges.map((e) => e.node.id);

describe('response cache on one instance', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { RESPONSE_CACHE_TTL_MS: '60000' } });
  });
  afterAll(() => app.close());

  it('answers a repeated query with no SQL and the same bytes', async () => {
    const { key } = await signUp(app);
    await createSession(app, key, 1);
    await ask(app, key); // warms the key cache, so the counts below are the query's own
    await app.request(`mutation { createApiKey(input: { name: "x" }) { key } }`, { key }); // a mutation: the next read misses
    const first = await ask(app, key);
    const second = await ask(app, key);
    expect(first).toMatchObject({ status: 200, cache: 'miss' });
    expect(first.sql).toBeGreaterThan(0);
    expect(second).toMatchObject({ status: 200, cache: 'hit', sql: 0 });
    expect(second.text).toBe(first.text);
  });

  it("stores a compiled answer as PostgreSQL's text, never parsing it, and serves the same bytes", async () => {
    const { key } = await signUp(app);
    await createSession(app, key, 1);
    await callPersisted(app, SESSIONS_LIST, { first: 5 }, key); // warms the key cache
    await app.request(`mutation { createApiKey(input: { name: "x" }) { key } }`, { key }); // the next read misses
    // The compiled answer's text is `{"sessions":…}`; a parse of it in the server would show here.
    const parsed: string[] = [];
    const parse = JSON.parse;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === 'string' && text.startsWith('{"sessions"')) parsed.push(text);
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      const miss = await app.recordSql(() => callPersisted(app, SESSIONS_LIST, { first: 5 }, key));
      const hit = await callPersisted(app, SESSIONS_LIST, { first: 5 }, key);
      expect(miss.statements.map((st) => st.sql.slice(0, 24))).toEqual(['SELECT json_build_object']); // the compiled statement
      expect(miss.result.headers.get('x-cache-status')).toBe('MISS');
      expect(hit.headers.get('x-cache-status')).toBe('HIT');
      expect(hit.text).toBe(miss.result.text);
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toEqual([]);
  });

  it('keys answers by variables', async () => {
    const { key } = await signUp(app);
    await createSession(app, key);
    await ask(app, key, SESSIONS, { first: 1 });
    expect((await ask(app, key, SESSIONS, { first: 1 })).cache).toBe('hit');
    expect((await ask(app, key, SESSIONS, { first: 2 })).cache).toBe('miss');
  });

  it("never answers one user with another's cached data", async () => {
    const alice = await signUp(app, 'Alice');
    const bob = await signUp(app, 'Bob');
    const aliceSession = (await createSession(app, alice.key)).sessionId;
    const bobSession = (await createSession(app, bob.key)).sessionId;
    const forAlice = await ask(app, alice.key);
    expect((await ask(app, alice.key)).cache).toBe('hit');
    const forBob = await ask(app, bob.key);
    expect(forBob.cache).toBe('miss');
    expect(sessionIds(forAlice.body)).toEqual([aliceSession]);
    expect(sessionIds(forBob.body)).toEqual([bobSession]);
  });

  it("drops a user's answers when that user writes, so the next read sees the write", async () => {
    const { key } = await signUp(app);
    const { sessionId } = await createSession(app, key);
    const before = await ask(app, key);
    expect((await ask(app, key)).cache).toBe('hit');
    ok(
      await app.request(`mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } } }`, {
        key,
        variables: { input: { sessionId, content: STAR_ANSWER } },
      }),
    );
    const after = await ask(app, key);
    expect(after.cache).toBe('miss');
    expect(after.text).not.toBe(before.text);
    expect(after.text).toContain('checkout API'); // the answer just written
  });

  it('leaves other users’ answers cached when one user writes', async () => {
    const writer = await signUp(app);
    const reader = await signUp(app);
    await createSession(app, reader.key);
    await ask(app, reader.key);
    await createSession(app, writer.key);
    expect((await ask(app, reader.key)).cache).toBe('hit');
  });

  it('never caches an answer with errors', async () => {
    const { key } = await signUp(app);
    const query = `query($id: ID!) { session(id: $id) { id } }`;
    const missing = { id: 'SW50ZXJ2aWV3U2Vzc2lvbjowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA=' };
    const first = await ask(app, key, query, missing);
    expect(first.body.errors).toBeDefined();
    const second = await ask(app, key, query, missing);
    expect(second.cache).toBe('miss');
    expect(second.sql).toBeGreaterThan(0);
  });

  it('bypasses the cache when the request asks for per-request extensions', async () => {
    const { key } = await signUp(app);
    await createSession(app, key);
    await ask(app, key);
    const traced = await ask(app, key, SESSIONS, { first: 5 }, { 'x-cadence-trace': '1' });
    expect(traced.cache).toBe('bypass');
    expect(traced.sql).toBeGreaterThan(0);
    expect(traced.body.extensions?.trace).toBeDefined();
    const costed = await ask(app, key, SESSIONS, { first: 5 }, { 'x-cadence-cost': '1' });
    expect(costed.cache).toBe('bypass');
    expect(costed.body.extensions?.cost).toBeDefined();
  });

  it('counts hits and misses in /metrics', async () => {
    const res = await app.yoga.fetch('http://cadence.test/metrics');
    const text = await res.text();
    expect(text).toMatch(/cadence_response_cache_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/cadence_response_cache_total\{result="miss"\} [1-9]/);
  });
});

describe('response cache entries expire', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { RESPONSE_CACHE_TTL_MS: '150' } });
  });
  afterAll(() => app.close());

  it('executes again once the TTL has passed', async () => {
    const { key } = await signUp(app);
    await ask(app, key);
    expect((await ask(app, key)).cache).toBe('hit');
    await sleep(200);
    expect((await ask(app, key)).cache).toBe('miss');
  });
});

describe('ResponseCache', () => {
  const cache = (maxBytes = 1_000) => new ResponseCache({ ttlMs: 1_000, maxBytes });

  it('refuses an answer computed before the user wrote', () => {
    const c = cache();
    const token = c.token('u1');
    c.invalidate('u1');
    expect(c.set('k', 'u1', token, '{"data":1}')).toBe(false);
    expect(c.get('k')).toBeUndefined();
    expect(c.set('k', 'u1', c.token('u1'), '{"data":2}')).toBe(true);
    expect(c.get('k')).toBe('{"data":2}');
  });

  it("drops only the writing user's entries", () => {
    const c = cache();
    c.set('a', 'u1', c.token('u1'), 'A');
    c.set('b', 'u2', c.token('u2'), 'B');
    c.invalidate('u1');
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe('B');
    expect(c.size).toEqual({ entries: 1, bytes: 2 }); // key + text
  });

  it('evicts the least recently used entries to stay within its byte bound', () => {
    const c = cache(10);
    c.set('a', 'u1', c.token('u1'), 'aaaa');
    c.set('b', 'u1', c.token('u1'), 'bbbb');
    c.get('a'); // a is now the most recently used
    c.set('c', 'u1', c.token('u1'), 'cccc');
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('aaaa');
    expect(c.get('c')).toBe('cccc');
    expect(c.size.bytes).toBeLessThanOrEqual(10);
    expect(c.set('big', 'u1', c.token('u1'), 'x'.repeat(11))).toBe(false);
  });

  it('counts keys against the byte bound: variables are part of the key', () => {
    const c = cache(10);
    expect(c.set('k'.repeat(8), 'u1', c.token('u1'), 'xx')).toBe(true);
    expect(c.set('k'.repeat(9), 'u1', c.token('u1'), 'xx')).toBe(false);
    expect(c.size.bytes).toBe(10);
  });

  it('forgets an entry after its TTL', () => {
    const c = cache();
    c.set('a', 'u1', c.token('u1'), 'A', 0);
    expect(c.get('a', 999)).toBe('A');
    expect(c.get('a', 1_000)).toBeUndefined();
    expect(c.size.entries).toBe(0);
  });

  it('stays correct after forgetting every generation', () => {
    const c = cache();
    const stale = c.token('u0');
    for (let i = 0; i <= 100_000; i++) c.invalidate(`u${i}`);
    // u0's generation was forgotten, yet its old token still cannot store.
    expect(c.set('k', 'u0', stale, 'x')).toBe(false);
    expect(c.set('k', 'u0', c.token('u0'), 'x')).toBe(true);
  });

  it('stores nothing when off', () => {
    const c = new ResponseCache({ ttlMs: 0, maxBytes: 1_000 });
    expect(c.enabled).toBe(false);
    expect(c.set('k', 'u', c.token('u'), 'x')).toBe(false);
  });
});
