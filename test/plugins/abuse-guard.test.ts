// A client that keeps getting refused is slowed down (429 after a delay); others are not. Refusals
// count against the key only once it has proved itself; junk, unknown or rotating keys count
// against the client's address (issue 8).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAbuseGuard } from '../../src/plugins/use-abuse-guard.js';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const TARPIT_MS = 150;
const isKeyLookup = (sql: string) => sql.includes('"api_keys"') && sql.includes('"hash"');
const wellFormedUnknownKey = () => `cad_${randomBytes(32).toString('base64url')}`;
const randomAddress = () => `10.${randomBytes(3).join('.')}`;

/** A real HTTP server around the app, so the guard sees socket addresses and raw headers. */
async function listen(app: TestApp): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer(app.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/graphql`, port };
}

async function post(url: string, headers: Record<string, string>, query = '{ viewer { id } }') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, headers: response.headers };
}

/** A request written by hand: fetch would join two Authorization headers into one. */
function rawPost(port: number, headerLines: string[]): Promise<string> {
  const body = JSON.stringify({ query: '{ viewer { id } }' });
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(
      [
        'POST /graphql HTTP/1.1',
        'Host: cadence.test',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        ...headerLines,
        '',
        body,
      ].join('\r\n'),
    );
  });
}

describe('the abuse guard', () => {
  let app: TestApp;
  let key: string;

  beforeAll(async () => {
    app = await startApp({ env: { ABUSE_MAX_REJECTIONS: '5', ABUSE_WINDOW_MS: '2000', ABUSE_TARPIT_MS: String(TARPIT_MS) } });
    ({ key } = await signUp(app));
    // A key counts on its own once it has verified on this instance (within the last hour);
    // before that it is just a claim, counted against the address like any junk key.
    ok(await app.request(`{ viewer { id } }`, { key }));
  });
  afterAll(() => app.close());

  const refused = () => app.request(`{ viewer { id } `, { headers: { authorization: 'Bearer not-a-key' } });

  it('answers 429 RATE_LIMITED with Retry-After, after a delay, once a client has had too many refusals', async () => {
    for (let i = 0; i < 5; i++) expect((await refused()).status).toBe(400);
    const started = performance.now();
    const limited = await refused();
    const waited = performance.now() - started;
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('x-request-id')).toBeTruthy();
    // The delay is the point: it is what throttles a closed-loop flood.
    expect(waited).toBeGreaterThanOrEqual(TARPIT_MS - 5);
  });

  it('leaves other clients alone', async () => {
    ok(await app.request(`{ viewer { id } }`, { key }));
  });

  it('forgives the client when its window ends', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_050));
    expect((await refused()).status).toBe(400);
  });
});

describe('whom refusals count against (real HTTP, X-Forwarded-For trusted)', () => {
  let app: TestApp;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    app = await startApp({
      env: {
        ABUSE_MAX_REJECTIONS: '5',
        ABUSE_WINDOW_MS: '60000',
        ABUSE_TARPIT_MS: '0',
        TRUST_PROXY: '1',
        AUTH_NEGATIVE_CACHE_TTL_MS: '60000',
      },
    });
    ({ server, url } = await listen(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  });

  it('limits a client that sends a new junk key every time, by its address', async () => {
    const address = randomAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Alternate the two kinds: malformed values and well-formed keys nobody holds.
      const authorization = i % 2 ? `Bearer ${wellFormedUnknownKey()}` : `Bearer junk-${i}`;
      statuses.push((await post(url, { authorization, 'x-forwarded-for': address })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
    // Another address is not affected.
    expect((await post(url, { 'x-forwarded-for': randomAddress() }, '{ __typename }')).status).toBe(200);
  });

  it('ignores the client-sent part of X-Forwarded-For', async () => {
    const address = randomAddress();
    for (let i = 0; i < 5; i++) {
      // A spoofed left-most entry changes every time; the entry our proxy appended does not.
      const spoofed = `${randomAddress()}, ${address}`;
      expect((await post(url, { authorization: `Bearer ${wellFormedUnknownKey()}`, 'x-forwarded-for': spoofed })).status).toBe(401);
    }
    expect((await post(url, { authorization: 'Bearer x', 'x-forwarded-for': `${randomAddress()}, ${address}` })).status).toBe(429);
  });

  it('a verified key is not held back by refusals from its address', async () => {
    const address = randomAddress();
    const { key } = await signUp(app);
    expect((await post(url, { authorization: `Bearer ${key}`, 'x-forwarded-for': address })).status).toBe(200);
    for (let i = 0; i < 6; i++) await post(url, { authorization: `Bearer junk-${i}`, 'x-forwarded-for': address });
    expect((await post(url, { authorization: 'Bearer junk', 'x-forwarded-for': address })).status).toBe(429);
    expect((await post(url, { authorization: `Bearer ${key}`, 'x-forwarded-for': address })).status).toBe(200);
  });
});

// The key lookups and the header check, with the guard off (it would hold this file's many
// refusals from one address; its counting is tested above).
describe('unknown keys and duplicate headers', () => {
  let app: TestApp;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    app = await startApp({ env: { AUTH_NEGATIVE_CACHE_TTL_MS: '60000' } });
    ({ server, port } = await listen(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  });

  it('looks each unknown well-formed key up at most once within the negative TTL', async () => {
    const keys = Array.from({ length: 10 }, wellFormedUnknownKey);
    const lookups = (statements: { sql: string }[]) => statements.filter((s) => isKeyLookup(s.sql)).length;
    // One by one (Prisma would batch concurrent lookups into one statement): one lookup each.
    const first = await app.recordSql(async () => {
      for (const k of keys) expect((await app.request(`{ viewer { id } }`, { key: k })).status).toBe(401);
    });
    expect(lookups(first.statements)).toBe(10);
    // Two more rounds, concurrent: refused from memory, no lookup at all.
    const again = await app.recordSql(async () => {
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(keys.map((k) => app.request(`{ viewer { id } }`, { key: k })));
        expect(results.map((r) => r.body.errors?.[0]?.extensions?.code)).toEqual(Array(10).fill('UNAUTHENTICATED'));
      }
    });
    expect(lookups(again.statements)).toBe(0);
  });

  it('looks a key sent by 20 concurrent requests up once', async () => {
    const unknown = wellFormedUnknownKey();
    const { result, statements } = await app.recordSql(() =>
      Promise.all(Array.from({ length: 20 }, () => app.request(`{ viewer { id } }`, { key: unknown }))),
    );
    expect(result.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(statements.filter((s) => isKeyLookup(s.sql)).length).toBe(1);
  });

  it('a key made after unknown keys were sprayed works at once', async () => {
    for (let i = 0; i < 20; i++) await app.request(`{ viewer { id } }`, { key: wellFormedUnknownKey() });
    const { key } = await signUp(app);
    ok(await app.request(`{ viewer { id } }`, { key }));
    const second = ok(
      await app.request<{ createApiKey: { key: string } }>(`mutation { createApiKey(input: { name: "second" }) { key } }`, { key }),
    );
    ok(await app.request(`{ viewer { id } }`, { key: second.createApiKey.key }));
  });

  it('refuses two Authorization headers with 401, even when both are the same valid key', async () => {
    const { key } = await signUp(app);
    const address = randomAddress();
    const cases = [
      [`Authorization: Bearer ${key}`, `Authorization: Bearer ${key}`],
      [`Authorization: Bearer ${key}`, 'authorization: Bearer junk'],
      ['Authorization: Bearer junk', `AUTHORIZATION: Bearer ${key}`],
    ];
    for (const lines of cases) {
      const text = await rawPost(port, [...lines, `X-Forwarded-For: ${address}`]);
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
      expect(text).toContain('"code":"UNAUTHENTICATED"');
      expect(text.toLowerCase()).toContain('www-authenticate: bearer');
    }
    // One header with the same key is fine.
    const single = await rawPost(port, [`Authorization: Bearer ${key}`, `X-Forwarded-For: ${randomAddress()}`]);
    expect(single.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});

describe('what the guard counts', () => {
  it('counts 500s and 401s, not other successes', async () => {
    let status = 500;
    const yoga = createYoga({
      plugins: [
        useAbuseGuard({ maxRejections: 3, windowMs: 60_000, tarpitMs: 0 }),
        { onRequest: ({ endResponse }) => endResponse(new Response('{}', { status })) },
      ],
    });
    const send = async () => (await yoga.fetch('http://cadence.test/graphql', { method: 'POST' })).status;
    status = 200;
    for (let i = 0; i < 5; i++) expect(await send()).toBe(200);
    status = 500;
    expect(await send()).toBe(500);
    status = 401;
    expect(await send()).toBe(401);
    status = 503; // a server fault is not the client's doing
    expect(await send()).toBe(503);
    status = 500;
    expect(await send()).toBe(500);
    expect(await send()).toBe(429);
  });
});
