// The live dashboard in Chromium: after traffic it shows each operation's exact count and
// percentiles against its budget, the slowest operations and SQL statements with the request ids
// the traffic got back, the cache figures and six charts; it refreshes as more traffic arrives;
// every request stays on 127.0.0.1. The screenshot is kept in .test-results/browser/dashboard.png.
// Access in production (ADMIN_TOKEN) is checked without a browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { launchBrowser, remoteRequests, screenshot, startBrowserApp, type Browser, type BrowserApp } from './support.js';

const SESSIONS_LIST = `query SessionsList { sessions(first: 20) { totalCount edges { node { id status jobPosting { title }
  messages(first: 10) { edges { node { seq content } } } } } } }`;
const VIEWER = 'query Viewer { viewer { id name } }';
const ROUNDS = 20;

describe('the dashboard in Chromium', () => {
  let app: BrowserApp;
  let browser: Browser;
  const requestIds = new Set<string>();

  beforeAll(async () => {
    [app, browser] = await Promise.all([startBrowserApp('cadence_dashboard'), launchBrowser()]);
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all([app.graphql(SESSIONS_LIST), app.graphql(VIEWER)]);
      for (const answer of answers) {
        expect(answer.body.errors).toBeUndefined();
        requestIds.add(answer.requestId);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const rowOf = async (table: string, text: string) =>
    (await browser.page.locator(`#${table} tbody tr`, { hasText: text }).first().locator('td').allInnerTexts()).map((t) => t.trim());

  it('shows the traffic: counts, percentiles against budgets, slowest operations and SQL with request ids, cache, charts', async () => {
    const { page } = browser;
    await page.goto(`${app.base}/dashboard`, { waitUntil: 'load' });
    await expect.poll(() => rowOf('operations', 'SessionsList'), { timeout: 15_000 }).toHaveLength(9);

    // operation, type, count, errors, p50, p95, p99, budget, bar
    const sessions = await rowOf('operations', 'SessionsList');
    expect(sessions.slice(0, 4)).toEqual(['SessionsList', 'query', String(ROUNDS), '0']);
    expect(sessions[7]).toBe('50');
    const [p50, p95, p99] = sessions.slice(4, 7).map((t) => Number(t.replace(/,/g, '')));
    expect(p50).toBeGreaterThan(0);
    expect(p50! <= p95! && p95! <= p99!).toBe(true);
    expect((await rowOf('operations', 'Viewer')).slice(0, 4)).toEqual(['Viewer', 'query', String(ROUNDS), '0']);

    // The slowest operations and statements name requests this test made.
    const slowOps = await page.locator('#slowest-operations tbody tr td.id').allInnerTexts();
    expect(slowOps.length).toBe(10);
    for (const id of slowOps) expect(requestIds.has(id.trim()), id).toBe(true);
    const slowSqlIds = await page.locator('#slowest-sql tbody tr td.id').allInnerTexts();
    expect(slowSqlIds.length).toBeGreaterThan(0);
    for (const id of slowSqlIds) expect(requestIds.has(id.trim()), id).toBe(true);
    expect(await page.locator('#slowest-sql tbody tr td.sql').first().innerText()).toMatch(/^SELECT /);

    // Every query asked the response cache: hits + misses = all of them, and repeats hit.
    const tile = (label: string) => page.locator('.tile', { hasText: label }).locator('.value').innerText();
    const [hits, misses] = (await tile('cache hits / misses')).split('/').map((t) => Number(t.trim()));
    expect(hits! + misses!).toBe(2 * ROUNDS);
    expect(hits).toBeGreaterThan(0);
    expect(await tile('pool active / open')).toMatch(new RegExp(`^\\d+ / \\d+ \\(max ${app.poolMax}\\), \\d+ waiting$`));
    expect(await tile('queued operations')).toMatch(/^\d+$/);

    // Six charts drawn on canvases.
    expect(await page.locator('.uplot canvas').count()).toBe(6);

    // It refreshes: more traffic shows up without reloading the page.
    const more = await Promise.all(Array.from({ length: 5 }, () => app.graphql(VIEWER)));
    for (const answer of more) expect(answer.body.errors).toBeUndefined();
    await expect.poll(async () => (await rowOf('operations', 'Viewer'))[2], { timeout: 15_000 }).toBe(String(ROUNDS + 5));

    await screenshot(page, 'dashboard');
    expect(remoteRequests(browser.requests)).toEqual([]);
    expect(browser.requests.filter((url) => url.endsWith('/dashboard/data')).length).toBeGreaterThanOrEqual(2);
    expect(browser.problems).toEqual([]);
  });
});

describe('the dashboard in production', () => {
  const TOKEN = 'admin-token-for-the-dashboard-test';

  async function cadence(env: Record<string, string>) {
    const { createCadence } = await import('../../src/http/yoga.js');
    const config = loadConfig({
      NODE_ENV: 'production',
      // Never connected to: createCadence opens nothing itself.
      DATABASE_URL: 'postgresql://127.0.0.1:1/unused',
      REDIS_URL: 'redis://127.0.0.1:1',
      ...env,
    });
    return createCadence({ config, log: createLogger({ level: 'silent' }) });
  }

  it('is absent without ADMIN_TOKEN', async () => {
    const yoga = await cadence({});
    try {
      for (const path of ['/dashboard', '/dashboard/data', '/dashboard/assets/dashboard.js']) {
        const response = await yoga.fetch(`http://cadence.test${path}`);
        expect(response.status, path).toBe(404);
        await response.body?.cancel();
      }
    } finally {
      await yoga.dispose();
    }
  });

  it('answers only the admin token (Basic password or Bearer) when ADMIN_TOKEN is set', async () => {
    const yoga = await cadence({ ADMIN_TOKEN: TOKEN });
    const get = (path: string, authorization?: string) =>
      yoga.fetch(`http://cadence.test${path}`, { headers: authorization ? { authorization } : {} });
    try {
      const anonymous = await get('/dashboard');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
      await anonymous.body?.cancel();
      for (const wrong of [
        `Bearer ${TOKEN}x`,
        `Basic ${Buffer.from(`admin:${TOKEN.slice(1)}`).toString('base64')}`,
        'Bearer cad_someone_elses_api_key',
        TOKEN,
      ]) {
        const response = await get('/dashboard/data', wrong);
        expect(response.status, wrong).toBe(401);
        await response.body?.cancel();
      }

      const page = await get('/dashboard', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('/dashboard/assets/uPlot.iife.min.js');
      const data = await get('/dashboard/data', `Bearer ${TOKEN}`);
      expect(data.status).toBe(200);
      expect(((await data.json()) as { totals: { operations: number } }).totals.operations).toBe(0);
      const chartLib = await get('/dashboard/assets/uPlot.iife.min.js', `Bearer ${TOKEN}`);
      expect(chartLib.status).toBe(200);
      expect(await chartLib.text()).toContain('uPlot');
    } finally {
      await yoga.dispose();
    }
  });
});
