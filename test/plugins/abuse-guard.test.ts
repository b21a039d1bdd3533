// A client that keeps getting refused is slowed down (429 after a delay); others are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const TARPIT_MS = 150;
let app: TestApp;
let key: string;

beforeAll(async () => {
  app = await startApp({ env: { ABUSE_MAX_REJECTIONS: '5', ABUSE_WINDOW_MS: '2000', ABUSE_TARPIT_MS: String(TARPIT_MS) } });
  ({ key } = await signUp(app));
});
afterAll(() => app.close());

const refused = () => app.request(`{ viewer { id } `, { headers: { authorization: 'Bearer not-a-key' } });

describe('the abuse guard', () => {
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
