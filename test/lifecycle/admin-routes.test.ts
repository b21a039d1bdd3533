// /metrics, /health/performance and /metrics/performance behind ADMIN_TOKEN, the one operators'
// token (issue 8, "Also found"; issue 12 folded METRICS_TOKEN into it): open in development without
// a token, closed in production without one. METRICS_TOKEN is still read as its deprecated name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const PATHS = ['/metrics', '/health/performance', '/metrics/performance'];

async function status(app: TestApp, path: string, token?: string) {
  const response = await app.yoga.fetch(`http://cadence.test${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  await response.text();
  return response.status;
}

describe.each(['ADMIN_TOKEN', 'METRICS_TOKEN'])('with %s', (variable) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { [variable]: TOKEN } });
  });
  afterAll(() => app.close());

  it('answers only the bearer of the token', async () => {
    for (const path of PATHS) {
      expect(await status(app, path)).toBe(401);
      expect(await status(app, path, 'wrong-token-0123456789abcdef')).toBe(401);
      expect(await status(app, path, TOKEN.slice(0, -1))).toBe(401);
      expect(await status(app, path, TOKEN)).toBe(200);
    }
    // Probes stay open.
    expect(await status(app, '/health')).toBe(200);
    expect(await status(app, '/health/ready')).toBe(200);
  });
});

describe('in production without ADMIN_TOKEN', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => app.close());

  it('keeps them closed and says how to open them', async () => {
    for (const path of PATHS) {
      const response = await app.yoga.fetch(`http://cadence.test${path}`);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0]!.message).toContain('ADMIN_TOKEN');
    }
    expect(await status(app, '/health/ready')).toBe(200);
  });
});

describe('in development without ADMIN_TOKEN', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.close());

  it('leaves them open', async () => {
    for (const path of PATHS) expect(await status(app, path)).toBe(200);
  });
});
